//! A walk through the weights run by an orchestrator: started once the new version is ready,
//! followed by reading it and the alias (each weight seen is a step), stopped on an interrupt or
//! the deadline before this rollout restores traffic itself. Without waiting, the deployment
//! ends once the first shift is on the alias.

use crate::ports::{AliasRouting, AwsError, Walk, WalkProgress, WalkState};

use super::ending::{Cause, Ending};
use super::machine::{Action, Phase, Reply, State};
use super::{Event, Status};

impl State {
    /// The phases of a delegated walk.
    pub(super) fn walk_step(&mut self, phase: Phase, reply: Reply, out: &mut Vec<Action>) {
        match (phase, reply) {
            (Phase::StartingWalk, Reply::WalkStarted(r)) => self.walk_started(r, out),
            (Phase::Following, Reply::Walk(r)) => self.followed(r, out),
            (Phase::FollowPause, Reply::Woke) => self.follow(out),
            (Phase::StoppingWalk { cause }, Reply::WalkStopped(r)) => {
                self.walk_stopped(cause, r, out)
            }
            (Phase::WalkStopped { cause }, Reply::Alias(r)) => {
                self.stopped_walk_read(cause, r, out)
            }
            (phase, reply) => self.unexpected(&phase, reply, out),
        }
    }

    /// Hands the steps from `index` on, and the bake, to the orchestrator.
    pub(super) fn start_walk(&mut self, index: usize, out: &mut Vec<Action>) {
        let (Some(from), Some(to)) = (self.from.clone(), self.to.clone()) else {
            return self.fail("internal", "no version to shift between".into(), out);
        };
        let revision_id = self.serving.as_ref().map(|s| s.revision_id.clone());
        let walk = Walk {
            deployment_id: self.d.id.clone(),
            function_name: self.d.function_name.clone(),
            alias: self.d.alias.clone(),
            from,
            to,
            revision_id: revision_id.unwrap_or_default(),
            steps: self.remaining[index..].to_vec(),
            bake: self.bake,
            alarms: self.d.alarms.clone(),
            check_interval: self.d.check_interval,
        };
        self.phase = Phase::StartingWalk;
        out.push(Action::StartWalk(Box::new(walk)));
    }

    pub(super) fn walk_started(&mut self, r: Result<String, AwsError>, out: &mut Vec<Action>) {
        match r {
            Ok(walk) => {
                self.walk = Some(walk.clone());
                // The first shift is due at once.
                self.shift_due = Some(self.now);
                out.push(Action::Emit(Event::Delegated { walk }));
                self.follow(out)
            }
            Err(e) => self.fail("orchestrator", format!("starting the rollout: {e}"), out),
        }
    }

    /// Reads the walk; the alias too once a shift is due (between shifts only the walk is read,
    /// so following a long wait costs Lambda's quota nothing).
    pub(super) fn follow(&mut self, out: &mut Vec<Action>) {
        self.phase = Phase::Following;
        let walk = self.walk.clone().unwrap_or_default();
        let read_alias = self.shift_due.is_some_and(|due| self.now >= due);
        out.push(Action::FollowWalk { walk, read_alias });
    }

    /// The weight a routing gives the new version when it is one this walk makes: `from` with
    /// the new version at a weight of the plan, or the new version alone.
    fn weight_of(&self, routing: &AliasRouting) -> Option<u8> {
        let (from, to) = (self.from.as_deref()?, self.to.as_deref()?);
        if routing.serves_fully(to) {
            return Some(100);
        }
        match &routing.extra {
            Some((v, w)) if v == to && routing.version == from => {
                let weight = (w * 100.0).round().clamp(0.0, 100.0) as u8;
                let planned = self.remaining.iter().any(|s| s.weight_percent == weight);
                planned.then_some(weight)
            }
            _ => None,
        }
    }

