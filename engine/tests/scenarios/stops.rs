//! Rollouts that stop: alarms, preflight, update and readiness failures, conflicts, deadlines.

use gitmoxi_engine::{AlarmState, ShiftKind, Status};
use gitmoxi_fake_aws::Outside;

use crate::common::*;

/// LINEAR 20% every 60s shifts at 0, 60, 120, 180 and reaches 100% at 240; the alarm fires 30s
/// into `step` (1-based).
async fn alarm_fires_at_step(step: u64) {
    let fake = fake();
    let fires = secs((step - 1) * 60 + 30);
    fake.alarm_at("errors", fires, AlarmState::Alarm);
    let d = deployment(plan(ShiftKind::Linear, 20, 60, 60));
    let run = deploy(&fake, &d).await;

    let o = &run.outcome;
    assert_eq!(o.status, Status::RolledBack, "{:?}", o.reason);
    assert_eq!(o.failed_check.as_deref(), Some("alarm:errors"));
    let weight = (step * 20).min(100);
    let reason = o.reason.as_deref().unwrap();
    assert!(
        reason.contains(&format!(
            "alarm errors is ALARM at step {step} of 5 ({weight}% on version 3)"
        )),
        "{reason}"
    );
    assert!(reason.contains("traffic restored to version 2"), "{reason}");
    let expected: Vec<u8> = (1..=step)
        .map(|k| (k * 20).min(100) as u8)
        .chain([0])
        .collect();
    assert_eq!(fake.traffic_to("3"), expected);
    assert_eq!(
        fake.mutations()[fake.mutations().len() - 2..],
        ["shift live 2", "delete 3"]
    );
    assert_eq!(
        run.elapsed,
        RELEASE + fires,
        "caught at the first check after it fired"
    );
    assert_serves(&fake, "live", "2");
    assert_eq!(fake.versions(), ["1", "2"]);
    assert_eq!(o.deleted_versions, ["3"]);
    assert!(
        run.events
            .iter()
            .any(|e| e == "alarm errors is ALARM: rolling back"),
        "{:#?}",
        run.events
    );
}

#[tokio::test(start_paused = true)]
async fn rolls_back_when_alarm_fires_at_step_1() {
    alarm_fires_at_step(1).await;
}

#[tokio::test(start_paused = true)]
async fn rolls_back_when_alarm_fires_at_step_2() {
    alarm_fires_at_step(2).await;
}

#[tokio::test(start_paused = true)]
async fn rolls_back_when_alarm_fires_at_step_3() {
    alarm_fires_at_step(3).await;
}

#[tokio::test(start_paused = true)]
async fn rolls_back_when_alarm_fires_at_step_4() {
    alarm_fires_at_step(4).await;
}

#[tokio::test(start_paused = true)]
async fn rolls_back_when_alarm_fires_during_bake() {
    alarm_fires_at_step(5).await;
}

#[tokio::test(start_paused = true)]
async fn alarm_firing_before_start_fails_preflight_and_changes_nothing() {
    let fake = fake();
    fake.alarm_at("errors", secs(0), AlarmState::Alarm);
    let run = deploy(&fake, &deployment(plan(ShiftKind::Canary, 10, 60, 0))).await;

    assert_eq!(run.outcome.status, Status::Failed);
    assert_eq!(run.outcome.failed_check.as_deref(), Some("alarm:errors"));
    assert!(run
        .outcome
        .reason
        .as_deref()
        .unwrap()
        .contains("before the rollout started"));
    assert!(fake.mutations().is_empty(), "{:?}", fake.mutations());
    assert_eq!(fake.latest_code(), "code-2");
}

#[tokio::test(start_paused = true)]
async fn insufficient_data_counts_as_ok() {
    let fake = fake();
    fake.alarm_at("errors", secs(0), AlarmState::InsufficientData);
    let run = deploy(&fake, &deployment(plan(ShiftKind::Canary, 10, 60, 0))).await;
    assert_eq!(run.outcome.status, Status::Succeeded);
}

