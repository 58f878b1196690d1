//! Rollouts run by AWS Step Functions (`orchestrator { type = "step_functions" }`) through the
//! real Terraform CLI, against ministack, whose Step Functions runs the compiled state machine
//! with real `Wait` states: the canary weight seen on the alias while Terraform follows the
//! execution; `wait_for_rollout = false` returning after the first shift while the execution goes
//! on alone, and the next refresh recording how it ended (success, or an alarm's rollback that the
//! next plan shows as pending again); a rollout that outlives a killed Terraform, after which the
//! next apply neither shifts nor publishes; Ctrl-C stopping the execution and restoring traffic.
//!
//! Each test starts ministack with `SFN_WAIT_SCALE` = [`WAIT_SCALE`]: a configured wait of N
//! seconds passes in N × 0.1 real seconds, so the configurations name waits of minutes that take
//! seconds. Each test's comment gives its real durations. Step Functions is read back with the
//! venv's boto3 (the crate has no Step Functions client).

use std::time::{Duration, Instant};

use aws_sdk_cloudwatch::types::StateValue;
use serde_json::Value;

use crate::fixtures::{
    alias, boto3, deployment_state, errors_alarm, plan_exit_code, set_alarm, versions,
    write_handler_zip, AliasView, Deployment,
};
use crate::harness::{stepfunctions_override, Emulator, TfChild, TfOutput, Workspace};

/// ministack's `SFN_WAIT_SCALE`: real seconds per configured second of a `Wait` state.
const WAIT_SCALE: f64 = 0.1;

/// How long a test waits for a rollout's first shift on the alias (Terraform's start, publish,
/// readiness, the state machine and the execution's first task take about 5 s).
const FIRST_SHIFT_WITHIN: Duration = Duration::from_secs(60);

/// Allowed on top of a scaled wait for what an execution does besides waiting (its tasks).
const MARGIN: Duration = Duration::from_secs(20);

/// The weight every test's canary puts on the new version.
const CANARY_PERCENT: u32 = 50;

/// A ministack whose Step Functions waits pass [`WAIT_SCALE`] times as fast.
fn start_emulator() -> Emulator {
    let scale = WAIT_SCALE.to_string();
    Emulator::start_with_env(&[("SFN_WAIT_SCALE", scale.as_str())])
}

/// A configured wait of `seconds`, as `wait_interval` takes it.
fn configured(seconds: u64) -> String {
    format!("{seconds}s")
}

/// How long a configured wait of `seconds` lasts on this emulator.
fn real(seconds: u64) -> Duration {
    Duration::from_secs_f64(seconds as f64 * WAIT_SCALE)
}

/// A CANARY release of `function` with Step Functions orchestrating, waiting `wait_s` configured
/// seconds at the canary weight.
fn canary_release(function: &str, wait_s: u64) -> Deployment {
    Deployment::new(function)
        .canary(CANARY_PERCENT, &configured(wait_s))
        .step_functions()
}

/// The alias serving `version` alone.
fn alone(version: &str) -> AliasView {
    AliasView {
        version: version.to_string(),
        weights: Vec::new(),
    }
}

/// The alias serving `from` with the canary weight on `to`.
fn canary_of(from: &str, to: &str) -> AliasView {
    AliasView {
        version: from.to_string(),
        weights: vec![(to.to_string(), f64::from(CANARY_PERCENT) / 100.0)],
    }
}

/// Creates the function with `deployment` (version 1 alone on `live`), then writes the same
/// configuration with the v2 package: the release each test rolls out.
async fn create_then_release(emulator: &Emulator, deployment: &Deployment) -> Workspace {
    let ws = Workspace::new(&deployment.function_name);
    write_handler_zip(&ws, "v1.zip", "v1");
    write_handler_zip(&ws, "v2.zip", "v2");
    ws.write("override.tf", &stepfunctions_override(&emulator.endpoint()));
    deployment.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    let live = alias(&emulator.lambda_client(), &deployment.function_name, "live").await;
    assert_eq!(live, alone("1"), "alias after the create");

    let mut release = deployment.clone();
    release.package_file = "v2.zip".to_string();
    release.write(&ws, &emulator.endpoint());
    ws
}

/// The `gitmoxi_lambda_deployment` values in the state.
fn deployment(ws: &Workspace) -> Value {
    deployment_state(&ws.state_json()).clone()
}

