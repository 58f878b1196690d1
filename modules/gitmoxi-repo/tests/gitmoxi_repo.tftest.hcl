# Plan-only tests of the module with the real provider (installed through dev_overrides or
# `make install`). Planning a create only previews the alias (a read given up after 3 s), so the
# endpoints point nowhere.
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

run "the_bucket_default_stages_every_package" {
  command = plan

  variables {
    defaults = {
      definition        = { Role = "arn:aws:iam::000000000000:role/default" }
      packages          = { api = "tests/fixtures/repo/lambdas/worker.zip" }
      package_s3_bucket = "shop-artifacts"
    }
  }

  assert {
    condition     = gitmoxi_lambda_deployment.this["api"].package_s3_bucket == "shop-artifacts" && gitmoxi_lambda_deployment.this["worker"].package_s3_bucket == "shop-artifacts"
    error_message = "defaults.package_s3_bucket should reach every function that has a package_file."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["cron"].package_s3_bucket == null
    error_message = "A definition with its own Code has no package to stage: no bucket."
  }
}

# A repository with one folder per function, as Gitmoxi's demo keeps it.
run "subfolders_are_read_and_keyed_by_their_path" {
  command = plan

  variables {
    path      = "tests/fixtures/nested/lambdas"
    repo_root = "tests/fixtures/nested"
    defaults = {
      packages = { "payments/jobs/settle" = "tests/fixtures/repo/lambdas/worker.zip" }
    }
  }

  assert {
    condition     = toset(keys(gitmoxi_lambda_deployment.this)) == toset(["cron", "orders/api", "payments/api", "payments/jobs/settle"])
    error_message = "Expected one deployment per *_lambdadef.json at any depth, keyed by its path under `path` (top-level files by their plain prefix), none from hidden folders or .sample files."
  }
  assert {
    condition     = toset(keys(output.deployments)) == toset(["cron", "orders/api", "payments/api", "payments/jobs/settle"])
    error_message = "The deployments output should use the same keys."
  }
  assert {
    condition     = jsondecode(gitmoxi_lambda_deployment.this["orders/api"].function_definition).FunctionName == "shop-orders-api" && jsondecode(gitmoxi_lambda_deployment.this["payments/api"].function_definition).FunctionName == "shop-payments-api"
    error_message = "Two `api` prefixes in two folders should each render with the input beside them."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["orders/api"].alias == "live" && gitmoxi_lambda_deployment.this["payments/api"].alias == "payments-live"
    error_message = "Each definition should take the deployment file beside it (both spellings)."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["orders/api"].traffic_shifting[0].type == "CANARY" && gitmoxi_lambda_deployment.this["payments/api"].traffic_shifting[0].type == "LINEAR" && gitmoxi_lambda_deployment.this["payments/api"].traffic_shifting[0].wait_interval == "30s"
    error_message = "Each definition's trafficShiftingConfig should map onto its own resource."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["orders/api"].event_sources == null && jsondecode(gitmoxi_lambda_deployment.this["payments/api"].event_sources).PullEventSources[0].EventSourceArn == "arn:aws:sqs:us-east-1:000000000000:payments"
    error_message = "The event source file should belong to the definition beside it, rendered with its input."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["orders/api"].package_file == "tests/fixtures/nested/lambdas/orders/api.zip" && gitmoxi_lambda_deployment.this["payments/api"].package_file == null
    error_message = "A <prefix>.zip is the package of the definition beside it only."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["payments/jobs/settle"].package_file == "tests/fixtures/repo/lambdas/worker.zip"
    error_message = "defaults.packages should be keyed like the deployments."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["cron"].alias == "live" && jsondecode(gitmoxi_lambda_deployment.this["cron"].function_definition).FunctionName == "shop-cron"
    error_message = "A definition directly in `path` keeps its plain prefix as key."
  }
}

run "a_copy_of_the_module_below_path_is_not_deployed" {
  command = plan

  # `..` holds this module, whose fixtures are definition files; a repository that vendors the
  # module and points `path` at its root must not deploy them.
  variables {
    path      = ".."
    repo_root = ".."
  }

  assert {
    condition     = length(gitmoxi_lambda_deployment.this) == 0
    error_message = "The module's own folder should be skipped when it lies below `path`."
  }
}