#[tokio::test(start_paused = true)]
async fn missing_alarm_fails_preflight_naming_it() {
    let fake = fake();
    let mut d = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    d.alarms.push("latency".into());
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::Failed);
    assert_eq!(run.outcome.failed_check.as_deref(), Some("alarm:latency"));
    assert!(run
        .outcome
        .reason
        .as_deref()
        .unwrap()
        .contains("latency does not exist"));
    assert!(fake.mutations().is_empty());
}

#[tokio::test(start_paused = true)]
async fn version_pending_past_the_readiness_window_fails_and_is_deleted() {
    let fake = fake();
    fake.versions_pending_for(secs(600));
    let d = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::Failed);
    assert_eq!(run.outcome.failed_check.as_deref(), Some("readiness"));
    assert!(
        run.outcome
            .reason
            .as_deref()
            .unwrap()
            .contains("State Pending"),
        "{:?}",
        run.outcome.reason
    );
    assert_eq!(run.elapsed, RELEASE + d.readiness.window());
    assert_eq!(
        fake.mutations(),
        ["update_code", "update_configuration", "publish", "delete 3"]
    );
    assert_serves(&fake, "live", "2");
    // Polling backs off: far fewer reads than one per 200ms.
    let reads = fake
        .calls()
        .iter()
        .filter(|c| c.call.operation() == "status")
        .count();
    assert!(reads < 25, "{reads} status reads in a 50s window");
}

#[tokio::test(start_paused = true)]
async fn a_version_that_ends_failed_fails_readiness_at_once() {
    let fake = fake();
    fake.versions_pending_for(secs(5))
        .fail_new_versions("Lambda was unable to configure your VPC");
    let run = deploy(&fake, &deployment(plan(ShiftKind::Canary, 10, 60, 0))).await;

    assert_eq!(run.outcome.failed_check.as_deref(), Some("readiness"));
    assert!(run
        .outcome
        .reason
        .as_deref()
        .unwrap()
        .contains("unable to configure your VPC"));
    assert!(run.elapsed < secs(7), "{:?}", run.elapsed);
}

#[tokio::test(start_paused = true)]
async fn failed_update_ends_with_aws_reason_and_publishes_nothing() {
    let fake = fake();
    fake.update_takes(secs(3))
        .fail_next_update("Code storage limit exceeded.");
    let run = deploy(&fake, &deployment(plan(ShiftKind::Canary, 10, 60, 0))).await;

    assert_eq!(run.outcome.status, Status::Failed);
    assert_eq!(run.outcome.failed_check.as_deref(), Some("update"));
    assert!(run
        .outcome
        .reason
        .as_deref()
        .unwrap()
        .contains("Code storage limit exceeded."));
    assert_eq!(fake.mutations(), ["update_code"]);
    assert_eq!(run.outcome.to_version, None);
}

#[tokio::test(start_paused = true)]
async fn updates_wait_for_latest_to_settle_before_the_next_one() {
    let fake = fake();
    fake.update_takes(secs(20));
    let run = deploy(&fake, &deployment(plan(ShiftKind::Canary, 10, 60, 0))).await;

    assert_eq!(
        run.outcome.status,
        Status::Succeeded,
        "{:?}",
        run.outcome.reason
    );
    let at = |op: &str| {
        fake.calls()
            .into_iter()
            .find(|c| c.call.operation() == op)
            .unwrap()
            .at
    };
    assert!(at("update_configuration") >= secs(20));
    assert!(at("publish_version") >= secs(40));
    assert!(
        !fake.calls().iter().any(|c| c.error.is_some()),
        "no call refused as in progress"
    );
}

