//! The state machine on its own: decisions checked by feeding observations by hand, no runtime.

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use super::*;
use crate::ports::{AlarmState, AliasRouting, AwsError, AwsErrorKind, FunctionStatus};
use crate::schedule::{ShiftKind, TrafficShifting};

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn routing(version: &str, extra: Option<(&str, f64)>) -> AliasRouting {
    AliasRouting {
        version: version.into(),
        extra: extra.map(|(v, w)| (v.into(), w)),
        revision_id: "r1".into(),
    }
}

fn active() -> FunctionStatus {
    FunctionStatus {
        state: "Active".into(),
        state_reason: None,
        last_update_status: Some("Successful".into()),
        last_update_reason: None,
        revision_id: "latest-1".into(),
        code_sha256: "sha".into(),
    }
}

/// Rolls out existing version 3 with LINEAR 20% every 60s, watching alarm `errors`.
fn deployment() -> Deployment {
    let plan = RolloutPlan::new(&TrafficShifting {
        kind: ShiftKind::Linear,
        percent: 20,
        wait: secs(60),
        bake: Duration::ZERO,
    });
    let mut d = Deployment::new("d", "live", Target::Existing("3".into()), plan);
    d.alarms = vec!["errors".into()];
    d
}

/// The one action of a step that is not an `Emit`.
fn io(actions: &[Action]) -> &Action {
    let mut rest = actions.iter().filter(|a| !matches!(a, Action::Emit(_)));
    let action = rest.next().expect("an action");
    assert!(rest.next().is_none(), "one action per step: {actions:?}");
    action
}

/// Feeds the machine a perfect world (alarms OK, versions Active, the alias as `alias`) until
/// `stop` matches an action; returns the state, that action and the time it was asked for.
fn run_until(
    d: Deployment,
    alias: Option<AliasRouting>,
    stop: impl Fn(&Action) -> bool,
) -> (State, Action, Instant) {
    let t0 = Instant::now();
    let mut state = State::new(d, t0, SystemTime::UNIX_EPOCH);
    let (mut now, mut reply) = (t0, Reply::Start);
    for _ in 0..10_000 {
        let observation = Observation {
            now,
            interrupted: false,
            reply,
        };
        let actions;
        (state, actions) = step(state, observation);
        let action = io(&actions).clone();
        if stop(&action) {
            return (state, action, now);
        }
        reply = match action {
            Action::ReadAlarms { names } => {
                Reply::Alarms(Ok(names.into_iter().map(|n| (n, AlarmState::Ok)).collect()))
            }
            Action::ReadStatus { .. } => Reply::Status(Ok(active())),
            Action::ReadAlias => Reply::Alias(Ok(alias.clone())),
            Action::ShiftAlias { version, extra, .. } => Reply::AliasSet(Ok(AliasRouting {
                version,
                extra,
                revision_id: "r2".into(),
            })),
            Action::Wait { until, .. } => {
                now = until;
                Reply::Woke
            }
            Action::ListVersions => Reply::Versions(Ok(vec![])),
            Action::ListAliases => Reply::Aliases(Ok(vec![])),
            other => panic!("unexpected {other:?}"),
        };
    }
    panic!("never stopped");
}

fn first_alias_write(alias: Option<AliasRouting>) -> Action {
    let is_write = |a: &Action| {
        matches!(
            a,
            Action::ShiftAlias { .. } | Action::CreateAlias { .. } | Action::Finish(_)
        )
    };
    run_until(deployment(), alias, is_write).1
}

fn shift(version: &str, extra: Option<(&str, f64)>) -> String {
    format!("{version} {extra:?}")
}

#[test]
fn the_route_follows_what_the_alias_shows() {
    // (alias at start, first write: "version extra" or "create V" or "finish STATUS")
    let rows: Vec<(Option<AliasRouting>, String)> = vec![
        (Some(routing("2", None)), shift("2", Some(("3", 0.2)))),
        (Some(routing("1", None)), shift("1", Some(("3", 0.2)))),
        (
            Some(routing("2", Some(("3", 0.4)))),
            shift("2", Some(("3", 0.4))),
        ),
        (
            Some(routing("2", Some(("3", 0.5)))),
            shift("2", Some(("3", 0.6))),
        ),
        (
            Some(routing("2", Some(("1", 0.4)))),
            shift("2", Some(("3", 0.2))),
        ),
        (Some(routing("3", Some(("2", 0.3)))), shift("3", None)),
        (Some(routing("3", None)), "finish SUCCEEDED".into()),
        (None, "create 3".into()),
    ];
    for (alias, expected) in rows {
        let got = match first_alias_write(alias.clone()) {
            Action::ShiftAlias { version, extra, .. } => {
                shift(&version, extra.as_ref().map(|(v, w)| (v.as_str(), *w)))
            }
            Action::CreateAlias { version } => format!("create {version}"),
            Action::Finish(o) => format!("finish {}", o.status),
            other => format!("{other:?}"),
        };
        assert_eq!(got, expected, "alias {alias:?}");
    }
}

