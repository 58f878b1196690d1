output "deployments" {
  description = "Per prefix: `function_name`, `function_arn` (unqualified; invoke `alias_arn` instead), `alias_arn` and `version` (what the alias serves)."
  value = {
    for p, d in gitmoxi_lambda_deployment.this : p => {
      function_name = d.id
      function_arn  = d.function_arn
      alias_arn     = d.alias_arn
      version       = d.version
    }
  }
}
