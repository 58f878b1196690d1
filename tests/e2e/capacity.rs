//! `provisioned_concurrency` through Terraform on the emulator: capacity on the new version
//! before its first shift, held on the old one until success, kept through an alarm rollback,
//! and a number-only change that publishes nothing. (ministack answers READY at once; capacity
//! that takes time or fails is covered by the engine's and the resource's tests.)

use std::time::Duration;

use aws_sdk_cloudwatch::types::StateValue;

use crate::fixtures::{
    alias, errors_alarm, set_alarm, versions, wait_for_alias, write_handler_zip, Deployment,
};
use crate::harness::{Emulator, Workspace};

const FUNCTION: &str = "e2e-capacity";
const ALARM: &str = "e2e-capacity-errors";

async fn capacity(lambda: &aws_sdk_lambda::Client, version: &str) -> Option<i32> {
    let found = lambda
        .get_provisioned_concurrency_config()
        .function_name(FUNCTION)
        .qualifier(version)
        .send()
        .await
        .ok()?;
    found.requested_provisioned_concurrent_executions()
}

#[tokio::test]
async fn capacity_moves_with_the_release_and_stays_through_a_rollback() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let cloudwatch = emulator.cloudwatch_client();
    errors_alarm(&cloudwatch, ALARM).await;
    let ws = Workspace::new("capacity");
    for (file, body) in [("v1.zip", "v1"), ("v2.zip", "v2"), ("v3.zip", "v3")] {
        write_handler_zip(&ws, file, body);
    }
    let mut deployment = Deployment::new(FUNCTION).canary(50, "4s");
    deployment.alarms = vec![ALARM.to_string()];
    deployment.extra = "  provisioned_concurrency = 2\n  retain_versions = 1\n".into();
    deployment.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    assert_eq!(capacity(&lambda, "1").await, Some(2));

    // v2: during the canary both versions are warm; afterwards only v2 is.
    deployment.package_file = "v2.zip".into();
    deployment.write(&ws, &emulator.endpoint());
    let plan = ws.tf(&["plan"]);
    plan.assert_success()
        .assert_contains("2 provisioned concurrency on the new version, READY before traffic");
    let apply = ws.tf_spawn(&["apply", "-auto-approve"]);
    let canary = wait_for_alias(&lambda, FUNCTION, "live", Duration::from_secs(60), |a| {
        !a.weights.is_empty()
    })
    .await;
    let during = (capacity(&lambda, "1").await, capacity(&lambda, "2").await);
    let out = apply.wait();
    out.assert_success();
    assert!(canary.is_some(), "no canary seen during:\n{out}");
    assert_eq!(during, (Some(2), Some(2)), "both warm during the canary");
    assert_eq!(capacity(&lambda, "2").await, Some(2));
    assert_eq!(capacity(&lambda, "1").await, None, "released after success");

    // v3: the alarm fires during the canary; traffic goes back to the still-warm v2.
    deployment.package_file = "v3.zip".into();
    deployment.write(&ws, &emulator.endpoint());
    let apply = ws.tf_spawn(&["apply", "-auto-approve"]);
    let canary = wait_for_alias(&lambda, FUNCTION, "live", Duration::from_secs(60), |a| {
        !a.weights.is_empty()
    })
    .await;
    set_alarm(&cloudwatch, ALARM, StateValue::Alarm).await;
    let out = apply.wait_timeout(Duration::from_secs(120));
    assert!(canary.is_some(), "no canary seen during:\n{out}");
    out.assert_failure_contains(ALARM);
    assert!(alias(&lambda, FUNCTION, "live").await.serves_only("2"));
    assert_eq!(
        capacity(&lambda, "2").await,
        Some(2),
        "kept through the rollback"
    );
    set_alarm(&cloudwatch, ALARM, StateValue::Ok).await;

    // A number-only change: applied to the serving version, nothing published.
    deployment.package_file = "v2.zip".into();
    deployment.extra = "  provisioned_concurrency = 3\n  retain_versions = 1\n".into();
    deployment.write(&ws, &emulator.endpoint());
    let before = versions(&lambda, FUNCTION).await;
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    assert_eq!(
        versions(&lambda, FUNCTION).await,
        before,
        "nothing published"
    );
    assert_eq!(capacity(&lambda, "2").await, Some(3));
    let plan = ws.tf(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), Some(0), "nothing left to do:\n{plan}");
}
