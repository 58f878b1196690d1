//! How a rollout ends: rollback (traffic first, then the failed version), a conflict (their
//! change wins), or success (cleanup per `retain_versions`), and the [`Outcome`] that says so.

use std::time::Duration;

use crate::ports::{AliasRouting, AwsError, AwsErrorKind};

use super::machine::{Action, Phase, Reply, State};
use super::retention::{replaced, versions_to_delete, Retention};
use super::{Event, Outcome, Status};

/// Restoring traffic is the one write a rollback must not give up on early: a restore refused
/// as throttled or busy is tried again (after reading the alias afresh) this many times.
const RESTORE_ATTEMPTS: u32 = 8;
const RESTORE_PAUSE: Duration = Duration::from_secs(2);
const MAX_RESTORE_PAUSE: Duration = Duration::from_secs(30);

/// Why the forward path stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Cause {
    Interrupted,
    TimedOut,
    /// Someone else changed the alias (their change wins; we never write it again).
    Conflict(String),
    Failed {
        check: String,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Ending {
    pub(super) status: Status,
    pub(super) reason: Option<String>,
    pub(super) failed_check: Option<String>,
}

impl State {
    pub(super) fn stop(&mut self, cause: Cause, out: &mut Vec<Action>) {
        let status = match &cause {
            Cause::Interrupted => Status::Interrupted,
            Cause::Conflict(_) => Status::Failed,
            _ if self.traffic_moved => Status::RolledBack,
            _ => Status::Failed,
        };
        let (check, what) = match cause.clone() {
            Cause::Interrupted => ("interrupt".to_string(), "interrupted".to_string()),
            Cause::TimedOut => (
                "timeout".into(),
                "the deployment timeout was reached".into(),
            ),
            Cause::Conflict(e) => (
                "conflict".into(),
                format!(
                    "alias {} was changed by someone else during the rollout; their change was \
                     kept and this deployment stopped: {e}",
                    self.d.alias
                ),
            ),
            Cause::Failed { check, reason } => (check, reason),
        };
        let rolling_back = self.traffic_moved && !matches!(cause, Cause::Conflict(_));
        out.push(Action::Emit(Event::Stopping {
            cause: what.clone(),
            rolling_back,
        }));
        let position = match (self.last_step, &self.to) {
            (Some((index, weight)), Some(to)) if self.traffic_moved => format!(
                " at step {} of {} ({weight}% on version {to})",
                index + 1,
                self.d.plan.steps.len()
            ),
            _ => String::new(),
        };
        self.ending = Some(Ending {
            status,
            reason: Some(format!("{what}{position}")),
            failed_check: Some(check),
        });
        if matches!(cause, Cause::Conflict(_)) {
            self.phase = Phase::ReadingServing;
            return out.push(Action::ReadAlias);
        }
        match (&self.from, &self.serving) {
            (Some(_), Some(serving)) if rolling_back => {
                let revision_id = serving.revision_id.clone();
                self.restore(0, revision_id, out)
            }
            _ => self.delete_failed_version(out),
        }
    }

    fn restore(&mut self, attempt: u32, revision_id: String, out: &mut Vec<Action>) {
        self.phase = Phase::RestoringTraffic { attempt };
        out.push(Action::ShiftAlias {
            version: self.from.clone().unwrap_or_default(),
            extra: None,
            revision_id,
        });
    }

    /// After a pause, the alias read afresh: already back on `from` (an earlier attempt went
    /// through after all) or restored now with its current revision.
    fn restore_reread(
        &mut self,
        attempt: u32,
        after_conflict: bool,
        r: Result<Option<AliasRouting>, AwsError>,
        out: &mut Vec<Action>,
    ) {
        let from = self.from.clone().unwrap_or_default();
        let conflict = || {
            AwsError::new(
                AwsErrorKind::Conflict,
                "the alias changed while it was being restored",
            )
        };
        match r {
            Ok(Some(routing)) if routing.serves_fully(&from) => self.restored(Ok(routing), out),
            // Someone else's change: it wins, and we write nothing more.
            Ok(Some(routing)) if after_conflict => {
                self.serving = Some(routing);
                self.restored(Err(conflict()), out)
            }
            Ok(Some(routing)) => self.restore(attempt, routing.revision_id, out),
            Ok(None) => self.restored(
                Err(AwsError::new(AwsErrorKind::NotFound, "the alias is gone")),
                out,
            ),
            Err(_) if after_conflict => self.restored(Err(conflict()), out),
            Err(e) => self.restore_refused(attempt, e, out),
        }
    }

    fn restore_refused(&mut self, attempt: u32, e: AwsError, out: &mut Vec<Action>) {
        let retryable = matches!(e.kind, AwsErrorKind::Throttled | AwsErrorKind::InUse);
        if !retryable || attempt + 1 >= RESTORE_ATTEMPTS {
            return self.restored(Err(e), out);
        }
        self.phase = Phase::RestorePause {
            attempt: attempt + 1,
        };
        let pause = RESTORE_PAUSE
            .saturating_mul(1 << attempt.min(8))
            .min(MAX_RESTORE_PAUSE);
        out.push(Action::Wait {
            until: self.now + pause,
            interruptible: false,
        });
    }

    pub(super) fn succeed(&mut self, out: &mut Vec<Action>) {
        self.ending = Some(Ending {
            status: Status::Succeeded,
            reason: None,
            failed_check: None,
        });
        // Releasing the previous version's capacity needs the aliases (is it still routed?).
        if !self.d.release_previous_capacity {
            match self.d.retention {
                Retention::KeepAll => return self.finish(out),
                Retention::Replaced => {
                    let queue = self.replaced_versions();
                    return self.delete_next(queue, out);
                }
                Retention::KeepNewest(_) => {}
            }
        }
        self.phase = Phase::ListingVersions;
        out.push(Action::ListVersions);
    }

    pub(super) fn ending_step(&mut self, phase: Phase, reply: Reply, out: &mut Vec<Action>) {
        match (phase, reply) {
            (Phase::ReadingServing, Reply::Alias(r)) => {
                if let Ok(routing) = r {
                    self.serving = routing;
                }
                self.delete_failed_version(out)
            }
            // A conflict may be our own earlier attempt, whose answer was lost: look.
            (Phase::RestoringTraffic { attempt }, Reply::AliasSet(Err(e)))
                if e.kind == AwsErrorKind::Conflict =>
            {
                self.phase = Phase::RestoreReading {
                    attempt,
                    after_conflict: true,
                };
                out.push(Action::ReadAlias);
            }
            (Phase::RestoringTraffic { attempt }, Reply::AliasSet(Err(e))) => {
                self.restore_refused(attempt, e, out)
            }
            (Phase::RestoringTraffic { .. }, Reply::AliasSet(r)) => self.restored(r, out),
            (Phase::RestorePause { attempt }, Reply::Woke) => {
                self.phase = Phase::RestoreReading {
                    attempt,
                    after_conflict: false,
                };
                out.push(Action::ReadAlias);
            }
            (
                Phase::RestoreReading {
                    attempt,
                    after_conflict,
                },
                Reply::Alias(r),
            ) => self.restore_reread(attempt, after_conflict, r, out),
            (Phase::FindingAliasUsers, Reply::Aliases(r)) => self.delete_if_unused(r, out),
            (Phase::ReleasingCapacity { version, then }, Reply::CapacityReleased(r)) => {
                self.capacity_released(version, then, r, out)
            }
            (Phase::DeletingFailed, Reply::Deleted(r)) => {
                let version = self.to.clone().unwrap_or_default();
                self.note_delete(version, r, out);
                self.finish(out)
            }
            (Phase::ListingVersions, Reply::Versions(Ok(versions))) => {
                self.phase = Phase::ListingAliases { versions };
                out.push(Action::ListAliases);
            }
            (Phase::ListingAliases { versions }, Reply::Aliases(Ok(aliases))) => {
                let queue = self.cleanup_queue(&versions, &aliases);
                if let Some(queue) = self.release_previous(queue, &aliases, out) {
                    self.delete_next(queue, out)
                }
            }
            // Cleanup never fails a deployment that succeeded: what is left, the next one removes.
            (Phase::ListingVersions, Reply::Versions(Err(e)))
            | (Phase::ListingAliases { .. }, Reply::Aliases(Err(e))) => {
                let reason = format!("listing versions and aliases failed: {e}");
                out.push(Action::Emit(Event::CleanupSkipped { reason }));
                self.finish(out)
            }
            (Phase::Deleting { mut queue }, Reply::Deleted(r)) => {
                let version = queue.remove(0);
                self.note_delete(version, r, out);
                self.delete_next(queue, out)
            }
            // Only reached if a driver keeps stepping after `Finish`: answer with `Finish` again.
            (Phase::Finished, _) => self.finish(out),
            (phase, reply) => self.unexpected(&phase, reply, out),
        }
    }

    /// The versions to delete, from the listed versions and aliases.
    fn cleanup_queue(
        &self,
        versions: &[String],
        aliases: &[(String, AliasRouting)],
    ) -> Vec<String> {
        let serving = self.to.clone().unwrap_or_default();
        match self.d.retention {
            Retention::KeepNewest(n) => versions_to_delete(versions, aliases, &serving, n),
            Retention::Replaced => {
                let mut queue = self.replaced_versions();
                queue.retain(|v| !aliases.iter().any(|(_, r)| r.routes_to(v)));
                queue
            }
            Retention::KeepAll => Vec::new(),
        }
    }

    fn restored(&mut self, r: Result<AliasRouting, AwsError>, out: &mut Vec<Action>) {
        let from = self.from.clone().unwrap_or_default();
        match r {
            Ok(routing) => {
                self.serving = Some(routing);
                self.traffic_moved = false;
                self.traffic_restored = true;
                self.append_reason(&format!("traffic restored to version {from}"));
                let alias = self.d.alias.clone();
                out.push(Action::Emit(Event::TrafficRestored {
                    alias,
                    version: from,
                }));
                self.delete_failed_version(out)
            }
            Err(e) => {
                let why = if e.kind == AwsErrorKind::Conflict {
                    format!(
                        "someone else changed alias {} meanwhile and it was left as they set it",
                        self.d.alias
                    )
                } else {
                    format!(
                        "restoring alias {} to version {from} failed ({e}); apply again to repair it",
                        self.d.alias
                    )
                };
                self.append_reason(&why);
                if let Some(ending) = &mut self.ending {
                    ending.status = Status::Failed;
                }
                self.phase = Phase::ReadingServing;
                out.push(Action::ReadAlias);
            }
        }
    }

    /// The version that failed goes only if nothing routes to it any more (after the provisioned
    /// concurrency this deployment gave it).
    pub(super) fn delete_failed_version(&mut self, out: &mut Vec<Action>) {
        if self.release_failed(out) {
            return;
        }
        match &self.to {
            Some(to) if self.d.delete_failed_version && self.from.as_ref() != Some(to) => {
                self.phase = Phase::FindingAliasUsers;
                out.push(Action::ListAliases);
            }
            _ => self.finish(out),
        }
    }

    fn delete_if_unused(
        &mut self,
        r: Result<Vec<(String, AliasRouting)>, AwsError>,
        out: &mut Vec<Action>,
    ) {
        let version = self.to.clone().unwrap_or_default();
        let user = match r {
            Ok(aliases) => aliases
                .into_iter()
                .find(|(_, routing)| routing.routes_to(&version))
                .map(|(name, _)| format!("alias {name} routes to it")),
            Err(e) => Some(format!("listing aliases failed: {e}")),
        };
        match user {
            Some(reason) => {
                out.push(Action::Emit(Event::DeleteSkipped { version, reason }));
                self.finish(out)
            }
            None => {
                self.phase = Phase::DeletingFailed;
                out.push(Action::DeleteVersion { version });
            }
        }
    }

    pub(super) fn delete_next(&mut self, queue: Vec<String>, out: &mut Vec<Action>) {
        match queue.first() {
            Some(version) => {
                out.push(Action::DeleteVersion {
                    version: version.clone(),
                });
                self.phase = Phase::Deleting { queue };
            }
            None => self.finish(out),
        }
    }

    fn note_delete(&mut self, version: String, r: Result<(), AwsError>, out: &mut Vec<Action>) {
        match r {
            Ok(()) => {
                self.deleted.push(version.clone());
                out.push(Action::Emit(Event::VersionDeleted { version }));
            }
            // Lambda's refusal to delete a version an alias routes to.
            Err(e) if e.kind == AwsErrorKind::InUse => {
                let reason = "an alias routes to it".to_string();
                out.push(Action::Emit(Event::DeleteSkipped { version, reason }));
            }
            Err(e) => {
                let reason = format!("deleting it failed: {e}");
                out.push(Action::Emit(Event::DeleteSkipped { version, reason }));
            }
        }
    }

    /// The version this deployment replaced, and what an earlier delegated one left behind.
    fn replaced_versions(&self) -> Vec<String> {
        let mut queue: Vec<String> = replaced(self.from.as_deref(), self.to.as_deref())
            .into_iter()
            .collect();
        for v in &self.d.leftovers {
            let current = Some(v) == self.to.as_ref() || Some(v) == self.from.as_ref();
            if !current && !queue.contains(v) {
                queue.push(v.clone());
            }
        }
        queue
    }

    fn append_reason(&mut self, more: &str) {
        if let Some(Ending {
            reason: Some(reason),
            ..
        }) = &mut self.ending
        {
            reason.push_str("; ");
            reason.push_str(more);
        }
    }

    /// Ends the rollout: the ending notification first (when asked to), then the outcome.
    pub(super) fn finish(&mut self, out: &mut Vec<Action>) {
        let ending = self.ending.take().unwrap_or(Ending {
            status: Status::Failed,
            reason: Some("internal error: the rollout ended without a cause".into()),
            failed_check: Some("internal".into()),
        });
        if self.announce_end(ending.status, ending.reason.clone(), out) {
            self.ending = Some(ending);
            return;
        }
        out.push(Action::Emit(Event::Finished {
            status: ending.status,
            reason: ending.reason.clone(),
        }));
        out.push(Action::Finish(Box::new(Outcome {
            status: ending.status,
            from_version: self.from.clone(),
            to_version: self.to.clone(),
            serving: self.serving.clone(),
            reason: ending.reason,
            failed_check: ending.failed_check,
            steps: std::mem::take(&mut self.steps),
            started_at: self.wall(self.started),
            finished_at: self.wall(self.now),
            published: self.published,
            deleted_versions: std::mem::take(&mut self.deleted),
            last_step: self.last_step,
            warnings: std::mem::take(&mut self.warnings),
            walk: self.walk.clone(),
        })));
        self.phase = Phase::Finished;
    }
}