run "a_ref_climbing_out_of_the_repository_is_refused" {
  command = plan

  # The file exists and the template needs a value from it: the precondition must still be
  # what fails (the file is never read).
  variables {
    path      = "tests/fixtures/climb/repo/up"
    repo_root = "tests/fixtures/climb/repo"
  }

  expect_failures = [gitmoxi_lambda_deployment.this]
}

run "an_absolute_ref_is_refused" {
  command = plan

  # /etc/hostname is not JSON: reading it would fail otherwise than by the precondition.
  variables {
    path      = "tests/fixtures/climb/repo/absolute"
    repo_root = "tests/fixtures/climb/repo"
  }

  expect_failures = [gitmoxi_lambda_deployment.this]
}

# Gitmoxi's demo repository (tests/fixtures/gm-demo/README.md), read as a new user would: one
# module block over its lambda/ folder, whose three function folders all use the prefix `test`.
run "gitmoxi_demo_repository_plans_one_deployment_per_function" {
  command = plan

  variables {
    path      = "tests/fixtures/gm-demo/lambda"
    repo_root = "tests/fixtures/gm-demo"
    defaults  = {}
  }

  assert {
    condition     = toset(keys(gitmoxi_lambda_deployment.this)) == toset(["lambda-api-gateway/test", "lambda-elb/test", "lambda-sqs/test"])
    error_message = "Expected one deployment per function folder."
  }
  assert {
    condition = { for k, d in gitmoxi_lambda_deployment.this : k => d.id } == {
      "lambda-api-gateway/test" = "LambdaFunction_APIGateway"
      "lambda-elb/test"         = "LambdaFunction_ELB"
      "lambda-sqs/test"         = "LambdaFunction_SQS"
    }
    error_message = "Each folder's definition should render its own FunctionName."
  }
  assert {
    condition     = alltrue([for d in gitmoxi_lambda_deployment.this : d.alias == "PROD"])
    error_message = "Every deployment file says alias PROD."
  }
  assert {
    condition = alltrue([for k in ["lambda-api-gateway/test", "lambda-elb/test"] :
      gitmoxi_lambda_deployment.this[k].traffic_shifting[0].type == "CANARY" &&
      gitmoxi_lambda_deployment.this[k].traffic_shifting[0].percent == 50 &&
      gitmoxi_lambda_deployment.this[k].traffic_shifting[0].wait_interval == "60s"
    ])
    error_message = "The API Gateway and load balancer functions release as a 50% canary for 60 s."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["lambda-api-gateway/test"].readiness_check[0].wait_interval == "10s" && gitmoxi_lambda_deployment.this["lambda-api-gateway/test"].readiness_check[0].max_retries == 5
    error_message = "readinessCheck should map onto readiness_check."
  }
  assert {
    condition = (
      jsondecode(gitmoxi_lambda_deployment.this["lambda-api-gateway/test"].function_definition).Code == { S3Bucket = "lambda-function-deployment-bucket-9f8e7d6c", S3Key = "blue_function.zip" } &&
      jsondecode(gitmoxi_lambda_deployment.this["lambda-sqs/test"].function_definition).Code.S3Key == "sqs_function.zip" &&
      jsondecode(gitmoxi_lambda_deployment.this["lambda-elb/test"].function_definition).Role == "arn:aws:iam::123456789012:role/TestLambdaExecutionRole"
    )
    error_message = "The repository-relative TERRAFORM ref should fill the role, bucket and keys."
  }
  assert {
    condition     = alltrue([for d in gitmoxi_lambda_deployment.this : d.package_file == null && d.package_s3_bucket == null])
    error_message = "Definitions with their own Code get no package."
  }
  assert {
    condition = (
      jsondecode(gitmoxi_lambda_deployment.this["lambda-api-gateway/test"].event_sources).PushEventSources[0].ApiId == "a1b2c3d4e5" &&
      jsondecode(gitmoxi_lambda_deployment.this["lambda-elb/test"].event_sources).PushEventSources[0].TargetGroupArn == "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-target-group/0123456789abcdef" &&
      jsondecode(gitmoxi_lambda_deployment.this["lambda-sqs/test"].event_sources).PullEventSources.EventSourceMapping.EventSourceArn == "arn:aws:sqs:us-east-1:123456789012:example-queue"
    )
    error_message = "Each folder's event sources should be rendered with its input."
  }
  assert {
    condition     = gitmoxi_lambda_deployment.this["lambda-sqs/test"].alarms == tolist(["HighLatencyAlarm", "ErrorRateAlarm"])
    error_message = "alarms.alarmNames should map onto alarms."
  }
}
