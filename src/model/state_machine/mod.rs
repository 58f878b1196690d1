//! A rollout as an Amazon States Language state machine, for Step Functions to run without
//! Terraform: each shift an `updateAlias` carrying the RevisionId the previous update returned,
//! each wait cut into alarm checks (`describeAlarms` for the alarms in ALARM), and on any alarm or
//! failed call the alias put back to 100% on the version it served, then a failure.
//!
//! The machine is compiled for one release (its weights and the new version are literal: a
//! weight's key is the version, which ASL cannot take from the input) and kept under one name per
//! function and alias, so finding a rollout running on an alias is one listing; the execution's
//! input names the function, the alias, both versions and the alias's RevisionId.

use std::time::Duration;

use gitmoxi_engine::Walk;
use serde_json::{json, Map, Value};

/// At most this many alarm checks per wait: a long wait is checked less often rather than made
/// of thousands of states.
const MAX_CHECKS_PER_WAIT: u64 = 100;

/// At most this many alarm checks in one machine, shared by its waits: Step Functions takes a
/// definition of at most 1 MB (a check is three states), so a schedule of many steps is checked
/// less often in each.
const MAX_CHECKS: u64 = 400;

/// Step Functions' limit on a state machine's name.
const MAX_NAME: usize = 80;

/// The two service integrations the machine calls (in the `aws` partition: other partitions'
/// machines are rewritten by [`for_partition`]).
const UPDATE_ALIAS: &str = "arn:aws:states:::aws-sdk:lambda:updateAlias";
const DESCRIBE_ALARMS: &str = "arn:aws:states:::aws-sdk:cloudwatch:describeAlarms";

/// What a compiled machine watches.
pub struct Watch<'a> {
    pub alarms: &'a [String],
    pub check_interval: Duration,
    /// Checks allowed in each wait (see [`MAX_CHECKS`]).
    pub checks_per_wait: u64,
}

/// The state machine of `function`'s rollouts on `alias`: `gitmoxi-FUNCTION.ALIAS` (neither name
/// can hold a `.`, so no two pairs share one), or, when that is longer than Step Functions
/// allows, cut short with a hash of the whole name.
pub fn machine_name(function: &str, alias: &str) -> String {
    let name = format!("gitmoxi-{function}.{alias}");
    if name.len() <= MAX_NAME {
        return name;
    }
    format!("{}-{:016x}", &name[..MAX_NAME - 17], fnv1a(name.as_bytes()))
}

/// FNV-1a, 64 bits: a stable short hash (Step Functions names allow letters, digits, `-`, `_`).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The execution's input: what the machine's paths read.
pub fn input(walk: &Walk) -> Value {
    json!({
        "function": walk.function_name,
        "alias": walk.alias,
        "from": walk.from,
        "to": walk.to,
        "revision": walk.revision_id,
        // In the input rather than in every check: a definition is limited to 1 MB.
        "watched": walk.alarms,
    })
}

/// The state machine for the walk, in `partition` (`aws`, `aws-cn`, `aws-us-gov`): its steps
/// on their schedule, then the bake.
pub fn compile(walk: &Walk, partition: &str) -> Value {
    let waits = walk.steps.len().max(1) as u64;
    let watch = Watch {
        alarms: &walk.alarms,
        check_interval: walk.check_interval,
        checks_per_wait: (MAX_CHECKS / waits).clamp(1, MAX_CHECKS_PER_WAIT),
    };
    for_partition(
        compile_steps(&walk.steps, walk.bake, &watch, &walk.to),
        partition,
    )
}

/// The machine's integrations named in `partition`.
fn for_partition(mut machine: Value, partition: &str) -> Value {
    if partition == "aws" {
        return machine;
    }
    let prefix = format!("arn:{partition}:states:::");
    if let Some(states) = machine["States"].as_object_mut() {
        for state in states.values_mut() {
            if let Some(r) = state["Resource"].as_str() {
                state["Resource"] = r.replacen("arn:aws:states:::", &prefix, 1).into();
            }
        }
    }
    machine
}

