//! Adapters: the only code that imports `aws_sdk_*`.

pub mod clients;
pub mod function_definition;
