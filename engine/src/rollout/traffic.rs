//! Traffic: readiness of the new version and the walk through the plan's weights (the checks
//! run before and during every wait are in `watch.rs`).

use tokio::time::Instant;

use crate::ports::{AliasRouting, AwsError, AwsErrorKind, FunctionStatus};
use crate::schedule::format_duration;

use super::ending::Cause;
use super::hooks::AfterHook;
use super::machine::{Action, AfterChecks, Phase, State};
use super::release::{backoff, update_failure};
use super::{Event, StepRecord};

impl State {
    // ---- readiness ----------------------------------------------------------------------

    pub(super) fn start_readiness(&mut self, out: &mut Vec<Action>) {
        self.phase = Phase::Readiness {
            since: self.now,
            polls: 0,
        };
        // The read that verified the version is as good as a status read made now.
        if let Some(status) = self.verified_status.take() {
            return self.readiness(self.now, 0, Ok(status), out);
        }
        let to = self.to.clone().unwrap_or_default();
        self.read_status(&to, out);
    }

    pub(super) fn readiness(
        &mut self,
        since: Instant,
        polls: u32,
        r: Result<FunctionStatus, AwsError>,
        out: &mut Vec<Action>,
    ) {
        let to = self.to.clone().unwrap_or_default();
        let status = match r {
            Ok(s) => s,
            Err(e) => return self.fail("readiness", format!("reading version {to}: {e}"), out),
        };
        let waited = self.now.saturating_duration_since(since);
        if let Some(reason) = update_failure(&status) {
            return self.fail("readiness", format!("version {to} failed: {reason}"), out);
        }
        let successful = status
            .last_update_status
            .as_deref()
            .is_none_or(|s| s == "Successful");
        if status.state == "Active" && successful {
            out.push(Action::Emit(Event::Ready {
                version: to,
                after: waited,
            }));
            return self.provision_or_allow(out);
        }
        let window = self.d.readiness.window();
        if waited >= window {
            let reason = format!(
                "version {to} is not ready after {}: State {}{}, LastUpdateStatus {}; \
                 raise readiness_check.timeout if it needs longer (SnapStart takes minutes)",
                format_duration(waited),
                status.state,
                status
                    .state_reason
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default(),
                status.last_update_status.as_deref().unwrap_or("unknown"),
            );
            return self.fail("readiness", reason, out);
        }
        self.phase = Phase::Readiness {
            since,
            polls: polls + 1,
        };
        let delay = backoff(polls, self.d.readiness.poll_cap());
        self.wait((self.now + delay).min(since + window), out);
    }

    pub(super) fn alias_created(
        &mut self,
        r: Result<AliasRouting, AwsError>,
        out: &mut Vec<Action>,
    ) {
        match r {
            Ok(routing) => {
                let version = routing.version.clone();
                self.serving = Some(routing);
                self.steps.push(StepRecord {
                    weight_percent: 100,
                    at: self.wall(self.now),
                });
                self.last_step = Some((0, 100));
                let alias = self.d.alias.clone();
                out.push(Action::Emit(Event::AliasCreated { alias, version }));
                self.traffic_allowed(AfterHook::Succeed, out)
            }
            Err(e) if is_conflict_kind(&e) => self.stop(Cause::Conflict(e.to_string()), out),
            Err(e) => self.fail(
                "alias",
                format!("creating alias {}: {e}", self.d.alias),
                out,
            ),
        }
    }

    // ---- shifting -----------------------------------------------------------------------

    /// What step `index` asks of the alias: its version and the extra version with its weight.
    fn routing_for(&self, index: usize) -> Option<(String, Option<(String, f64)>)> {
        let step = self.remaining.get(index)?;
        let (from, to) = (self.from.clone()?, self.to.clone()?);
        Some(if step.weight_percent >= 100 {
            (to, None)
        } else {
            (from, Some((to, f64::from(step.weight_percent) / 100.0)))
        })
    }

    pub(super) fn shift(&mut self, index: usize, out: &mut Vec<Action>) {
        if index >= self.remaining.len() {
            return self.succeed(out);
        }
        if self.d.delegation.is_some() && self.walk.is_none() {
            return self.start_walk(index, out);
        }
        let Some((version, extra)) = self.routing_for(index) else {
            return self.fail("internal", "no version to shift between".into(), out);
        };
        let revision_id = self
            .serving
            .as_ref()
            .map(|s| s.revision_id.clone())
            .unwrap_or_default();
        self.phase = Phase::Shifting { index };
        out.push(Action::ShiftAlias {
            version,
            extra,
            revision_id,
        });
    }

