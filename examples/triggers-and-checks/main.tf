# Everything a release can be guarded by and everything that invokes the function, on one alias:
# an SQS queue, an HTTP API route, a load balancer target group, a smoke-test hook, version-scoped
# analysis and SNS notifications. hashicorp/aws makes the surroundings; gitmoxi releases.

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
  type    = string
  default = "us-east-1"
}

variable "role_arn" {
  description = "Execution role of both functions."
  type        = string
}

variable "package_file" {
  description = "The orders function's .zip package."
  type        = string
}

variable "smoke_package_file" {
  description = "The smoke-test hook's .zip package: it calls the new version and returns {\"status\": \"Failed\", \"reason\": ...} when it misbehaves."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the load balancer target group."
  type        = string
}

provider "aws" {
  region = var.region
}

provider "gitmoxi" {
  region = var.region
}

data "aws_caller_identity" "current" {}

resource "aws_sqs_queue" "orders" {
  name = "orders"
}

resource "aws_sqs_queue" "orders_failed" {
  name = "orders-failed"
}

resource "aws_sns_topic" "deployments" {
  name = "orders-deployments"
}

resource "aws_apigatewayv2_api" "orders" {
  name          = "orders"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "orders" {
  api_id           = aws_apigatewayv2_api.orders.id
  integration_type = "AWS_PROXY"
  # Built from names, not from the deployment's alias_arn: the deployment needs this API's route
  # id, so taking its ARN here would be a cycle.
  integration_uri        = "arn:aws:lambda:${var.region}:${data.aws_caller_identity.current.account_id}:function:orders:live"
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "orders" {
  api_id    = aws_apigatewayv2_api.orders.id
  route_key = "POST /orders"
  target    = "integrations/${aws_apigatewayv2_integration.orders.id}"
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.orders.id
  name        = "$default"
  auto_deploy = true
  # The provider writes the alias name into this stage variable.
  lifecycle {
    ignore_changes = [stage_variables]
  }
}

# A REST API (API Gateway v1) that reaches the alias through a stage variable.
resource "aws_api_gateway_rest_api" "admin" {
  name = "orders-admin"
}

resource "aws_api_gateway_resource" "orders" {
  rest_api_id = aws_api_gateway_rest_api.admin.id
  parent_id   = aws_api_gateway_rest_api.admin.root_resource_id
  path_part   = "orders"
}

resource "aws_api_gateway_method" "get_orders" {
  rest_api_id   = aws_api_gateway_rest_api.admin.id
  resource_id   = aws_api_gateway_resource.orders.id
  http_method   = "GET"
  authorization = "AWS_IAM"
}

resource "aws_api_gateway_integration" "get_orders" {
  rest_api_id             = aws_api_gateway_rest_api.admin.id
  resource_id             = aws_api_gateway_resource.orders.id
  http_method             = aws_api_gateway_method.get_orders.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  # The provider writes the alias name into the stage variable this URI reads.
  uri = "arn:aws:apigateway:${var.region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${var.region}:${data.aws_caller_identity.current.account_id}:function:orders:$${stageVariables.lambdaAlias}/invocations"
}

resource "aws_api_gateway_deployment" "admin" {
  rest_api_id = aws_api_gateway_rest_api.admin.id
  depends_on  = [aws_api_gateway_integration.get_orders]
}

resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = aws_api_gateway_rest_api.admin.id
  deployment_id = aws_api_gateway_deployment.admin.id
  stage_name    = "prod"
  lifecycle {
    ignore_changes = [variables]
  }
}

resource "aws_lb_target_group" "orders" {
  name        = "orders"
  target_type = "lambda"
  vpc_id      = var.vpc_id
}

# The smoke test itself is released like any function.
resource "gitmoxi_lambda_deployment" "smoke" {
  function_definition = jsonencode({
    FunctionName = "orders-smoke-test"
    Role         = var.role_arn
    Runtime      = "python3.12"
    Handler      = "smoke.handler"
    Timeout      = 60
  })
  package_file = var.smoke_package_file
  alias        = "live"
}

resource "gitmoxi_lambda_deployment" "orders" {
  function_definition = jsonencode({
    FunctionName = "orders"
    Role         = var.role_arn
    Runtime      = "python3.12"
    Handler      = "app.handler"
  })
  package_file = var.package_file
  alias        = "live"

  event_sources = jsonencode({
    PullEventSources = [
      { EventSourceArn = aws_sqs_queue.orders.arn, BatchSize = 10 },
    ]
    PushEventSources = [
      {
        Service                = "apigateway.amazonaws.com"
        ApiId                  = aws_apigatewayv2_api.orders.id
        RouteId                = aws_apigatewayv2_route.orders.id
        Stage                  = "$default"
        AliasStageVariableName = "lambdaAlias"
      },
      {
        Service                = "apigateway.amazonaws.com"
        RestApiId              = aws_api_gateway_rest_api.admin.id
        ResourceId             = aws_api_gateway_resource.orders.id
        HttpMethod             = "GET"
        Stage                  = aws_api_gateway_stage.prod.stage_name
        AliasStageVariableName = "lambdaAlias"
      },
      { Service = "elasticloadbalancing.amazonaws.com", TargetGroupArn = aws_lb_target_group.orders.arn },
    ]
    Destinations = { OnFailure = aws_sqs_queue.orders_failed.arn, MaximumRetryAttempts = 1 }
  })

  traffic_shifting {
    type          = "LINEAR"
    percent       = 25
    wait_interval = "3m"
    bake_time     = "5m"
  }

  hooks {
    before_allow_traffic = gitmoxi_lambda_deployment.smoke.id
    timeout              = "2m"
  }

  # Judged on the new version's own metrics: an alarm already firing because of the old version
  # does not block a good release, and a bad one is caught without a pre-made alarm.
  analysis {
    max_error_rate  = 1.0
    max_errors      = 5
    min_invocations = 50
    metric_period   = "60s"
  }

  notification_topic_arn = aws_sns_topic.deployments.arn
}

output "alias_arn" {
  value = gitmoxi_lambda_deployment.orders.alias_arn
}
