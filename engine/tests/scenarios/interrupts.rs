//! Terraform's StopProvider: the rollout stops within a second of virtual time, puts the alias
//! back at 100% on the old version, removes the unused new version, and ends INTERRUPTED.

use gitmoxi_engine::{AlarmState, Deployment, ShiftKind, Status};
use gitmoxi_fake_aws::FakeAws;

use crate::common::*;

/// Interrupts at `at` and checks the common promise; returns the run for phase-specific checks.
async fn interrupt_at(fake: &FakeAws, d: &Deployment, at: std::time::Duration) -> Run {
    let run = deploy_interrupted_at(fake, d, at).await;
    let o = &run.outcome;
    assert_eq!(o.status, Status::Interrupted, "{:?}", o.reason);
    assert_eq!(o.failed_check.as_deref(), Some("interrupt"));
    assert_serves(fake, "live", "2");
    assert_eq!(fake.versions(), ["1", "2"], "the new version is gone");
    run
}

#[tokio::test(start_paused = true)]
async fn interrupted_while_updating_latest() {
    let fake = fake();
    fake.update_takes(secs(30));
    let run = interrupt_at(
        &fake,
        &deployment(plan(ShiftKind::Canary, 10, 60, 0)),
        secs(10),
    )
    .await;

    assert_eq!(fake.mutations(), ["update_code"]);
    assert!(run.elapsed < secs(11), "{:?}", run.elapsed);
    assert_eq!(run.outcome.to_version, None);
}

#[tokio::test(start_paused = true)]
async fn interrupted_while_publishing() {
    let fake = fake();
    fake.publish_takes(secs(5));
    let run = interrupt_at(
        &fake,
        &deployment(plan(ShiftKind::Canary, 10, 60, 0)),
        secs(2),
    )
    .await;

    // The publish call is not abandoned half-way: its version is known, then deleted.
    assert_eq!(
        fake.mutations(),
        ["update_code", "update_configuration", "publish", "delete 3"]
    );
    assert_eq!(run.outcome.to_version.as_deref(), Some("3"));
    assert!(run.elapsed < secs(6), "{:?}", run.elapsed);
}

#[tokio::test(start_paused = true)]
async fn interrupted_while_waiting_for_readiness() {
    let fake = fake();
    fake.versions_pending_for(secs(40));
    let run = interrupt_at(
        &fake,
        &deployment(plan(ShiftKind::Canary, 10, 60, 0)),
        secs(20),
    )
    .await;

    assert_eq!(
        fake.mutations(),
        ["update_code", "update_configuration", "publish", "delete 3"]
    );
    assert!(run.elapsed < secs(21), "{:?}", run.elapsed);
}

/// LINEAR 20% every 60s: the wait of step k runs from (k-1)×60s to k×60s.
async fn interrupted_during_wait_of_step(step: u64) {
    let fake = fake();
    let at = secs((step - 1) * 60) + millis(30_500);
    let run = interrupt_at(&fake, &deployment(plan(ShiftKind::Linear, 20, 60, 60)), at).await;

    let expected: Vec<u8> = (1..=step)
        .map(|k| (k * 20).min(100) as u8)
        .chain([0])
        .collect();
    assert_eq!(fake.traffic_to("3"), expected);
    let restore = fake
        .calls()
        .into_iter()
        .rfind(|c| c.call.operation() == "shift_alias")
        .unwrap();
    assert!(
        restore.at >= at && restore.at - at < secs(1),
        "restored at {:?}",
        restore.at
    );
    assert_eq!(
        fake.mutations()[fake.mutations().len() - 2..],
        ["shift live 2", "delete 3"]
    );
    assert!(
        run.events.iter().any(|e| e == "interrupted: rolling back"),
        "{:#?}",
        run.events
    );
}

#[tokio::test(start_paused = true)]
async fn interrupted_during_the_wait_of_step_1() {
    interrupted_during_wait_of_step(1).await;
}

#[tokio::test(start_paused = true)]
async fn interrupted_during_the_wait_of_step_2() {
    interrupted_during_wait_of_step(2).await;
}

#[tokio::test(start_paused = true)]
async fn interrupted_during_the_wait_of_step_3() {
    interrupted_during_wait_of_step(3).await;
}

#[tokio::test(start_paused = true)]
async fn interrupted_during_the_wait_of_step_4() {
    interrupted_during_wait_of_step(4).await;
}

#[tokio::test(start_paused = true)]
async fn interrupted_during_bake() {
    interrupted_during_wait_of_step(5).await;
}

#[tokio::test(start_paused = true)]
async fn interrupted_before_it_starts_changes_nothing() {
    let fake = fake();
    let cancel = tokio_util::sync::CancellationToken::new();
    cancel.cancel();
    let run = deploy_with(
        &fake,
        &deployment(plan(ShiftKind::Canary, 10, 60, 0)),
        cancel,
    )
    .await;

    assert_eq!(run.outcome.status, Status::Interrupted);
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());
}

#[tokio::test(start_paused = true)]
async fn an_interrupt_during_rollback_does_not_stop_it() {
    let fake = fake();
    fake.alarm_at("errors", secs(30), AlarmState::Alarm);
    let d = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    let cancel = tokio_util::sync::CancellationToken::new();
    let trigger = cancel.clone();
    let (run, ()) = tokio::join!(deploy_with(&fake, &d, cancel), async {
        // The restoring UpdateAlias is throttled, so the rollback is still running at 30.6s.
        tokio::time::sleep(secs(29)).await;
        fake.throttle("shift_alias", 2);
        tokio::time::sleep(millis(1600)).await;
        trigger.cancel();
    });

    assert_eq!(
        run.outcome.status,
        Status::RolledBack,
        "{:?}",
        run.outcome.reason
    );
    assert_eq!(run.outcome.failed_check.as_deref(), Some("alarm:errors"));
    assert_serves(&fake, "live", "2");
    assert_eq!(fake.versions(), ["1", "2"]);
}