    /// Records a weight the alias shows that was not seen yet; true when it is a new step.
    pub(super) fn note_walk(&mut self, p: &WalkProgress) -> bool {
        let Some(routing) = p.routing.as_ref().filter(|_| p.alias_read) else {
            return false;
        };
        let weight = self.weight_of(routing);
        let known = self.last_step.map(|(_, w)| w);
        let Some(weight) = weight.filter(|w| Some(*w) != known) else {
            self.serving = Some(routing.clone());
            return false;
        };
        let index = self
            .remaining
            .iter()
            .position(|s| s.weight_percent == weight);
        let index = index.unwrap_or(self.remaining.len().saturating_sub(1));
        self.note_shift(index, routing);
        // The next shift comes after this step's wait; at 100% only the bake is left.
        let wait = self.remaining.get(index).map(|s| s.wait);
        self.shift_due = match weight {
            100 => None,
            _ => Some(self.now + wait.unwrap_or_default()),
        };
        true
    }

    /// Whether `routing` is something this walk (or its rollback) may have left: anything else
    /// is someone else's change, which is never overwritten.
    fn walk_made(&self, routing: Option<&AliasRouting>) -> bool {
        let from = self.from.as_deref().unwrap_or_default();
        routing.is_some_and(|r| r.serves_fully(from) || self.weight_of(r).is_some())
    }

    pub(super) fn followed(&mut self, r: Result<WalkProgress, AwsError>, out: &mut Vec<Action>) {
        let walk = self.walk.clone().unwrap_or_default();
        let p = match r {
            Ok(p) => p,
            Err(e) => {
                let reason = format!("following the rollout in {walk}: {e}");
                let cause = Cause::Failed {
                    check: "orchestrator".into(),
                    reason,
                };
                return self.stop_walk(walk, cause, out);
            }
        };
        if self.note_walk(&p) {
            self.emit_shifted(self.last_step.map_or(100, |(_, w)| w), out);
        }
        match p.state {
            WalkState::Running => {
                let wait = self.d.delegation.as_ref().is_none_or(|d| d.wait);
                if !wait && self.last_step.is_some() {
                    return self.leave_running(walk, out);
                }
                self.phase = Phase::FollowPause;
                let poll = self
                    .d
                    .delegation
                    .as_ref()
                    .map(|d| d.poll)
                    .unwrap_or_default();
                self.wait(self.now + poll, out)
            }
            WalkState::Succeeded => match &p.routing {
                Some(r) if r.serves_fully(self.to.as_deref().unwrap_or_default()) => {
                    self.succeed(out)
                }
                other => {
                    let reason = format!(
                        "{walk} succeeded, but alias {} routes {}",
                        self.d.alias,
                        describe(other.as_ref())
                    );
                    self.serving = other.clone();
                    self.stop(Cause::Conflict(reason), out)
                }
            },
            WalkState::Failed { error, cause } => {
                self.walk_failed(&walk, p.routing, error, cause, out)
            }
        }
    }

    /// The walk ended without reaching 100%. When it put the alias back on `from`, the rollback
    /// is done and only the failed version is left to delete; otherwise the rollback decides
    /// (someone else's change wins; a split it left is restored).
    fn walk_failed(
        &mut self,
        walk: &str,
        routing: Option<AliasRouting>,
        error: String,
        cause: String,
        out: &mut Vec<Action>,
    ) {
        let from = self.from.clone().unwrap_or_default();
        let reason = format!("{walk} ended with {error}: {cause}");
        let restored = routing.as_ref().is_some_and(|r| r.serves_fully(&from));
        if !restored {
            // Refused by the revision guard, the walk may still have left a split of its own (an
            // update whose answer was lost and whose retry was refused): only what it did not
            // make is someone else's.
            let theirs = !self.walk_made(routing.as_ref());
            self.serving = routing;
            self.traffic_moved = true;
            let cause = match theirs {
                true => Cause::Conflict(reason),
                false => Cause::Failed {
                    check: "orchestrator".into(),
                    reason,
                },
            };
            return self.stop(cause, out);
        }
        let moved = self.last_step.is_some();
        self.serving = routing;
        self.traffic_moved = false;
        let (check, what) = named_cause(walk, &error, &cause);
        let position = match (self.last_step, &self.to) {
            (Some((index, weight)), Some(to)) => format!(
                " at step {} of {} ({weight}% on version {to})",
                index + 1,
                self.d.plan.steps.len()
            ),
            _ => String::new(),
        };
        out.push(Action::Emit(Event::Stopping {
            cause: what.clone(),
            rolling_back: false,
        }));
        let restored = match moved {
            true => format!("; traffic restored to version {from}"),
            false => String::new(),
        };
        self.ending = Some(Ending {
            status: match moved {
                true => Status::RolledBack,
                false => Status::Failed,
            },
            reason: Some(format!("{what}{position}{restored}")),
            failed_check: Some(check),
        });
        if moved {
            self.traffic_restored = true;
            let alias = self.d.alias.clone();
            out.push(Action::Emit(Event::TrafficRestored {
                alias,
                version: from,
            }));
        }
        self.delete_failed_version(out)
    }

