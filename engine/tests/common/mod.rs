//! Helpers shared by the scenario tests: a standard deployment and a way to run it against the
//! fake while collecting events.

#![allow(dead_code)]

use std::sync::Mutex;
use std::time::Duration;

use gitmoxi_engine::{
    run_with, Deployment, Outcome, Ports, Readiness, RolloutPlan, ShiftKind, Target,
    TrafficShifting,
};
use gitmoxi_fake_aws::FakeAws;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

pub fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

/// How long publishing the standard release takes on `fake()`: its updates settle at once, and
/// the engine reads `$LATEST` one poll (200 ms) after each of the two updates.
pub const RELEASE: Duration = Duration::from_millis(400);

/// `s` seconds into the rollout of the standard release: after it was published.
pub fn at(s: u64) -> Duration {
    RELEASE + secs(s)
}

pub fn plan(kind: ShiftKind, percent: u8, wait: u64, bake: u64) -> RolloutPlan {
    RolloutPlan::new(&TrafficShifting {
        kind,
        percent,
        wait: secs(wait),
        bake: secs(bake),
    })
}

/// Publishes the release and rolls it out on `live`, watching alarm `errors`.
pub fn deployment(plan: RolloutPlan) -> Deployment {
    let mut d = Deployment::new(
        "d-1",
        "live",
        Target::Publish {
            update_code: true,
            update_configuration: true,
        },
        plan,
    );
    d.function_name = "orders".into();
    d.alarms = vec!["errors".into()];
    d.readiness = Readiness {
        wait_interval: secs(10),
        max_retries: 5,
        timeout: None,
    };
    d
}

/// A function with versions 1 and 2, `live` on 2, alarm `errors` OK, and updates that settle
/// at once so elapsed time is exactly [`RELEASE`] plus the configured waits. The release becomes
/// version 3.
pub fn fake() -> FakeAws {
    let fake = FakeAws::new();
    fake.seed_versions(2)
        .set_alias("live", "2", None)
        .define_alarm("errors");
    fake.update_takes(Duration::ZERO);
    fake
}

pub struct Run {
    pub outcome: Outcome,
    pub events: Vec<String>,
    pub elapsed: Duration,
}

pub async fn deploy(fake: &FakeAws, d: &Deployment) -> Run {
    deploy_with(fake, d, CancellationToken::new()).await
}

/// Runs `d` with the fake behind every port: Lambda, alarms, hooks, metrics and notifier.
pub async fn deploy_with(fake: &FakeAws, d: &Deployment, cancel: CancellationToken) -> Run {
    let events = Mutex::new(Vec::new());
    let start = Instant::now();
    let progress = |e: &gitmoxi_engine::Event| events.lock().unwrap().push(e.to_string());
    let ports = Ports {
        lambda: fake,
        alarms: fake,
        hooks: fake,
        metrics: fake,
        notifier: fake,
        conductor: &gitmoxi_engine::NoConductor,
    };
    let outcome = run_with(ports, d, cancel, &progress).await;
    Run {
        outcome,
        events: events.into_inner().unwrap(),
        elapsed: start.elapsed(),
    }
}

/// Runs `d` and fires the interrupt at `at`; returns the run and when the interrupt fired.
pub async fn deploy_interrupted_at(fake: &FakeAws, d: &Deployment, at: Duration) -> Run {
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let (run, ()) = tokio::join!(deploy_with(fake, d, cancel), async move {
        tokio::time::sleep(at).await;
        trigger.cancel();
    });
    run
}

pub fn weights(outcome: &Outcome) -> Vec<u8> {
    outcome.steps.iter().map(|s| s.weight_percent).collect()
}

pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The alias serves `version` alone.
pub fn assert_serves(fake: &FakeAws, alias: &str, version: &str) {
    let routing = fake.alias(alias).expect("alias exists");
    assert_eq!(
        (routing.version.as_str(), &routing.extra),
        (version, &None),
        "{routing:?}"
    );
}
