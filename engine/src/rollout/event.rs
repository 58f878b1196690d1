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
    /// Provisioned concurrency asked for on the new version.
    CapacityRequested {
        version: String,
        amount: u32,
    },
    CapacityReady {
        version: String,
        amount: u32,
        after: Duration,
    },
    CapacityReleased {
        version: String,
    },
    /// Releasing a version's provisioned concurrency failed; it stays allocated.
    CapacityKept {
        version: String,
        reason: String,
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
    /// The walk through the weights was handed to an orchestrator (`walk`: its execution).
    Delegated {
        walk: String,
    },
    /// The orchestrator's walk goes on without this process following it.
    LeftRunning {
        walk: String,
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
            Event::AliasFound { alias, routing } => alias_found(f, alias, routing.as_ref()),
            Event::Updating { part } => write!(f, "updating $LATEST {part}"),
            Event::Published { version, new } => published(f, version, *new),
            Event::Ready { version, after } => ready(f, version, *after),
            Event::CapacityRequested { .. }
            | Event::CapacityReady { .. }
            | Event::CapacityReleased { .. }
            | Event::CapacityKept { .. } => capacity(f, self),
            Event::AliasCreated { alias, version } => {
                write!(f, "created alias {alias} on version {version}")
            }
            Event::NothingToShift { alias, version } => nothing_to_shift(f, alias, version),
            Event::Resuming {
                alias,
                version,
                weight_percent,
            } => resuming(f, alias, version, *weight_percent),
            Event::Shifted {
                alias,
                to,
                weight_percent,
                from,
            } => shifted(f, alias, to, *weight_percent, from.as_deref()),
            Event::Delegated { walk } => write!(f, "rollout handed to {walk}"),
            Event::LeftRunning { walk } => {
                write!(
                    f,
                    "first shift made; the rollout goes on in {walk} without waiting"
                )
            }
            Event::Watching {
                weight_percent,
                wait,
                bake,
            } => watching(f, *weight_percent, *wait, *bake),
            Event::Stopping {
                cause,
                rolling_back,
            } => stopping(f, cause, *rolling_back),
            Event::TrafficRestored { alias, version } => {
                write!(f, "restored alias {alias} to {version} at 100%")
            }
            Event::VersionDeleted { version } => write!(f, "deleted version {version}"),
            Event::DeleteSkipped { version, reason } => {
                write!(f, "kept version {version}: {reason}")
            }
            Event::CleanupSkipped { reason } => {
                write!(f, "skipped deleting old versions: {reason}")
            }
            Event::HookStarted { phase, function } => {
                write!(f, "invoking {phase} hook {function}")
            }
            Event::HookFinished {
                phase,
                function,
                passed,
                after,
            } => hook_finished(f, *phase, function, *passed, *after),
            Event::MetricsRead { version, metrics } => metrics_read(f, version, metrics),
            Event::TooFewInvocations {
                version,
                invocations,
                min_invocations,
            } => too_few_invocations(f, version, *invocations, *min_invocations),
            Event::Notified { event } => write!(f, "sent {event} notification"),
            Event::NotifyFailed { reason, .. } => write!(f, "{reason}"),
            Event::Finished { status, reason } => finished(f, *status, reason.as_deref()),
        }
    }
}

// The wordings too long for a line of the match above, in the order of the variants.

fn capacity(f: &mut fmt::Formatter<'_>, e: &Event) -> fmt::Result {
    match e {
        Event::CapacityRequested { version, amount } => write!(
            f,
            "asked for {amount} provisioned concurrency on version {version}"
        ),
        Event::CapacityReady {
            version,
            amount,
            after,
        } => write!(
            f,
            "version {version} has its {amount} provisioned concurrency ready after {}",
            format_duration(*after)
        ),
        Event::CapacityReleased { version } => {
            write!(
                f,
                "released the provisioned concurrency of version {version}"
            )
        }
        Event::CapacityKept { version, reason } => write!(
            f,
            "kept the provisioned concurrency of version {version}: {reason}"
        ),
        _ => Ok(()),
    }
}

