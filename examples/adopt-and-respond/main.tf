# Adopting a function that already runs, then answering an incident without editing it.
#
# 1. The import block names the deployment by its identity (Terraform 1.12+): the first plan
#    shows an import, and when the declared definition and package equal what `live` serves, the
#    apply publishes nothing.
# 2. The two actions (Terraform 1.14+) run only when invoked:
#      terraform apply -invoke=action.gitmoxi_lambda_rollback.orders   # back to 100% now
#      terraform apply -invoke=action.gitmoxi_lambda_promote.orders    # a version on a schedule

terraform {
  required_version = ">= 1.14"
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
  description = "The .zip package the function runs today."
  type        = string
  default     = "build/orders.zip"
}

variable "role_arn" {
  description = "The function's execution role, as it is today."
  type        = string
  default     = "arn:aws:iam::000000000000:role/orders"
}

variable "promote_version" {
  description = "The version gitmoxi_lambda_promote rolls onto live."
  type        = string
  default     = "2"
}

provider "gitmoxi" {
  region = "us-east-1"
  endpoints {
    lambda     = var.endpoint
    cloudwatch = var.endpoint
    sts        = var.endpoint
  }
}

import {
  to       = gitmoxi_lambda_deployment.orders
  identity = { function_name = "orders", alias = "live" }
}

resource "gitmoxi_lambda_deployment" "orders" {
  function_definition = jsonencode({
    FunctionName = "orders"
    Role         = var.role_arn
    Runtime      = "python3.12"
    Handler      = "app.handler"
    Timeout      = 5
  })
  package_file = var.package_file
  alias        = "live"

  traffic_shifting {
    type          = "LINEAR"
    percent       = 25
    wait_interval = "1m"
  }
}

action "gitmoxi_lambda_rollback" "orders" {
  config {
    function_name = "orders"
    alias         = "live"
  }
}

action "gitmoxi_lambda_promote" "orders" {
  config {
    function_name = "orders"
    alias         = "live"
    version       = var.promote_version
    traffic_shifting {
      type          = "CANARY"
      percent       = 10
      wait_interval = "5m"
    }
  }
}
