//! What is checked before any change: execution roles IAM knows (and waits for while they
//! propagate), hook functions that exist, the environment's 4 KB.

use super::*;

#[tokio::test(start_paused = true)]
async fn a_role_iam_has_not_propagated_is_waited_for() {
    let (aws, tf) = setup();
    aws.role_propagates_at(ROLE, Duration::from_secs(40));
    let applied = tf
        .apply(
            &Instance::default(),
            &config(&tf, &package("v1"), json!({})),
        )
        .await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(s(&applied.state, "version"), "1");
    let refused = refused_calls(&aws, "create_function");
    assert!(refused >= 7, "refused while IAM propagates: {refused}");
}

#[tokio::test(start_paused = true)]
async fn a_new_role_iam_has_not_propagated_is_waited_for_on_update_too() {
    let (aws, tf) = setup();
    let v1 = created(&tf, "v1").await;
    let new_role = "arn:aws:iam::000000000000:role/orders-v2";
    aws.role_propagates_at(new_role, aws.elapsed() + Duration::from_secs(40));
    let definition = definition(json!({"Role": new_role}));
    let cfg = config(
        &tf,
        &package("v1"),
        json!({"function_definition": definition}),
    );
    let applied = tf.apply(&v1, &cfg).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(s(&applied.state, "version"), "2");
    let refused = refused_calls(&aws, "update_configuration");
    assert!(refused >= 7, "refused while IAM propagates: {refused}");
}

#[tokio::test(start_paused = true)]
async fn a_role_iam_does_not_know_stops_a_create_before_any_change() {
    let (aws, tf) = setup();
    aws.role_missing(ROLE);
    let applied = tf
        .apply(
            &Instance::default(),
            &config(&tf, &package("v1"), json!({})),
        )
        .await;
    assert_eq!(
        applied.error_summaries(),
        [format!(
            "Deployment not started: execution role {ROLE} does not exist"
        )]
    );
    assert!(applied.state.is_null());
    assert!(aws.function_names().is_empty());
    assert_eq!(aws.count("create_function"), 0, "Lambda was not asked");
}

#[tokio::test(start_paused = true)]
async fn a_change_to_a_role_iam_does_not_know_leaves_latest_untouched() {
    let (aws, tf) = setup();
    let v1 = created(&tf, "v1").await;
    let before = aws.mutations().len();
    let gone = "arn:aws:iam::000000000000:role/deleted";
    aws.role_missing(gone);
    let definition = definition(json!({"Role": gone}));
    let cfg = config(
        &tf,
        &package("v1"),
        json!({"function_definition": definition}),
    );
    let applied = tf.apply(&v1, &cfg).await;
    assert_eq!(
        applied.error_summaries(),
        [format!(
            "Deployment not started: execution role {gone} does not exist"
        )]
    );
    assert_eq!(aws.mutations().len(), before, "nothing changed in AWS");
    assert_eq!(s(&applied.state, "version"), "1");
    assert_eq!(applied.state, v1.state, "the state still says what serves");
}

#[tokio::test(start_paused = true)]
async fn an_iam_that_cannot_be_read_leaves_the_role_to_lambda() {
    let (aws, tf) = setup();
    aws.fail_next("get_role", 10, gitmoxi_engine::ports::AwsErrorKind::Other);
    let applied = tf
        .apply(
            &Instance::default(),
            &config(&tf, &package("v1"), json!({})),
        )
        .await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(aws.count("get_role"), 1, "asked once, not retried");
    assert_eq!(s(&applied.state, "version"), "1");
}

#[tokio::test(start_paused = true)]
async fn a_missing_hook_function_stops_the_deployment_before_any_change() {
    let (aws, tf) = setup();
    let hooks = json!({"hooks": [{"before_allow_traffic": "smoke-test"}]});
    let applied = tf
        .apply(&Instance::default(), &config(&tf, &package("v1"), hooks))
        .await;
    let errors = applied.error_summaries();
    assert_eq!(
        errors,
        ["Deployment not started: hook function smoke-test does not exist"]
    );
    assert!(aws.function_names().is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_environment_over_4_kb_is_a_plan_error_that_shows_no_value() {
    let (aws, tf) = setup();
    let big = "x".repeat(3000);
    let secrets = json!({"sensitive_environment": {"TOKEN": big, "OTHER": "y".repeat(1200)}});
    let applied = tf
        .apply(&Instance::default(), &config(&tf, &package("v1"), secrets))
        .await;
    let errors = summaries(&applied.plan_diagnostics, true);
    assert_eq!(
        errors,
        ["The environment is larger than Lambda's 4 KB (4210 bytes)"]
    );
    let text = format!("{:?}", applied.plan_diagnostics);
    assert!(!text.contains("xxxx") && !text.contains("yyyy"), "{text}");
    assert!(aws.function_names().is_empty(), "no AWS call");
}

/// How many calls of `operation` AWS refused.
fn refused_calls(aws: &FakeAws, operation: &str) -> usize {
    let refused = aws.calls().into_iter();
    refused
        .filter(|c| c.call.operation() == operation && c.error.is_some())
        .count()
}
