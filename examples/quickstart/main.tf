# Quickstart: one Lambda function released progressively on the alias "live".
#
# Each `terraform apply` that changes the code or the configuration publishes a new version and
# moves 20% of the alias's traffic to it, waits while watching the alarm, then moves the rest.
# If the alarm fires during the wait, traffic goes back to the previous version.

terraform {
  required_version = ">= 1.0"
  required_providers {
    gitmoxi = {
      source = "gitmoxi/gitmoxi"
    }
  }
}

variable "endpoint" {
  description = "AWS endpoint override, e.g. a local emulator at http://127.0.0.1:4566. Null: real AWS."
  type        = string
  default     = null
}

variable "package_file" {
  description = "The function's .zip package."
  type        = string
}

variable "greeting" {
  description = "Configuration of the release: a change deploys a new version."
  type        = string
  default     = "hello"
}

variable "role_arn" {
  description = "Execution role of the function."
  type        = string
  default     = "arn:aws:iam::000000000000:role/gitmoxi-quickstart"
}

variable "alarm_name" {
  description = "CloudWatch alarm that rolls a release back when it fires."
  type        = string
  default     = "gitmoxi-quickstart-errors"
}

provider "gitmoxi" {
  region = "us-east-1"
  endpoints {
    lambda     = var.endpoint
    cloudwatch = var.endpoint
    sts        = var.endpoint
  }
}

resource "gitmoxi_lambda_deployment" "hello" {
  function_definition = jsonencode({
    FunctionName = "gitmoxi-quickstart"
    Role         = var.role_arn
    Runtime      = "python3.12"
    Handler      = "app.handler"
    MemorySize   = 128
    Timeout      = 5
    Environment  = { Variables = { GREETING = var.greeting } }
    Tags         = { app = "quickstart" }
  })
  package_file = var.package_file
  alias        = "live"

  traffic_shifting {
    type          = "CANARY"
    percent       = 20
    wait_interval = "10s"
  }

  alarms          = [var.alarm_name]
  retain_versions = 1
}

output "alias_arn" {
  value = gitmoxi_lambda_deployment.hello.alias_arn
}

output "version" {
  value = gitmoxi_lambda_deployment.hello.version
}

output "rollout_schedule" {
  value = gitmoxi_lambda_deployment.hello.rollout_schedule
}
