//! Provisioned concurrency through a rollout: READY on the new version before any traffic, held
//! on the old one until success and bake, kept through a rollback, released afterwards.

use gitmoxi_engine::{AlarmState, ShiftKind, Status};
use gitmoxi_fake_aws::{FakeAws, DEFAULT_FUNCTION};

use crate::common::*;

/// The usual function, with 5 provisioned on version 2 (what `live` serves).
fn warm() -> FakeAws {
    let fake = fake();
    fake.put_capacity(DEFAULT_FUNCTION, "2", 5).unwrap();
    fake
}

fn with_capacity(amount: u32) -> gitmoxi_engine::Deployment {
    let mut d = deployment(plan(ShiftKind::Canary, 10, 60, 30));
    d.provisioned_concurrency = amount;
    d.release_previous_capacity = true;
    d
}

#[tokio::test(start_paused = true)]
async fn the_new_version_is_warm_before_traffic_and_the_old_one_until_the_bake_is_over() {
    let fake = warm();
    fake.capacity_takes(secs(40));
    let run = deploy(&fake, &with_capacity(5)).await;

    assert_eq!(
        run.outcome.status,
        Status::Succeeded,
        "{:?}",
        run.outcome.reason
    );
    // After the setup's own allocation on version 2:
    assert_eq!(
        fake.mutations()[1..],
        [
            "update_code",
            "update_configuration",
            "publish",
            "provision 3 5",
            "shift live 2 + 3@10%",
            "shift live 3",
            "release capacity 2",
            "delete 2"
        ]
    );
    // Allocation took 40 s (seen at the next poll), on top of the configured waits, before the
    // first shift.
    let waits = with_capacity(5).plan.configured_waits();
    let allocating = run.elapsed - waits;
    assert!(
        allocating >= secs(40) && allocating < secs(45),
        "{allocating:?}"
    );
    assert_eq!(fake.capacity_of(DEFAULT_FUNCTION, "3"), Some(5));
    assert_eq!(fake.capacity_of(DEFAULT_FUNCTION, "2"), None);
    assert!(
        run.events
            .iter()
            .any(|e| e.starts_with("version 3 has its 5 provisioned concurrency ready after 4")),
        "{:#?}",
        run.events
    );
}

#[tokio::test(start_paused = true)]
async fn an_allocation_lambda_refuses_fails_before_any_traffic_and_frees_the_version() {
    let fake = warm();
    fake.fail_next_capacity("FUNCTION_ERROR_INIT_FAILURE: the function failed to start");
    let run = deploy(&fake, &with_capacity(5)).await;

    assert_eq!(run.outcome.status, Status::Failed);
    assert_eq!(
        run.outcome.failed_check.as_deref(),
        Some("provisioned_concurrency")
    );
    let reason = run.outcome.reason.clone().unwrap_or_default();
    assert!(reason.contains("FUNCTION_ERROR_INIT_FAILURE"), "{reason}");
    assert!(fake.traffic_to("3").is_empty(), "no traffic moved");
    assert_serves(&fake, "live", "2");
    assert_eq!(
        fake.capacity_of(DEFAULT_FUNCTION, "2"),
        Some(5),
        "the old one stays warm"
    );
    assert_eq!(
        fake.capacity_of(DEFAULT_FUNCTION, "3"),
        None,
        "released before deleting"
    );
    assert!(!fake.versions().contains(&"3".to_string()));
}

#[tokio::test(start_paused = true)]
async fn a_version_stuck_below_ready_fails_when_the_readiness_window_closes() {
    let fake = warm();
    fake.capacity_stuck();
    let d = with_capacity(5);
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::Failed);
    assert_eq!(
        run.outcome.failed_check.as_deref(),
        Some("provisioned_concurrency")
    );
    let reason = run.outcome.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("has 2 of 5 provisioned concurrency after 50s"),
        "{reason}"
    );
    assert!(fake.traffic_to("3").is_empty());
    assert_eq!(run.elapsed, RELEASE + d.readiness.window());
}

#[tokio::test(start_paused = true)]
async fn a_rollback_lands_on_the_warm_old_version() {
    let fake = warm();
    fake.alarm_at("errors", secs(20), AlarmState::Alarm);
    let run = deploy(&fake, &with_capacity(5)).await;

    assert_eq!(run.outcome.status, Status::RolledBack);
    assert_serves(&fake, "live", "2");
    assert_eq!(
        fake.capacity_of(DEFAULT_FUNCTION, "2"),
        Some(5),
        "kept through the rollback"
    );
    assert_eq!(fake.capacity_of(DEFAULT_FUNCTION, "3"), None);
    let mutations = fake.mutations();
    let released = mutations.iter().position(|m| m == "release capacity 3");
    let deleted = mutations.iter().position(|m| m == "delete 3");
    assert!(released < deleted && deleted.is_some(), "{mutations:?}");
}

#[tokio::test(start_paused = true)]
async fn the_old_version_keeps_its_capacity_while_another_alias_routes_to_it() {
    let fake = warm();
    fake.set_alias("dev", "2", None);
    let run = deploy(&fake, &with_capacity(5)).await;

    assert_eq!(run.outcome.status, Status::Succeeded);
    assert_eq!(fake.capacity_of(DEFAULT_FUNCTION, "2"), Some(5));
    assert!(
        run.events
            .iter()
            .any(|e| e == "kept the provisioned concurrency of version 2: alias dev routes to it"),
        "{:#?}",
        run.events
    );
}

#[tokio::test(start_paused = true)]
async fn without_capacity_nothing_is_asked_of_lambda() {
    let fake = fake();
    let run = deploy(&fake, &deployment(plan(ShiftKind::Canary, 10, 60, 0))).await;
    assert_eq!(run.outcome.status, Status::Succeeded);
    assert_eq!(fake.count("get_capacity") + fake.count("put_capacity"), 0);
    assert_eq!(fake.count("delete_capacity"), 0);
}
