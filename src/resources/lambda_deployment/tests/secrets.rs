//! Secret values that AWS echoes in an answer (Lambda lists every variable when it refuses an
//! environment over 4 KB) never reach a diagnostic, the state or a notification.

use super::*;

const SECRET: &str = "hunter2-do-not-show";
const TOPIC: &str = "arn:aws:sns:us-east-1:000000000000:deployments";

fn with_secret(value: &str) -> Json {
    json!({
        "sensitive_environment": {"TOKEN": value},
        "notification_topic_arn": TOPIC,
    })
}

#[tokio::test(start_paused = true)]
async fn a_create_refused_with_the_environment_echoed_shows_no_secret() {
    let (aws, tf) = setup();
    aws.environment_limit(10);
    let cfg = config(&tf, &package("v1"), with_secret(SECRET));
    let applied = tf.apply(&Instance::default(), &cfg).await;

    let text = format!("{:?}", applied.diagnostics);
    assert!(text.contains("exceeded the 4KB limit"), "{text}");
    assert!(text.contains("(sensitive value)"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(aws.function_names().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_release_refused_with_the_environment_echoed_shows_no_secret_anywhere() {
    let (aws, tf) = setup();
    let first = config(&tf, &package("v1"), with_secret("first-value"));
    let v1 = tf.apply(&Instance::default(), &first).await;
    assert!(v1.diagnostics.is_empty(), "{:?}", v1.diagnostics);

    aws.environment_limit(10);
    let second = config(&tf, &package("v1"), with_secret(SECRET));
    let applied = tf.apply(&v1.instance(), &second).await;

    let diagnostics = format!("{:?}", applied.diagnostics);
    assert!(
        diagnostics.contains("exceeded the 4KB limit"),
        "{diagnostics}"
    );
    assert!(!diagnostics.contains(SECRET), "{diagnostics}");
    let reason = applied.state.get("last_deployment").get("reason");
    let reason = reason.as_str().unwrap_or_default().to_string();
    assert!(reason.contains("(sensitive value)"), "{reason}");
    assert!(!format!("{:?}", applied.state).contains(SECRET));
    let notified: Vec<String> = aws
        .calls()
        .iter()
        .filter_map(|c| match &c.call {
            gitmoxi_fake_aws::Call::Notify(n) => n.reason.clone(),
            _ => None,
        })
        .collect();
    assert!(
        notified
            .iter()
            .any(|r| r.contains("exceeded the 4KB limit")),
        "{notified:?}"
    );
    assert!(notified.iter().all(|r| !r.contains(SECRET)), "{notified:?}");
}

/// The variables version `version` of the function serves.
fn served_env(aws: &FakeAws, version: &str) -> Json {
    let view = aws.get_function("orders", version).unwrap();
    let env = view.configuration.get("Environment").unwrap_or("{}");
    serde_json::from_str::<Json>(env).unwrap()["Variables"].clone()
}

fn write_only(value: &str, version: u32) -> Json {
    json!({
        "sensitive_environment_wo": {"TOKEN": value},
        "sensitive_environment_wo_version": version,
    })
}

#[tokio::test(start_paused = true)]
async fn write_only_values_reach_lambda_and_never_the_plan_or_the_state() {
    let (aws, tf) = setup();
    let cfg = config(&tf, &package("v1"), write_only(SECRET, 1));
    let applied = tf.apply(&Instance::default(), &cfg).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);

    assert_eq!(served_env(&aws, "1")["TOKEN"], SECRET);
    for (what, value) in [("plan", &applied.planned), ("state", &applied.state)] {
        assert!(!format!("{value:?}").contains(SECRET), "{what} holds it");
        assert!(value.get("sensitive_environment_wo").is_null(), "{what}");
    }
    assert_eq!(
        applied.state.get("sensitive_environment_wo_version"),
        &Value::Number(1.0)
    );
    let (planned, diags) = tf.plan(&applied.instance(), &cfg).await;
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        planned, applied.state,
        "nothing to do while the version stays"
    );
}

#[tokio::test(start_paused = true)]
async fn a_new_write_only_version_deploys_the_values_as_they_are_now() {
    let (aws, tf) = setup();
    let file = package("v1");
    let first = config(&tf, &file, write_only("first", 1));
    let v1 = tf.apply(&Instance::default(), &first).await;

    let same_version = config(&tf, &file, write_only("second", 1));
    let (planned, _) = tf.plan(&v1.instance(), &same_version).await;
    assert_eq!(planned, v1.state, "values alone are invisible to the plan");

    let bumped = config(&tf, &file, write_only("second", 2));
    let v2 = tf.apply(&v1.instance(), &bumped).await;
    assert!(v2.diagnostics.is_empty(), "{:?}", v2.diagnostics);
    assert_eq!(s(&v2.state, "version"), "2");
    assert_eq!(served_env(&aws, "2")["TOKEN"], "second");
}

#[tokio::test(start_paused = true)]
async fn write_only_values_need_a_version() {
    let (_, tf) = setup();
    let cfg = config(
        &tf,
        &package("v1"),
        json!({"sensitive_environment_wo": {"TOKEN": SECRET}}),
    );
    let applied = tf.apply(&Instance::default(), &cfg).await;
    assert_eq!(
        summaries(&applied.plan_diagnostics, true),
        ["sensitive_environment_wo needs sensitive_environment_wo_version"]
    );
}

#[tokio::test(start_paused = true)]
async fn a_terraform_without_write_only_support_is_told_which_version_it_needs() {
    let (aws, mut tf) = setup();
    tf.write_only_allowed = false;
    let cfg = config(&tf, &package("v1"), write_only(SECRET, 1));
    let applied = tf.apply(&Instance::default(), &cfg).await;
    let text = format!("{:?}", applied.plan_diagnostics);
    assert!(
        text.contains("sensitive_environment_wo needs Terraform 1.11 or later"),
        "{text}"
    );
    assert!(text.contains("use `sensitive_environment`"), "{text}");
    assert!(aws.function_names().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_variable_in_both_secret_maps_is_an_error_naming_it() {
    let (_, tf) = setup();
    let both = json!({
        "sensitive_environment": {"TOKEN": "a"},
        "sensitive_environment_wo": {"TOKEN": "b"},
        "sensitive_environment_wo_version": 1,
    });
    let applied = tf
        .apply(&Instance::default(), &config(&tf, &package("v1"), both))
        .await;
    assert_eq!(
        summaries(&applied.plan_diagnostics, true),
        ["Environment variable `TOKEN` is set in both sensitive_environment and sensitive_environment_wo"]
    );
}
