//! Provisioned concurrency: the new version gets its warm capacity, READY, before any traffic
//! moves; the old version keeps its own until the new one serves 100% and the bake has passed
//! (so a rollback lands on warm capacity), and is released then; a rollback releases what this
//! deployment allocated on the version that failed.

use tokio::time::Instant;

use crate::ports::{AwsError, Provisioned, ProvisionedStatus};
use crate::schedule::format_duration;

use super::machine::{Action, Phase, State};
use super::release::backoff;
use super::Event;

/// What follows the release of a version's provisioned concurrency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AfterRelease {
    /// The old version after a success: then the versions retention deletes.
    Retention(Vec<String>),
    /// The failed version after a rollback: then deleting it, if asked.
    FailedVersion,
}

impl State {
    /// After readiness: capacity first when the deployment asks for any, then traffic.
    pub(super) fn provision_or_allow(&mut self, out: &mut Vec<Action>) {
        if self.d.provisioned_concurrency == 0 {
            return self.allow_traffic(out);
        }
        self.phase = Phase::CheckingCapacity;
        let version = self.to.clone().unwrap_or_default();
        out.push(Action::ReadCapacity { version });
    }

    /// What the new version already has: the amount asked for, READY (a promotion, or a
    /// resumed rollout), or something to (re)allocate.
    pub(super) fn capacity_checked(
        &mut self,
        r: Result<Option<Provisioned>, AwsError>,
        out: &mut Vec<Action>,
    ) {
        let (version, amount) = (
            self.to.clone().unwrap_or_default(),
            self.d.provisioned_concurrency,
        );
        match r {
            Ok(Some(p)) if p.requested == amount && is_ready(&p) => {
                out.push(Action::Emit(Event::CapacityReady {
                    version,
                    amount,
                    after: std::time::Duration::ZERO,
                }));
                self.allow_traffic(out)
            }
            Ok(found) => {
                // Only capacity this deployment created is released if it fails.
                self.capacity_created = found.is_none();
                self.phase = Phase::AllocatingCapacity;
                out.push(Action::Emit(Event::CapacityRequested {
                    version: version.clone(),
                    amount,
                }));
                out.push(Action::SetCapacity { version, amount });
            }
            Err(e) => self.fail(
                "provisioned_concurrency",
                format!("reading the provisioned concurrency of version {version}: {e}"),
                out,
            ),
        }
    }

    pub(super) fn capacity_set(&mut self, r: Result<(), AwsError>, out: &mut Vec<Action>) {
        let (version, amount) = (
            self.to.clone().unwrap_or_default(),
            self.d.provisioned_concurrency,
        );
        match r {
            Ok(()) => {
                self.capacity_asked = true;
                self.phase = Phase::Provisioning {
                    since: self.now,
                    polls: 0,
                };
                out.push(Action::ReadCapacity { version });
            }
            Err(e) => self.fail(
                "provisioned_concurrency",
                format!(
                    "allocating {amount} provisioned concurrency on version {version}: {e}; \
                     nothing was shifted to it"
                ),
                out,
            ),
        }
    }

    /// Polls the allocation until it is READY, FAILED or out of the readiness window.
    pub(super) fn provisioning(
        &mut self,
        since: Instant,
        polls: u32,
        r: Result<Option<Provisioned>, AwsError>,
        out: &mut Vec<Action>,
    ) {
        let (version, amount) = (
            self.to.clone().unwrap_or_default(),
            self.d.provisioned_concurrency,
        );
        let fail = |s: &mut State, why: String, out: &mut Vec<Action>| {
            s.fail(
                "provisioned_concurrency",
                format!("{why}; nothing was shifted to it"),
                out,
            )
        };
        let p = match r {
            Ok(Some(p)) => p,
            Ok(None) => {
                let why = format!("the provisioned concurrency of version {version} disappeared");
                return fail(self, why, out);
            }
            Err(e) => {
                let why = format!("reading the provisioned concurrency of version {version}: {e}");
                return fail(self, why, out);
            }
        };
        let waited = self.now.saturating_duration_since(since);
        if is_ready(&p) {
            out.push(Action::Emit(Event::CapacityReady {
                version,
                amount,
                after: waited,
            }));
            return self.allow_traffic(out);
        }
        if p.status == ProvisionedStatus::Failed {
            let reason = p.reason.unwrap_or_else(|| "no reason given".into());
            let why = format!(
                "Lambda could not allocate {amount} provisioned concurrency on version \
                 {version}: {reason}"
            );
            return fail(self, why, out);
        }
        let window = self.d.readiness.window();
        if waited >= window {
            let why = format!(
                "version {version} has {} of {amount} provisioned concurrency after {}; raise \
                 readiness_check.timeout if it needs longer",
                p.allocated,
                format_duration(waited)
            );
            return fail(self, why, out);
        }
        self.phase = Phase::Provisioning {
            since,
            polls: polls + 1,
        };
        let delay = backoff(polls, self.d.readiness.poll_cap());
        self.wait((self.now + delay).min(since + window), out);
    }

    pub(super) fn provisioning_woke(&mut self, since: Instant, polls: u32, out: &mut Vec<Action>) {
        self.phase = Phase::Provisioning { since, polls };
        let version = self.to.clone().unwrap_or_default();
        out.push(Action::ReadCapacity { version });
    }

    /// After a success, before retention deletes anything: the old version's capacity goes,
    /// unless another alias still routes to it.
    pub(super) fn release_previous(
        &mut self,
        queue: Vec<String>,
        aliases: &[(String, crate::ports::AliasRouting)],
        out: &mut Vec<Action>,
    ) -> Option<Vec<String>> {
        let from = self.from.clone()?;
        let wanted = self.d.release_previous_capacity && Some(&from) != self.to.as_ref();
        let in_use = aliases
            .iter()
            .find(|(name, routing)| *name != self.d.alias && routing.routes_to(&from));
        match (wanted, in_use) {
            (false, _) => Some(queue),
            (true, Some((name, _))) => {
                out.push(Action::Emit(Event::CapacityKept {
                    version: from,
                    reason: format!("alias {name} routes to it"),
                }));
                Some(queue)
            }
            (true, None) => {
                self.phase = Phase::ReleasingCapacity {
                    version: from.clone(),
                    then: AfterRelease::Retention(queue),
                };
                out.push(Action::ReleaseCapacity { version: from });
                None
            }
        }
    }

    /// After a rollback: what this deployment allocated on the failed version goes first.
    pub(super) fn release_failed(&mut self, out: &mut Vec<Action>) -> bool {
        if !(self.capacity_asked && self.capacity_created) {
            return false;
        }
        self.capacity_asked = false;
        let version = self.to.clone().unwrap_or_default();
        self.phase = Phase::ReleasingCapacity {
            version: version.clone(),
            then: AfterRelease::FailedVersion,
        };
        out.push(Action::ReleaseCapacity { version });
        true
    }

    pub(super) fn capacity_released(
        &mut self,
        version: String,
        then: AfterRelease,
        r: Result<(), AwsError>,
        out: &mut Vec<Action>,
    ) {
        out.push(Action::Emit(match r {
            Ok(()) => Event::CapacityReleased { version },
            Err(e) => Event::CapacityKept {
                version,
                reason: format!("releasing it failed: {e}"),
            },
        }));
        match then {
            AfterRelease::Retention(queue) => self.delete_next(queue, out),
            AfterRelease::FailedVersion => self.delete_failed_version(out),
        }
    }
}

fn is_ready(p: &Provisioned) -> bool {
    p.status == ProvisionedStatus::Ready && p.allocated >= p.requested
}
