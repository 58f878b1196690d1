//! Adapters: the only code that imports `aws_sdk_*`.

pub mod alarms;
pub mod clients;
pub mod errors;
pub mod event_source_mapping;
pub mod event_sources;
pub mod function_definition;
pub mod hooks;
pub mod lambda;
pub mod metrics;
pub mod notify;
pub mod s3;
