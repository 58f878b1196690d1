//! `analysis`: the new version judged on its own invocations, errors and throttles, read
//! throughout every wait (at most about twice per metric period) and before each shift.

use gitmoxi_engine::{
    AlarmState, Analysis, Deployment, RolloutPlan, ShiftKind, Status, VersionMetrics,
};
use gitmoxi_fake_aws::FakeAws;

use crate::common::*;

fn figures(invocations: u64, errors: u64, throttles: u64) -> VersionMetrics {
    VersionMetrics {
        invocations,
        errors,
        throttles,
    }
}

/// `max_error_rate = 5`, the default 20 invocations and 60s period.
fn analysed(rollout: RolloutPlan) -> Deployment {
    let mut d = deployment(rollout);
    d.analysis = Some(Analysis {
        max_error_rate: Some(5.0),
        ..Analysis::default()
    });
    d
}

fn metric_reads(fake: &FakeAws) -> Vec<std::time::Duration> {
    fake.calls()
        .iter()
        .filter(|c| c.call.operation() == "version_metrics")
        .map(|c| c.at)
        .collect()
}

#[tokio::test(start_paused = true)]
async fn analysis_below_its_threshold_passes() {
    let fake = fake();
    fake.metrics_at("3", secs(10), figures(40, 2, 0));
    let run = deploy(&fake, &analysed(plan(ShiftKind::Linear, 20, 60, 60))).await;

    assert_eq!(
        run.outcome.status,
        Status::Succeeded,
        "{:?}",
        run.outcome.reason
    );
    let reads = metric_reads(&fake);
    let first_shift = fake
        .calls()
        .into_iter()
        .find(|c| c.call.operation() == "shift_alias")
        .unwrap()
        .at;
    assert!(reads.iter().all(|at| *at >= first_shift));
    // Every 30s (half the period) within each wait, plus before each shift and at the end:
    // 3, 33, 60 | 90, 120 | 150, 180 | 210, 240 | 270, 300.
    let expected: Vec<_> = [3, 33, 60, 90, 120, 150, 180, 210, 240, 270, 300]
        .into_iter()
        .map(at)
        .collect();
    assert_eq!(reads, expected);
    assert!(
        run.events
            .iter()
            .any(|e| e == "version 3: 40 invocations, 2 errors, 0 throttles"),
        "{:#?}",
        run.events
    );
}

#[tokio::test(start_paused = true)]
async fn analysis_never_reads_more_often_than_check_interval() {
    let fake = fake();
    let mut d = analysed(plan(ShiftKind::Canary, 10, 60, 0));
    d.analysis.as_mut().unwrap().metric_period = secs(1);
    d.check_interval = secs(10);
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::Succeeded);
    let reads = metric_reads(&fake);
    assert!(
        reads.windows(2).all(|w| w[1] - w[0] >= secs(10)),
        "{reads:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn error_rate_over_the_threshold_rolls_back_at_step_2_with_the_figures() {
    let fake = fake();
    fake.metrics_at("3", secs(70), figures(40, 5, 0));
    let run = deploy(&fake, &analysed(plan(ShiftKind::Linear, 20, 60, 60))).await;

    let o = &run.outcome;
    assert_eq!(o.status, Status::RolledBack, "{:?}", o.reason);
    assert_eq!(o.failed_check.as_deref(), Some("analysis:error_rate"));
    assert_eq!(
        o.reason.as_deref(),
        Some(
            "error rate 12.5% (5 of 40 invocations) is over max_error_rate 5% at step 2 of 5 \
             (40% on version 3); traffic restored to version 2"
        )
    );
    assert_eq!(
        run.elapsed,
        at(90),
        "the first read after the errors appeared"
    );
    assert_eq!(fake.traffic_to("3"), [20, 40, 0]);
    assert_serves(&fake, "live", "2");
    assert_eq!(fake.versions(), ["1", "2"]);
}

#[tokio::test(start_paused = true)]
async fn error_count_over_max_errors_rolls_back() {
    let fake = fake();
    fake.metrics_at("3", secs(10), figures(1000, 4, 0));
    let mut d = analysed(plan(ShiftKind::Canary, 10, 60, 0));
    d.analysis.as_mut().unwrap().max_errors = Some(3);
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::RolledBack);
    assert_eq!(run.outcome.failed_check.as_deref(), Some("analysis:errors"));
    assert!(run
        .outcome
        .reason
        .unwrap()
        .starts_with("4 errors (of 1000 invocations) is over max_errors 3 at step 1 of 2"));
}

