//! Progress lines for logs and notifications; one variant per thing worth telling the user.

use std::fmt;
use std::time::Duration;

use crate::ports::{AliasRouting, HookPhase, NotificationEvent, VersionMetrics};
use crate::schedule::format_duration;

use super::Status;

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    PreflightPassed {
        alarms: usize,
    },
    AliasFound {
        alias: String,
        routing: Option<AliasRouting>,
    },
    Updating {
        part: &'static str,
    },
    Published {
        version: String,
        new: bool,
    },
    Ready {
        version: String,
        after: Duration,
    },
    AliasCreated {
        alias: String,
        version: String,
    },
    NothingToShift {
        alias: String,
        version: String,
    },
    Resuming {
        alias: String,
        version: String,
        weight_percent: u8,
    },
    Shifted {
        alias: String,
        to: String,
        weight_percent: u8,
        from: Option<String>,
    },
    Watching {
        weight_percent: u8,
        wait: Duration,
        bake: bool,
    },
    /// The deployment stops; `rolling_back` when traffic must be restored first.
    Stopping {
        cause: String,
        rolling_back: bool,
    },
    TrafficRestored {
        alias: String,
        version: String,
    },
    VersionDeleted {
        version: String,
    },
    DeleteSkipped {
        version: String,
        reason: String,
    },
    /// Cleanup could not even list what to delete; the next deployment will.
    CleanupSkipped {
        reason: String,
    },
    HookStarted {
        phase: HookPhase,
        function: String,
    },
    HookFinished {
        phase: HookPhase,
        function: String,
        passed: bool,
        after: Duration,
    },
    /// The new version's figures since it first received traffic, as analysis read them.
    MetricsRead {
        version: String,
        metrics: VersionMetrics,
    },
    /// At the end, fewer invocations than `min_invocations`: passing, as `fail_without_traffic`
    /// is off.
    TooFewInvocations {
        version: String,
        invocations: u64,
        min_invocations: u64,
    },
    Notified {
        event: NotificationEvent,
    },
    /// A notification could not be sent; the deployment goes on (and the outcome warns).
    NotifyFailed {
        event: NotificationEvent,
        reason: String,
    },
    Finished {
        status: Status,
        reason: Option<String>,
    },
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::PreflightPassed { alarms } => {
                write!(f, "preflight passed: {alarms} alarm(s) not in ALARM")
            }
            Event::AliasFound { alias, routing: None } => {
                write!(f, "alias {alias} does not exist yet")
            }
            Event::AliasFound { alias, routing: Some(r) } => match &r.extra {
                None => write!(f, "alias {alias} serves version {}", r.version),
                Some((v, w)) => write!(
                    f,
                    "alias {alias} serves version {} with {} at {}%",
                    r.version,
                    v,
                    percent(*w)
                ),
            },
            Event::Updating { part } => write!(f, "updating $LATEST {part}"),
            Event::Published { version, new: true } => write!(f, "published version {version}"),
            Event::Published { version, new: false } => write!(
                f,
                "Lambda returned version {version}: nothing changed since it was published"
            ),
            Event::Ready { version, after } => {
                write!(f, "version {version} is ready after {}", format_duration(*after))
            }
            Event::AliasCreated { alias, version } => {
                write!(f, "created alias {alias} on version {version}")
            }
            Event::NothingToShift { alias, version } => {
                write!(f, "alias {alias} already serves version {version}: nothing to shift")
            }
            Event::Resuming { alias, version, weight_percent } => write!(
                f,
                "alias {alias} already sends {weight_percent}% to version {version}: resuming from there"
            ),
            Event::Shifted { alias, to, weight_percent: 100, .. } => {
                write!(f, "shifted alias {alias} to {to} at 100%")
            }
            Event::Shifted { alias, to, weight_percent, from } => {
                write!(f, "shifted alias {alias} to {to} at {weight_percent}%")?;
                if let Some(from) = from {
                    write!(f, " ({from} at {}%)", 100 - weight_percent)?;
                }
                Ok(())
            }
            Event::Watching { weight_percent, wait, bake: false } => {
                write!(f, "watching {weight_percent}% for {}", format_duration(*wait))
            }
            Event::Watching { wait, bake: true, .. } => {
                write!(f, "baking at 100% for {}", format_duration(*wait))
            }
            Event::Stopping { cause, rolling_back: true } => write!(f, "{cause}: rolling back"),
            Event::Stopping { cause, rolling_back: false } => write!(f, "{cause}: stopping"),
            Event::TrafficRestored { alias, version } => {
                write!(f, "restored alias {alias} to {version} at 100%")
            }
            Event::VersionDeleted { version } => write!(f, "deleted version {version}"),
            Event::DeleteSkipped { version, reason } => {
                write!(f, "kept version {version}: {reason}")
            }
            Event::CleanupSkipped { reason } => write!(f, "skipped deleting old versions: {reason}"),
            Event::HookStarted { phase, function } => {
                write!(f, "invoking {phase} hook {function}")
            }
            Event::HookFinished { phase, function, passed, after } => write!(
                f,
                "{phase} hook {function} {} after {}",
                if *passed { "passed" } else { "failed" },
                format_duration(*after)
            ),
            Event::MetricsRead { version, metrics: m } => write!(
                f,
                "version {version}: {} invocations, {} errors, {} throttles",
                m.invocations, m.errors, m.throttles
            ),
            Event::TooFewInvocations { version, invocations, min_invocations } => write!(
                f,
                "version {version} had {invocations} invocations, under min_invocations {min_invocations}: \
                 passing (fail_without_traffic is off)"
            ),
            Event::Notified { event } => write!(f, "sent {event} notification"),
            Event::NotifyFailed { reason, .. } => write!(f, "{reason}"),
            Event::Finished { status, reason: None } => write!(f, "deployment {status}"),
            Event::Finished { status, reason: Some(r) } => write!(f, "deployment {status}: {r}"),
        }
    }
}

fn percent(weight: f64) -> u8 {
    (weight * 100.0).round().clamp(0.0, 100.0) as u8
}
