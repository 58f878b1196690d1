//! Rollouts against the in-memory fake AWS with a paused clock: a 10-minute canary runs in
//! milliseconds, and every call the engine makes is recorded in order.

mod common;

#[path = "scenarios/analysis.rs"]
mod analysis;
#[path = "scenarios/capacity.rs"]
mod capacity;
#[path = "scenarios/happy.rs"]
mod happy;
#[path = "scenarios/hooks.rs"]
mod hooks;
#[path = "scenarios/interrupts.rs"]
mod interrupts;
#[path = "scenarios/notifications.rs"]
mod notifications;
#[path = "scenarios/retention.rs"]
mod retention;
#[path = "scenarios/stops.rs"]
mod stops;
