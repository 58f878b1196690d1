//! The core scenario on the oldest supported Terraform, 1.0.3 (the bottom of the version range): create,
//! a CANARY rollout seen on the alias, an alarm rollback, destroy, each read back with the SDK.
//! Terraform 1.15.5 runs the same life-cycle in `deployment.rs`. With 1.0.3 the provider still
//! comes in through dev_overrides without `terraform init` (see `harness`).

use std::time::Duration;

use aws_sdk_cloudwatch::types::StateValue;

use crate::fixtures::{
    alias, deployment_state, errors_alarm, function_names, set_alarm, versions, wait_for_alias,
    write_handler_zip, Deployment,
};
use crate::harness::{terraform_1_0, Emulator, Workspace};

const FUNCTION: &str = "e2e-tf10";
const ALARM: &str = "e2e-tf10-errors";

#[tokio::test]
async fn terraform_1_0_creates_rolls_out_rolls_back_and_destroys() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let cloudwatch = emulator.cloudwatch_client();
    errors_alarm(&cloudwatch, ALARM).await;

    let ws = Workspace::new("tf10").with_terraform(terraform_1_0());
    let version = ws.tf(&["version"]);
    version.assert_success().assert_contains("Terraform v1.0.3");
    for (file, body) in [("v1.zip", "v1"), ("v2.zip", "v2"), ("v3.zip", "v3")] {
        write_handler_zip(&ws, file, body);
    }
    let mut deployment = Deployment::new(FUNCTION).canary(50, "4s");
    deployment.alarms = vec![ALARM.to_string()];

    // Create: version 1 at 100%.
    deployment.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    assert!(alias(&lambda, FUNCTION, "live").await.serves_only("1"));
    let plan = ws.tf(&["plan", "-detailed-exitcode"]);
    assert_eq!(
        plan.code(),
        Some(0),
        "the plan after create is empty:\n{plan}"
    );

    // A CANARY rollout: 50% on version 2 is seen while apply runs, then 100%.
    deployment.package_file = "v2.zip".to_string();
    deployment.write(&ws, &emulator.endpoint());
    let apply = ws.tf_spawn(&["apply", "-auto-approve"]);
    let canary = wait_for_alias(&lambda, FUNCTION, "live", Duration::from_secs(60), |a| {
        !a.weights.is_empty()
    })
    .await;
    let out = apply.wait();
    out.assert_success();
    let canary = canary.unwrap_or_else(|| panic!("no canary weight seen during:\n{out}"));
    assert_eq!(canary.version, "1");
    assert_eq!(canary.weights, vec![("2".to_string(), 0.5)]);
    assert!(alias(&lambda, FUNCTION, "live").await.serves_only("2"));
    let state = ws.state_json();
    assert_eq!(deployment_state(&state)["version"], "2");
    assert_eq!(
        deployment_state(&state)["last_deployment"]["status"],
        "SUCCEEDED"
    );

    // The alarm fires during the canary of version 3: traffic goes back to 2.
    deployment.package_file = "v3.zip".to_string();
    deployment.traffic_shifting = crate::fixtures::shifting("CANARY", 50, "30s");
    deployment.write(&ws, &emulator.endpoint());
    let apply = ws.tf_spawn(&["apply", "-auto-approve"]);
    let canary = wait_for_alias(&lambda, FUNCTION, "live", Duration::from_secs(60), |a| {
        !a.weights.is_empty()
    })
    .await;
    set_alarm(&cloudwatch, ALARM, StateValue::Alarm).await;
    let out = apply.wait_timeout(Duration::from_secs(120));
    assert!(canary.is_some(), "no canary weight seen during:\n{out}");
    out.assert_failure_contains(ALARM);
    assert!(
        alias(&lambda, FUNCTION, "live").await.serves_only("2"),
        "the alias is back on version 2"
    );
    assert_eq!(versions(&lambda, FUNCTION).await, vec!["2"]);
    let state = ws.state_json();
    let values = deployment_state(&state);
    assert_eq!(values["version"], "2", "state: {values:#}");
    assert_eq!(values["last_deployment"]["status"], "ROLLED_BACK");
    let plan = ws.tf(&["plan", "-detailed-exitcode"]);
    assert_eq!(
        plan.code(),
        Some(2),
        "the release is still pending:\n{plan}"
    );

    // Destroy removes the alias and the function.
    ws.tf(&["destroy", "-auto-approve"]).assert_success();
    assert!(function_names(&lambda).await.is_empty(), "function left");
}

/// Terraform 1.0 cannot keep a write-only value out of its state: validate refuses it, naming
/// the version needed and what to use instead.
#[test]
fn terraform_1_0_is_told_write_only_secrets_need_1_11() {
    let ws = Workspace::new("tf10-wo").with_terraform(terraform_1_0());
    write_handler_zip(&ws, "v1.zip", "v1");
    let mut deployment = Deployment::new("e2e-tf10-wo");
    deployment.extra = "  sensitive_environment_wo         = { TOKEN = \"x\" }\n\
                        sensitive_environment_wo_version = 1\n"
        .into();
    deployment.write(&ws, "http://127.0.0.1:9");
    ws.tf(&["validate"])
        .assert_failure_contains("sensitive_environment_wo needs Terraform 1.11 or later")
        .assert_contains("sensitive_environment");
}
