//! # terraform-provider-gitmoxi
//!
//! A Terraform provider that rolls AWS Lambda releases out progressively.
//!
//! # Layout
//!
//! - [`protocol`]: Terraform's plugin protocol 6 over gRPC — values, schemas, diagnostics, the
//!   gRPC service and go-plugin serving with AutoMTLS. Knows nothing of AWS.
//! - [`provider`]: the `provider "gitmoxi"` block and the registry of resources and functions.
//! - [`resources`]: each resource's schema, plan rules and state mapping.
//! - [`actions`]: what `terraform apply -invoke` runs once (rollback, promote).
//! - the `gitmoxi-engine` crate: the rollout state machine (schedules, shifting, checks,
//!   rollback), free of gRPC and of the AWS SDK; it talks to small traits.
//! - [`aws`]: adapters implementing the engine's traits with the AWS SDK; the only code that
//!   imports `aws_sdk_*`.
//! - [`log`]: hclog-style JSON lines on stderr.

pub mod actions;
pub mod aws;
pub mod functions;
pub mod log;
pub mod model;
pub mod protocol;
pub mod provider;
pub mod resources;
#[cfg(test)]
pub mod testing;
#[cfg(test)]
mod tests;
