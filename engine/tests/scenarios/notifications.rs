//! Notifications: `DeploymentStart` after preflight, then one ending message; a notifier that
//! fails only adds a warning.

use gitmoxi_engine::{
    AlarmState, AwsErrorKind, Deployment, HookOutcome, HookPhase, NotificationEvent, ShiftKind,
    Status,
};
use gitmoxi_fake_aws::FakeAws;

use crate::common::*;

use NotificationEvent::*;

fn notifying() -> Deployment {
    let mut d = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    d.notify = true;
    d
}

fn events(fake: &FakeAws) -> Vec<NotificationEvent> {
    fake.notifications().iter().map(|n| n.event).collect()
}

#[tokio::test(start_paused = true)]
async fn notifies_start_and_success() {
    let fake = fake();
    let run = deploy(&fake, &notifying()).await;

    assert_eq!(run.outcome.status, Status::Succeeded);
    assert!(run.outcome.warnings.is_empty());
    assert_eq!(events(&fake), [DeploymentStart, DeploymentSuccess]);
    let sent = fake.notifications();
    assert_eq!(
        sent[0].to_json(),
        r#"{"event":"DeploymentStart","deployment_id":"d-1","function_name":"orders","alias":"live","from_version":"2","to_version":null,"reason":null}"#
    );
    assert_eq!(
        sent[1].to_json(),
        r#"{"event":"DeploymentSuccess","deployment_id":"d-1","function_name":"orders","alias":"live","from_version":"2","to_version":"3","reason":null}"#
    );
    // The start goes out before anything changes, the ending after the cleanup.
    let labels: Vec<String> = fake.calls().iter().map(|c| c.label()).collect();
    let at = |l: &str| labels.iter().position(|x| x == l).unwrap();
    assert!(at("notify DeploymentStart") < at("update_code"));
    assert_eq!(
        labels.last().map(String::as_str),
        Some("notify DeploymentSuccess")
    );
    assert!(run
        .events
        .iter()
        .any(|e| e == "sent DeploymentSuccess notification"));
}

#[tokio::test(start_paused = true)]
async fn notifies_start_and_rollback_with_the_reason() {
    let fake = fake();
    fake.alarm_at("errors", secs(30), AlarmState::Alarm);
    let run = deploy(&fake, &notifying()).await;

    assert_eq!(run.outcome.status, Status::RolledBack);
    assert_eq!(events(&fake), [DeploymentStart, DeploymentRollback]);
    let rollback = &fake.notifications()[1];
    assert_eq!(rollback.to_version.as_deref(), Some("3"));
    assert_eq!(rollback.reason, run.outcome.reason);
    assert!(rollback
        .reason
        .as_deref()
        .unwrap()
        .contains("alarm errors is ALARM"));
}

#[tokio::test(start_paused = true)]
async fn notifies_start_and_failure_when_stopped_before_traffic() {
    let fake = fake();
    let mut d = notifying();
    d.hooks.before_allow_traffic = Some("orders-smoke".into());
    fake.hook_answers(
        HookPhase::BeforeAllowTraffic,
        HookOutcome::Failed {
            reason: "boom".into(),
        },
        secs(0),
    );
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::Failed);
    assert_eq!(events(&fake), [DeploymentStart, DeploymentFailure]);
    assert!(fake.notifications()[1]
        .reason
        .as_deref()
        .unwrap()
        .contains("orders-smoke failed: boom"));
}

#[tokio::test(start_paused = true)]
async fn a_failed_preflight_notifies_failure_only() {
    let fake = fake();
    fake.alarm_at("errors", secs(0), AlarmState::Alarm);
    let run = deploy(&fake, &notifying()).await;

    assert_eq!(run.outcome.status, Status::Failed);
    assert_eq!(events(&fake), [DeploymentFailure]);
}

#[tokio::test(start_paused = true)]
async fn an_interrupt_notifies_rollback_once_traffic_moved_and_failure_before() {
    let moved = fake();
    let run = deploy_interrupted_at(&moved, &notifying(), secs(30)).await;
    assert_eq!(run.outcome.status, Status::Interrupted);
    assert_eq!(events(&moved), [DeploymentStart, DeploymentRollback]);

    let pending = fake();
    pending.versions_pending_for(secs(40));
    let run = deploy_interrupted_at(&pending, &notifying(), secs(20)).await;
    assert_eq!(run.outcome.status, Status::Interrupted);
    assert_eq!(events(&pending), [DeploymentStart, DeploymentFailure]);
}

#[tokio::test(start_paused = true)]
async fn a_failing_notifier_only_adds_a_warning() {
    let fake = fake();
    fake.fail_next("notify", 10, AwsErrorKind::Other);
    let run = deploy(&fake, &notifying()).await;

    let o = &run.outcome;
    assert_eq!(o.status, Status::Succeeded);
    assert_eq!(o.serving_version(), Some("3"));
    assert_eq!(o.warnings.len(), 2, "{:?}", o.warnings);
    assert!(o.warnings[0].starts_with("sending the DeploymentStart notification failed"));
    assert!(o.warnings[1].starts_with("sending the DeploymentSuccess notification failed"));
    assert!(fake.notifications().is_empty());
}

#[tokio::test(start_paused = true)]
async fn nothing_is_sent_unless_asked() {
    let fake = fake();
    let mut d = notifying();
    d.notify = false;
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::Succeeded);
    assert!(fake.calls().iter().all(|c| c.call.operation() != "notify"));
}
