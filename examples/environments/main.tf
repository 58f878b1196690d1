# One function, four environments as aliases: DEV, QA, PERF, PROD.
#
# Every apply that changes the code or configuration publishes a new version and rolls it out on
# DEV (gitmoxi_lambda_deployment). QA, PERF and PROD never publish: each serves the version named
# in var.versions (gitmoxi_lambda_alias_deployment), so promoting is copying a version number, e.g.
# PROD to what QA runs. Each environment has its own SQS queue as trigger, attached to its alias.

terraform {
  required_version = ">= 1.0"
  required_providers {
    gitmoxi = {
      source = "gitmoxi/gitmoxi"
    }
    aws = {
      source = "hashicorp/aws"
    }
  }
}

variable "package_file" {
  description = "The function's .zip package: a new package deploys to DEV."
  type        = string
}

variable "role_arn" {
  description = "Execution role of the function (it must be able to read the SQS queues)."
  type        = string
}

variable "versions" {
  description = "Version each promoted environment serves. Promote with e.g. `-var 'versions={QA=\"7\",PERF=\"7\",PROD=\"6\"}'` or a tfvars file your pipeline edits."
  type = object({
    QA   = string
    PERF = string
    PROD = string
  })
  default = { QA = "1", PERF = "1", PROD = "1" }
}

provider "gitmoxi" {
  region = "us-east-1"
}

provider "aws" {
  region = "us-east-1"
}

locals {
  environments = toset(["DEV", "QA", "PERF", "PROD"])
}

resource "aws_sqs_queue" "jobs" {
  for_each = local.environments
  name     = "orders-jobs-${lower(each.key)}"

  # Longer than the function's timeout, as Lambda requires for an SQS trigger.
  visibility_timeout_seconds = 60
}

resource "aws_cloudwatch_metric_alarm" "prod_errors" {
  alarm_name          = "orders-prod-errors"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = "orders", Resource = "orders:PROD" }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
}

# DEV: owns the function; every release lands here first.
resource "gitmoxi_lambda_deployment" "orders" {
  function_definition = jsonencode({
    FunctionName = "orders"
    Role         = var.role_arn
    Runtime      = "python3.12"
    Handler      = "app.handler"
    Timeout      = 30
  })
  package_file = var.package_file
  alias        = "DEV"

  event_sources = jsonencode({
    PullEventSources = [{ EventSourceArn = aws_sqs_queue.jobs["DEV"].arn, BatchSize = 10 }]
  })
}

# QA and PERF: whatever version they are given, all at once.
resource "gitmoxi_lambda_alias_deployment" "qa" {
  function_name = gitmoxi_lambda_deployment.orders.id
  alias         = "QA"
  version       = var.versions.QA

  event_sources = jsonencode({
    PullEventSources = [{ EventSourceArn = aws_sqs_queue.jobs["QA"].arn, BatchSize = 10 }]
  })
}

resource "gitmoxi_lambda_alias_deployment" "perf" {
  function_name = gitmoxi_lambda_deployment.orders.id
  alias         = "PERF"
  version       = var.versions.PERF

  event_sources = jsonencode({
    PullEventSources = [{ EventSourceArn = aws_sqs_queue.jobs["PERF"].arn, BatchSize = 100 }]
  })
}

# PROD: a promotion is a canary watched by an alarm, rolled back if it fires.
resource "gitmoxi_lambda_alias_deployment" "prod" {
  function_name = gitmoxi_lambda_deployment.orders.id
  alias         = "PROD"
  version       = var.versions.PROD

  traffic_shifting {
    type          = "CANARY"
    percent       = 10
    wait_interval = "5m"
  }
  alarms = [aws_cloudwatch_metric_alarm.prod_errors.alarm_name]

  event_sources = jsonencode({
    PullEventSources = [{ EventSourceArn = aws_sqs_queue.jobs["PROD"].arn, BatchSize = 10 }]
  })
}

output "versions" {
  description = "What each environment serves."
  value = {
    DEV  = gitmoxi_lambda_deployment.orders.version
    QA   = gitmoxi_lambda_alias_deployment.qa.version
    PERF = gitmoxi_lambda_alias_deployment.perf.version
    PROD = gitmoxi_lambda_alias_deployment.prod.version
  }
}

output "alias_arns" {
  value = {
    DEV  = gitmoxi_lambda_deployment.orders.alias_arn
    QA   = gitmoxi_lambda_alias_deployment.qa.alias_arn
    PERF = gitmoxi_lambda_alias_deployment.perf.alias_arn
    PROD = gitmoxi_lambda_alias_deployment.prod.alias_arn
  }
}