fn compile_steps(
    steps: &[gitmoxi_engine::Step],
    bake: Duration,
    watch: &Watch<'_>,
    to_version: &str,
) -> Value {
    let mut states = Map::new();
    for (i, step) in steps.iter().enumerate() {
        // After each shift its wait (the bake after the last), checked; then the next shift.
        let (prefix, wait, then) = match steps.get(i + 1) {
            Some(next) => (
                format!("Step {}", i + 1),
                step.wait,
                shift_name(i + 1, next.weight_percent),
            ),
            None => ("Bake".to_string(), bake, "Succeeded".to_string()),
        };
        let weight = f64::from(step.weight_percent) / 100.0;
        let shifted = shift(i == 0, weight, to_version, &format!("{prefix} 1"));
        states.insert(shift_name(i, step.weight_percent), shifted);
        checked_wait(&mut states, &prefix, wait, watch, &then);
    }
    states.insert("Succeeded".into(), json!({"Type": "Succeed"}));
    rollback(&mut states);
    let first = steps.first().map_or(100, |s| s.weight_percent);
    json!({
        "Comment": "gitmoxi rollout: shifts, alarm checks through every wait, rollback on failure",
        "StartAt": shift_name(0, first),
        "States": states,
    })
}

fn shift_name(i: usize, weight: u8) -> String {
    format!("Shift {} ({weight}%)", i + 1)
}

/// An alias update: `from` with `weight` on the new version, or the new version alone at 100%.
/// The first carries the input's RevisionId, later ones the one the previous update returned.
fn shift(first: bool, weight: f64, to_version: &str, next: &str) -> Value {
    let revision = match first {
        true => "$.revision",
        false => "$.last.RevisionId",
    };
    let (version, routing) = match weight >= 1.0 {
        true => ("$.to", json!({})),
        false => ("$.from", json!({ to_version: weight })),
    };
    json!({
        "Type": "Task",
        "Resource": UPDATE_ALIAS,
        "Parameters": alias_update(version, revision, routing),
        "ResultSelector": {"RevisionId.$": "$.RevisionId"},
        "ResultPath": "$.last",
        "Retry": alias_retry(),
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": CALL_FAILED}],
        "Next": next,
    })
}

/// UpdateAlias's parameters: the input's function and alias, the version and RevisionId at
/// these paths, and these extra weights.
fn alias_update(version: &str, revision: &str, weights: Value) -> Value {
    json!({
        "FunctionName.$": "$.function",
        "Name.$": "$.alias",
        "FunctionVersion.$": version,
        "RevisionId.$": revision,
        "RoutingConfig": {"AdditionalVersionWeights": weights},
    })
}

/// An alias update refused as throttled, busy or by a passing Lambda fault is tried again (the
/// quota is the account's, shared with everything else); a revision conflict never is.
fn alias_retry() -> Value {
    json!([{
        "ErrorEquals": [
            "Lambda.TooManyRequestsException",
            "Lambda.ResourceConflictException",
            "Lambda.ServiceException",
            "Lambda.SdkClientException",
        ],
        "IntervalSeconds": 1,
        "BackoffRate": 2.0,
        "MaxAttempts": 6,
    }])
}

