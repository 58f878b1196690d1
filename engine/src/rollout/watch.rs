//! Running the checks (alarms and `analysis`): in preflight, immediately before each shift and every
//! `check_interval` during every wait and the bake. Alarms are read every round; metrics only
//! once the new version has traffic, at most about twice per `metric_period` during a wait, and
//! always before a shift and at the end.

use crate::ports::{AwsError, VersionMetrics};

use super::analysis::judge_analysis;
use super::checks::{judge_alarms, Check, Verdict};
use super::machine::{Action, AfterChecks, Phase, Reply, State};
use super::release::MIN_POLL;
use super::Event;

impl State {
    pub(super) fn run_checks(&mut self, then: AfterChecks, out: &mut Vec<Action>) {
        self.next_check(0, then, out)
    }

    fn next_check(&mut self, mut check: usize, then: AfterChecks, out: &mut Vec<Action>) {
        while let Some(c) = self.checks.get(check) {
            let read = match c {
                Check::Alarms(names) => Some(Action::ReadAlarms {
                    names: names.clone(),
                }),
                Check::Analysis => self.metrics_read(then),
            };
            if let Some(read) = read {
                out.push(read);
                self.phase = Phase::Checking { check, then };
                return;
            }
            check += 1;
        }
        self.checks_passed(then, out)
    }

    /// The metrics read this round needs, if any.
    fn metrics_read(&self, then: AfterChecks) -> Option<Action> {
        let analysis = self.d.analysis.as_ref()?;
        // Before the first shift the version has had no traffic: nothing to read yet.
        let since = self.traffic_since?;
        let due = match then {
            AfterChecks::Preflight => false,
            AfterChecks::Shift(_) => true,
            AfterChecks::Watch { .. } => self.metrics_read_at.is_none_or(|at| {
                self.now.saturating_duration_since(at) >= analysis.read_every(self.d.check_interval)
            }),
        };
        due.then(|| Action::ReadMetrics {
            version: self.to.clone().unwrap_or_default(),
            since,
            period: analysis.metric_period,
        })
    }

    /// The last judgement: the checks ending the bake, or ending the last wait when there is no
    /// bake. Only a rollout that watched traffic for a while has one; with no wait and no bake
    /// there is nothing to judge "too few invocations" against.
    fn at_end(&self, then: AfterChecks) -> bool {
        let steps = self.remaining.len();
        self.observed
            && match then {
                AfterChecks::Shift(i) => i >= steps || (i + 1 == steps && self.bake.is_zero()),
                _ => false,
            }
    }

    pub(super) fn judge(
        &mut self,
        check: usize,
        then: AfterChecks,
        reply: Reply,
        out: &mut Vec<Action>,
    ) {
        let verdict = match (self.checks.get(check), reply) {
            (Some(Check::Alarms(names)), Reply::Alarms(Ok(states))) => judge_alarms(names, &states),
            (_, Reply::Alarms(Err(e))) => {
                return self.fail("alarms", format!("reading alarm states: {e}"), out)
            }
            (Some(Check::Analysis), Reply::Metrics(r)) => self.judge_metrics(then, r, out),
            (_, reply) => return self.unexpected(&Phase::Checking { check, then }, reply, out),
        };
        match verdict {
            Verdict::Healthy => self.next_check(check + 1, then, out),
            Verdict::Unhealthy { check, reason } => {
                let reason = if then == AfterChecks::Preflight {
                    format!("{reason} before the rollout started; nothing was changed")
                } else {
                    reason
                };
                self.fail(&check, reason, out)
            }
        }
    }

    fn judge_metrics(
        &mut self,
        then: AfterChecks,
        r: Result<VersionMetrics, AwsError>,
        out: &mut Vec<Action>,
    ) -> Verdict {
        let version = self.to.clone().unwrap_or_default();
        let metrics = match r {
            Ok(m) => m,
            Err(e) => {
                return Verdict::Unhealthy {
                    check: "analysis".into(),
                    reason: format!("reading the metrics of version {version}: {e}"),
                }
            }
        };
        self.metrics_read_at = Some(self.now);
        let Some(analysis) = &self.d.analysis else {
            return Verdict::Healthy;
        };
        let at_end = self.at_end(then);
        out.push(Action::Emit(Event::MetricsRead {
            version: version.clone(),
            metrics,
        }));
        let verdict = judge_analysis(analysis, &metrics, at_end);
        if at_end && verdict == Verdict::Healthy && metrics.invocations < analysis.min_invocations {
            out.push(Action::Emit(Event::TooFewInvocations {
                version,
                invocations: metrics.invocations,
                min_invocations: analysis.min_invocations,
            }));
        }
        verdict
    }

    pub(super) fn checks_passed(&mut self, then: AfterChecks, out: &mut Vec<Action>) {
        match then {
            AfterChecks::Preflight => {
                out.push(Action::Emit(Event::PreflightPassed {
                    alarms: self.d.alarms.len(),
                }));
                self.phase = Phase::ReadingAlias;
                out.push(Action::ReadAlias);
            }
            AfterChecks::Shift(index) => self.shift(index, out),
            // A check that ends at or after the wait doubles as the check before the next shift.
            AfterChecks::Watch { index, until } if self.now >= until => self.shift(index + 1, out),
            AfterChecks::Watch { index, until } => {
                self.phase = Phase::Watching { index, until };
                let next = self.now + self.d.check_interval.max(MIN_POLL);
                self.wait(next.min(until), out);
            }
        }
    }
}
