//! Provider functions (`provider::gitmoxi::NAME(...)`, Terraform 1.8+).
//!
//! Each function's logic is a plain Rust function unit-tested on its own; the [`Function`]
//! implementation beside it only turns Terraform values into its arguments and its errors into
//! [`FunctionError`](crate::protocol::registry::FunctionError)s.

pub mod render;

use std::sync::Arc;

use crate::protocol::registry::Function;

/// Every function the provider offers.
pub fn all() -> Vec<Arc<dyn Function>> {
    vec![Arc::new(render::RenderFunction::new())]
}
