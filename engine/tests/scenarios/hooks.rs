//! Lifecycle hooks: `before_allow_traffic` after readiness and before any traffic moves,
//! `after_allow_traffic` at 100% before the bake; what they receive and how each answer ends.

use gitmoxi_engine::{
    AwsErrorKind, Deployment, HookOutcome, HookPayload, HookPhase, RolloutPlan, ShiftKind, Status,
};
use gitmoxi_fake_aws::FakeAws;

use crate::common::*;

use HookPhase::{AfterAllowTraffic, BeforeAllowTraffic};

/// CANARY 10% for 60s with `bake` seconds at 100%, and both hooks.
fn with_hooks(rollout: RolloutPlan) -> Deployment {
    let mut d = deployment(rollout);
    d.hooks.before_allow_traffic = Some("orders-smoke".into());
    d.hooks.after_allow_traffic = Some("orders-verify".into());
    d
}

fn failed(reason: &str) -> HookOutcome {
    HookOutcome::Failed {
        reason: reason.into(),
    }
}

/// Index in the recorded calls of the first one whose label starts with `prefix`.
fn position(fake: &FakeAws, prefix: &str) -> usize {
    fake.calls()
        .iter()
        .position(|c| c.label().starts_with(prefix))
        .unwrap_or_else(|| panic!("no call {prefix}: {:#?}", fake.calls()))
}

#[tokio::test(start_paused = true)]
async fn both_hooks_pass_before_the_first_shift_and_at_100_percent_before_the_bake() {
    let fake = fake();
    fake.hook_answers(AfterAllowTraffic, HookOutcome::Passed, secs(10));
    let d = with_hooks(plan(ShiftKind::Canary, 10, 60, 30));
    let run = deploy(&fake, &d).await;

    assert_eq!(
        run.outcome.status,
        Status::Succeeded,
        "{:?}",
        run.outcome.reason
    );
    assert!(position(&fake, "publish") < position(&fake, "hook orders-smoke"));
    assert!(position(&fake, "hook orders-smoke") < position(&fake, "shift live 2 + 3@10%"));
    assert!(position(&fake, "shift live 3") < position(&fake, "hook orders-verify"));
    let after = fake.calls()[position(&fake, "hook orders-verify")].at;
    assert_eq!(after, at(60), "invoked as soon as the alias is at 100%");
    // The bake starts once the hook answered: 60s canary + 10s hook + 30s bake.
    assert_eq!(run.elapsed, at(100));
    assert_eq!(fake.traffic_to("3"), [10, 100]);
    assert!(
        run.events
            .iter()
            .any(|e| e == "AfterAllowTraffic hook orders-verify passed after 10s"),
        "{:#?}",
        run.events
    );
}

#[tokio::test(start_paused = true)]
async fn hooks_receive_the_documented_payload() {
    let fake = fake();
    let run = deploy(&fake, &with_hooks(plan(ShiftKind::Canary, 10, 60, 0))).await;
    assert_eq!(run.outcome.status, Status::Succeeded);

    let payload = |phase| HookPayload {
        deployment_id: "d-1".into(),
        function_name: "orders".into(),
        alias: "live".into(),
        from_version: Some("2".into()),
        to_version: "3".into(),
        phase,
    };
    assert_eq!(
        fake.hook_payloads(),
        [
            ("orders-smoke".to_string(), payload(BeforeAllowTraffic)),
            ("orders-verify".to_string(), payload(AfterAllowTraffic)),
        ]
    );
    assert_eq!(
        fake.hook_payloads()[0].1.to_json(),
        r#"{"deployment_id":"d-1","function_name":"orders","alias":"live","from_version":"2","to_version":"3","phase":"BeforeAllowTraffic"}"#
    );
}