/// `wait` as checks of the alarms every `check_interval` (at most `checks_per_wait`), each a
/// Wait then a check; states named `PREFIX k` (the wait) and `PREFIX k check` / `judge`. With no
/// alarms, one Wait. Ends at `next`.
fn checked_wait(
    states: &mut Map<String, Value>,
    prefix: &str,
    wait: Duration,
    watch: &Watch<'_>,
    next: &str,
) {
    let total = wait.as_secs();
    if watch.alarms.is_empty() || total == 0 {
        let wait = json!({"Type": "Wait", "Seconds": total, "Next": next});
        states.insert(format!("{prefix} 1"), wait);
        return;
    }
    let interval = watch.check_interval.as_secs().max(1);
    let checks = total.div_ceil(interval).clamp(1, watch.checks_per_wait);
    // The seconds that do not divide evenly go one each to the first waits, so no wait is more
    // than a second longer than another.
    let (each, odd) = (total / checks, total % checks);
    for k in 1..=checks {
        let seconds = each + u64::from(k <= odd);
        let then = match k == checks {
            true => next.to_string(),
            false => format!("{prefix} {}", k + 1),
        };
        let check = format!("{prefix} {k} check");
        let judge = format!("{prefix} {k} judge");
        states.insert(
            format!("{prefix} {k}"),
            json!({"Type": "Wait", "Seconds": seconds, "Next": check}),
        );
        states.insert(check.clone(), alarm_check(&judge));
        states.insert(judge, alarm_judge(&then));
    }
}

fn alarm_check(next: &str) -> Value {
    json!({
        "Type": "Task",
        "Resource": DESCRIBE_ALARMS,
        "Parameters": {"AlarmNames.$": "$.watched", "StateValue": "ALARM",
                       "AlarmTypes": ["MetricAlarm", "CompositeAlarm"]},
        "ResultSelector": {"Metric.$": "$.MetricAlarms", "Composite.$": "$.CompositeAlarms"},
        "ResultPath": "$.alarms",
        // A read: any failure is worth a few more tries before it counts as a blind spot.
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "BackoffRate": 2.0,
                   "MaxAttempts": 4}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": CALL_FAILED}],
        "Next": next,
    })
}

/// Any alarm in ALARM rolls back.
fn alarm_judge(next: &str) -> Value {
    json!({
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.alarms.Metric[0]", "IsPresent": true, "Next": METRIC_ALARM},
            {"Variable": "$.alarms.Composite[0]", "IsPresent": true, "Next": COMPOSITE_ALARM},
        ],
        "Default": next,
    })
}

/// Where a rollback starts, each saying why in `$.why.text`, which the failure's cause repeats:
/// `alarm NAME is ALARM`, or the failed call's error and cause.
const METRIC_ALARM: &str = "Alarm in ALARM";
const COMPOSITE_ALARM: &str = "Composite alarm in ALARM";
const CALL_FAILED: &str = "Call failed";

fn reasons(states: &mut Map<String, Value>) {
    let why = |format: &str| {
        json!({"Type": "Pass", "Parameters": {"text.$": format}, "ResultPath": "$.why",
               "Next": "Rollback"})
    };
    states.insert(
        METRIC_ALARM.into(),
        why("States.Format('alarm {} is ALARM', $.alarms.Metric[0].AlarmName)"),
    );
    states.insert(
        COMPOSITE_ALARM.into(),
        why("States.Format('alarm {} is ALARM', $.alarms.Composite[0].AlarmName)"),
    );
    states.insert(
        CALL_FAILED.into(),
        why("States.Format('{}: {}', $.error.Error, $.error.Cause)"),
    );
}

/// The alias back to 100% on the version it served, with the RevisionId of the last update the
/// machine made (or the input's, when none was made), then a failure.
fn rollback(states: &mut Map<String, Value>) {
    reasons(states);
    states.insert(
        "Rollback".into(),
        json!({
            "Type": "Choice",
            "Choices": [{"Variable": "$.last.RevisionId", "IsPresent": true, "Next": "Restore"}],
            "Default": "Restore before any shift",
        }),
    );
    for (name, revision) in [
        ("Restore", "$.last.RevisionId"),
        ("Restore before any shift", "$.revision"),
    ] {
        states.insert(
            name.into(),
            json!({
                "Type": "Task",
                "Resource": UPDATE_ALIAS,
                "Parameters": alias_update("$.from", revision, json!({})),
                "ResultPath": null,
                "Retry": alias_retry(),
                "Next": "Rolled back",
            }),
        );
    }
    states.insert(
        "Rolled back".into(),
        json!({"Type": "Fail", "Error": "RolledBack", "CausePath": "$.why.text"}),
    );
}

#[cfg(test)]
mod tests;
