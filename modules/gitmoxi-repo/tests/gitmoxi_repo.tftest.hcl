# Plan-only tests of the module with the real provider (installed through dev_overrides or
# `make install`). Planning a create makes no AWS call, so the endpoints point nowhere.
#   cd modules/gitmoxi-repo && terraform init && terraform test

provider "gitmoxi" {
  region = "us-east-1"
  endpoints {
    lambda     = "http://127.0.0.1:9"
    cloudwatch = "http://127.0.0.1:9"
    sts        = "http://127.0.0.1:9"
  }
}

variables {
  path      = "tests/fixtures/repo/lambdas"
  repo_root = "tests/fixtures/repo"
  defaults = {
    definition = { Role = "arn:aws:iam::000000000000:role/default" }
    packages   = { api = "tests/fixtures/repo/lambdas/worker.zip" }
  }
}

run "one_deployment_per_definition_file" {
  command = plan

  assert {
    condition     = toset(keys(gitmoxi_lambda_deployment.this)) == toset(["api", "cron", "worker"])
    error_message = "Expected one deployment per *_lambdadef.json."
  }
  assert {
    condition     = toset(keys(output.deployments)) == toset(["api", "cron", "worker"])
    error_message = "The deployments output should have one entry per prefix."
  }
}

run "input_and_ref_render_into_the_definition" {
  command = plan

  assert {
    condition     = jsondecode(gitmoxi_lambda_deployment.this["api"].function_definition).FunctionName == "shop-api-dev"
    error_message = "The input's own `stage` should win over the ref file's."
  }
  assert {
    condition     = jsondecode(gitmoxi_lambda_deployment.this["api"].function_definition).MemorySize == 256
    error_message = "A whole number should render as a JSON number."
  }
  assert {
    condition     = jsondecode(gitmoxi_lambda_deployment.this["api"].function_definition).Environment.Variables.TABLE == "orders"
    error_message = "{{ outputs['table_name'] }} should read the ref file."
  }
  assert {
    condition     = jsondecode(gitmoxi_lambda_deployment.this["api"].function_definition).Environment.Variables.MOTD == "say \"hi\"\nbye"
    error_message = "tojson should keep quotes and newlines valid JSON."
  }
  assert {
    condition     = jsondecode(gitmoxi_lambda_deployment.this["api"].function_definition).Tags == { team = "payments", app = "shop" }
    error_message = "An object rendered with tojson should decode back."
  }
  assert {
    condition     = jsondecode(gitmoxi_lambda_deployment.this["api"].function_definition).Role == "arn:aws:iam::000000000000:role/shop"
    error_message = "A Role written in the definition should win over defaults.definition."
  }
}

run "deployment_file_maps_onto_the_resource" {
  command = plan

  assert {
    condition     = gitmoxi_lambda_deployment.this["api"].alias == "dev-live"
    error_message = "The deployment file's alias (rendered) should be used."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["api"].traffic_shifting[0].type == "LINEAR" && gitmoxi_lambda_deployment.this["api"].traffic_shifting[0].percent == 25
    error_message = "trafficShiftingConfig should map onto traffic_shifting."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["api"].traffic_shifting[0].wait_interval == "30s"
    error_message = "waitInterval is in seconds."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["api"].alarms == tolist(["shop-api-errors"])
    error_message = "alarms.alarmNames should map onto alarms."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["api"].readiness_check[0].wait_interval == "5s" && gitmoxi_lambda_deployment.this["api"].readiness_check[0].max_retries == 12
    error_message = "readinessCheck should map onto readiness_check."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["api"].package_file == "tests/fixtures/repo/lambdas/worker.zip"
    error_message = "defaults.packages should name the package."
  }
}

run "older_names_and_defaults" {
  command = plan

  assert {
    condition     = length(gitmoxi_lambda_deployment.this["worker"].traffic_shifting) == 0
    error_message = "trafficShiftingEnabled = false means ALL_AT_ONCE with no wait (no block)."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["worker"].alias == "live"
    error_message = "_depdef.json should be read as the deployment file."
  }
  assert {
    condition     = jsondecode(gitmoxi_lambda_deployment.this["worker"].function_definition).Environment.Variables.TABLE == "orders-tf"
    error_message = "A TERRAFORM ref should give each output's value (_input.json spelling)."
  }
  assert {
    condition     = jsondecode(gitmoxi_lambda_deployment.this["worker"].function_definition).Role == "arn:aws:iam::000000000000:role/default"
    error_message = "defaults.definition should fill the Role the definition leaves out."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["worker"].package_file == "tests/fixtures/repo/lambdas/worker.zip"
    error_message = "A <prefix>.zip beside the definition should be the package."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["cron"].package_file == null
    error_message = "A definition with Code gets no package_file."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["cron"].alias == "live" && length(gitmoxi_lambda_deployment.this["cron"].traffic_shifting) == 0
    error_message = "Without a deployment file the defaults apply."
  }
}

run "defaults_fill_what_the_deployment_file_leaves_out" {
  command = plan

  variables {
    defaults = {
      alias            = "prod"
      alarms           = ["shop-errors"]
      traffic_shifting = { type = "CANARY", percent = 10, wait_interval = "2m" }
      readiness_check  = { wait_interval = "1s", max_retries = 3 }
      definition       = { Role = "arn:aws:iam::000000000000:role/default" }
      packages         = { api = "tests/fixtures/repo/lambdas/worker.zip" }
    }
  }

  assert {
    condition     = gitmoxi_lambda_deployment.this["cron"].alias == "prod" && gitmoxi_lambda_deployment.this["cron"].traffic_shifting[0].type == "CANARY"
    error_message = "defaults should apply to a prefix without a deployment file."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["cron"].alarms == tolist(["shop-errors"]) && gitmoxi_lambda_deployment.this["cron"].readiness_check[0].max_retries == 3
    error_message = "defaults.alarms and defaults.readiness_check should apply."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["api"].alias == "dev-live" && gitmoxi_lambda_deployment.this["api"].alarms == tolist(["shop-api-errors"])
    error_message = "The deployment file should win over defaults."
  }
}

run "a_folder_without_definitions_is_refused" {
  command = plan

  variables {
    path = "tests/fixtures/empty"
  }

  expect_failures = [var.path]
}

run "only_sensitive_outputs_make_a_definition_sensitive" {
  command = plan

  assert {
    condition     = !issensitive(gitmoxi_lambda_deployment.this["api"].function_definition)
    error_message = "A definition rendered from non-sensitive values should stay readable in plans."
  }
  assert {
    condition     = issensitive(gitmoxi_lambda_deployment.this["worker"].function_definition)
    error_message = "A TERRAFORM ref with a sensitive output should keep the rendered definition sensitive."
  }
}
