//! Getting the version to roll out: read the alias, update `$LATEST` (each update settling before
//! the next), publish with the RevisionId read last, and choose the route from what the alias
//! shows (fresh rollout, resume, normalize, nothing to do).

use std::time::Duration;

use tokio::time::Instant;

use crate::ports::{
    AliasRouting, AwsError, AwsErrorKind, FunctionStatus, PublishedVersion, ReleaseCheck,
};
use crate::schedule::{format_duration, Step};

use super::machine::{Action, AfterChecks, Phase, State, Update};
use super::{Event, Target};

/// `$LATEST` updates normally settle in seconds; beyond this something is stuck.
const SETTLE_LIMIT: Duration = Duration::from_secs(15 * 60);
/// A refused update (another update in progress) is retried after settling this many times.
const UPDATE_ATTEMPTS: u32 = 3;
/// Floor for any polling interval, so a zero setting cannot spin without time passing.
pub(super) const MIN_POLL: Duration = Duration::from_millis(100);
const FIRST_POLL: Duration = Duration::from_millis(200);
const MAX_SETTLE_POLL: Duration = Duration::from_secs(5);

impl State {
    pub(super) fn note_alias(&mut self, routing: Option<AliasRouting>) {
        self.from = routing.as_ref().map(|r| r.version.clone());
        self.traffic_moved = routing
            .as_ref()
            .is_some_and(|r| !r.serves_fully(&r.version));
        self.serving = routing;
    }

    pub(super) fn alias_read(
        &mut self,
        r: Result<Option<AliasRouting>, AwsError>,
        out: &mut Vec<Action>,
    ) {
        let routing = match r {
            Ok(routing) => routing,
            Err(e) => {
                return self.fail("alias", format!("reading alias {}: {e}", self.d.alias), out)
            }
        };
        self.note_alias(routing.clone());
        out.push(Action::Emit(Event::AliasFound {
            alias: self.d.alias.clone(),
            routing: routing.clone(),
        }));
        let serves = routing.map(|r| r.version);
        if let Some(expected) = self.d.expected_from.clone().filter(|e| *e != serves) {
            let said = |v: &Option<String>| match v {
                Some(v) => format!("version {v}"),
                None => "nothing (no alias)".to_string(),
            };
            let reason = format!(
                "alias {} serves {} now, not {} as when this rollout was prepared (planned, or \
                 read by an action); nothing was changed",
                self.d.alias,
                said(&serves),
                said(&expected)
            );
            // Whatever split it holds is someone else's: the rollout ends without touching it.
            self.traffic_moved = false;
            return self.fail("conflict", reason, out);
        }
        if let Target::Existing(version) = &self.d.target {
            self.note_target(version.clone(), false);
        }
        self.announce_start(out)
    }

    /// On from the alias read (and the start notification): update and publish, or go straight
    /// to the route for a version that exists.
    pub(super) fn route(&mut self, out: &mut Vec<Action>) {
        match self.d.target {
            Target::Existing(_) => self.target_known(out),
            Target::Publish {
                update_code,
                update_configuration,
            } => {
                let mut pending = Vec::new();
                if update_code {
                    pending.push(Update::Code);
                }
                if update_configuration {
                    pending.push(Update::Configuration);
                }
                // An update needs no status read first: Lambda refuses it while another update
                // runs, and that refusal leads to the same wait.
                if pending.is_empty() {
                    self.settle(pending, false, false, out)
                } else {
                    self.start_update(pending, out)
                }
            }
        }
    }

    /// Waits for `$LATEST` to settle. `wait_first`: right after an update (ours, or one that
    /// refused ours) Lambda answers InProgress, so the first read waits a poll.
    pub(super) fn settle(
        &mut self,
        pending: Vec<Update>,
        just_updated: bool,
        wait_first: bool,
        out: &mut Vec<Action>,
    ) {
        self.phase = Phase::Settling {
            pending,
            just_updated,
            since: self.now,
            polls: u32::from(wait_first),
        };
        if wait_first {
            self.wait(self.now + backoff(0, MAX_SETTLE_POLL), out);
        } else {
            self.read_status("$LATEST", out);
        }
    }

    pub(super) fn settled(
        &mut self,
        pending: Vec<Update>,
        just_updated: bool,
        since: Instant,
        polls: u32,
        r: Result<FunctionStatus, AwsError>,
        out: &mut Vec<Action>,
    ) {
        let status = match r {
            Ok(s) => s,
            Err(e) => return self.fail("update", format!("reading $LATEST: {e}"), out),
        };
        let busy =
            status.state == "Pending" || status.last_update_status.as_deref() == Some("InProgress");
        if busy {
            if self.now.saturating_duration_since(since) >= SETTLE_LIMIT {
                let reason = format!(
                    "$LATEST is still updating after {}; check the function in the Lambda console",
                    format_duration(SETTLE_LIMIT)
                );
                return self.fail("update", reason, out);
            }
            self.phase = Phase::Settling {
                pending,
                just_updated,
                since,
                polls: polls + 1,
            };
            let delay = backoff(polls, MAX_SETTLE_POLL);
            return self.wait(self.now + delay, out);
        }
        // A failure left by an earlier apply does not matter when we are about to update again.
        if just_updated || pending.is_empty() {
            if let Some(reason) = update_failure(&status) {
                return self.fail("update", format!("updating $LATEST failed: {reason}"), out);
            }
        }
        if pending.is_empty() {
            self.phase = Phase::Publishing;
            out.push(Action::Publish {
                revision_id: status.revision_id,
                description: self.version_description(),
            });
            return;
        }
        self.start_update(pending, out)
    }

