use std::time::Duration;

use gitmoxi_engine::{RolloutPlan, ShiftKind, TrafficShifting};
use serde_json::Value;

use super::{compile_steps, machine_name, Watch};

fn compile(plan: &RolloutPlan, watch: &Watch<'_>, to: &str) -> Value {
    compile_steps(&plan.steps, plan.bake, watch, to)
}

fn plan(kind: ShiftKind, percent: u8, wait_s: u64, bake_s: u64) -> RolloutPlan {
    RolloutPlan::new(&TrafficShifting {
        kind,
        percent,
        wait: Duration::from_secs(wait_s),
        bake: Duration::from_secs(bake_s),
    })
}

fn names(machine: &Value) -> Vec<String> {
    let mut n: Vec<String> = machine["States"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    n.sort();
    n
}

/// Follows `Next` (or a Choice's `Default`) from `StartAt` to the end: the path with no alarm.
fn happy_path(machine: &Value) -> Vec<String> {
    let mut at = machine["StartAt"].as_str().unwrap().to_string();
    let mut out = vec![at.clone()];
    loop {
        let state = &machine["States"][&at];
        let next = state["Next"].as_str().or(state["Default"].as_str());
        match next {
            Some(n) => {
                at = n.to_string();
                out.push(at.clone());
            }
            None => return out,
        }
    }
}

#[test]
fn a_canary_shifts_waits_with_checks_then_goes_to_100_and_bakes() {
    let alarms = vec!["errors".to_string()];
    let watch = Watch {
        alarms: &alarms,
        check_interval: Duration::from_secs(3),
        checks_per_wait: 100,
    };
    let m = compile(&plan(ShiftKind::Canary, 10, 6, 3), &watch, "7");
    assert_eq!(
        happy_path(&m),
        [
            "Shift 1 (10%)",
            "Step 1 1",
            "Step 1 1 check",
            "Step 1 1 judge",
            "Step 1 2",
            "Step 1 2 check",
            "Step 1 2 judge",
            "Shift 2 (100%)",
            "Bake 1",
            "Bake 1 check",
            "Bake 1 judge",
            "Succeeded",
        ]
    );
    let first = &m["States"]["Shift 1 (10%)"]["Parameters"];
    assert_eq!(first["FunctionVersion.$"], "$.from");
    assert_eq!(first["RevisionId.$"], "$.revision");
    assert_eq!(first["RoutingConfig"]["AdditionalVersionWeights"]["7"], 0.1);
    let full = &m["States"]["Shift 2 (100%)"]["Parameters"];
    assert_eq!(full["FunctionVersion.$"], "$.to");
    assert_eq!(
        full["RevisionId.$"], "$.last.RevisionId",
        "the guard of the update before"
    );
    assert_eq!(
        full["RoutingConfig"]["AdditionalVersionWeights"],
        serde_json::json!({})
    );
    let waits: u64 = ["Step 1 1", "Step 1 2"]
        .iter()
        .map(|s| m["States"][s]["Seconds"].as_u64().unwrap())
        .sum();
    assert_eq!(waits, 6, "the configured wait, cut into checks");
}

#[test]
fn every_alarm_check_and_every_call_can_roll_back() {
    let alarms = vec!["a".to_string(), "b".to_string()];
    let watch = Watch {
        alarms: &alarms,
        check_interval: Duration::from_secs(3),
        checks_per_wait: 100,
    };
    let m = compile(&plan(ShiftKind::Linear, 50, 3, 0), &watch, "2");
    let states = m["States"].as_object().unwrap();
    // Every way into the rollback says why first.
    let explains = |next: &Value| {
        let pass = &states[next.as_str().unwrap()];
        pass["Type"] == "Pass" && pass["Next"] == "Rollback" && pass["ResultPath"] == "$.why"
    };
    for (name, state) in states {
        match state["Type"].as_str().unwrap() {
            "Task" if !name.starts_with("Restore") => {
                assert!(explains(&state["Catch"][0]["Next"]), "{name}")
            }
            "Choice" if name.ends_with("judge") => {
                let choices = state["Choices"].as_array().unwrap();
                assert!(choices.iter().all(|c| explains(&c["Next"])), "{name}");
            }
            _ => {}
        }
    }
    assert_eq!(m["States"]["Rolled back"]["CausePath"], "$.why.text");
    let check = &m["States"]["Step 1 1 check"]["Parameters"];
    assert_eq!(
        check["AlarmNames.$"], "$.watched",
        "the names come with the input"
    );
    assert_eq!(check["StateValue"], "ALARM");
    assert_eq!(
        check["AlarmTypes"],
        serde_json::json!(["MetricAlarm", "CompositeAlarm"]),
        "without it DescribeAlarms answers metric alarms only"
    );
    let restore = &m["States"]["Restore"]["Parameters"];
    assert_eq!(restore["FunctionVersion.$"], "$.from");
    assert_eq!(restore["RevisionId.$"], "$.last.RevisionId");
    assert_eq!(
        m["States"]["Restore before any shift"]["Parameters"]["RevisionId.$"],
        "$.revision"
    );
    assert_eq!(m["States"]["Rolled back"]["Type"], "Fail");
}

#[test]
fn without_alarms_a_wait_is_one_state_and_long_waits_are_checked_less_often() {
    let none: Vec<String> = vec![];
    let quiet = Watch {
        alarms: &none,
        check_interval: Duration::from_secs(3),
        checks_per_wait: 100,
    };
    let m = compile(&plan(ShiftKind::Canary, 20, 600, 0), &quiet, "3");
    assert_eq!(m["States"]["Step 1 1"]["Seconds"], 600);
    assert!(!names(&m).iter().any(|n| n.ends_with("check")));

    let alarms = vec!["errors".to_string()];
    let watched = Watch {
        alarms: &alarms,
        check_interval: Duration::from_secs(3),
        checks_per_wait: 100,
    };
    let m = compile(&plan(ShiftKind::Canary, 20, 3600, 0), &watched, "3");
    let checks = names(&m)
        .iter()
        .filter(|n| n.starts_with("Step 1") && n.ends_with("check"))
        .count();
    assert_eq!(
        checks, 100,
        "an hour is checked every 36 s, not 1,200 times"
    );
}

/// A canary 50% for 6 s and a 2 s bake, watching `errors`, run on the in-memory account from
/// version 1 to 2 on `live`.
async fn run_on_fake(fake: &gitmoxi_fake_aws::FakeAws) -> Result<Value, (String, String)> {
    let alarms = vec!["errors".to_string()];
    let watch = Watch {
        alarms: &alarms,
        check_interval: Duration::from_secs(2),
        checks_per_wait: 100,
    };
    let machine = compile(&plan(ShiftKind::Canary, 50, 6, 2), &watch, "2");
    let revision = fake.alias("live").unwrap().revision_id;
    let input = serde_json::json!({"function": "orders", "alias": "live", "from": "1", "to": "2",
                                   "revision": revision, "watched": alarms});
    fake.run_state_machine(&machine, input).await
}

fn account() -> gitmoxi_fake_aws::FakeAws {
    let fake = gitmoxi_fake_aws::FakeAws::new();
    fake.seed_versions(2)
        .set_alias("live", "1", None)
        .define_alarm("errors");
    fake
}

#[tokio::test(start_paused = true)]
async fn the_machine_rolls_out_on_the_in_memory_account() {
    let fake = account();
    let started = tokio::time::Instant::now();
    let ended = run_on_fake(&fake).await;
    assert!(ended.is_ok(), "{ended:?}");
    assert_eq!(fake.traffic_to("2"), [50, 100]);
    assert_eq!(fake.alias("live").unwrap().version, "2");
    assert_eq!(
        started.elapsed(),
        Duration::from_secs(8),
        "6 s at 50%, then a 2 s bake"
    );
}

#[tokio::test(start_paused = true)]
async fn an_alarm_mid_wait_restores_the_old_version_and_fails() {
    let fake = account();
    fake.alarm_at(
        "errors",
        fake.elapsed() + Duration::from_secs(3),
        gitmoxi_engine::AlarmState::Alarm,
    );
    let ended = run_on_fake(&fake).await;
    let named = (
        "RolledBack".to_string(),
        "alarm errors is ALARM".to_string(),
    );
    assert_eq!(ended.unwrap_err(), named, "the cause names the alarm");
    let live = fake.alias("live").unwrap();
    assert_eq!((live.version.as_str(), live.extra), ("1", None));
    assert_eq!(fake.traffic_to("2"), [50, 0]);
}

#[tokio::test(start_paused = true)]
async fn someone_elses_change_stops_the_machine_without_overwriting_it() {
    let fake = account();
    // Another pipeline puts `live` on 2 alone mid-wait: the shift to 100% carries the revision
    // of the machine's own last update, so it is refused, and so is the restore; the execution
    // fails with the conflict and the other pipeline's routing stays.
    let moved = gitmoxi_fake_aws::Outside::Alias {
        alias: "live".into(),
        version: "2".into(),
        extra: None,
    };
    fake.outside_at(Duration::from_secs(1), moved);
    let ended = run_on_fake(&fake).await;
    assert_eq!(ended.unwrap_err().0, "Lambda.PreconditionFailedException");
    let live = fake.alias("live").unwrap();
    assert_eq!(
        (live.version.as_str(), live.extra),
        ("2", None),
        "not put back on 1"
    );
}

#[test]
fn machine_names_fit_step_functions_and_never_collide() {
    assert_eq!(machine_name("orders", "live"), "gitmoxi-orders.live");
    assert_ne!(machine_name("a-b", "c"), machine_name("a", "b-c"));
    let (function, alias) = ("f".repeat(64), "a".repeat(30));
    let a = machine_name(&function, &alias);
    let b = machine_name(&function, &format!("{alias}b"));
    assert_eq!(a.len(), 80);
    assert!(a.starts_with("gitmoxi-fff"), "{a}");
    assert_ne!(a, b, "names cut short keep a hash of the whole");
}

#[test]
fn other_partitions_name_their_integrations() {
    let walk = gitmoxi_engine::Walk {
        deployment_id: "d-1".into(),
        function_name: "orders".into(),
        alias: "live".into(),
        from: "1".into(),
        to: "2".into(),
        revision_id: "r".into(),
        steps: plan(ShiftKind::Canary, 10, 6, 0).steps,
        bake: Duration::ZERO,
        alarms: vec!["errors".into()],
        check_interval: Duration::from_secs(3),
    };
    let resources = |partition: &str| -> Vec<String> {
        let m = super::compile(&walk, partition);
        let states = m["States"].as_object().unwrap().values();
        states
            .filter_map(|s| s["Resource"].as_str().map(str::to_string))
            .collect()
    };
    assert!(resources("aws")
        .iter()
        .all(|r| r.starts_with("arn:aws:states:::aws-sdk:")));
    let china = resources("aws-cn");
    assert!(!china.is_empty());
    assert!(
        china
            .iter()
            .all(|r| r.starts_with("arn:aws-cn:states:::aws-sdk:")),
        "{china:?}"
    );
}

#[test]
fn many_steps_share_the_checks_so_the_definition_stays_under_step_functions_limit() {
    let walk = |percent: u8, wait_s: u64| gitmoxi_engine::Walk {
        deployment_id: "d-1".into(),
        function_name: "f".repeat(64),
        alias: "live".into(),
        from: "1".into(),
        to: "2".into(),
        revision_id: "r".into(),
        steps: plan(ShiftKind::Linear, percent, wait_s, 0).steps,
        bake: Duration::from_secs(3600),
        alarms: (0..100)
            .map(|i| format!("a-rather-long-alarm-name-{i:03}"))
            .collect(),
        check_interval: Duration::from_secs(3),
    };
    for (percent, wait_s) in [(1, 3600), (10, 600), (50, 86_400)] {
        let m = super::compile(&walk(percent, wait_s), "aws");
        let size = m.to_string().len();
        assert!(
            size < 1_000_000,
            "LINEAR {percent}% / {wait_s}s: {size} bytes"
        );
        let checks = m["States"].as_object().unwrap().keys();
        let checks = checks.filter(|k| k.ends_with(" check")).count();
        assert!(checks <= 400 + 100, "{checks} checks");
    }
}
