//! `gitmoxi_lambda_deployment`.

pub mod definition;