#[tokio::test(start_paused = true)]
async fn latest_changed_by_someone_else_is_a_publish_conflict() {
    let fake = fake();
    // PublishVersion takes 5s; someone updates $LATEST in the meantime.
    fake.publish_takes(secs(5))
        .outside_at(secs(2), Outside::TouchLatest);
    let run = deploy(&fake, &deployment(plan(ShiftKind::Canary, 10, 60, 0))).await;

    assert_eq!(run.outcome.status, Status::Failed);
    assert_eq!(run.outcome.failed_check.as_deref(), Some("conflict"));
    assert!(run
        .outcome
        .reason
        .as_deref()
        .unwrap()
        .contains("someone else"));
    assert_eq!(
        fake.mutations(),
        ["update_code", "update_configuration", "publish !Conflict"]
    );
    assert_eq!(fake.versions(), ["1", "2"]);
    assert_serves(&fake, "live", "2");
}

#[tokio::test(start_paused = true)]
async fn stops_without_touching_an_alias_someone_else_changed() {
    let fake = fake();
    let theirs = Outside::Alias {
        alias: "live".into(),
        version: "1".into(),
        extra: None,
    };
    fake.outside_at(secs(90), theirs);
    let run = deploy(&fake, &deployment(plan(ShiftKind::Linear, 20, 60, 0))).await;

    let o = &run.outcome;
    assert_eq!(o.status, Status::Failed);
    assert_eq!(o.failed_check.as_deref(), Some("conflict"));
    assert_eq!(o.serving.as_ref().map(|s| s.version.as_str()), Some("1"));
    let shifts: Vec<_> = fake
        .mutations()
        .into_iter()
        .filter(|m| m.starts_with("shift"))
        .collect();
    assert_eq!(
        shifts,
        [
            "shift live 2 + 3@20%",
            "shift live 2 + 3@40%",
            "shift live 2 + 3@60% !Conflict"
        ]
    );
    assert_serves(&fake, "live", "1");
    assert_eq!(run.elapsed, at(120));
}

#[tokio::test(start_paused = true)]
async fn reaching_the_deadline_rolls_back() {
    let fake = fake();
    let mut d = deployment(plan(ShiftKind::Canary, 10, 300, 0));
    d.deadline = Some(tokio::time::Instant::now() + secs(100));
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::RolledBack);
    assert_eq!(run.outcome.failed_check.as_deref(), Some("timeout"));
    assert_eq!(run.elapsed, secs(100));
    assert_eq!(fake.traffic_to("3"), [10, 0]);
    assert_serves(&fake, "live", "2");
    assert_eq!(fake.versions(), ["1", "2"]);
}

#[tokio::test(start_paused = true)]
async fn throttling_that_outlasts_the_adapters_stops_the_deployment() {
    let fake = fake();
    fake.throttle("shift_alias", 100);
    let run = deploy(&fake, &deployment(plan(ShiftKind::Canary, 10, 60, 0))).await;

    assert_eq!(run.outcome.status, Status::Failed);
    assert_eq!(run.outcome.failed_check.as_deref(), Some("alias"));
    let attempts = fake
        .mutations()
        .iter()
        .filter(|m| m.ends_with("!Throttled"))
        .count();
    assert_eq!(
        attempts, 1,
        "the adapters retry; the engine does not retry on top"
    );
    assert_eq!(fake.versions(), ["1", "2"], "the unused version is deleted");
}

#[tokio::test(start_paused = true)]
async fn keeps_the_failed_version_when_asked_to() {
    let fake = fake();
    fake.alarm_at("errors", secs(30), AlarmState::Alarm);
    let mut d = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    d.delete_failed_version = false;
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::RolledBack);
    assert_eq!(fake.versions(), ["1", "2", "3"]);
    assert_serves(&fake, "live", "2");
}

#[tokio::test(start_paused = true)]
async fn never_deletes_a_failed_version_another_alias_routes_to() {
    let fake = fake();
    fake.seed_versions(3)
        .set_alias("live", "2", None)
        .set_alias("dev", "3", None);
    fake.alarm_at("errors", secs(30), AlarmState::Alarm);
    let mut d = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    d.target = gitmoxi_engine::Target::Existing("3".into());
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::RolledBack);
    assert!(!fake.mutations().iter().any(|m| m.starts_with("delete")));
    assert!(
        run.events
            .iter()
            .any(|e| e.contains("alias dev routes to it")),
        "{:#?}",
        run.events
    );
}

