//! The fault suite: interrupts, killed applies, throttling through a fault-injecting
//! proxy, two pipelines on one function, a flapping alarm and secrets. Every case reads AWS back
//! with the SDK and runs `terraform plan` afterwards.
//!
//! Each case has a short variant in the normal suite and, where the issue asks for volume, a long
//! variant marked `#[ignore]` that `make faults` runs (`cargo test --test e2e faults::long --
//! --ignored`). The long variants print their figures and append them to
//! `target/faults-figures.txt`. `GITMOXI_FAULTS_SEED=N` changes the seed of every random choice.

pub mod proxy;
pub mod rng;

mod alarms;
mod interrupts;
mod killed;
mod pipelines;
mod secrets;
mod throttling;

use std::time::Duration;

use crate::fixtures::{self, AliasView};
use crate::harness::{TfOutput, Workspace};

/// The seed of a case: `GITMOXI_FAULTS_SEED` when set, else the case's own default, so a failure
/// names the seed that reproduces it.
pub fn seed(default: u64) -> u64 {
    std::env::var("GITMOXI_FAULTS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// `terraform plan -detailed-exitcode`: 0 nothing to do, 2 changes pending.
pub fn plan(ws: &Workspace) -> (Option<i32>, TfOutput) {
    let out = ws.tf(&["plan", "-detailed-exitcode"]);
    (out.code(), out)
}

/// What a run left in AWS, checked against the promise that the state tells the truth: the
/// alias serves one version at 100%, no version newer than it, at most `retain` older ones.
/// Returns the alias.
pub async fn assert_clean(
    lambda: &aws_sdk_lambda::Client,
    function: &str,
    retain: usize,
    context: &str,
) -> AliasView {
    let live = fixtures::alias(lambda, function, "live").await;
    assert!(
        live.weights.is_empty(),
        "{context}: the alias is left weighted: {live:?}"
    );
    let versions = fixtures::versions(lambda, function).await;
    let serving: u64 = live.version.parse().expect("a numbered version");
    assert!(
        versions.contains(&live.version),
        "{context}: serving {serving} is not among {versions:?}"
    );
    let newer: Vec<&String> = versions
        .iter()
        .filter(|v| v.parse::<u64>().unwrap_or(0) > serving)
        .collect();
    assert!(
        newer.is_empty(),
        "{context}: orphaned versions newer than the serving {serving}: {versions:?}"
    );
    assert!(
        versions.len() <= retain + 1,
        "{context}: versions {versions:?} with {serving} serving and retain_versions = {retain}"
    );
    live
}

/// `Environment.Variables.GREETING` of a version: which release it holds.
pub async fn greeting(lambda: &aws_sdk_lambda::Client, function: &str, version: &str) -> String {
    lambda
        .get_function_configuration()
        .function_name(function)
        .qualifier(version)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetFunctionConfiguration {function}:{version}: {e:?}"))
        .environment()
        .and_then(|e| e.variables())
        .and_then(|v| v.get("GREETING"))
        .cloned()
        .unwrap_or_default()
}

/// The state tells the truth: its `version` is what the alias serves, and the plan is empty
/// exactly when that version holds the declared release (`declared` greeting).
pub async fn assert_truthful(
    ws: &Workspace,
    lambda: &aws_sdk_lambda::Client,
    function: &str,
    declared: &str,
    context: &str,
) -> Option<i32> {
    let live = fixtures::alias(lambda, function, "live").await;
    let state = ws.state_json();
    let values = fixtures::deployment_state(&state);
    let serves_declared = greeting(lambda, function, &live.version).await == declared;
    // After a rollout whose read-back failed, the provider records the serving version with the
    // prior definition on purpose, so the next plan re-applies the release (apply.rs,
    // `succeeded_state`): the state claims the declared release only when its definition is it.
    let recorded: serde_json::Value =
        serde_json::from_str(values["function_definition"].as_str().unwrap_or("{}"))
            .unwrap_or_default();
    let state_claims_declared = recorded["Environment"]["Variables"]["GREETING"] == declared;
    let (code, out) = plan(ws);
    if serves_declared && state_claims_declared && values["version"] == live.version.as_str() {
        assert_eq!(
            code,
            Some(0),
            "{context}: the alias serves the declared release and the state says so, yet the \
             plan is not empty:\n{out}"
        );
    } else {
        assert_eq!(
            code,
            Some(2),
            "{context}: the declared release ({declared}) is not what the state and the alias \
             agree on (alias {live:?}, state version {}), yet the plan shows no change:\n{out}",
            values["version"]
        );
    }
    code
}

/// Figures of a long run: printed and appended to `target/faults-figures.txt`.
pub fn report(case: &str, lines: &str) {
    let text = format!("== {case}\n{lines}\n");
    println!("{text}");
    let path = std::path::Path::new(crate::harness::PROVIDER_BINARY)
        .parent()
        .and_then(std::path::Path::parent)
        .map(|t| t.join("faults-figures.txt"));
    if let Some(path) = path {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = f.write_all(text.as_bytes());
        }
    }
}

pub fn secs_f(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// The long variants, run by `make faults`.
mod long {
    #[tokio::test]
    #[ignore = "long: make faults"]
    async fn twenty_interrupts_at_random_moments() {
        super::interrupts::interrupts_at_random_moments(20, "long").await;
    }

    #[tokio::test]
    #[ignore = "long: make faults"]
    async fn ten_kills_at_random_moments() {
        super::killed::kills_at_random_moments(10, "long").await;
    }

    #[tokio::test]
    #[ignore = "long: make faults"]
    async fn thirty_deployments_through_throttling() {
        super::throttling::deployments_through_faults(30, "long").await;
    }
}
