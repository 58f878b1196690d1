//! Checks around a rollout through the real Terraform CLI: a traffic hook that
//! is a real Lambda function, analysis of the new version's own metrics, and SNS notifications
//! read back through an SQS subscription.

use std::time::Duration;

use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit, StateValue};

use crate::fixtures::{
    alias, create_python_function, create_queue, deployment_state, drain_queue, errors_alarm,
    set_alarm, versions, wait_for_alias, watch_alias_during, write_handler_zip, Deployment,
};
use crate::harness::{Emulator, Workspace};

const SEE_WEIGHT_WITHIN: Duration = Duration::from_secs(60);

/// Creates the function (version 1 on `live`), then writes `next` with the v2 package.
fn create_then_change(
    emulator: &Emulator,
    ws_name: &str,
    first: &Deployment,
    next: &Deployment,
) -> Workspace {
    let ws = Workspace::new(ws_name);
    write_handler_zip(&ws, "v1.zip", "v1");
    write_handler_zip(&ws, "v2.zip", "v2");
    first.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    let mut next = next.clone();
    next.package_file = "v2.zip".to_string();
    next.write(&ws, &emulator.endpoint());
    ws
}

/// A hook that reports failure, echoing what it was told so the payload is checked too.
const FAILING_HOOK: &str = r#"def handler(event, context):
    return {
        "status": "Failed",
        "reason": "smoke test failed (%s %s->%s on %s:%s)" % (
            event.get("phase"), event.get("from_version"), event.get("to_version"),
            event.get("function_name"), event.get("alias")),
    }
"#;

#[tokio::test]
async fn failing_before_allow_traffic_hook_leaves_traffic_untouched_and_names_the_reason() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let first = Deployment::new("e2e-hooked").canary(50, "3s");
    let next = first.clone().hooks(
        r#"before_allow_traffic = "e2e-smoke"
           timeout              = "30s""#,
    );
    let ws = create_then_change(&emulator, "hook", &first, &next);
    create_python_function(&lambda, ws.dir(), "e2e-smoke", FAILING_HOOK).await;

    let apply = ws.tf_spawn(&["apply", "-auto-approve"]);
    let (seen, out) = watch_alias_during(
        &lambda,
        "e2e-hooked",
        "live",
        apply,
        Duration::from_secs(120),
    )
    .await;

    out.assert_failure_contains("smoke test failed")
        .assert_contains("BeforeAllowTraffic 1->2 on e2e-hooked:live");
    assert!(!seen.is_empty(), "the alias was never read during:\n{out}");
    assert!(
        seen.iter().all(|a| a.serves_only("1")),
        "traffic moved although the hook failed before traffic: {seen:?}\n{out}"
    );
    assert_eq!(
        versions(&lambda, "e2e-hooked").await,
        vec!["1"],
        "the failed version is deleted"
    );
    let state = ws.state_json();
    let values = deployment_state(&state);
    assert_eq!(values["version"], "1");
    assert_eq!(values["last_deployment"]["status"], "FAILED", "{values:#}");
    assert_eq!(
        values["last_deployment"]["failed_check"], "hook:BeforeAllowTraffic",
        "{values:#}"
    );
}

#[tokio::test]
async fn error_rate_of_the_new_version_over_the_limit_rolls_back_mid_rollout() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let cloudwatch = emulator.cloudwatch_client();
    let first = Deployment::new("e2e-analysis").canary(50, "8s");
    let next = first.clone().analysis(
        r#"max_error_rate  = 5
           min_invocations = 20
           metric_period   = "10s""#,
    );
    let ws = create_then_change(&emulator, "analysis", &first, &next);

    let apply = ws.tf_spawn(&["apply", "-auto-approve"]);
    let canary = wait_for_alias(&lambda, "e2e-analysis", "live", SEE_WEIGHT_WITHIN, |a| {
        !a.weights.is_empty()
    })
    .await;
    // 10 errors in 40 invocations (25%) on the new version alone.
    if let Some(canary) = &canary {
        let new_version = canary.weights[0].0.clone();
        let dimensions = [
            ("FunctionName", "e2e-analysis".to_string()),
            ("Resource", "e2e-analysis:live".to_string()),
            ("ExecutedVersion", new_version),
        ];
        let mut request = cloudwatch.put_metric_data().namespace("AWS/Lambda");
        for (metric, value) in [("Invocations", 40.0), ("Errors", 10.0)] {
            let mut datum = MetricDatum::builder()
                .metric_name(metric)
                .value(value)
                .unit(StandardUnit::Count);
            for (name, v) in &dimensions {
                datum = datum.dimensions(Dimension::builder().name(*name).value(v).build());
            }
            request = request.metric_data(datum.build());
        }
        request.send().await.expect("PutMetricData");
    }
    let out = apply.wait_timeout(Duration::from_secs(120));

    let canary = canary.unwrap_or_else(|| panic!("no canary weight seen during:\n{out}"));
    assert_eq!(canary.weights, vec![("2".to_string(), 0.5)]);
    out.assert_failure_contains("error rate 25%")
        .assert_contains("max_error_rate 5%");
    let live = alias(&lambda, "e2e-analysis", "live").await;
    assert!(live.serves_only("1"), "alias after the rollback: {live:?}");
    assert_eq!(versions(&lambda, "e2e-analysis").await, vec!["1"]);
    let state = ws.state_json();
    let values = deployment_state(&state);
    assert_eq!(
        values["last_deployment"]["status"], "ROLLED_BACK",
        "{values:#}"
    );
    assert_eq!(
        values["last_deployment"]["failed_check"], "analysis:error_rate",
        "{values:#}"
    );
}