#[tokio::test(start_paused = true)]
async fn an_aws_error_after_traffic_moved_rolls_back() {
    let fake = fake();
    let d = deployment(plan(ShiftKind::Linear, 20, 60, 0));
    let (run, ()) = tokio::join!(deploy(&fake, &d), async {
        tokio::time::sleep(secs(30)).await;
        fake.fail_next("shift_alias", 1, gitmoxi_engine::AwsErrorKind::Other);
    });

    assert_eq!(run.outcome.status, Status::RolledBack);
    assert_eq!(run.outcome.failed_check.as_deref(), Some("alias"));
    assert_eq!(
        fake.mutations()[3..],
        [
            "shift live 2 + 3@20%",
            "shift live 2 + 3@40% !Other",
            "shift live 2",
            "delete 3"
        ]
    );
    assert_serves(&fake, "live", "2");
}

#[tokio::test(start_paused = true)]
async fn an_unreadable_alarm_during_a_wait_rolls_back() {
    let fake = fake();
    let d = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    let (run, ()) = tokio::join!(deploy(&fake, &d), async {
        tokio::time::sleep(secs(30)).await;
        fake.throttle("alarm_states", 1);
    });

    assert_eq!(
        run.outcome.status,
        Status::RolledBack,
        "{:?}",
        run.outcome.reason
    );
    assert_eq!(run.outcome.failed_check.as_deref(), Some("alarms"));
    assert_eq!(fake.traffic_to("3"), [10, 0]);
    assert_serves(&fake, "live", "2");
}

#[tokio::test(start_paused = true)]
async fn a_throttled_restore_is_tried_again_until_traffic_is_back() {
    let fake = fake();
    fake.alarm_at("errors", secs(30), AlarmState::Alarm);
    let d = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    let (run, ()) = tokio::join!(deploy(&fake, &d), async {
        tokio::time::sleep(secs(29)).await;
        fake.throttle("shift_alias", 3);
    });

    assert_eq!(
        run.outcome.status,
        Status::RolledBack,
        "{:?}",
        run.outcome.reason
    );
    let restores: Vec<_> = fake
        .mutations()
        .into_iter()
        .filter(|m| m.starts_with("shift live 2") && !m.contains('@'))
        .collect();
    assert_eq!(
        restores,
        [
            "shift live 2 !Throttled",
            "shift live 2 !Throttled",
            "shift live 2 !Throttled",
            "shift live 2"
        ]
    );
    assert_serves(&fake, "live", "2");
    assert_eq!(fake.versions(), ["1", "2"]);
}

#[tokio::test(start_paused = true)]
async fn a_conflict_where_the_alias_already_holds_the_step_is_our_own_lost_answer() {
    let fake = fake();
    // Before the third shift, the alias gets exactly what that shift asks, under another
    // revision: what an update that went through with its answer lost looks like.
    let ours = Outside::Alias {
        alias: "live".into(),
        version: "2".into(),
        extra: Some(("3".into(), 0.6)),
    };
    fake.outside_at(secs(90), ours);
    let run = deploy(&fake, &deployment(plan(ShiftKind::Linear, 20, 60, 0))).await;

    let o = &run.outcome;
    assert_eq!(o.status, Status::Succeeded, "{:?}", o.reason);
    assert_eq!(weights(o), [20, 40, 60, 80, 100]);
    assert!(fake
        .mutations()
        .contains(&"shift live 2 + 3@60% !Conflict".to_string()));
    assert_serves(&fake, "live", "3");
}

