//! The life-cycle of `gitmoxi_lambda_deployment` through the real Terraform CLI: create,
//! rollouts watched on the alias while `terraform apply` runs, settings-only changes, rollback on an
//! alarm and on Ctrl-C, alias drift, import and destroy. Every test reads AWS back with the SDK.

use std::time::Duration;

use aws_sdk_cloudwatch::types::StateValue;

use crate::fixtures::{
    alias, deployment_state, errors_alarm, function_made_outside, function_names, plan_exit_code,
    set_alarm, split_live_by_hand, versions, wait_for_alias, write_handler_zip, Deployment,
    ROLE_ARN,
};
use crate::harness::{Emulator, Workspace};

/// How long a test waits to see a rollout's intermediate weight on the alias.
const SEE_WEIGHT_WITHIN: Duration = Duration::from_secs(60);

/// Creates the function with version 1 on `live` and returns the workspace.
fn create(emulator: &Emulator, ws_name: &str, deployment: &Deployment) -> Workspace {
    let ws = Workspace::new(ws_name);
    write_handler_zip(&ws, "v1.zip", "v1");
    write_handler_zip(&ws, "v2.zip", "v2");
    deployment.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    ws
}

#[tokio::test]
async fn create_puts_version_1_on_the_alias_at_100_percent() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let deployment = Deployment::new("e2e-create").canary(50, "3s");

    let ws = create(&emulator, "create", &deployment);

    assert_eq!(function_names(&lambda).await, vec!["e2e-create"]);
    let live = alias(&lambda, "e2e-create", "live").await;
    assert!(live.serves_only("1"), "alias after create: {live:?}");
    assert_eq!(versions(&lambda, "e2e-create").await, vec!["1"]);
    let state = ws.state_json();
    let values = deployment_state(&state);
    assert_eq!(values["version"], "1", "state: {values:#}");
    assert_eq!(values["id"], "e2e-create");
    assert!(
        values["alias_arn"]
            .as_str()
            .unwrap_or_default()
            .ends_with(":function:e2e-create:live"),
        "alias_arn: {}",
        values["alias_arn"]
    );

    let (code, out) = plan_exit_code(&ws);
    assert_eq!(code, Some(0), "the plan after create is empty:\n{out}");
}

