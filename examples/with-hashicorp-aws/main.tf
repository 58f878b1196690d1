# hashicorp/aws makes the execution role, a dead-letter queue and the alarm; gitmoxi releases the
# function with them, all in one configuration and one `terraform apply`.

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
}

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

resource "aws_sqs_queue" "orders_dlq" {
  name = "orders-dlq"
}

resource "aws_iam_role_policy" "dlq" {
  role = aws_iam_role.orders.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sqs:SendMessage", Resource = aws_sqs_queue.orders_dlq.arn }]
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
    FunctionName     = "orders"
    Role             = aws_iam_role.orders.arn # unknown until apply: checked before any change
    Runtime          = "python3.12"
    Handler          = "app.handler"
    Timeout          = 10
    DeadLetterConfig = { TargetArn = aws_sqs_queue.orders_dlq.arn }
  })
  package_file = var.package_file
  alias        = "live"

  traffic_shifting {
    type = "Canary10Percent5Minutes" # CodeDeploy's name: 10% for 5 minutes, then 100%
  }
  alarms = [aws_cloudwatch_metric_alarm.orders_errors.alarm_name]

  # The policies must exist before the first version runs.
  depends_on = [aws_iam_role_policy_attachment.logs, aws_iam_role_policy.dlq]
}

output "alias_arn" {
  description = "Invoke this (not the function ARN): it only ever serves released versions."
  value       = gitmoxi_lambda_deployment.orders.alias_arn
}
