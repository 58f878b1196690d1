//! End-to-end tests: the real Terraform CLI drives the provider binary cargo built for this run,
//! against a local AWS emulator (ministack). See `harness` for the tools, the emulator and how the
//! provider is installed (dev_overrides, no `terraform init`).
//!
//! This is the crate's one end-to-end test binary (each file under `tests/` links on its own, and
//! linking the AWS SDK is slow on two cores): a scenario file is a module declared here.
//! The tools come from `scripts/setup-tools.sh`; `make test` runs it before `cargo test`.

mod actions;
mod bad_input;
mod capacity;
mod checks;
mod deployment;
mod event_source_changes;
mod event_sources;
mod faults;
mod fixtures;
mod gitmoxi_repo;
mod harness;
mod identity;
mod interop;
mod matrix;
mod packaging;
mod promotion;
mod provider;
mod query;
mod render_limits;
mod s3_staging;
mod smoke;
mod step_functions;