#[tokio::test(start_paused = true)]
async fn a_restore_refused_as_a_conflict_finds_the_alias_already_restored() {
    let fake = fake();
    fake.alarm_at("errors", secs(30), AlarmState::Alarm);
    // Right before the restore, the alias is already back on 2 under another revision: our own
    // restore whose answer was lost.
    let restored = Outside::Alias {
        alias: "live".into(),
        version: "2".into(),
        extra: None,
    };
    fake.outside_at(secs(30), restored);
    let run = deploy(&fake, &deployment(plan(ShiftKind::Canary, 10, 60, 0))).await;

    let o = &run.outcome;
    assert_eq!(o.status, Status::RolledBack, "{:?}", o.reason);
    let reason = o.reason.clone().unwrap_or_default();
    assert!(reason.contains("traffic restored to version 2"), "{reason}");
    assert_serves(&fake, "live", "2");
    assert_eq!(fake.versions(), ["1", "2"]);
}

#[tokio::test(start_paused = true)]
async fn a_published_version_that_is_not_the_release_fails_before_any_traffic_moves() {
    let fake = fake();
    // The configuration update answers success but drops the release's configuration.
    fake.ignore_on_next_update("Handler");
    let run = deploy(&fake, &deployment(plan(ShiftKind::Canary, 10, 60, 0))).await;

    let o = &run.outcome;
    assert_eq!(o.status, Status::Failed, "{:?}", o.reason);
    assert_eq!(o.failed_check.as_deref(), Some("verify"));
    let reason = o.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("version 3 is not the release: Handler: the release asks"),
        "{reason}"
    );
    assert!(fake.traffic_to("3").is_empty(), "nothing shifted");
    assert_eq!(
        fake.versions(),
        ["1", "2"],
        "the version that is not the release is deleted"
    );
    assert_serves(&fake, "live", "2");
}

#[tokio::test(start_paused = true)]
async fn an_alias_that_changed_since_the_plan_stops_the_rollout_before_any_change() {
    let fake = fake();
    let mut d = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    d.expected_from = Some(Some("1".into()));
    let run = deploy(&fake, &d).await;

    let o = &run.outcome;
    assert_eq!(o.status, Status::Failed, "{:?}", o.reason);
    assert_eq!(o.failed_check.as_deref(), Some("conflict"));
    let reason = o.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("serves version 2 now, not version 1 as when this rollout was prepared"),
        "{reason}"
    );
    assert!(fake.mutations().is_empty(), "{:?}", fake.mutations());
}

#[tokio::test(start_paused = true)]
async fn a_split_someone_else_made_since_the_plan_is_left_as_it_is() {
    let fake = fake();
    fake.set_alias("live", "2", Some(("1", 0.3)));
    let mut d = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    d.expected_from = Some(Some("1".into()));
    let run = deploy(&fake, &d).await;

    assert_eq!(
        run.outcome.status,
        Status::Failed,
        "{:?}",
        run.outcome.reason
    );
    assert_eq!(run.outcome.failed_check.as_deref(), Some("conflict"));
    assert!(fake.mutations().is_empty(), "{:?}", fake.mutations());
    let live = fake.alias("live").unwrap();
    assert_eq!(
        (live.version.as_str(), live.extra),
        ("2", Some(("1".into(), 0.3)))
    );
}

#[tokio::test(start_paused = true)]
async fn an_update_refused_while_another_runs_waits_for_it_then_goes_ahead() {
    let fake = fake();
    // Another apply updated $LATEST just before this rollout; its update runs for 3s.
    fake.update_takes(secs(3))
        .outside_at(secs(0), Outside::TouchLatest);
    let run = deploy(&fake, &deployment(plan(ShiftKind::Canary, 10, 60, 0))).await;

    assert_eq!(
        run.outcome.status,
        Status::Succeeded,
        "{:?}",
        run.outcome.reason
    );
    let code_updates: Vec<_> = fake
        .calls()
        .into_iter()
        .filter(|c| c.call.operation() == "update_code")
        .collect();
    assert_eq!(code_updates.len(), 2, "refused once, then made");
    assert!(code_updates[0].error.is_some());
    assert!(code_updates[1].error.is_none() && code_updates[1].at >= secs(3));
}
