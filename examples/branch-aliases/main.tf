# Branch aliases: `main` is the function's own alias; each open feature branch gets an alias of
# its own (`feature-123`) serving the version its pipeline chose, next to `main`. Closing the
# branch (removing it from var.branches) deletes its alias, never the function or a version.

terraform {
  required_version = ">= 1.0"
  required_providers {
    gitmoxi = {
      source = "gitmoxi/gitmoxi"
    }
  }
}

variable "package_file" {
  description = "The package built from the main branch: a new one rolls out on `main`."
  type        = string
}

variable "role_arn" {
  description = "Execution role of the function."
  type        = string
}

variable "branches" {
  description = "Open branches → version their alias serves, e.g. { \"feature-123\" = \"7\" }. Alias names: letters, digits, - and _ (not only digits)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for b in keys(var.branches) : can(regex("^[A-Za-z0-9_-]*[A-Za-z_-][A-Za-z0-9_-]*$", b)) && length(b) <= 128])
    error_message = "Branch names must be valid alias names: letters, digits, - and _, not only digits, at most 128 characters (turn feature/123 into feature-123)."
  }
}

provider "gitmoxi" {
  region = "us-east-1"
}

resource "gitmoxi_lambda_deployment" "app" {
  function_definition = jsonencode({
    FunctionName = "checkout"
    Role         = var.role_arn
    Runtime      = "python3.12"
    Handler      = "app.handler"
  })
  package_file = var.package_file
  alias        = "main"

  traffic_shifting {
    type          = "LINEAR"
    percent       = 25
    wait_interval = "1m"
  }

  # Keep a few older versions so a branch can still point at one.
  retain_versions = 5
}

resource "gitmoxi_lambda_alias_deployment" "branch" {
  for_each = var.branches

  function_name = gitmoxi_lambda_deployment.app.id
  alias         = each.key
  version       = each.value
  # No traffic_shifting: a branch alias switches all at once.
}

output "main" {
  value = {
    version   = gitmoxi_lambda_deployment.app.version
    alias_arn = gitmoxi_lambda_deployment.app.alias_arn
  }
}

output "branches" {
  description = "Per branch alias: the version it serves and the ARN to invoke (e.g. from the branch's preview tests)."
  value = {
    for name, b in gitmoxi_lambda_alias_deployment.branch : name => {
      version   = b.version
      alias_arn = b.alias_arn
    }
  }
}
