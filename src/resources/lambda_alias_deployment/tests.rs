//! Every operation of `gitmoxi_lambda_alias_deployment` against the in-memory AWS account.

use std::sync::Arc;

use gitmoxi_engine::{AlarmState, Lambda};
use gitmoxi_fake_aws::{Code, Configuration, FakeAws};
use serde_json::json;

use super::LambdaAliasDeployment;
use crate::protocol::registry::Resource;
use crate::protocol::value::Value;
use crate::resources::common::state::Drift;
use crate::testing::{on_fake, summaries, FakeCloud, Instance, Terraform};

type Tf = Terraform<LambdaAliasDeployment<FakeCloud>>;

/// A function `orders` with versions 1 to 3 and `dev` on 3, made by someone else.
async fn setup() -> (Arc<FakeAws>, Tf) {
    let (aws, tf) = on_fake(LambdaAliasDeployment::new);
    aws.create_function(gitmoxi_fake_aws::NewFunction {
        name: "orders".into(),
        role: "r".into(),
        code: Code::zip("code-0"),
        configuration: Configuration::opaque("c"),
        ..Default::default()
    })
    .unwrap();
    aws.update_takes(std::time::Duration::ZERO);
    for i in 1..=3 {
        let release = gitmoxi_fake_aws::Release {
            code: Code::zip(&format!("code-{i}")),
            architectures: None,
            configuration: Configuration::opaque("c"),
        };
        let lambda = aws.lambda("orders", Some(release));
        lambda.update_code().await.unwrap();
        let status = lambda.status("$LATEST").await.unwrap();
        lambda
            .publish_version(&status.revision_id, "")
            .await
            .unwrap();
    }
    aws.set_alias_of("orders", "dev", "3", None);
    (aws, tf)
}

fn config(tf: &Tf, version: &str, extra: serde_json::Value) -> Value {
    let mut c = json!({
        "function_name": "orders",
        "alias": "prod",
        "version": version,
        "traffic_shifting": [{"type": "LINEAR", "percent": 50, "wait_interval": "1m"}],
    });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        c[k] = v;
    }
    tf.config(c)
}

fn s(v: &Value, name: &str) -> String {
    v.get(name).as_str().unwrap_or_default().to_string()
}

#[tokio::test(start_paused = true)]
async fn create_puts_the_version_on_a_new_alias_and_promotion_shifts_step_by_step() {
    let (aws, tf) = setup().await;
    let first = tf
        .apply(&Instance::default(), &config(&tf, "2", json!({})))
        .await;
    assert!(first.diagnostics.is_empty(), "{:?}", first.diagnostics);
    assert_eq!(s(&first.state, "id"), "orders:prod");
    assert_eq!(aws.alias_of("orders", "prod").unwrap().version, "2");
    assert_eq!(
        s(&first.state, "alias_arn"),
        format!("{}:prod", FakeAws::function_arn("orders"))
    );

    let promoted = tf
        .apply(&first.instance(), &config(&tf, "3", json!({})))
        .await;
    assert!(
        promoted.diagnostics.is_empty(),
        "{:?}",
        promoted.diagnostics
    );
    assert_eq!(s(&promoted.state, "previous_version"), "2");
    // `prod` was created on version 2 (nothing to 3); then the promotion: 50%, 100%.
    assert_eq!(aws.traffic_to("3"), [0, 50, 100]);
    assert_eq!(
        aws.versions_of("orders"),
        ["1", "2", "3"],
        "promotion deletes nothing"
    );
    let (planned, diags) = tf
        .plan(&promoted.instance(), &config(&tf, "3", json!({})))
        .await;
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(planned, promoted.state);
}

#[tokio::test(start_paused = true)]
async fn a_version_that_does_not_exist_fails_before_any_change() {
    let (aws, tf) = setup().await;
    let applied = tf
        .apply(&Instance::default(), &config(&tf, "9", json!({})))
        .await;
    assert_eq!(
        applied.error_summaries(),
        ["Version 9 of orders does not exist"]
    );
    assert!(applied.state.is_null());
    assert!(aws.alias_of("orders", "prod").is_none());
}

#[tokio::test(start_paused = true)]
async fn an_alarm_rolls_the_promotion_back_and_keeps_the_failed_version() {
    let (aws, tf) = setup().await;
    aws.define_alarm("errors");
    let alarms = json!({"alarms": ["errors"]});
    let first = tf
        .apply(&Instance::default(), &config(&tf, "2", alarms.clone()))
        .await;
    aws.alarm_at(
        "errors",
        aws.elapsed() + std::time::Duration::from_secs(30),
        AlarmState::Alarm,
    );
    let applied = tf.apply(&first.instance(), &config(&tf, "3", alarms)).await;
    let errors = applied.error_summaries();
    assert!(
        errors.iter().any(|e| e.contains("rolled back")),
        "{errors:?}"
    );
    assert_eq!(s(&applied.state, "version"), "2");
    assert_eq!(aws.alias_of("orders", "prod").unwrap().version, "2");
    assert_eq!(aws.versions_of("orders"), ["1", "2", "3"]);
}