#[tokio::test]
async fn linear_rollout_is_seen_at_50_percent_then_serves_version_2() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let mut deployment = Deployment::new("e2e-linear").linear(50, "4s");
    let ws = create(&emulator, "linear", &deployment);

    deployment.package_file = "v2.zip".to_string();
    deployment.write(&ws, &emulator.endpoint());
    let apply = ws.tf_spawn(&["apply", "-auto-approve"]);
    let halfway = wait_for_alias(&lambda, "e2e-linear", "live", SEE_WEIGHT_WITHIN, |a| {
        !a.weights.is_empty()
    })
    .await;
    let out = apply.wait();

    out.assert_success();
    let halfway = halfway.unwrap_or_else(|| panic!("no weighted alias seen during:\n{out}"));
    assert_eq!(halfway.version, "1", "the old version stays primary");
    assert_eq!(halfway.weights, vec![("2".to_string(), 0.5)]);
    let live = alias(&lambda, "e2e-linear", "live").await;
    assert!(live.serves_only("2"), "alias after the rollout: {live:?}");
    let state = ws.state_json();
    let values = deployment_state(&state);
    assert_eq!(values["version"], "2");
    assert_eq!(values["previous_version"], "1");
    assert_eq!(values["last_deployment"]["status"], "SUCCEEDED");
    let weights: Vec<_> = values["last_deployment"]["steps"]
        .as_array()
        .map(|steps| steps.iter().map(|s| s["weight_percent"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(weights, vec![serde_json::json!(50), serde_json::json!(100)]);
    let (code, out) = plan_exit_code(&ws);
    assert_eq!(code, Some(0), "the plan after the rollout is empty:\n{out}");
}

#[tokio::test]
async fn settings_only_change_publishes_nothing() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let mut deployment = Deployment::new("e2e-settings").canary(50, "3s");
    let ws = create(&emulator, "settings", &deployment);
    let before = versions(&lambda, "e2e-settings").await;

    deployment = deployment.canary(30, "5s");
    deployment.retain_versions = Some(2);
    deployment.write(&ws, &emulator.endpoint());
    ws.tf(&["plan", "-out=settings.tfplan"]).assert_success();
    let plan = ws.tf_json(&["show", "-json", "settings.tfplan"]);
    let change = &plan["resource_changes"][0]["change"];
    assert_eq!(
        change["actions"],
        serde_json::json!(["update"]),
        "plan: {change:#}"
    );
    assert_eq!(
        change["after"]["version"], change["before"]["version"],
        "a settings change keeps the version: {change:#}"
    );
    assert_ne!(
        change["after_unknown"]["version"], true,
        "the version is not recomputed: {change:#}"
    );
    ws.tf(&["apply", "-auto-approve", "settings.tfplan"])
        .assert_success();

    assert_eq!(versions(&lambda, "e2e-settings").await, before);
    assert!(alias(&lambda, "e2e-settings", "live")
        .await
        .serves_only("1"));
    let state = ws.state_json();
    assert_eq!(deployment_state(&state)["retain_versions"], 2);
    let (code, out) = plan_exit_code(&ws);
    assert_eq!(
        code,
        Some(0),
        "the plan after the settings change is empty:\n{out}"
    );
}

#[tokio::test]
async fn alarm_firing_mid_rollout_rolls_back_and_deletes_the_failed_version() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let cloudwatch = emulator.cloudwatch_client();
    let alarm = "e2e-errors";
    errors_alarm(&cloudwatch, alarm).await;
    let mut deployment = Deployment::new("e2e-alarm").canary(50, "30s");
    deployment.alarms = vec![alarm.to_string()];
    let ws = create(&emulator, "alarm", &deployment);

    deployment.package_file = "v2.zip".to_string();
    deployment.write(&ws, &emulator.endpoint());
    let apply = ws.tf_spawn(&["apply", "-auto-approve"]);
    let canary = wait_for_alias(&lambda, "e2e-alarm", "live", SEE_WEIGHT_WITHIN, |a| {
        !a.weights.is_empty()
    })
    .await;
    set_alarm(&cloudwatch, alarm, StateValue::Alarm).await;
    let out = apply.wait_timeout(Duration::from_secs(120));

    assert!(canary.is_some(), "no canary weight seen during:\n{out}");
    out.assert_failure_contains(alarm);
    assert!(
        out.elapsed < Duration::from_secs(30),
        "the alarm should stop the 30s wait early:\n{out}"
    );
    let live = alias(&lambda, "e2e-alarm", "live").await;
    assert!(live.serves_only("1"), "alias after the rollback: {live:?}");
    assert_eq!(
        versions(&lambda, "e2e-alarm").await,
        vec!["1"],
        "the failed version is deleted"
    );
    let state = ws.state_json();
    let values = deployment_state(&state);
    assert_eq!(values["version"], "1");
    assert_eq!(
        values["last_deployment"]["status"], "ROLLED_BACK",
        "state: {values:#}"
    );
    assert!(
        values["last_deployment"]["failed_check"]
            .as_str()
            .unwrap_or_default()
            .contains(alarm),
        "failed_check names the alarm: {values:#}"
    );

    // The alarm is still firing; the plan still wants the release.
    let (code, out) = plan_exit_code(&ws);
    assert_eq!(code, Some(2), "the release is still pending:\n{out}");
}

#[derive(Clone, Copy)]
enum Signal {
    /// `kill -INT` to Terraform alone, as a CI runner's cancel does.
    Terraform,
    /// SIGINT to Terraform and the provider together, as Ctrl-C in a terminal does.
    ProcessGroup,
}

async fn interrupt_mid_rollout(function: &str, signal: Signal) {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let mut deployment = Deployment::new(function).canary(50, "60s");
    let ws = create(&emulator, function, &deployment);

    deployment.package_file = "v2.zip".to_string();
    deployment.write(&ws, &emulator.endpoint());
    let apply = ws.tf_spawn(&["apply", "-auto-approve"]);
    let canary = wait_for_alias(&lambda, function, "live", SEE_WEIGHT_WITHIN, |a| {
        !a.weights.is_empty()
    })
    .await;
    let interrupted_at = std::time::Instant::now();
    match signal {
        Signal::Terraform => apply.interrupt(),
        Signal::ProcessGroup => apply.interrupt_like_ctrl_c(),
    }
    let out = apply.wait_timeout(Duration::from_secs(60));
    let stopping = interrupted_at.elapsed();

    assert!(canary.is_some(), "no canary weight seen during:\n{out}");
    assert!(!out.success(), "an interrupted apply fails:\n{out}");
    out.assert_contains("Interrupt received");
    assert!(
        !out.contains("Plugin did not respond"),
        "the provider died on SIGINT instead of ignoring it and waiting for StopProvider:\n{out}\n\
         alias left: {:?}",
        alias(&lambda, function, "live").await
    );
    assert!(
        stopping < Duration::from_secs(10),
        "the rollout should stop within seconds of the interrupt, took {stopping:?}:\n{out}"
    );
    let live = alias(&lambda, function, "live").await;
    assert!(live.serves_only("1"), "alias after the interrupt: {live:?}");
    assert_eq!(
        versions(&lambda, function).await,
        vec!["1"],
        "the interrupted version is deleted"
    );
    let state = ws.state_json();
    let values = deployment_state(&state);
    assert_eq!(values["version"], "1");
    assert_eq!(
        values["last_deployment"]["status"], "INTERRUPTED",
        "state: {values:#}"
    );
    let (code, out) = plan_exit_code(&ws);
    assert_eq!(code, Some(2), "the release is still pending:\n{out}");
}

