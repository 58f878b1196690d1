//! An alarm that flaps during a rollout: an ALARM the provider sees is a rollback,
//! even when the alarm is back to OK by the next check.

use std::time::Duration;

use aws_sdk_cloudwatch::types::StateValue;

use super::{assert_clean, assert_truthful};
use crate::fixtures::{
    deployment_state, errors_alarm, set_alarm, wait_for_alias, write_handler_zip, Deployment,
};
use crate::harness::{Emulator, Workspace};

/// Flaps the alarm OK → ALARM → OK, holding ALARM for `hold`, once the canary weight is seen.
async fn flap_during_canary(function: &str, hold: Duration) -> (crate::harness::TfOutput, String) {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let cw = emulator.cloudwatch_client();
    let alarm = format!("{function}-errors");
    errors_alarm(&cw, &alarm).await;
    set_alarm(&cw, &alarm, StateValue::Ok).await;
    let ws = Workspace::new(function);
    write_handler_zip(&ws, "v1.zip", "v1");
    let mut deployment = Deployment::new(function).canary(50, "12s");
    deployment.alarms = vec![alarm.clone()];
    deployment.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();

    deployment.greeting = "flapped".into();
    deployment.write(&ws, &emulator.endpoint());
    let apply = ws.tf_spawn(&["apply", "-auto-approve"]);
    let canary = wait_for_alias(&lambda, function, "live", Duration::from_secs(60), |a| {
        !a.weights.is_empty()
    })
    .await;
    assert!(canary.is_some(), "no canary weight seen");
    set_alarm(&cw, &alarm, StateValue::Alarm).await;
    tokio::time::sleep(hold).await;
    set_alarm(&cw, &alarm, StateValue::Ok).await;
    let out = apply.wait_timeout(Duration::from_secs(90));

    assert_clean(&lambda, function, 0, "after the flap").await;
    assert_truthful(&ws, &lambda, function, "flapped", "after the flap").await;
    let state = ws.state_json();
    let status = deployment_state(&state)["last_deployment"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (out, status)
}

/// ALARM held longer than the provider's 3 s check interval: it is seen, and the rollout rolls
/// back even though the alarm is OK again before the wait ends.
#[tokio::test]
async fn an_alarm_that_flaps_past_a_check_rolls_the_rollout_back() {
    let (out, status) = flap_during_canary("faults-flap", Duration::from_millis(4_000)).await;
    out.assert_failure_contains("faults-flap-errors");
    assert_eq!(status, "ROLLED_BACK", "{out}");
}

/// ALARM for 300 ms, between two checks: polling alone would miss it, so a state change since
/// the last poll is looked up in the alarm's history, and the ALARM in between rolls back.
#[tokio::test]
async fn an_alarm_that_flaps_between_checks_is_still_seen_and_rolls_back() {
    let (out, status) = flap_during_canary("faults-blink", Duration::from_millis(300)).await;
    out.assert_failure_contains("faults-blink-errors");
    assert_eq!(status, "ROLLED_BACK", "{out}");
}
