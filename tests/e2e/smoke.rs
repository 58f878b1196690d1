//! The harness itself: tools present, emulator up, provider found through dev_overrides.

use crate::harness::{provider_block, Emulator, Workspace, PROVIDER_ADDRESS};

#[tokio::test]
async fn emulator_answers_lambda_and_cloudwatch() {
    let emulator = Emulator::start();

    let functions = emulator
        .lambda_client()
        .list_functions()
        .send()
        .await
        .expect("ListFunctions on the emulator");
    assert!(
        functions.functions().is_empty(),
        "a new emulator has no functions"
    );

    let alarms = emulator
        .cloudwatch_client()
        .describe_alarms()
        .send()
        .await
        .expect("DescribeAlarms on the emulator");
    assert!(
        alarms.metric_alarms().is_empty(),
        "a new emulator has no alarms"
    );
}

#[test]
fn schema_names_the_provider_without_init() {
    let ws = Workspace::new("schema");
    ws.write("main.tf", &provider_block("http://127.0.0.1:9"));

    let schema = ws.tf_json(&["providers", "schema", "-json"]);

    let providers = &schema["provider_schemas"];
    assert!(
        providers.get(PROVIDER_ADDRESS).is_some(),
        "providers schema -json does not name {PROVIDER_ADDRESS}: {schema:#}"
    );
}

#[test]
fn validate_accepts_the_emulator_provider_block() {
    let emulator = Emulator::start();
    let ws = Workspace::new("validate");
    ws.write("main.tf", &provider_block(&emulator.endpoint()));

    ws.tf(&["validate"])
        .assert_success()
        .assert_contains("The configuration is valid");
}