fn alias_found(
    f: &mut fmt::Formatter<'_>,
    alias: &str,
    routing: Option<&AliasRouting>,
) -> fmt::Result {
    let Some(r) = routing else {
        return write!(f, "alias {alias} does not exist yet");
    };
    match &r.extra {
        None => write!(f, "alias {alias} serves version {}", r.version),
        Some((v, w)) => write!(
            f,
            "alias {alias} serves version {} with {} at {}%",
            r.version,
            v,
            percent(*w)
        ),
    }
}

fn published(f: &mut fmt::Formatter<'_>, version: &str, new: bool) -> fmt::Result {
    if new {
        write!(f, "published version {version}")
    } else {
        write!(
            f,
            "Lambda returned version {version}: nothing changed since it was published"
        )
    }
}

fn ready(f: &mut fmt::Formatter<'_>, version: &str, after: Duration) -> fmt::Result {
    let after = format_duration(after);
    write!(f, "version {version} is ready after {after}")
}

fn nothing_to_shift(f: &mut fmt::Formatter<'_>, alias: &str, version: &str) -> fmt::Result {
    write!(
        f,
        "alias {alias} already serves version {version}: nothing to shift"
    )
}

fn resuming(
    f: &mut fmt::Formatter<'_>,
    alias: &str,
    version: &str,
    weight_percent: u8,
) -> fmt::Result {
    write!(
        f,
        "alias {alias} already sends {weight_percent}% to version {version}: resuming from there"
    )
}

fn shifted(
    f: &mut fmt::Formatter<'_>,
    alias: &str,
    to: &str,
    weight_percent: u8,
    from: Option<&str>,
) -> fmt::Result {
    write!(f, "shifted alias {alias} to {to} at {weight_percent}%")?;
    match from {
        Some(from) if weight_percent != 100 => {
            write!(f, " ({from} at {}%)", 100 - weight_percent)
        }
        _ => Ok(()),
    }
}

fn watching(
    f: &mut fmt::Formatter<'_>,
    weight_percent: u8,
    wait: Duration,
    bake: bool,
) -> fmt::Result {
    if bake {
        write!(f, "baking at 100% for {}", format_duration(wait))
    } else {
        write!(
            f,
            "watching {weight_percent}% for {}",
            format_duration(wait)
        )
    }
}

fn stopping(f: &mut fmt::Formatter<'_>, cause: &str, rolling_back: bool) -> fmt::Result {
    if rolling_back {
        write!(f, "{cause}: rolling back")
    } else {
        write!(f, "{cause}: stopping")
    }
}

fn hook_finished(
    f: &mut fmt::Formatter<'_>,
    phase: HookPhase,
    function: &str,
    passed: bool,
    after: Duration,
) -> fmt::Result {
    write!(
        f,
        "{phase} hook {function} {} after {}",
        if passed { "passed" } else { "failed" },
        format_duration(after)
    )
}

fn metrics_read(f: &mut fmt::Formatter<'_>, version: &str, m: &VersionMetrics) -> fmt::Result {
    write!(
        f,
        "version {version}: {} invocations, {} errors, {} throttles",
        m.invocations, m.errors, m.throttles
    )
}

fn too_few_invocations(
    f: &mut fmt::Formatter<'_>,
    version: &str,
    invocations: u64,
    min_invocations: u64,
) -> fmt::Result {
    write!(
        f,
        "version {version} had {invocations} invocations, under min_invocations {min_invocations}: \
         passing (fail_without_traffic is off)"
    )
}

fn finished(f: &mut fmt::Formatter<'_>, status: Status, reason: Option<&str>) -> fmt::Result {
    match reason {
        None => write!(f, "deployment {status}"),
        Some(r) => write!(f, "deployment {status}: {r}"),
    }
}

fn percent(weight: f64) -> u8 {
    (weight * 100.0).round().clamp(0.0, 100.0) as u8
}
