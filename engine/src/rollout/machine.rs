//! The forward path of a rollout as a pure function: [`step`] takes what was just observed and
//! returns the next state and the actions to perform. Nothing here waits or calls AWS, so every
//! decision is table-testable and a rollout can start from whatever the alias shows.
//!
//! This file holds the vocabulary (observations, actions, phases, state) and the dispatch; the
//! phases themselves live beside it: `release.rs` (update `$LATEST`, publish, choose the route),
//! `traffic.rs` (readiness, shifting), `watch.rs` (checks), `hooks.rs`, `notify.rs` and
//! `ending.rs` (rollback, conflict, cleanup). The actions and replies are in `io.rs`.

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::ports::{AliasRouting, FunctionStatus, NotificationEvent};
use crate::schedule::Step;

use super::capacity::AfterRelease;
use super::checks::Check;
use super::ending::{Cause, Ending};
use super::hooks::HookCall;
use super::notify::AfterNotify;
use super::{Deployment, StepRecord};

pub use super::io::{Action, Observation, Reply};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Update {
    Code,
    Configuration,
}

/// Where a round of checks leads when every check is healthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AfterChecks {
    Preflight,
    Shift(usize),
    Watch { index: usize, until: Instant },
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Phase {
    Start,
    Checking {
        check: usize,
        then: AfterChecks,
    },
    ReadingAlias,
    Settling {
        pending: Vec<Update>,
        just_updated: bool,
        since: Instant,
        polls: u32,
    },
    Updating {
        pending: Vec<Update>,
    },
    Publishing,
    /// The published version read back and compared with the release.
    Verifying,
    Readiness {
        since: Instant,
        polls: u32,
    },
    // capacity.rs
    CheckingCapacity,
    AllocatingCapacity,
    Provisioning {
        since: Instant,
        polls: u32,
    },
    ReleasingCapacity {
        version: String,
        then: AfterRelease,
    },
    CreatingAlias,
    Shifting {
        index: usize,
    },
    /// A shift was refused as a revision conflict: reading the alias tells whether our own
    /// earlier attempt (whose answer was lost) already made it, or someone else changed it.
    VerifyingShift {
        index: usize,
        conflict: String,
    },
    Watching {
        index: usize,
        until: Instant,
    },
    // delegated.rs
    StartingWalk,
    Following,
    FollowPause,
    /// Stopping the orchestrator's walk before rolling back ourselves.
    StoppingWalk {
        cause: Cause,
    },
    /// Reading the alias the walk left, before rolling back.
    WalkStopped {
        cause: Cause,
    },
    // hooks.rs
    Hook(HookCall),
    // notify.rs
    Notifying {
        event: NotificationEvent,
        then: AfterNotify,
    },
    // ending.rs
    ReadingServing,
    /// Putting the alias back on `from`; `attempt` counts restores refused as throttled or busy.
    RestoringTraffic {
        attempt: u32,
    },
    /// Waiting before reading the alias again to retry a restore.
    RestorePause {
        attempt: u32,
    },
    /// Reading the alias before restoring again; `after_conflict`: the restore was refused as a
    /// revision conflict, so only finding it already restored lets the rollback go on.
    RestoreReading {
        attempt: u32,
        after_conflict: bool,
    },
    FindingAliasUsers,
    DeletingFailed,
    ListingVersions,
    ListingAliases {
        versions: Vec<String>,
    },
    Deleting {
        queue: Vec<String>,
    },
    Finished,
}

/// Everything a rollout knows; moved through [`step`].
#[derive(Debug, Clone)]
pub struct State {
    pub(super) d: Deployment,
    pub(super) phase: Phase,
    pub(super) checks: Vec<Check>,
    pub(super) now: Instant,
    pub(super) started: Instant,
    started_wall: SystemTime,
    /// What the alias served at 100% at the start; the rollback target.
    pub(super) from: Option<String>,
    pub(super) to: Option<String>,
    pub(super) published: bool,
    /// The alias as last read or written (None: it does not exist).
    pub(super) serving: Option<AliasRouting>,
    /// The alias routes traffic away from `from`, so stopping must restore it first.
    pub(super) traffic_moved: bool,
    /// The part of the plan still to walk (a resumed rollout skips weights already reached).
    pub(super) remaining: Vec<Step>,
    pub(super) bake: Duration,
    pub(super) steps: Vec<StepRecord>,
    pub(super) last_step: Option<(usize, u8)>,
    pub(super) deleted: Vec<String>,
    pub(super) ending: Option<Ending>,
    pub(super) update_attempts: u32,
    /// When the new version first received traffic (wall clock): the start of its metrics.
    pub(super) traffic_since: Option<SystemTime>,
    /// A wait or bake with traffic on the new version began: analysis has a window to judge.
    pub(super) observed: bool,
    pub(super) metrics_read_at: Option<Instant>,
    /// Traffic had moved and was put back on `from`.
    pub(super) traffic_restored: bool,
    pub(super) end_announced: bool,
    pub(super) warnings: Vec<String>,
    /// This deployment asked for provisioned concurrency on the new version, and whether the
    /// version had none before (only then does a rollback release it).
    pub(super) capacity_asked: bool,
    pub(super) capacity_created: bool,
    /// The new version's status from the read that verified it: readiness starts from it.
    pub(super) verified_status: Option<FunctionStatus>,
    /// The orchestrator's walk, once started (delegated deployments).
    pub(super) walk: Option<String>,
    /// When the walk's next shift is due: from then on, following it reads the alias too.
    pub(super) shift_due: Option<Instant>,
}