    pub(super) fn note_shift(&mut self, index: usize, routing: &AliasRouting) {
        let weight = self.remaining.get(index).map_or(100, |s| s.weight_percent);
        self.traffic_moved = self.from.as_ref().is_none_or(|f| !routing.serves_fully(f));
        self.serving = Some(routing.clone());
        if self.traffic_since.is_none() {
            self.traffic_since = Some(self.wall(self.now));
        }
        self.steps.push(StepRecord {
            weight_percent: weight,
            at: self.wall(self.now),
        });
        // Counted in the whole plan, so a resumed rollout names the same step numbers.
        let skipped = self.d.plan.steps.len().saturating_sub(self.remaining.len());
        self.last_step = Some((skipped + index, weight));
    }

    pub(super) fn shifted(
        &mut self,
        index: usize,
        r: Result<AliasRouting, AwsError>,
        out: &mut Vec<Action>,
    ) {
        let routing = match r {
            Ok(routing) => routing,
            Err(e) if e.kind == AwsErrorKind::Conflict => {
                self.phase = Phase::VerifyingShift {
                    index,
                    conflict: e.to_string(),
                };
                return out.push(Action::ReadAlias);
            }
            Err(e) => {
                return self.fail(
                    "alias",
                    format!("updating alias {}: {e}", self.d.alias),
                    out,
                )
            }
        };
        self.note_shift(index, &routing);
        let weight = self.remaining.get(index).map_or(100, |s| s.weight_percent);
        self.emit_shifted(weight, out);
        if index + 1 >= self.remaining.len() {
            return self.traffic_allowed(AfterHook::Bake, out);
        }
        self.watch_step(index, out)
    }

    /// Tells that the alias now gives `weight` percent to the new version.
    pub(super) fn emit_shifted(&self, weight: u8, out: &mut Vec<Action>) {
        let from = (weight < 100).then(|| self.from.clone()).flatten();
        out.push(Action::Emit(Event::Shifted {
            alias: self.d.alias.clone(),
            to: self.to.clone().unwrap_or_default(),
            weight_percent: weight,
            from,
        }));
    }

    /// After a conflict: when the alias holds exactly what step `index` asked, the refused call
    /// was a retry of our own update that had gone through (its answer lost), and the rollout
    /// goes on; anything else is someone else's change, which wins.
    pub(super) fn shift_verified(
        &mut self,
        index: usize,
        conflict: String,
        r: Result<Option<AliasRouting>, AwsError>,
        out: &mut Vec<Action>,
    ) {
        let asked = self.routing_for(index);
        match (r, asked) {
            (Ok(Some(routing)), Some((version, extra))) if holds(&routing, &version, &extra) => {
                self.shifted(index, Ok(routing), out)
            }
            (Ok(routing), _) => {
                self.serving = routing;
                self.stop(Cause::Conflict(conflict), out)
            }
            (Err(_), _) => self.stop(Cause::Conflict(conflict), out),
        }
    }

    /// Watches the weight of step `index` for its wait (the bake for the last step), or goes on
    /// at once when there is none.
    pub(super) fn watch_step(&mut self, index: usize, out: &mut Vec<Action>) {
        let last = index + 1 >= self.remaining.len();
        let weight = self.remaining.get(index).map_or(100, |s| s.weight_percent);
        let wait = if last {
            self.bake
        } else {
            self.remaining[index].wait
        };
        if wait.is_zero() {
            return if last {
                self.succeed(out)
            } else {
                self.run_checks(AfterChecks::Shift(index + 1), out)
            };
        }
        self.observed = true;
        out.push(Action::Emit(Event::Watching {
            weight_percent: weight,
            wait,
            bake: last,
        }));
        self.checks_passed(
            AfterChecks::Watch {
                index,
                until: self.now + wait,
            },
            out,
        )
    }

    pub(super) fn woke(&mut self, index: usize, until: Instant, out: &mut Vec<Action>) {
        let then = if self.now >= until {
            AfterChecks::Shift(index + 1)
        } else {
            AfterChecks::Watch { index, until }
        };
        self.run_checks(then, out)
    }
}

/// The alias routes `version`, plus `extra` at (about) its weight.
fn holds(routing: &AliasRouting, version: &str, extra: &Option<(String, f64)>) -> bool {
    let have = routing.extra.as_ref().filter(|(_, w)| *w > 0.0);
    let same_extra = match (have, extra) {
        (None, None) => true,
        (Some((v, w)), Some((want_v, want_w))) => v == want_v && (w - want_w).abs() < 0.005,
        _ => false,
    };
    routing.version == version && same_extra
}

fn is_conflict_kind(e: &AwsError) -> bool {
    matches!(e.kind, AwsErrorKind::Conflict | AwsErrorKind::InUse)
}
