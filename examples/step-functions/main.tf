# A long canary that runs on AWS Step Functions: `terraform apply` returns as soon as 10% of the
# alias's traffic is on the new version, and the rest (an hour at 10%, the alarm checks, 100%, the
# bake, or the rollback) goes on in AWS without Terraform. hashicorp/aws makes the function's
# execution role, the role the rollouts run as and the alarm.

terraform {
  required_version = ">= 1.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 3.39"
    }
    gitmoxi = {
      source = "gitmoxi/gitmoxi"
    }
  }
}

variable "region" {
  description = "AWS region of everything below."
  type        = string
  default     = "us-east-1"
}

variable "package_file" {
  description = "The function's .zip package."
  type        = string
}

provider "aws" {
  region = var.region
}

provider "gitmoxi" {
  region = var.region

  # Every rollout of this configuration runs as a Step Functions execution with this role.
  orchestrator {
    type     = "step_functions"
    role_arn = aws_iam_role.rollouts.arn
  }
}

data "aws_caller_identity" "current" {}

locals {
  function_arn = "arn:aws:lambda:${var.region}:${data.aws_caller_identity.current.account_id}:function:orders"
}

# The function's own execution role.
resource "aws_iam_role" "orders" {
  name = "orders-lambda"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.orders.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

# The role the rollout state machines run as: move the function's aliases, read the alarms.
resource "aws_iam_role" "rollouts" {
  name = "gitmoxi-rollouts"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "states.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy" "rollouts" {
  name = "move-aliases-read-alarms"
  role = aws_iam_role.rollouts.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "MoveTheAlias"
        Effect   = "Allow"
        Action   = ["lambda:UpdateAlias", "lambda:GetAlias"]
        Resource = [local.function_arn, "${local.function_arn}:*"]
      },
      {
        Sid      = "WatchAlarms"
        Effect   = "Allow"
        Action   = "cloudwatch:DescribeAlarms"
        Resource = "*"
      },
    ]
  })
}

# Errors of the function as a whole (every version): fires when the canary breaks it.
resource "aws_cloudwatch_metric_alarm" "orders_errors" {
  alarm_name          = "orders-errors"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = "orders" }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
}

resource "gitmoxi_lambda_deployment" "orders" {
  function_definition = jsonencode({
    FunctionName = "orders"
    Role         = aws_iam_role.orders.arn
    Runtime      = "python3.12"
    Handler      = "app.handler"
    Timeout      = 10
  })
  package_file = var.package_file
  alias        = "live"

  traffic_shifting {
    type          = "CANARY"
    percent       = 10
    wait_interval = "1h"
    bake_time     = "30m"
  }
  alarms = [aws_cloudwatch_metric_alarm.orders_errors.alarm_name]

  # Return once the first shift is on the alias; the execution does the rest.
  wait_for_rollout = false

  # The roles' policies must exist before the first version runs and the first execution starts.
  depends_on = [aws_iam_role_policy_attachment.logs, aws_iam_role_policy.rollouts]
}

output "alias_arn" {
  description = "Invoke this (not the function ARN): it only ever serves released versions."
  value       = gitmoxi_lambda_deployment.orders.alias_arn
}

output "rollout_execution" {
  description = "The Step Functions execution of the last rollout (null before the first one)."
  value       = try(gitmoxi_lambda_deployment.orders.last_deployment.execution_arn, null)
}