/// `last_deployment.execution_arn`, checked to be a Step Functions ARN.
fn execution_arn(values: &Value) -> String {
    let arn = values["last_deployment"]["execution_arn"]
        .as_str()
        .unwrap_or_else(|| panic!("no last_deployment.execution_arn in the state: {values:#}"));
    assert!(
        arn.starts_with("arn:aws:states:"),
        "execution_arn is not a Step Functions ARN: {values:#}"
    );
    arn.to_string()
}

/// `terraform apply -refresh-only`: the state takes what the provider reads, nothing else moves.
fn refresh(ws: &Workspace) {
    ws.tf(&["apply", "-refresh-only", "-auto-approve"])
        .assert_success();
}

/// Whether the command's output contains `text`, ignoring case and how lines were wrapped.
fn mentions(out: &TfOutput, text: &str) -> bool {
    let squash = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let needle = squash(text);
    squash(&out.stdout).contains(&needle) || squash(&out.stderr).contains(&needle)
}

// ---------------------------------------------------------------------------------------------
// Watching the alias
// ---------------------------------------------------------------------------------------------

/// A view of the alias and when it was first seen, from the start of the watch.
struct Seen {
    at: Duration,
    view: AliasView,
}

/// Every distinct view of the alias (polled every 100 ms) until `apply` ends, and the alias as it
/// left it, each with when it was first seen; returns them with the command's output.
async fn watch_timed(
    lambda: &aws_sdk_lambda::Client,
    function: &str,
    mut apply: TfChild,
    timeout: Duration,
) -> (Vec<Seen>, TfOutput) {
    fn record(seen: &mut Vec<Seen>, started: Instant, view: AliasView) {
        if seen.last().map(|s| &s.view) != Some(&view) {
            let at = started.elapsed();
            seen.push(Seen { at, view });
        }
    }
    let started = Instant::now();
    let deadline = started + timeout;
    let mut seen: Vec<Seen> = Vec::new();
    while !apply.is_finished() && Instant::now() < deadline {
        record(&mut seen, started, alias(lambda, function, "live").await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let out = apply
        .wait_timeout(deadline.saturating_duration_since(Instant::now()) + Duration::from_secs(5));
    record(&mut seen, started, alias(lambda, function, "live").await);
    (seen, out)
}

/// Polls the alias every 100 ms until `wanted` accepts it; returns every distinct view seen, the
/// accepted one last. Panics naming `what` when `timeout` passes first.
async fn alias_until(
    lambda: &aws_sdk_lambda::Client,
    function: &str,
    what: &str,
    timeout: Duration,
    wanted: impl Fn(&AliasView) -> bool,
) -> Vec<AliasView> {
    let deadline = Instant::now() + timeout;
    let mut seen: Vec<AliasView> = Vec::new();
    loop {
        let view = alias(lambda, function, "live").await;
        if seen.last() != Some(&view) {
            seen.push(view.clone());
        }
        if wanted(&view) {
            return seen;
        }
        if Instant::now() >= deadline {
            panic!("{function}:live did not reach {what} within {timeout:?}; seen: {seen:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits (polling every 100 ms) until the alias carries a routing weight while `apply` runs, and
/// returns that view. Panics with what the apply printed if it ends first or nothing shows within
/// [`FIRST_SHIFT_WITHIN`].
async fn canary_during(
    lambda: &aws_sdk_lambda::Client,
    function: &str,
    apply: &mut TfChild,
) -> AliasView {
    let deadline = Instant::now() + FIRST_SHIFT_WITHIN;
    loop {
        let view = alias(lambda, function, "live").await;
        if !view.weights.is_empty() {
            return view;
        }
        if let Some(out) = apply.try_finish() {
            panic!("the apply ended before any weight showed on the alias ({view:?}):\n{out}");
        }
        if Instant::now() >= deadline {
            panic!(
                "no weight on the alias within {FIRST_SHIFT_WITHIN:?} (last {view:?}); the apply \
                 so far:\n{}\n{}",
                apply.stdout_so_far(),
                apply.stderr_so_far()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Reading Step Functions (boto3)
// ---------------------------------------------------------------------------------------------

/// Every execution of every state machine, oldest first.
const LIST_EXECUTIONS: &str = r#"
sfn = client('stepfunctions')
found = []
for machine in sfn.list_state_machines()['stateMachines']:
    listed = sfn.list_executions(stateMachineArn=machine['stateMachineArn'])['executions']
    for e in listed:
        found.append((e['startDate'], {
            'machine': machine['name'], 'arn': e['executionArn'], 'name': e['name'],
            'status': e['status'],
        }))
found.sort(key=lambda f: f[0])
result = [f[1] for f in found]
"#;

/// The names of the emulator's state machines.
const STATE_MACHINES: &str = r#"
result = [m['name'] for m in client('stepfunctions').list_state_machines()['stateMachines']]
"#;

/// Describes the execution `arn` until it no longer runs or `timeout` seconds pass (both set
/// before this script).
const DESCRIBE_WHEN_ENDED: &str = r#"
import time
sfn = client('stepfunctions')
deadline = time.monotonic() + timeout
while True:
    d = sfn.describe_execution(executionArn=arn)
    if d['status'] != 'RUNNING' or time.monotonic() >= deadline:
        break
    time.sleep(0.2)
result = {'status': d['status'], 'error': d.get('error'), 'cause': d.get('cause')}
"#;

/// `{machine, arn, name, status}` of every execution on the emulator, oldest first.
fn executions(endpoint: &str) -> Vec<Value> {
    boto3(endpoint, LIST_EXECUTIONS)
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// `{status, error, cause}` of an execution once it has ended, or as it is after `timeout`.
fn execution_when_ended(endpoint: &str, arn: &str, timeout: Duration) -> Value {
    let script = format!(
        "arn = {arn:?}\ntimeout = {}\n{DESCRIBE_WHEN_ENDED}",
        timeout.as_secs_f64()
    );
    boto3(endpoint, &script)
}

/// `{status, error, cause}` of an execution now.
fn execution_now(endpoint: &str, arn: &str) -> Value {
    execution_when_ended(endpoint, arn, Duration::ZERO)
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

/// Terraform follows the execution: the canary weight holds on the alias for the configured
/// wait, then the new version serves alone, and the state records the execution that did it.
#[tokio::test]
async fn step_functions_canary_shows_its_intermediate_weight() {
    // 50% for a configured 30 s: 3 s of real time. The apply takes about 8 s, the whole test
    // about 15 s.
    const WAIT_S: u64 = 30;
    let emulator = start_emulator();
    let lambda = emulator.lambda_client();
    let function = "e2e-sfn-canary";
    let endpoint = emulator.endpoint();
    let ws = create_then_release(&emulator, &canary_release(function, WAIT_S)).await;

    let apply = ws.tf_spawn(&["apply", "-auto-approve"]);
    let (seen, out) = watch_timed(&lambda, function, apply, Duration::from_secs(120)).await;

    out.assert_success();
    let views: Vec<&AliasView> = seen.iter().map(|s| &s.view).collect();
    assert_eq!(
        views,
        vec![&alone("1"), &canary_of("1", "2"), &alone("2")],
        "what the alias served during the apply:\n{out}"
    );
    let held = seen[2].at - seen[1].at;
    assert!(
        held >= real(WAIT_S) - Duration::from_secs(1),
        "the canary weight held {held:?}; the configured wait lasts {:?} here:\n{out}",
        real(WAIT_S)
    );

    let values = deployment(&ws);
    assert_eq!(values["version"], "2", "state: {values:#}");
    assert_eq!(
        values["last_deployment"]["status"], "SUCCEEDED",
        "state: {values:#}"
    );
    let arn = execution_arn(&values);
    assert!(
        arn.contains(&format!(":execution:gitmoxi-{function}.live:")),
        "the execution belongs to the function and alias's state machine: {arn}"
    );
    let id = values["last_deployment"]["id"].as_str().unwrap_or_default();
    assert!(
        !id.is_empty() && arn.ends_with(&format!(":{id}")),
        "the execution is named after the deployment id {id:?}: {arn}"
    );
    let execution = execution_now(&emulator.endpoint(), &arn);
    assert_eq!(execution["status"], "SUCCEEDED", "{execution:#}");
    let weights: Vec<Value> = values["last_deployment"]["steps"]
        .as_array()
        .map(|steps| steps.iter().map(|s| s["weight_percent"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(
        weights,
        vec![serde_json::json!(50), serde_json::json!(100)],
        "the steps Terraform saw while following: {values:#}"
    );
    let (code, plan) = plan_exit_code(&ws);
    assert_eq!(
        code,
        Some(0),
        "the plan after the rollout is empty:\n{plan}"
    );

    // Destroy takes the alias's state machine with the function.
    let machines = || boto3(&endpoint, STATE_MACHINES);
    assert_eq!(
        machines(),
        serde_json::json!([format!("gitmoxi-{function}.live")])
    );
    ws.tf(&["destroy", "-auto-approve"]).assert_success();
    assert_eq!(
        machines(),
        serde_json::json!([]),
        "no state machine is left"
    );
}

/// `wait_for_rollout = false`: the apply returns once the first shift shows; the execution
/// finishes with no Terraform running, and the next refresh reads that it succeeded.
#[tokio::test]
async fn step_functions_without_waiting_returns_before_the_first_wait_ends() {
    // 50% for a configured 150 s: 15 s of real time. The apply returns about 5 s after it starts
    // (just after the first shift), the plan during the wait takes about 3 s, the execution ends
    // about 15 s after the first shift; the whole test takes about 35 s.
    const WAIT_S: u64 = 150;
    let emulator = start_emulator();
    let lambda = emulator.lambda_client();
    let endpoint = emulator.endpoint();
    let function = "e2e-sfn-nowait";
    let release = canary_release(function, WAIT_S).wait_for_rollout(false);
    let ws = create_then_release(&emulator, &release).await;

    let out = ws.tf(&["apply", "-auto-approve"]);
    let at_return = alias(&lambda, function, "live").await;

    out.assert_success();
    assert!(
        out.elapsed < real(WAIT_S),
        "the apply took {:?}, longer than the {:?} wait it should not wait for:\n{out}",
        out.elapsed,
        real(WAIT_S)
    );
    assert_eq!(
        at_return,
        canary_of("1", "2"),
        "the alias when the apply returned:\n{out}"
    );
    let values = deployment(&ws);
    assert_eq!(
        values["last_deployment"]["status"], "IN_PROGRESS",
        "state: {values:#}"
    );
    assert_eq!(
        values["version"], "2",
        "the state records the new release: {values:#}"
    );
    let arn = execution_arn(&values);
    let execution = execution_now(&endpoint, &arn);
    assert_eq!(execution["status"], "RUNNING", "{execution:#}");

    // While the execution runs, a plan warns about it and plans nothing (no drift either,
    // although the alias is split).
    let (code, plan) = plan_exit_code(&ws);
    let after_plan = alias(&lambda, function, "live").await;
    assert_eq!(
        after_plan,
        canary_of("1", "2"),
        "the rollout ended during the plan: the test needs a longer wait:\n{plan}"
    );
    assert_eq!(
        code,
        Some(0),
        "a plan while the rollout runs plans nothing:\n{plan}"
    );
    assert!(
        mentions(&plan, "rollout still running"),
        "the plan warns that the rollout still runs:\n{plan}"
    );

    // Nobody follows the execution: it takes the alias to 100% by itself.
    alias_until(
        &lambda,
        function,
        "version 2 alone",
        real(WAIT_S) + MARGIN,
        |a| a.serves_only("2"),
    )
    .await;
    let execution = execution_when_ended(&endpoint, &arn, MARGIN);
    assert_eq!(execution["status"], "SUCCEEDED", "{execution:#}");

    let (code, plan) = plan_exit_code(&ws);
    assert_eq!(
        code,
        Some(0),
        "after the execution succeeded, the plan is empty:\n{plan}"
    );
    assert!(
        !mentions(&plan, "rollout still running"),
        "the execution has ended, yet the plan says it runs:\n{plan}"
    );
    refresh(&ws);
    let values = deployment(&ws);
    assert_eq!(
        values["last_deployment"]["status"], "SUCCEEDED",
        "state after the refresh: {values:#}"
    );
    assert_eq!(
        values["version"], "2",
        "state after the refresh: {values:#}"
    );
    assert_eq!(
        values["last_deployment"]["execution_arn"],
        arn.as_str(),
        "state after the refresh: {values:#}"
    );
    assert_eq!(alias(&lambda, function, "live").await, alone("2"));
}

/// An alarm fires during a rollout nobody follows: the execution restores the old version, and
/// the next refresh puts the state back on it, so the plan shows the release again.
#[tokio::test]
async fn step_functions_alarm_restores_the_old_version_and_the_plan_shows_the_change_again() {
    // 50% for a configured 90 s (9 s real), the alarm read every few configured seconds (a few
    // tenths of a second real). The alarm fires right after the apply returns (about 5 s), the
    // old version is back within a second; the whole test takes about 20 s.
    const WAIT_S: u64 = 90;
    let emulator = start_emulator();
    let lambda = emulator.lambda_client();
    let cloudwatch = emulator.cloudwatch_client();
    let endpoint = emulator.endpoint();
    let function = "e2e-sfn-alarm";
    let alarm = "e2e-sfn-errors";
    errors_alarm(&cloudwatch, alarm).await;
    let mut release = canary_release(function, WAIT_S).wait_for_rollout(false);
    release.alarms = vec![alarm.to_string()];
    let ws = create_then_release(&emulator, &release).await;

    let out = ws.tf(&["apply", "-auto-approve"]);
    out.assert_success();
    let values = deployment(&ws);
    assert_eq!(
        values["last_deployment"]["status"], "IN_PROGRESS",
        "state: {values:#}"
    );
    let arn = execution_arn(&values);
    assert_eq!(
        alias(&lambda, function, "live").await,
        canary_of("1", "2"),
        "the alias when the apply returned:\n{out}"
    );

    set_alarm(&cloudwatch, alarm, StateValue::Alarm).await;
    let fired = Instant::now();
    let seen = alias_until(
        &lambda,
        function,
        "version 1 alone",
        real(WAIT_S) + MARGIN,
        |a| a.serves_only("1"),
    )
    .await;
    let restored_after = fired.elapsed();
    assert!(
        !seen.iter().any(|a| a.serves_only("2")),
        "the new version served alone before the rollback: {seen:?}"
    );
    assert!(
        restored_after < real(WAIT_S) / 2,
        "the alarm is checked during the wait, yet the old version came back only after \
         {restored_after:?} (the wait lasts {:?})",
        real(WAIT_S)
    );
    let execution = execution_when_ended(&endpoint, &arn, MARGIN);
    assert_eq!(execution["status"], "FAILED", "{execution:#}");
    assert_eq!(execution["error"], "RolledBack", "{execution:#}");

    let (code, plan) = plan_exit_code(&ws);
    assert_eq!(
        code,
        Some(2),
        "the rolled-back release is pending again:\n{plan}"
    );
    refresh(&ws);
    let values = deployment(&ws);
    assert_eq!(
        values["version"], "1",
        "state after the refresh: {values:#}"
    );
    assert_eq!(
        values["last_deployment"]["status"], "ROLLED_BACK",
        "state after the refresh: {values:#}"
    );
    // The machine's rollback named the alarm, and the state says which.
    assert_eq!(
        values["last_deployment"]["failed_check"],
        format!("alarm:{alarm}").as_str(),
        "state after the refresh: {values:#}"
    );
    assert_eq!(alias(&lambda, function, "live").await, alone("1"));
}

/// Terraform and the provider killed while they follow a rollout: the execution finishes on its
/// own, and the next apply finds the release already serving, so it starts no rollout and
/// publishes nothing.
#[tokio::test]
async fn step_functions_rollout_survives_a_killed_terraform() {
    // 50% for a configured 60 s: 6 s of real time. The kill comes about 0.5 s into it, the
    // execution ends about 6 s later; the apply and plan after it take about 3 s each. The whole
    // test takes about 25 s.
    const WAIT_S: u64 = 60;
    let emulator = start_emulator();
    let lambda = emulator.lambda_client();
    let endpoint = emulator.endpoint();
    let function = "e2e-sfn-killed";
    // One older version kept, so the versions before and after the next apply compare equal
    // whatever it cleans up.
    let mut release = canary_release(function, WAIT_S);
    release.retain_versions = Some(1);
    let ws = create_then_release(&emulator, &release).await;

    let mut apply = ws.tf_spawn(&["apply", "-auto-approve"]);
    let canary = canary_during(&lambda, function, &mut apply).await;
    drop(apply); // SIGKILL to Terraform and the provider
    assert_eq!(canary, canary_of("1", "2"));
    let left = alias(&lambda, function, "live").await;
    assert!(
        !left.weights.is_empty(),
        "the kill came mid-rollout: {left:?}"
    );
    let running: Vec<Value> = executions(&endpoint)
        .into_iter()
        .filter(|e| e["status"] == "RUNNING")
        .collect();
    assert_eq!(
        running.len(),
        1,
        "one execution goes on after the kill: {running:#?}"
    );
    let arn = running[0]["arn"].as_str().unwrap_or_default().to_string();

    alias_until(
        &lambda,
        function,
        "version 2 alone",
        real(WAIT_S) + MARGIN,
        |a| a.serves_only("2"),
    )
    .await;
    let execution = execution_when_ended(&endpoint, &arn, MARGIN);
    assert_eq!(execution["status"], "SUCCEEDED", "{execution:#}");

    let versions_before = versions(&lambda, function).await;
    let executions_before = executions(&endpoint);
    assert_eq!(versions_before, vec!["1", "2"]);
    let out = ws.tf(&["apply", "-auto-approve"]);
    out.assert_success();
    assert_eq!(
        versions(&lambda, function).await,
        versions_before,
        "the apply after the kill publishes nothing:\n{out}"
    );
    assert_eq!(
        executions(&endpoint),
        executions_before,
        "the apply after the kill starts no rollout:\n{out}"
    );
    assert_eq!(alias(&lambda, function, "live").await, alone("2"));
    let values = deployment(&ws);
    assert_eq!(values["version"], "2", "state: {values:#}");
    let (code, plan) = plan_exit_code(&ws);
    assert_eq!(code, Some(0), "the plan after the apply is empty:\n{plan}");
}

/// Ctrl-C while Terraform follows a rollout: the provider stops the execution and puts the old
/// version back itself, long before the wait would have ended.
#[tokio::test]
async fn step_functions_ctrl_c_stops_the_execution_and_restores_traffic() {
    // 50% for a configured 300 s: 30 s of real time. The interrupt comes about 0.5 s into it and
    // the apply ends a few seconds later; the whole test takes about 20 s.
    const WAIT_S: u64 = 300;
    let emulator = start_emulator();
    let lambda = emulator.lambda_client();
    let function = "e2e-sfn-ctrl-c";
    let ws = create_then_release(&emulator, &canary_release(function, WAIT_S)).await;

    let mut apply = ws.tf_spawn(&["apply", "-auto-approve"]);
    let canary = canary_during(&lambda, function, &mut apply).await;
    let interrupted = Instant::now();
    apply.interrupt_like_ctrl_c();
    let out = apply.wait_timeout(Duration::from_secs(60));
    let stopping = interrupted.elapsed();

    assert_eq!(canary, canary_of("1", "2"));
    assert!(!out.success(), "an interrupted apply fails:\n{out}");
    out.assert_contains("Interrupt received");
    assert!(
        !out.contains("Plugin did not respond"),
        "the provider died on SIGINT instead of waiting for StopProvider:\n{out}"
    );
    assert!(
        stopping < Duration::from_secs(10),
        "the rollout should stop within seconds of the interrupt (the wait lasts {:?}), took \
         {stopping:?}:\n{out}",
        real(WAIT_S)
    );
    let live = alias(&lambda, function, "live").await;
    assert_eq!(live, alone("1"), "alias after the interrupt:\n{out}");
    let values = deployment(&ws);
    assert_eq!(
        values["last_deployment"]["status"], "INTERRUPTED",
        "state: {values:#}"
    );
    assert_eq!(values["version"], "1", "state: {values:#}");
    let arn = execution_arn(&values);
    let all = executions(&emulator.endpoint());
    assert!(
        all.iter().all(|e| e["status"] != "RUNNING"),
        "an execution still runs after the interrupt: {all:#?}"
    );
    let stopped = all
        .iter()
        .find(|e| e["arn"] == arn.as_str())
        .unwrap_or_else(|| panic!("the state's execution {arn} is not listed: {all:#?}"));
    assert_eq!(stopped["status"], "ABORTED", "{stopped:#}");
    assert_eq!(
        versions(&lambda, function).await,
        vec!["1"],
        "the interrupted version is deleted"
    );
    let (code, plan) = plan_exit_code(&ws);
    assert_eq!(code, Some(2), "the release is still pending:\n{plan}");
}