/// Advances a rollout by one observation.
pub fn step(mut state: State, observation: Observation) -> (State, Vec<Action>) {
    let mut out = Vec::new();
    state.now = observation.now;
    state.advance(observation, &mut out);
    (state, out)
}

impl State {
    /// `now` and `wall` are the same moment on the monotonic and the wall clock; the wall times
    /// of the outcome are derived from `now` so they follow tokio's (possibly paused) clock.
    pub fn new(deployment: Deployment, now: Instant, wall: SystemTime) -> State {
        State {
            checks: Check::for_deployment(&deployment),
            remaining: deployment.plan.steps.clone(),
            bake: deployment.plan.bake,
            d: deployment,
            phase: Phase::Start,
            now,
            started: now,
            started_wall: wall,
            from: None,
            to: None,
            published: false,
            serving: None,
            traffic_moved: false,
            steps: Vec::new(),
            last_step: None,
            deleted: Vec::new(),
            ending: None,
            update_attempts: 0,
            traffic_since: None,
            observed: false,
            metrics_read_at: None,
            traffic_restored: false,
            end_announced: false,
            warnings: Vec::new(),
            verified_status: None,
            capacity_asked: false,
            capacity_created: false,
            walk: None,
            shift_due: None,
        }
    }

    pub fn deployment(&self) -> &Deployment {
        &self.d
    }

    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Finished
    }

    pub(super) fn wall(&self, at: Instant) -> SystemTime {
        self.started_wall + at.saturating_duration_since(self.started)
    }

    pub(super) fn advance(&mut self, obs: Observation, out: &mut Vec<Action>) {
        let phase = std::mem::replace(&mut self.phase, Phase::Finished);
        if let Some(cause) = self.stop_requested(&phase, &obs) {
            // Facts in the reply must survive the stop: a version just published is the one
            // rollback deletes; an alias just written is what rollback must restore.
            self.absorb(&phase, &obs.reply);
            return self.stop_forward(cause, out);
        }
        match (phase, obs.reply) {
            (Phase::Start, Reply::Start) => self.run_checks(AfterChecks::Preflight, out),
            (Phase::Checking { check, then }, reply) => self.judge(check, then, reply, out),
            (Phase::ReadingAlias, Reply::Alias(r)) => self.alias_read(r, out),
            (
                Phase::Settling {
                    pending,
                    just_updated,
                    since,
                    polls,
                },
                Reply::Woke,
            ) => {
                self.phase = Phase::Settling {
                    pending,
                    just_updated,
                    since,
                    polls,
                };
                self.read_status("$LATEST", out);
            }
            (
                Phase::Settling {
                    pending,
                    just_updated,
                    since,
                    polls,
                },
                Reply::Status(r),
            ) => self.settled(pending, just_updated, since, polls, r, out),
            (Phase::Updating { pending }, Reply::Updated(r)) => self.updated(pending, r, out),
            (Phase::Publishing, Reply::Published(r)) => self.published(r, out),
            (Phase::Verifying, Reply::Checked(r)) => self.verified(r, out),
            (Phase::Readiness { since, polls }, Reply::Woke) => {
                self.phase = Phase::Readiness { since, polls };
                let to = self.to.clone().unwrap_or_default();
                self.read_status(&to, out);
            }
            (Phase::Readiness { since, polls }, Reply::Status(r)) => {
                self.readiness(since, polls, r, out)
            }
            (Phase::CheckingCapacity, Reply::Capacity(r)) => self.capacity_checked(r, out),
            (Phase::AllocatingCapacity, Reply::CapacitySet(r)) => self.capacity_set(r, out),
            (Phase::Provisioning { since, polls }, Reply::Capacity(r)) => {
                self.provisioning(since, polls, r, out)
            }
            (Phase::Provisioning { since, polls }, Reply::Woke) => {
                self.provisioning_woke(since, polls, out)
            }
            (Phase::CreatingAlias, Reply::AliasSet(r)) => self.alias_created(r, out),
            (Phase::Shifting { index }, Reply::AliasSet(r)) => self.shifted(index, r, out),
            (Phase::VerifyingShift { index, conflict }, Reply::Alias(r)) => {
                self.shift_verified(index, conflict, r, out)
            }
            (Phase::Watching { index, until }, Reply::Woke) => self.woke(index, until, out),
            (
                phase @ (Phase::StartingWalk
                | Phase::Following
                | Phase::FollowPause
                | Phase::StoppingWalk { .. }
                | Phase::WalkStopped { .. }),
                reply,
            ) => self.walk_step(phase, reply, out),
            (Phase::Hook(call), Reply::Hook(r)) => self.hook_answered(call, r, out),
            (Phase::Notifying { event, then }, Reply::Notified(r)) => {
                self.notified(event, then, r, out)
            }
            (phase, reply) => self.ending_step(phase, reply, out),
        }
    }

    /// Interrupts and the deadline stop the forward path only; rollback and cleanup run to the
    /// end whatever happens, an interrupt during the rollback included. Creating the alias of a
    /// first release is not interruptible either: once it exists the release is served and there
    /// is nothing older to go back to. A conflict beats an interrupt, so a stale alias write is
    /// never followed by another write.
    pub(super) fn stop_requested(&self, phase: &Phase, obs: &Observation) -> Option<Cause> {
        let forward = matches!(
            phase,
            Phase::Start
                | Phase::Checking { .. }
                | Phase::ReadingAlias
                | Phase::Settling { .. }
                | Phase::Updating { .. }
                | Phase::Publishing
                | Phase::Verifying
                | Phase::Readiness { .. }
                | Phase::CheckingCapacity
                | Phase::AllocatingCapacity
                | Phase::Provisioning { .. }
                | Phase::Watching { .. }
                | Phase::StartingWalk
                | Phase::FollowPause
                | Phase::Hook(_)
                | Phase::Notifying {
                    then: AfterNotify::Route,
                    ..
                }
        ) || matches!(phase, Phase::Shifting { .. } if !is_conflict(&obs.reply))
            // A walk that has just ended is recorded as it ended.
            || matches!(phase, Phase::Following if !walk_ended(&obs.reply));
        if !forward {
            return None;
        }
        if obs.interrupted {
            return Some(Cause::Interrupted);
        }
        match self.d.deadline {
            Some(deadline) if obs.now >= deadline => Some(Cause::TimedOut),
            _ => None,
        }
    }

    pub(super) fn absorb(&mut self, phase: &Phase, reply: &Reply) {
        match (phase, reply) {
            (Phase::Publishing, Reply::Published(Ok(v))) => {
                let new = self.is_new(v);
                self.note_target(v.version.clone(), new)
            }
            (Phase::Shifting { index }, Reply::AliasSet(Ok(r))) => self.note_shift(*index, r),
            (Phase::ReadingAlias, Reply::Alias(Ok(r))) => self.note_alias(r.clone()),
            (Phase::AllocatingCapacity, Reply::CapacitySet(Ok(()))) => self.capacity_asked = true,
            (Phase::StartingWalk, Reply::WalkStarted(Ok(walk))) => self.walk = Some(walk.clone()),
            (Phase::Following, Reply::Walk(Ok(p))) => {
                self.note_walk(p);
            }
            _ => {}
        }
    }

    pub(super) fn fail(&mut self, check: &str, reason: String, out: &mut Vec<Action>) {
        self.stop(
            Cause::Failed {
                check: check.into(),
                reason,
            },
            out,
        )
    }

    pub(super) fn wait(&mut self, until: Instant, out: &mut Vec<Action>) {
        let until = match self.d.deadline {
            Some(deadline) => until.min(deadline),
            None => until,
        };
        out.push(Action::Wait {
            until,
            interruptible: true,
        });
    }

    pub(super) fn read_status(&mut self, qualifier: &str, out: &mut Vec<Action>) {
        out.push(Action::ReadStatus {
            qualifier: qualifier.into(),
        });
    }

    pub(super) fn unexpected(&mut self, phase: &Phase, reply: Reply, out: &mut Vec<Action>) {
        let reason = format!("internal error: unexpected {reply:?} in {phase:?}");
        self.fail("internal", reason, out)
    }
}

fn walk_ended(reply: &Reply) -> bool {
    matches!(reply, Reply::Walk(Ok(p)) if p.state != crate::ports::WalkState::Running)
}

fn is_conflict(reply: &Reply) -> bool {
    matches!(reply, Reply::AliasSet(Err(e)) if e.kind == crate::ports::AwsErrorKind::Conflict)
}
