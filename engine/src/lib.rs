//! The rollout engine of terraform-provider-gitmoxi: it moves a Lambda alias to a new version
//! step by step, watching alarms and the new version's own metrics, invoking lifecycle hooks and
//! sending notifications, and rolls back when something goes wrong.
//!
//! # Layout
//!
//! - [`schedule`]: pure. `traffic_shifting` as the user writes it → [`TrafficShifting`] →
//!   [`RolloutPlan`], the weights and waits a rollout walks through; Go-style durations.
//! - [`ports`]: the small traits the engine talks to and their value types: [`Lambda`],
//!   [`Alarms`], [`Conductor`] (a walk through the weights run elsewhere), [`Hooks`] (with [`HookPayload::to_json`]), [`Metrics`] and [`Notifier`] (with
//!   [`Notification::to_json`]), plus [`NoHooks`] / [`NoMetrics`] / [`NoNotifier`] for
//!   deployments that use none. The provider's `aws/` adapters implement them; the engine never
//!   sees the AWS SDK (nor serde: the two JSON messages are written by `ports/json.rs`).
//! - [`rollout`]: the deployment itself.
//!   - `machine.rs` / `io.rs`: a pure state machine, `step(state, observation) -> (state,
//!     actions)`, deciding every move; `io.rs` holds the actions and replies it exchanges with
//!     the driver. The phases live beside it: `release.rs` (update, publish, route),
//!     `traffic.rs` (readiness, shifting), `hooks.rs` (before/after-traffic hooks),
//!     `notify.rs` (start and ending notifications), `ending.rs` (rollback, conflict, cleanup).
//!   - `checks.rs` / `analysis.rs`: what is watched and the pure judges ([`judge_alarms`],
//!     [`judge_analysis`]); `watch.rs`: when each check is read (preflight, before each shift,
//!     every `check_interval` during waits, metrics at most twice per `metric_period`).
//!   - `retention.rs`: which old versions a success deletes.
//!   - `driver.rs`: [`run_with`] (all [`Ports`]) and [`run`] (Lambda and alarms only), the async
//!     loop that performs actions and sleeps with `tokio::time`, so tests pause time and a
//!     10-minute canary runs in milliseconds. Hook timeouts and interrupts during a hook are
//!     enforced here.
//!
//! The scenario tests in `tests/` run against the in-memory AWS of the `gitmoxi-fake-aws` crate
//! (revision conflicts, refusing to delete aliased versions, updates that take time), the same
//! one the provider's resource tests use.
//!
//! [`judge_alarms`]: rollout::judge_alarms

pub mod ports;
pub mod rollout;
pub mod schedule;

pub use ports::{
    AlarmState, Alarms, AliasRouting, AwsError, AwsErrorKind, Conductor, FunctionStatus,
    HookOutcome, HookPayload, HookPhase, Hooks, Lambda, Metrics, NoConductor, NoHooks, NoMetrics,
    NoNotifier, Notification, NotificationEvent, Notifier, Provisioned, ProvisionedStatus,
    PublishedVersion, ReleaseCheck, VersionMetrics, Walk, WalkProgress, WalkState,
};
pub use rollout::{
    judge_analysis, run, run_with, Analysis, Delegation, Deployment, Event, HookSettings, Outcome,
    Ports, Readiness, Retention, Status, StepRecord, Target,
};
pub use schedule::{
    format_duration, parse_traffic_shifting, RolloutPlan, ScheduleError, ShiftKind, Step,
    TrafficShifting,
};