#[tokio::test(start_paused = true)]
async fn hooks_of_a_first_release_have_no_from_version() {
    let fake = FakeAws::new();
    fake.update_takes(secs(0)).define_alarm("errors");
    let run = deploy(&fake, &with_hooks(plan(ShiftKind::Canary, 10, 60, 0))).await;

    assert_eq!(
        run.outcome.status,
        Status::Succeeded,
        "{:?}",
        run.outcome.reason
    );
    let payloads = fake.hook_payloads();
    assert_eq!(payloads.len(), 2);
    assert!(payloads.iter().all(|(_, p)| p.from_version.is_none()));
    assert!(position(&fake, "hook orders-smoke") < position(&fake, "create live 1"));
    assert!(position(&fake, "create live 1") < position(&fake, "hook orders-verify"));
}

/// The before-traffic hook fails somehow: FAILED, nothing shifted, the new version deleted.
async fn before_hook_fails(fake: &FakeAws, d: &Deployment) -> Run {
    let run = deploy(fake, d).await;
    let o = &run.outcome;
    assert_eq!(o.status, Status::Failed, "{:?}", o.reason);
    assert_eq!(o.failed_check.as_deref(), Some("hook:BeforeAllowTraffic"));
    assert!(
        o.reason
            .as_deref()
            .unwrap()
            .contains("no traffic was shifted"),
        "{:?}",
        o.reason
    );
    assert_eq!(
        fake.mutations(),
        ["update_code", "update_configuration", "publish", "delete 3"]
    );
    assert!(fake
        .hook_payloads()
        .iter()
        .all(|(_, p)| p.phase == BeforeAllowTraffic));
    assert_serves(fake, "live", "2");
    assert_eq!(fake.versions(), ["1", "2"]);
    run
}

#[tokio::test(start_paused = true)]
async fn before_hook_failing_fails_with_nothing_shifted() {
    let fake = fake();
    fake.hook_answers(
        BeforeAllowTraffic,
        failed("GET /health answered 500"),
        secs(2),
    );
    let d = with_hooks(plan(ShiftKind::Canary, 10, 60, 0));
    let run = before_hook_fails(&fake, &d).await;

    assert_eq!(
        run.outcome.reason.as_deref(),
        Some(
            "BeforeAllowTraffic hook orders-smoke failed: GET /health answered 500; \
             no traffic was shifted"
        )
    );
    assert_eq!(run.elapsed, at(2));
}

#[tokio::test(start_paused = true)]
async fn before_hook_that_does_not_answer_in_time_fails_at_its_timeout() {
    let fake = fake();
    fake.hook_answers(BeforeAllowTraffic, HookOutcome::Passed, secs(600));
    let mut d = with_hooks(plan(ShiftKind::Canary, 10, 60, 0));
    d.hooks.timeout = secs(120);
    let run = before_hook_fails(&fake, &d).await;

    let reason = run.outcome.reason.unwrap();
    assert!(
        reason.contains("orders-smoke did not answer within 2m0s"),
        "{reason}"
    );
    assert_eq!(run.elapsed, at(120));
}

