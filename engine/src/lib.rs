//! The rollout engine of terraform-provider-gitmoxi: it moves a Lambda alias to a new version
//! step by step, watching alarms, and rolls back when something goes wrong (SPEC §3, §4).
//!
//! # Layout
//!
//! - [`schedule`]: pure. `traffic_shifting` as the user writes it → [`TrafficShifting`] →
//!   [`RolloutPlan`], the weights and waits a rollout walks through; Go-style durations.
//! - [`ports`]: the small traits the engine talks to ([`Lambda`], [`Alarms`]) and their value
//!   types. The provider's `aws/` adapters implement them; the engine never sees the AWS SDK.
//! - [`rollout`]: the deployment itself.
//!   - `machine.rs` / `ending.rs`: a pure state machine, `step(state, observation) -> (state,
//!     actions)`, deciding every move (forward path; rollback, conflict and cleanup).
//!   - `checks.rs`: what is watched (alarms today; hooks and analysis slot in there).
//!   - `retention.rs`: which old versions a success deletes.
//!   - `driver.rs`: [`run`], the async loop that performs actions and sleeps with `tokio::time`,
//!     so tests pause time and a 10-minute canary runs in milliseconds.
//! - `testing` (feature `testing`): an in-memory fake AWS that behaves like the real one
//!   (revision conflicts, refusing to delete aliased versions, updates that take time), for the
//!   scenario tests here and for the provider's own tests.

pub mod ports;
pub mod rollout;
pub mod schedule;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use ports::{
    AlarmState, Alarms, AliasRouting, AwsError, AwsErrorKind, FunctionStatus, Lambda,
    PublishedVersion,
};
pub use rollout::{run, Deployment, Event, Outcome, Readiness, Status, StepRecord, Target};
pub use schedule::{
    format_duration, parse_traffic_shifting, RolloutPlan, ScheduleError, ShiftKind, Step,
    TrafficShifting,
};
