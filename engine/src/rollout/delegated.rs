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
                out.push(Action::Emit(Event::Delegated { walk }));
                self.follow(out)
            }
            Err(e) => self.fail("orchestrator", format!("starting the rollout: {e}"), out),
        }
    }

    pub(super) fn follow(&mut self, out: &mut Vec<Action>) {
        self.phase = Phase::Following;
        let walk = self.walk.clone().unwrap_or_default();
        out.push(Action::FollowWalk { walk });
    }

    /// Records a weight the alias shows that was not seen yet; true when it is a new step.
    pub(super) fn note_walk(&mut self, p: &WalkProgress) -> bool {
        let (Some(routing), Some(from), Some(to)) = (&p.routing, &self.from, &self.to) else {
            return false;
        };
        let weight = match &routing.extra {
            _ if routing.serves_fully(to) => 100,
            Some((v, w)) if v == to && routing.version == *from => {
                (w * 100.0).round().clamp(0.0, 100.0) as u8
            }
            // Back on `from`, or something this walk does not make: not a step.
            _ => {
                self.serving = Some(routing.clone());
                return false;
            }
        };
        if self.last_step.map(|(_, w)| w) == Some(weight) {
            self.serving = Some(routing.clone());
            return false;
        }
        let index = self
            .remaining
            .iter()
            .position(|s| s.weight_percent == weight);
        self.note_shift(index.unwrap_or(0), routing);
        true
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
                    self.fail("orchestrator", reason, out)
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
            self.serving = routing;
            self.traffic_moved = true;
            let conflict = error.contains("PreconditionFailed");
            return self.stop(
                match conflict {
                    true => Cause::Conflict(reason),
                    false => Cause::Failed {
                        check: "orchestrator".into(),
                        reason,
                    },
                },
                out,
            );
        }
        let moved = self.last_step.is_some();
        self.serving = routing;
        self.traffic_moved = false;
        out.push(Action::Emit(Event::Stopping {
            cause: reason.clone(),
            rolling_back: false,
        }));
        self.ending = Some(Ending {
            status: match moved {
                true => Status::RolledBack,
                false => Status::Failed,
            },
            reason: Some(match moved {
                true => format!("{reason}; traffic restored to version {from}"),
                false => reason,
            }),
            failed_check: Some("orchestrator".into()),
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
        if let Ok(routing) = r {
            let from = self.from.clone().unwrap_or_default();
            self.traffic_moved = routing.as_ref().is_some_and(|r| !r.serves_fully(&from));
            self.serving = routing;
        }
        self.stop(cause, out)
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
