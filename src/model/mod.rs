//! What a release is, free of Terraform values and of the AWS SDK.
//!
//! - [`definition`]: `function_definition`, the JSON of a Lambda CreateFunction request,
//!   validated, in canonical form, and compared (which kind of change two definitions differ by).
//! - [`event_sources`]: `event_sources`, Gitmoxi's event source document: pull mappings, push
//!   sources, destinations.
//! - [`release`]: a definition with its code, as an apply deploys it.
//! - [`settings`]: how to deploy: schedule, checks, hooks, retention, timeouts.
//! - [`ports`]: the trait through which resources reach AWS, and the values it exchanges.
//! - [`verify`]: whether a published version is the release, field by field.
//! - [`secrets`]: the values no message may carry, and their redaction.
//!
//! `resources/` maps Terraform values to and from these types; `aws/` maps them to and from the
//! SDK. Neither imports the other.

pub mod definition;
pub mod event_sources;
pub mod ports;
pub mod release;
pub mod secrets;
pub mod settings;
pub mod state_machine;
pub mod verify;
