terraform {
  # Provider functions (provider::gitmoxi::render) need Terraform 1.8.
  required_version = ">= 1.8"

  required_providers {
    gitmoxi = {
      source = "gitmoxi/gitmoxi"
    }
  }
}