    fn start_update(&mut self, mut pending: Vec<Update>, out: &mut Vec<Action>) {
        let update = pending.remove(0);
        out.push(Action::Emit(Event::Updating {
            part: match update {
                Update::Code => "code",
                Update::Configuration => "configuration",
            },
        }));
        out.push(match update {
            Update::Code => Action::UpdateCode,
            Update::Configuration => Action::UpdateConfiguration,
        });
        pending.insert(0, update);
        self.phase = Phase::Updating { pending };
    }

    pub(super) fn updated(
        &mut self,
        mut pending: Vec<Update>,
        r: Result<(), AwsError>,
        out: &mut Vec<Action>,
    ) {
        match r {
            Ok(()) => {
                pending.remove(0);
                self.update_attempts = 0;
                self.settle(pending, true, true, out)
            }
            // Someone else's update is still running: wait for it, then try ours again.
            Err(e) if e.kind == AwsErrorKind::InUse => {
                self.update_attempts += 1;
                if self.update_attempts >= UPDATE_ATTEMPTS {
                    return self.fail("update", format!("updating $LATEST: {e}"), out);
                }
                self.settle(pending, false, true, out)
            }
            Err(e) => self.fail("update", format!("updating $LATEST: {e}"), out),
        }
    }

    /// What a version this deployment publishes is described as.
    pub(super) fn version_description(&self) -> String {
        format!("gitmoxi deployment {}", self.d.id)
    }

    /// Whether Lambda published `v` for this deployment, rather than answering with the existing
    /// version because nothing changed since it was published.
    pub(super) fn is_new(&self, v: &PublishedVersion) -> bool {
        let ours = self.version_description();
        v.description.as_deref().is_none_or(|d| d == ours)
    }

    /// `new`: the version came out of this deployment's publish (not an existing one Lambda
    /// answered with because nothing changed since it was published).
    pub(super) fn note_target(&mut self, version: String, new: bool) {
        self.published = matches!(self.d.target, Target::Publish { .. })
            && new
            && self
                .serving
                .as_ref()
                .is_none_or(|s| !s.serves_fully(&version));
        self.to = Some(version);
    }

    pub(super) fn published(
        &mut self,
        r: Result<PublishedVersion, AwsError>,
        out: &mut Vec<Action>,
    ) {
        match r {
            Ok(v) => {
                let new = self.is_new(&v);
                self.note_target(v.version.clone(), new);
                out.push(Action::Emit(Event::Published {
                    version: v.version.clone(),
                    new,
                }));
                // Nothing shifts to a version that is not the release.
                self.phase = Phase::Verifying;
                out.push(Action::CheckRelease { version: v.version });
            }
            Err(e) if e.kind == AwsErrorKind::Conflict => {
                let reason = format!(
                    "publishing a version: $LATEST changed after this deployment updated it \
                     (someone else is updating the function); nothing was published: {e}"
                );
                self.fail("conflict", reason, out)
            }
            Err(e) => self.fail("publish", format!("publishing a version: {e}"), out),
        }
    }

    pub(super) fn verified(&mut self, r: Result<ReleaseCheck, AwsError>, out: &mut Vec<Action>) {
        let to = self.to.clone().unwrap_or_default();
        match r {
            Ok(check) if check.differences.is_empty() => {
                self.verified_status = Some(check.status);
                self.target_known(out)
            }
            Ok(check) => {
                let reason = format!(
                    "version {to} is not the release: {}; nothing was shifted to it",
                    check.differences.join("; ")
                );
                self.fail("verify", reason, out)
            }
            Err(e) => self.fail("verify", format!("reading version {to} back: {e}"), out),
        }
    }

    /// Decides the route once the version to roll out is known, from what the alias shows.
    pub(super) fn target_known(&mut self, out: &mut Vec<Action>) {
        let to = self.to.clone().unwrap_or_default();
        let alias = self.d.alias.clone();
        match self.serving.clone() {
            Some(s) if s.serves_fully(&to) => {
                out.push(Action::Emit(Event::NothingToShift { alias, version: to }));
                self.succeed(out)
            }
            // A killed rollout left weights on the version we want: normalize to it at 100%.
            Some(s) if s.version == to => {
                self.traffic_since = Some(self.wall(self.now));
                self.remaining = vec![Step::FULL];
                self.bake = Duration::ZERO;
                self.run_checks(AfterChecks::Shift(0), out)
            }
            // A killed rollout of this very version: continue from the weight it reached.
            Some(AliasRouting {
                extra: Some((v, w)),
                ..
            }) if v == to => {
                let reached = (w * 100.0).round().clamp(0.0, 100.0) as u8;
                self.traffic_since = Some(self.wall(self.now));
                self.remaining.retain(|s| s.weight_percent >= reached);
                let e = Event::Resuming {
                    alias,
                    version: to,
                    weight_percent: reached,
                };
                out.push(Action::Emit(e));
                self.start_readiness(out)
            }
            _ => self.start_readiness(out),
        }
    }
}

/// 200ms, 400ms, 800ms, … capped, never below the polling floor.
pub(super) fn backoff(polls: u32, cap: Duration) -> Duration {
    FIRST_POLL
        .saturating_mul(1 << polls.min(16))
        .min(cap)
        .max(MIN_POLL)
}

pub(super) fn update_failure(status: &FunctionStatus) -> Option<String> {
    if status.last_update_status.as_deref() == Some("Failed") {
        return Some(
            status
                .last_update_reason
                .clone()
                .unwrap_or_else(|| "no reason given".into()),
        );
    }
    if status.state == "Failed" {
        return Some(
            status
                .state_reason
                .clone()
                .unwrap_or_else(|| "State Failed".into()),
        );
    }
    None
}