#[tokio::test]
async fn sns_topic_receives_start_and_rollback_messages() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let cloudwatch = emulator.cloudwatch_client();
    let sns = emulator.sns_client();
    let topic = sns
        .create_topic()
        .name("e2e-deployments")
        .send()
        .await
        .expect("CreateTopic")
        .topic_arn()
        .expect("a topic ARN")
        .to_string();
    let (inbox, inbox_arn) = create_queue(&emulator.endpoint(), "e2e-deployments-inbox");
    sns.subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(&inbox_arn)
        .send()
        .await
        .expect("Subscribe");
    let alarm = "e2e-notify-errors";
    errors_alarm(&cloudwatch, alarm).await;
    let mut first = Deployment::new("e2e-notify")
        .canary(50, "30s")
        .notification_topic_arn(&topic);
    first.alarms = vec![alarm.to_string()];
    let ws = create_then_change(&emulator, "notify", &first, &first);
    let on_create = events(&drain_queue(&emulator.endpoint(), &inbox));
    assert_eq!(
        kinds(&on_create),
        vec!["DeploymentStart", "DeploymentSuccess"],
        "messages of the create: {on_create:#?}"
    );

    let apply = ws.tf_spawn(&["apply", "-auto-approve"]);
    let canary = wait_for_alias(&lambda, "e2e-notify", "live", SEE_WEIGHT_WITHIN, |a| {
        !a.weights.is_empty()
    })
    .await;
    set_alarm(&cloudwatch, alarm, StateValue::Alarm).await;
    let out = apply.wait_timeout(Duration::from_secs(120));
    assert!(canary.is_some(), "no canary weight seen during:\n{out}");
    out.assert_failure_contains(alarm);

    let messages = events(&drain_queue(&emulator.endpoint(), &inbox));
    assert_eq!(
        kinds(&messages),
        vec!["DeploymentRollback", "DeploymentStart"],
        "{messages:#?}"
    );
    let of = |kind: &str| {
        messages
            .iter()
            .find(|m| m["event"] == kind)
            .expect("checked above")
    };
    let rollback = of("DeploymentRollback");
    assert_eq!(rollback["function_name"], "e2e-notify", "{rollback:#}");
    assert_eq!(rollback["alias"], "live", "{rollback:#}");
    assert_eq!(rollback["from_version"], "1", "{rollback:#}");
    assert_eq!(rollback["to_version"], "2", "{rollback:#}");
    assert!(
        rollback["reason"]
            .as_str()
            .unwrap_or_default()
            .contains(alarm),
        "the reason names the alarm: {rollback:#}"
    );
    assert_eq!(
        rollback["deployment_id"],
        of("DeploymentStart")["deployment_id"],
        "both messages are about one deployment"
    );
}

/// The `event` of each message, sorted (an SQS queue does not promise order).
fn kinds(messages: &[serde_json::Value]) -> Vec<&str> {
    let mut kinds: Vec<&str> = messages
        .iter()
        .map(|m| m["event"].as_str().unwrap_or_default())
        .collect();
    kinds.sort();
    kinds
}

/// The deployment messages inside SNS envelopes (`{"Type": "Notification", "Message": "..."}`).
fn events(bodies: &[String]) -> Vec<serde_json::Value> {
    bodies
        .iter()
        .map(|body| {
            let envelope: serde_json::Value = serde_json::from_str(body)
                .unwrap_or_else(|e| panic!("an SNS envelope is JSON ({e}): {body}"));
            let message = envelope["Message"]
                .as_str()
                .unwrap_or_else(|| panic!("no Message in the envelope: {envelope:#}"));
            serde_json::from_str(message)
                .unwrap_or_else(|e| panic!("the deployment message is JSON ({e}): {message}"))
        })
        .collect()
}