    fn leave_running(&mut self, walk: String, out: &mut Vec<Action>) {
        out.push(Action::Emit(Event::LeftRunning { walk }));
        self.ending = Some(Ending {
            status: Status::InProgress,
            reason: None,
            failed_check: None,
        });
        self.finish(out)
    }

    /// An interrupt or the deadline: a walk started is stopped first.
    pub(super) fn stop_forward(&mut self, cause: Cause, out: &mut Vec<Action>) {
        match self.walk.clone() {
            Some(walk) => self.stop_walk(walk, cause, out),
            None => self.stop(cause, out),
        }
    }

    /// Stops the walk where it is, then reads the alias it left and rolls back from there.
    pub(super) fn stop_walk(&mut self, walk: String, cause: Cause, out: &mut Vec<Action>) {
        self.phase = Phase::StoppingWalk { cause };
        out.push(Action::StopWalk { walk });
    }

    /// A walk that could not be stopped may still move the alias: the revision guard makes the
    /// rollback's restore and its next update exclude each other.
    pub(super) fn walk_stopped(
        &mut self,
        cause: Cause,
        _: Result<(), AwsError>,
        out: &mut Vec<Action>,
    ) {
        self.phase = Phase::WalkStopped { cause };
        out.push(Action::ReadAlias);
    }

    pub(super) fn stopped_walk_read(
        &mut self,
        cause: Cause,
        r: Result<Option<AliasRouting>, AwsError>,
        out: &mut Vec<Action>,
    ) {
        let cause = match r {
            Ok(routing) if !self.walk_made(routing.as_ref()) => {
                self.serving = routing;
                let e = "the alias was changed by someone else while the rollout ran";
                Cause::Conflict(e.into())
            }
            Ok(routing) => {
                let from = self.from.clone().unwrap_or_default();
                self.traffic_moved = routing.as_ref().is_some_and(|r| !r.serves_fully(&from));
                self.serving = routing;
                cause
            }
            Err(_) => cause,
        };
        self.stop(cause, out)
    }
}

/// Which check ended a walk that rolled back, and why: the machine's own rollback names the
/// alarm (`alarm NAME is ALARM`) or the failed call; anything else is the orchestrator's.
fn named_cause(walk: &str, error: &str, cause: &str) -> (String, String) {
    match (error, walk_check(error, cause)) {
        ("RolledBack", check) => (check, cause.to_string()),
        (_, check) => (check, format!("{walk} ended with {error}: {cause}")),
    }
}

/// The `failed_check` of a walk that ended with `error` and `cause`: `alarm:NAME` when its
/// rollback names an alarm, `orchestrator` otherwise.
pub fn walk_check(error: &str, cause: &str) -> String {
    let alarm = cause
        .strip_prefix("alarm ")
        .and_then(|c| c.strip_suffix(" is ALARM"))
        .filter(|_| error == "RolledBack");
    match alarm {
        Some(name) => format!("alarm:{name}"),
        None => "orchestrator".into(),
    }
}

fn describe(routing: Option<&AliasRouting>) -> String {
    match routing {
        None => "nothing (it is gone)".into(),
        Some(r) => match &r.extra {
            Some((v, w)) => format!("version {} with {:.0}% to {v}", r.version, w * 100.0),
            None => format!("version {} at 100%", r.version),
        },
    }
}