#[tokio::test(start_paused = true)]
async fn throttles_roll_back_whatever_the_traffic() {
    let fake = fake();
    fake.metrics_at("3", secs(20), figures(2, 0, 3));
    let mut d = analysed(plan(ShiftKind::Linear, 20, 60, 0));
    d.analysis.as_mut().unwrap().max_throttles = Some(0);
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::RolledBack);
    assert_eq!(
        run.outcome.failed_check.as_deref(),
        Some("analysis:throttles")
    );
    assert!(run
        .outcome
        .reason
        .unwrap()
        .starts_with("3 throttles is over max_throttles 0 (2 invocations) at step 1 of 5"));
    assert_eq!(run.elapsed, at(33));
}

#[tokio::test(start_paused = true)]
async fn too_few_invocations_pass_unless_fail_without_traffic() {
    let fake = fake();
    fake.metrics_at("3", secs(10), figures(5, 5, 0));
    let run = deploy(&fake, &analysed(plan(ShiftKind::Canary, 10, 60, 60))).await;

    assert_eq!(
        run.outcome.status,
        Status::Succeeded,
        "{:?}",
        run.outcome.reason
    );
    assert!(
        run.events.iter().any(|e| e
            == "version 3 had 5 invocations, under min_invocations 20: passing \
                (fail_without_traffic is off)"),
        "{:#?}",
        run.events
    );
}

#[tokio::test(start_paused = true)]
async fn too_few_invocations_roll_back_at_the_end_of_the_bake_with_fail_without_traffic() {
    let fake = fake();
    fake.metrics_at("3", secs(10), figures(5, 0, 0));
    let mut d = analysed(plan(ShiftKind::Canary, 10, 60, 60));
    d.analysis.as_mut().unwrap().fail_without_traffic = true;
    let run = deploy(&fake, &d).await;

    let o = &run.outcome;
    assert_eq!(o.status, Status::RolledBack);
    assert_eq!(o.failed_check.as_deref(), Some("analysis:no_traffic"));
    let reason = o.reason.as_deref().unwrap();
    assert!(
        reason.starts_with("too few invocations to judge the new version: 5 (with 0 errors)"),
        "{reason}"
    );
    assert_eq!(run.elapsed, at(120), "judged at the end of the bake");
    assert_eq!(fake.traffic_to("3"), [10, 100, 0]);
}

#[tokio::test(start_paused = true)]
async fn without_a_bake_too_few_invocations_are_judged_before_the_last_shift() {
    let fake = fake();
    let mut d = analysed(plan(ShiftKind::Canary, 10, 60, 0));
    d.analysis.as_mut().unwrap().fail_without_traffic = true;
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::RolledBack);
    assert_eq!(
        run.outcome.failed_check.as_deref(),
        Some("analysis:no_traffic")
    );
    assert_eq!(run.elapsed, at(60));
    assert_eq!(fake.traffic_to("3"), [10, 0], "never shifted to 100%");
}

#[tokio::test(start_paused = true)]
async fn analysis_tripping_before_the_alarm_decides() {
    let fake = fake();
    fake.metrics_at("3", secs(70), figures(40, 5, 0)).alarm_at(
        "errors",
        secs(100),
        AlarmState::Alarm,
    );
    let run = deploy(&fake, &analysed(plan(ShiftKind::Linear, 20, 60, 60))).await;

    assert_eq!(
        run.outcome.failed_check.as_deref(),
        Some("analysis:error_rate")
    );
    assert_eq!(run.elapsed, at(90));
}

#[tokio::test(start_paused = true)]
async fn alarm_firing_before_analysis_trips_decides() {
    let fake = fake();
    fake.metrics_at("3", secs(70), figures(40, 5, 0)).alarm_at(
        "errors",
        secs(45),
        AlarmState::Alarm,
    );
    let run = deploy(&fake, &analysed(plan(ShiftKind::Linear, 20, 60, 60))).await;

    assert_eq!(run.outcome.failed_check.as_deref(), Some("alarm:errors"));
    assert_eq!(run.elapsed, at(45));
    assert_eq!(fake.traffic_to("3"), [20, 0]);
}
