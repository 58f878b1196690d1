# A function kept the Gitmoxi way: its Lambda CreateFunction request in `hello_lambdadef.json`,
# used as `function_definition` unchanged. Editing the file and applying is a release.

terraform {
  required_version = ">= 1.0"
  required_providers {
    gitmoxi = {
      source = "gitmoxi/gitmoxi"
    }
  }
}

variable "package_file" {
  description = "The function's .zip package."
  type        = string
  default     = "build/hello.zip"
}

provider "gitmoxi" {
  region = "us-east-1"
}

resource "gitmoxi_lambda_deployment" "hello" {
  function_definition = file("${path.module}/hello_lambdadef.json")
  package_file        = var.package_file
  alias               = "live"

  # Gitmoxi's _lambdadepdef.json: trafficShiftingConfig {type = LINEAR, percent = 25, waitInterval = 120}
  traffic_shifting {
    type          = "LINEAR"
    percent       = 25
    wait_interval = "120s"
  }

  # readinessCheck {waitInterval = 10, maxRetries = 6}
  readiness_check {
    wait_interval = "10s"
    max_retries   = 6
  }

  retain_versions = 2
}

output "version" {
  value = gitmoxi_lambda_deployment.hello.version
}
