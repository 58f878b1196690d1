output "deployments" {
  description = "Per key (the definition file's path under `path` without `_lambdadef.json`: `api`, `orders/api`): `function_name`, `function_arn` (unqualified; invoke `alias_arn` instead), `alias_arn` and `version` (what the alias serves)."
  value = {
    for k, d in gitmoxi_lambda_deployment.this : k => {
      function_name = d.id
      function_arn  = d.function_arn
      alias_arn     = d.alias_arn
      version       = d.version
    }
  }
}