#[tokio::test(start_paused = true)]
async fn event_sources_change_in_place_and_destroy_removes_only_the_alias() {
    let (aws, tf) = setup().await;
    let tg = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/prod/1";
    aws.define_target_group(tg);
    let sources = json!({"event_sources": json!({"PushEventSources": [
        {"Service": "elasticloadbalancing.amazonaws.com", "TargetGroupArn": tg}]}).to_string()});
    let first = tf
        .apply(&Instance::default(), &config(&tf, "2", json!({})))
        .await;
    let with_lb = tf
        .apply(&first.instance(), &config(&tf, "2", sources))
        .await;
    assert!(with_lb.diagnostics.is_empty(), "{:?}", with_lb.diagnostics);
    assert!(
        !with_lb.planned.get("last_deployment").is_unknown(),
        "no rollout"
    );
    let alias_arn = s(&with_lb.state, "alias_arn");
    assert_eq!(aws.targets(tg), [alias_arn]);
    assert_eq!(aws.policy("orders", "prod").len(), 1);

    let gone = tf.destroy(&with_lb.instance()).await;
    assert!(gone.diagnostics.is_empty(), "{:?}", gone.diagnostics);
    assert!(aws.targets(tg).is_empty());
    assert!(aws.alias_of("orders", "prod").is_none());
    assert_eq!(aws.versions_of("orders"), ["1", "2", "3"]);
    assert_eq!(aws.function_names(), ["orders"]);
}

#[tokio::test(start_paused = true)]
async fn import_refresh_and_drift() {
    let (aws, tf) = setup().await;
    let imported = tf.import("orders:dev").await;
    assert!(
        imported.diagnostics.is_empty(),
        "{:?}",
        imported.diagnostics
    );
    let state = imported.state.unwrap();
    assert_eq!(s(&state, "version"), "3");
    // Its identity names it for an import block; one naming another region is refused.
    let identity = tf.resource.identity(&state).expect("an identity");
    assert_eq!(s(&identity, "function_name"), "orders");
    assert_eq!(s(&identity, "alias"), "dev");
    assert_eq!(s(&identity, "region"), "us-east-1");
    assert_eq!(tf.resource.import_id(&identity).unwrap(), "orders:dev");
    let mut elsewhere = identity.clone();
    elsewhere.set_attr("region", Value::string("eu-west-1"));
    assert!(tf.resource.import_id(&elsewhere).is_err());
    let instance = Instance {
        state,
        private: imported.private,
    };
    aws.set_alias_of("orders", "dev", "3", Some(("2", 0.3)));
    let read = tf.refresh(&instance).await;
    let drift = Drift::from_private(&read.private).expect("drift noted");
    assert!(
        drift.description.contains("30% to version 2"),
        "{}",
        drift.description
    );

    aws.delete_alias_of("orders", "dev").unwrap();
    assert!(tf.refresh(&instance).await.new_state.is_null());
    let missing = tf.import("orders:nope").await;
    assert_eq!(
        summaries(&missing.diagnostics, true),
        ["Cannot import orders:nope: no such alias"]
    );
}

#[tokio::test(start_paused = true)]
async fn a_promotion_warms_the_version_first_and_frees_the_old_one_unless_another_alias_uses_it() {
    let (aws, tf) = setup().await;
    let warm = json!({"provisioned_concurrency": 4});
    let first = tf
        .apply(&Instance::default(), &config(&tf, "2", warm.clone()))
        .await;
    assert!(first.diagnostics.is_empty(), "{:?}", first.diagnostics);
    assert_eq!(aws.capacity_of("orders", "2"), Some(4));

    // `dev` routes to 3, and 3 has capacity of its own: it is checked and kept as it is.
    aws.put_capacity("orders", "3", 4).unwrap();
    let promoted = tf.apply(&first.instance(), &config(&tf, "3", warm)).await;
    assert!(
        promoted.diagnostics.is_empty(),
        "{:?}",
        promoted.diagnostics
    );
    assert_eq!(aws.capacity_of("orders", "3"), Some(4));
    assert_eq!(
        aws.capacity_of("orders", "2"),
        None,
        "nothing routes to 2 any more"
    );
    assert_eq!(aws.count("put_capacity"), 2, "3 was already warm");
}

#[tokio::test(start_paused = true)]
async fn a_promotion_can_run_on_step_functions() {
    let (aws, tf) = setup().await;
    let first = tf
        .apply(&Instance::default(), &config(&tf, "2", json!({})))
        .await;
    assert!(first.diagnostics.is_empty(), "{:?}", first.diagnostics);
    let role = "arn:aws:iam::000000000000:role/gitmoxi-rollouts";
    let on_sfn = json!({"orchestrator": [{"type": "step_functions", "role_arn": role}]});
    let promoted = tf.apply(&first.instance(), &config(&tf, "3", on_sfn)).await;
    assert!(
        promoted.diagnostics.is_empty(),
        "{:?}",
        promoted.diagnostics
    );
    let last = promoted.state.get("last_deployment");
    assert_eq!(last.get("status").as_str(), Some("SUCCEEDED"));
    let arn = last.get("execution_arn").as_str().unwrap_or_default();
    assert!(arn.contains(":execution:gitmoxi-orders.prod:"), "{arn}");
    assert_eq!(aws.traffic_to("3").last(), Some(&100));
    assert!(aws.traffic_to("3").contains(&50), "the machine's 50% step");
    assert_eq!(aws.alias_of("orders", "prod").unwrap().version, "3");
    assert!(aws.running_executions("gitmoxi-orders.prod").is_empty());
}
