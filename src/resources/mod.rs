//! Terraform resources: schema, plan rules and state mapping.

pub mod common;
pub mod event_source_attr;
pub mod event_sources;
pub mod lambda_alias_deployment;
pub mod lambda_deployment;
