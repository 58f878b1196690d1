# Adopting a team's running functions in bulk (Terraform 1.14+):
#
#   terraform query                                   # lists what adopt.tfquery.hcl finds
#   terraform query -generate-config-out=adopted.tf   # an import block + a resource for each
#   terraform plan                                    # N to import, 0 to add, 0 to change
#   terraform apply
#
# The generated resources keep the code and the environment values the aliases serve
# (`keep_code`, `keep_environment`): no value is ever written out in clear.

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

provider "gitmoxi" {
  region = "us-east-1"
  endpoints {
    lambda     = var.endpoint
    cloudwatch = var.endpoint
    sts        = var.endpoint
  }
}
