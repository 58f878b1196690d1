//! The fake's hooks, metrics and notifications: scripted hook answers per phase (with an
//! optional delay), scripted figures over time per version, and a notifier that records what it
//! was sent (or refuses, through [`FakeAws::fail_next`]`("notify", …)`).

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime};

use gitmoxi_engine::ports::{
    AwsError, HookOutcome, HookPayload, HookPhase, Hooks, Metrics, Notification, Notifier,
    VersionMetrics,
};
use tokio::time::sleep;

use super::{Call, FakeAws};

#[derive(Default)]
pub(crate) struct Guards {
    /// Per phase: the answer and how long it takes. Unscripted hooks pass at once.
    hooks: HashMap<HookPhase, (HookOutcome, Duration)>,
    /// Per version: from each time on (since the fake was made), the sums it reports.
    metrics: BTreeMap<String, Vec<(Duration, VersionMetrics)>>,
    notifications: Vec<Notification>,
}

impl FakeAws {
    /// The hook of `phase` answers `outcome` after `delay`.
    pub fn hook_answers(
        &self,
        phase: HookPhase,
        outcome: HookOutcome,
        delay: Duration,
    ) -> &FakeAws {
        self.world().guards.hooks.insert(phase, (outcome, delay));
        self
    }

    /// From `at` (since the fake was made) on, `version` reports these sums since it first
    /// received traffic. Before the first point it reports zeros.
    pub fn metrics_at(&self, version: &str, at: Duration, figures: VersionMetrics) -> &FakeAws {
        let mut w = self.world();
        let script = w.guards.metrics.entry(version.into()).or_default();
        script.push((at, figures));
        script.sort_by_key(|(t, _)| *t);
        drop(w);
        self
    }

    /// The notifications delivered, in order.
    pub fn notifications(&self) -> Vec<Notification> {
        self.world().guards.notifications.clone()
    }

    /// The payloads hooks were invoked with, in order.
    pub fn hook_payloads(&self) -> Vec<(String, HookPayload)> {
        self.calls()
            .into_iter()
            .filter_map(|r| match r.call {
                Call::InvokeHook { function, payload } => Some((function, payload)),
                _ => None,
            })
            .collect()
    }
}

impl Hooks for FakeAws {
    /// Recorded when called; the answer comes after the scripted delay (and an injected error at
    /// once).
    async fn invoke(
        &self,
        function: &str,
        payload: &HookPayload,
        _timeout: Duration,
    ) -> Result<HookOutcome, AwsError> {
        let call = Call::InvokeHook {
            function: function.into(),
            payload: payload.clone(),
        };
        let (outcome, delay) = self.call(call, |w, _| {
            Ok(w.guards
                .hooks
                .get(&payload.phase)
                .cloned()
                .unwrap_or((HookOutcome::Passed, Duration::ZERO)))
        })?;
        if !delay.is_zero() {
            sleep(delay).await;
        }
        Ok(outcome)
    }
}

impl Metrics for FakeAws {
    async fn version_metrics(
        &self,
        alias: &str,
        version: &str,
        _since: SystemTime,
        _period: Duration,
    ) -> Result<VersionMetrics, AwsError> {
        let epoch = self.epoch;
        let call = Call::VersionMetrics {
            alias: alias.into(),
            version: version.into(),
        };
        self.call(call, |w, now| {
            let elapsed = now.saturating_duration_since(epoch);
            Ok(w.guards
                .metrics
                .get(version)
                .and_then(|script| script.iter().rev().find(|(at, _)| *at <= elapsed))
                .map_or_else(VersionMetrics::default, |(_, m)| *m))
        })
    }
}

impl Notifier for FakeAws {
    async fn notify(&self, n: &Notification) -> Result<(), AwsError> {
        self.call(Call::Notify(n.clone()), |w, _| {
            w.guards.notifications.push(n.clone());
            Ok(())
        })
    }
}
