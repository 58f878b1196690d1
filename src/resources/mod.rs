//! Terraform resources: schema, plan rules and state mapping.

pub mod common;
pub mod lambda_alias_deployment;
pub mod lambda_deployment;
