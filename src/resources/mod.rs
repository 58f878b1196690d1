//! Terraform resources: schema, plan rules and state mapping.

pub mod lambda_deployment;