#[test]
fn preflight_alarm_finishes_without_any_change() {
    let d = deployment();
    let t0 = Instant::now();
    let state = State::new(d, t0, SystemTime::UNIX_EPOCH);
    let (state, actions) = step(
        state,
        Observation {
            now: t0,
            interrupted: false,
            reply: Reply::Start,
        },
    );
    assert!(matches!(io(&actions), Action::ReadAlarms { names } if names == &["errors"]));
    let reply = Reply::Alarms(Ok(vec![("errors".into(), AlarmState::Alarm)]));
    let (state, actions) = step(
        state,
        Observation {
            now: t0,
            interrupted: false,
            reply,
        },
    );
    let Action::Finish(outcome) = io(&actions) else {
        panic!("{actions:?}")
    };
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.failed_check.as_deref(), Some("alarm:errors"));
    assert!(state.is_finished());
}

#[test]
fn a_conflict_wins_over_an_interrupt() {
    let (state, _, now) = run_until(deployment(), Some(routing("2", None)), |a| {
        matches!(a, Action::ShiftAlias { .. })
    });
    let conflict = AwsError::new(AwsErrorKind::Conflict, "stale");
    let reply = Reply::AliasSet(Err(conflict));
    let (_, actions) = step(
        state,
        Observation {
            now,
            interrupted: true,
            reply,
        },
    );
    assert!(
        matches!(io(&actions), Action::ReadAlias),
        "re-read, never write: {actions:?}"
    );
}

#[test]
fn an_interrupt_during_rollback_is_ignored() {
    let (state, _, now) = run_until(deployment(), Some(routing("2", None)), |a| {
        matches!(a, Action::Wait { .. })
    });
    // Interrupted during the first wait: traffic goes back first.
    let (state, actions) = step(
        state,
        Observation {
            now,
            interrupted: true,
            reply: Reply::Woke,
        },
    );
    let Action::ShiftAlias {
        version,
        extra: None,
        ..
    } = io(&actions)
    else {
        panic!("{actions:?}")
    };
    assert_eq!(version, "2");
    let restored = Reply::AliasSet(Ok(routing("2", None)));
    let (state, actions) = step(
        state,
        Observation {
            now,
            interrupted: true,
            reply: restored,
        },
    );
    assert!(
        matches!(io(&actions), Action::ListAliases),
        "then the failed version: {actions:?}"
    );
    let (_, actions) = step(
        state,
        Observation {
            now,
            interrupted: true,
            reply: Reply::Aliases(Ok(vec![])),
        },
    );
    assert!(matches!(io(&actions), Action::DeleteVersion { version } if version == "3"));
}

#[test]
fn waits_stop_at_the_deadline_and_never_spin() {
    let mut d = deployment();
    d.check_interval = Duration::ZERO;
    let (_, wait, now) = run_until(d.clone(), Some(routing("2", None)), |a| {
        matches!(a, Action::Wait { .. })
    });
    let Action::Wait {
        until,
        interruptible: true,
    } = wait
    else {
        panic!("{wait:?}")
    };
    assert!(until > now, "a zero check interval still lets time pass");

    d.deadline = Some(Instant::now() + secs(10));
    d.check_interval = secs(30);
    let (_, wait, _) = run_until(d.clone(), Some(routing("2", None)), |a| {
        matches!(a, Action::Wait { .. })
    });
    assert!(matches!(wait, Action::Wait { until, .. } if until == d.deadline.unwrap()));
}

#[test]
fn a_deadline_already_passed_stops_before_any_change() {
    let mut d = deployment();
    d.deadline = Some(Instant::now());
    let (_, finish, _) = run_until(d, Some(routing("2", None)), |a| {
        matches!(a, Action::Finish(_) | Action::ShiftAlias { .. })
    });
    let Action::Finish(outcome) = finish else {
        panic!("{finish:?}")
    };
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.failed_check.as_deref(), Some("timeout"));
}

#[test]
fn readiness_window_is_the_larger_bound() {
    let r = |wait, retries, timeout: Option<u64>| Readiness {
        wait_interval: secs(wait),
        max_retries: retries,
        timeout: timeout.map(secs),
    };
    assert_eq!(r(10, 5, None).window(), secs(50));
    assert_eq!(r(10, 5, Some(120)).window(), secs(120));
    assert_eq!(r(10, 5, Some(20)).window(), secs(50));
    assert_eq!(r(0, 5, Some(30)).window(), secs(30));
    assert_eq!(r(10, 5, None).poll_cap(), secs(5));
    assert_eq!(r(2, 5, None).poll_cap(), secs(2));
}

#[test]
fn events_read_like_log_lines() {
    let shifted = Event::Shifted {
        alias: "live".into(),
        to: "3".into(),
        weight_percent: 20,
        from: Some("2".into()),
    };
    assert_eq!(
        shifted.to_string(),
        "shifted alias live to 3 at 20% (2 at 80%)"
    );
    let stopping = Event::Stopping {
        cause: "alarm errors is ALARM".into(),
        rolling_back: true,
    };
    assert_eq!(stopping.to_string(), "alarm errors is ALARM: rolling back");
    let watching = Event::Watching {
        weight_percent: 100,
        wait: secs(90),
        bake: true,
    };
    assert_eq!(watching.to_string(), "baking at 100% for 1m30s");
}
