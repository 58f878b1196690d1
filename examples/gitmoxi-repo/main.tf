# A Gitmoxi-shaped repository deployed by Terraform: one function per lambdas/*_lambdadef.json.
# Add a definition file to create a function, change any of its files to deploy a new version,
# delete it to destroy the function. CI runs `terraform apply` on every merge.

terraform {
  required_version = ">= 1.8" # provider::gitmoxi::render
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

variable "role_arn" {
  description = "Execution role for definitions that name no Role."
  type        = string
  default     = "arn:aws:iam::000000000000:role/gitmoxi-example"
}

provider "gitmoxi" {
  region = "us-east-1"
  endpoints {
    lambda     = var.endpoint
    cloudwatch = var.endpoint
    sts        = var.endpoint
  }
}

module "lambdas" {
  source = "../../modules/gitmoxi-repo"
  path   = "${path.module}/lambdas"

  defaults = {
    definition = { Role = var.role_arn }
    # Both functions share one package here; build it with:
    #   (cd src && zip -X ../build/app.zip app.py)
    packages = {
      orders   = "${path.module}/build/app.zip"
      notifier = "${path.module}/build/app.zip"
    }
    retain_versions = 1
  }
}

output "deployments" {
  value = module.lambdas.deployments
}