#[tokio::test]
async fn interrupt_mid_rollout_rolls_back_and_deletes_the_failed_version() {
    interrupt_mid_rollout("e2e-interrupt", Signal::Terraform).await;
}

#[tokio::test]
async fn ctrl_c_to_the_process_group_mid_rollout_rolls_back_too() {
    interrupt_mid_rollout("e2e-ctrl-c", Signal::ProcessGroup).await;
}

/// A provider killed outright (second Ctrl-C, lost CI runner) leaves the alias weighted; the next
/// plan shows the repair and the next apply ends clean.
#[tokio::test]
async fn killed_apply_leaves_weights_that_the_next_apply_repairs() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let mut deployment = Deployment::new("e2e-killed").canary(50, "60s");
    let ws = create(&emulator, "killed", &deployment);

    deployment.package_file = "v2.zip".to_string();
    deployment.write(&ws, &emulator.endpoint());
    let apply = ws.tf_spawn(&["apply", "-auto-approve"]);
    let canary = wait_for_alias(&lambda, "e2e-killed", "live", SEE_WEIGHT_WITHIN, |a| {
        !a.weights.is_empty()
    })
    .await;
    drop(apply); // SIGKILL to Terraform and the provider
    assert!(canary.is_some(), "no canary weight seen");
    let left = alias(&lambda, "e2e-killed", "live").await;
    assert!(
        !left.weights.is_empty(),
        "the kill left the weights: {left:?}"
    );

    let (code, out) = plan_exit_code(&ws);
    assert_eq!(code, Some(2), "the repair is planned:\n{out}");
    out.assert_contains("The alias does not serve the deployed release");
    deployment.traffic_shifting = crate::fixtures::shifting("CANARY", 50, "1s");
    deployment.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();

    let live = alias(&lambda, "e2e-killed", "live").await;
    assert!(live.weights.is_empty(), "alias after the repair: {live:?}");
    assert_ne!(live.version, "1", "the declared v2 serves: {live:?}");
    assert_eq!(
        versions(&lambda, "e2e-killed").await,
        vec![live.version.clone()],
        "retain_versions = 0 leaves only the serving version"
    );
    let state = ws.state_json();
    assert_eq!(deployment_state(&state)["version"], live.version.as_str());
    let (code, out) = plan_exit_code(&ws);
    assert_eq!(code, Some(0), "the plan after the repair is empty:\n{out}");
}

#[tokio::test]
async fn alias_moved_outside_terraform_is_planned_and_restored() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let mut deployment = Deployment::new("e2e-drift").canary(50, "1s");
    let ws = create(&emulator, "drift", &deployment);
    deployment.package_file = "v2.zip".to_string();
    deployment.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    assert!(alias(&lambda, "e2e-drift", "live").await.serves_only("2"));

    // Someone points the alias back at version 1 with a weight on 2.
    split_live_by_hand(&lambda, "e2e-drift").await;

    let (code, out) = plan_exit_code(&ws);
    assert_eq!(code, Some(2), "the drift is planned:\n{out}");
    out.assert_contains("will be updated in-place")
        .assert_contains("The alias does not serve the deployed release")
        .assert_contains("Alias live routes 70% to version 1 and 30% to version 2");

    ws.tf(&["apply", "-auto-approve"]).assert_success();
    // The repair re-releases the declared code: the alias ends at 100% on one version holding it
    // (ministack publishes a fresh copy when $LATEST's configuration is updated again; AWS would
    // return version 2), that version is the state's, and retain_versions = 0 leaves no other.
    let live = alias(&lambda, "e2e-drift", "live").await;
    assert!(live.weights.is_empty(), "alias after the repair: {live:?}");
    let state = ws.state_json();
    let values = deployment_state(&state);
    assert_eq!(
        values["version"],
        live.version.as_str(),
        "state: {values:#}"
    );
    assert_eq!(
        values["code_sha256"],
        code_sha256(&lambda, "e2e-drift", &live.version)
            .await
            .as_str(),
    );
    assert_eq!(
        versions(&lambda, "e2e-drift").await,
        vec![live.version.clone()]
    );
    let (code, out) = plan_exit_code(&ws);
    assert_eq!(code, Some(0), "the plan after the repair is empty:\n{out}");
}