#[tokio::test(start_paused = true)]
async fn before_hook_that_cannot_be_invoked_fails_with_the_aws_message() {
    let fake = fake();
    fake.fail_next("invoke_hook", 1, AwsErrorKind::NotFound);
    let run = before_hook_fails(&fake, &with_hooks(plan(ShiftKind::Canary, 10, 60, 0))).await;

    let reason = run.outcome.reason.unwrap();
    assert!(
        reason.contains("orders-smoke could not be invoked: injected not found"),
        "{reason}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_hook_that_cannot_be_invoked_fails_before_traffic_moves() {
    let fake = fake();
    fake.throttle("invoke_hook", 1);
    let run = deploy(&fake, &with_hooks(plan(ShiftKind::Canary, 10, 60, 0))).await;
    assert_eq!(
        run.outcome.status,
        Status::Failed,
        "{:?}",
        run.outcome.reason
    );
    let reason = run.outcome.reason.unwrap_or_default();
    assert!(reason.contains("could not be invoked"), "{reason}");
    assert!(fake.traffic_to("3").is_empty());
    assert_serves(&fake, "live", "2");
}

#[tokio::test(start_paused = true)]
async fn after_hook_failing_rolls_back_from_100_percent() {
    let fake = fake();
    fake.hook_answers(
        AfterAllowTraffic,
        failed("checkout journey broken"),
        secs(5),
    );
    let run = deploy(&fake, &with_hooks(plan(ShiftKind::Canary, 10, 60, 300))).await;

    let o = &run.outcome;
    assert_eq!(o.status, Status::RolledBack, "{:?}", o.reason);
    assert_eq!(o.failed_check.as_deref(), Some("hook:AfterAllowTraffic"));
    assert_eq!(
        o.reason.as_deref(),
        Some(
            "AfterAllowTraffic hook orders-verify failed: checkout journey broken at step 2 of 2 \
             (100% on version 3); traffic restored to version 2"
        )
    );
    assert_eq!(fake.traffic_to("3"), [10, 100, 0]);
    assert_eq!(run.elapsed, at(65), "no bake after a failed hook");
    assert_serves(&fake, "live", "2");
    assert_eq!(fake.versions(), ["1", "2"]);
}

#[tokio::test(start_paused = true)]
async fn a_hook_cut_short_by_the_deployment_timeout_rolls_back_as_a_timeout() {
    let fake = fake();
    fake.hook_answers(AfterAllowTraffic, HookOutcome::Passed, secs(600));
    let mut d = with_hooks(plan(ShiftKind::Canary, 10, 60, 0));
    d.deadline = Some(tokio::time::Instant::now() + secs(90));
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::RolledBack);
    assert_eq!(run.outcome.failed_check.as_deref(), Some("timeout"));
    assert_eq!(run.elapsed, secs(90));
    assert_serves(&fake, "live", "2");
}

#[tokio::test(start_paused = true)]
async fn interrupted_during_the_before_hook() {
    let fake = fake();
    fake.hook_answers(BeforeAllowTraffic, HookOutcome::Passed, secs(120));
    let d = with_hooks(plan(ShiftKind::Canary, 10, 60, 0));
    let run = deploy_interrupted_at(&fake, &d, secs(10)).await;

    assert_eq!(run.outcome.status, Status::Interrupted);
    assert_eq!(run.outcome.failed_check.as_deref(), Some("interrupt"));
    assert_eq!(run.elapsed, secs(10), "the hook is not waited for");
    assert_eq!(
        fake.mutations(),
        ["update_code", "update_configuration", "publish", "delete 3"]
    );
    assert_serves(&fake, "live", "2");
}

#[tokio::test(start_paused = true)]
async fn interrupted_during_the_after_hook() {
    let fake = fake();
    fake.hook_answers(AfterAllowTraffic, HookOutcome::Passed, secs(120));
    let d = with_hooks(plan(ShiftKind::Canary, 10, 60, 0));
    let run = deploy_interrupted_at(&fake, &d, secs(70)).await;

    assert_eq!(run.outcome.status, Status::Interrupted);
    assert_eq!(run.elapsed, secs(70));
    assert_eq!(fake.traffic_to("3"), [10, 100, 0]);
    assert_serves(&fake, "live", "2");
    assert_eq!(fake.versions(), ["1", "2"]);
}

#[tokio::test(start_paused = true)]
async fn hooks_without_a_hooks_port_fail_naming_it() {
    let fake = fake();
    let d = with_hooks(plan(ShiftKind::Canary, 10, 60, 0));
    let progress = |_: &gitmoxi_engine::Event| {};
    let cancel = tokio_util::sync::CancellationToken::new();
    let outcome = gitmoxi_engine::run(&fake, &fake, &d, cancel, &progress).await;

    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(
        outcome.failed_check.as_deref(),
        Some("hook:BeforeAllowTraffic")
    );
    assert!(outcome.reason.unwrap().contains("without a Hooks port"));
    assert!(fake.traffic_to("3").is_empty());
}
