//! Adapters: the only code that imports `aws_sdk_*`.

pub mod alarms;
pub mod clients;
pub mod errors;
pub mod function_definition;
pub mod lambda;