#[tokio::test]
async fn alias_pointed_back_at_an_older_version_is_planned_and_restored() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let mut deployment = Deployment::new("e2e-rewind").canary(50, "1s");
    deployment.retain_versions = Some(1);
    let ws = create(&emulator, "rewind", &deployment);
    deployment.package_file = "v2.zip".to_string();
    deployment.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    assert_eq!(versions(&lambda, "e2e-rewind").await, vec!["1", "2"]);

    lambda
        .update_alias()
        .function_name("e2e-rewind")
        .name("live")
        .function_version("1")
        .send()
        .await
        .expect("UpdateAlias");

    let (code, out) = plan_exit_code(&ws);
    assert_eq!(code, Some(2), "the drift is planned:\n{out}");
    out.assert_contains("The alias does not serve the deployed release")
        .assert_contains("version 1");

    ws.tf(&["apply", "-auto-approve"]).assert_success();
    let live = alias(&lambda, "e2e-rewind", "live").await;
    assert!(live.weights.is_empty(), "alias after the repair: {live:?}");
    assert_ne!(
        live.version, "1",
        "the declared release serves again: {live:?}"
    );
    assert_eq!(
        code_sha256(&lambda, "e2e-rewind", &live.version).await,
        code_sha256(&lambda, "e2e-rewind", "2").await,
        "the alias serves the declared (v2) code"
    );
    let state = ws.state_json();
    assert_eq!(deployment_state(&state)["version"], live.version.as_str());
    let (code, out) = plan_exit_code(&ws);
    assert_eq!(code, Some(0), "the plan after the repair is empty:\n{out}");
}

#[tokio::test]
async fn import_reads_a_function_made_outside_terraform() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let ws = Workspace::new("import");
    let version = function_made_outside(&lambda, &ws, "e2e-import").await;
    Deployment::new("e2e-import")
        .canary(50, "3s")
        .write(&ws, &emulator.endpoint());

    ws.tf(&["import", "gitmoxi_lambda_deployment.fn", "e2e-import:live"])
        .assert_success();

    let state = ws.state_json();
    let values = deployment_state(&state);
    assert_eq!(values["version"], version.as_str(), "state: {values:#}");
    assert_eq!(values["alias"], "live");
    let definition: serde_json::Value = serde_json::from_str(
        values["function_definition"]
            .as_str()
            .unwrap_or_else(|| panic!("no function_definition in {values:#}")),
    )
    .expect("function_definition is JSON");
    assert_eq!(definition["FunctionName"], "e2e-import");
    assert_eq!(definition["Role"], ROLE_ARN);
    assert_eq!(definition["Handler"], "app.handler");
    // Environment values never leave AWS: the state keeps the variables by name.
    assert!(definition.get("Environment").is_none(), "{definition:#}");
    assert_eq!(values["keep_environment"], serde_json::json!(["GREETING"]));
    assert!(
        !state.to_string().contains("hello"),
        "no value in the state"
    );
    // The declared code and configuration equal what the alias serves: nothing to publish.
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    assert_eq!(versions(&lambda, "e2e-import").await, vec![version.clone()]);
    assert!(alias(&lambda, "e2e-import", "live")
        .await
        .serves_only(&version));
}

#[tokio::test]
async fn destroy_removes_the_alias_and_the_function() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let deployment = Deployment::new("e2e-destroy").canary(50, "3s");
    let ws = create(&emulator, "destroy", &deployment);
    assert_eq!(function_names(&lambda).await, vec!["e2e-destroy"]);

    ws.tf(&["destroy", "-auto-approve"]).assert_success();

    assert!(function_names(&lambda).await.is_empty(), "function left");
    let alias_lookup = lambda
        .get_alias()
        .function_name("e2e-destroy")
        .name("live")
        .send()
        .await;
    assert!(alias_lookup.is_err(), "alias left: {alias_lookup:?}");
    let state = ws.state_json();
    assert!(
        state["values"]["root_module"]["resources"].is_null()
            || state["values"]["root_module"]["resources"] == serde_json::json!([]),
        "state after destroy: {state:#}"
    );
}

async fn code_sha256(lambda: &aws_sdk_lambda::Client, function: &str, version: &str) -> String {
    lambda
        .get_function_configuration()
        .function_name(function)
        .qualifier(version)
        .send()
        .await
        .expect("GetFunctionConfiguration")
        .code_sha256()
        .unwrap_or_default()
        .to_string()
}
