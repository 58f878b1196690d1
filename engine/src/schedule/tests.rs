use std::time::Duration;

use super::*;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn mins(m: u64) -> Duration {
    Duration::from_secs(m * 60)
}

/// (type, expected kind, percent, wait, weights)
const CODEDEPLOY: &[(&str, ShiftKind, u8, u64, &[u8])] = &[
    (
        "Canary10Percent5Minutes",
        ShiftKind::Canary,
        10,
        5,
        &[10, 100],
    ),
    (
        "Canary10Percent10Minutes",
        ShiftKind::Canary,
        10,
        10,
        &[10, 100],
    ),
    (
        "Canary10Percent15Minutes",
        ShiftKind::Canary,
        10,
        15,
        &[10, 100],
    ),
    (
        "Canary10Percent30Minutes",
        ShiftKind::Canary,
        10,
        30,
        &[10, 100],
    ),
    (
        "Linear10PercentEvery1Minute",
        ShiftKind::Linear,
        10,
        1,
        &[10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
    ),
    (
        "Linear10PercentEvery2Minutes",
        ShiftKind::Linear,
        10,
        2,
        &[10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
    ),
    (
        "Linear10PercentEvery3Minutes",
        ShiftKind::Linear,
        10,
        3,
        &[10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
    ),
    (
        "Linear10PercentEvery10Minutes",
        ShiftKind::Linear,
        10,
        10,
        &[10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
    ),
    ("AllAtOnce", ShiftKind::AllAtOnce, 20, 0, &[100]),
    // custom ones
    (
        "Canary30Percent2Minutes",
        ShiftKind::Canary,
        30,
        2,
        &[30, 100],
    ),
    ("Canary5Percent1Minute", ShiftKind::Canary, 5, 1, &[5, 100]),
    (
        "Linear25PercentEvery4Minutes",
        ShiftKind::Linear,
        25,
        4,
        &[25, 50, 75, 100],
    ),
    (
        "Linear33PercentEvery1Minutes",
        ShiftKind::Linear,
        33,
        1,
        &[33, 66, 99, 100],
    ),
    (
        "Canary99Percent60Minutes",
        ShiftKind::Canary,
        99,
        60,
        &[99, 100],
    ),
];

fn weights(plan: &RolloutPlan) -> Vec<u8> {
    plan.steps.iter().map(|s| s.weight_percent).collect()
}

#[test]
fn codedeploy_names_with_every_prefix() {
    for (name, kind, percent, minutes, expected) in CODEDEPLOY {
        for prefix in [
            "",
            "Lambda",
            "CodeDeployDefault.",
            "CodeDeployDefault.Lambda",
        ] {
            let full = format!("{prefix}{name}");
            let ts = parse_traffic_shifting(Some(&full), None, None, None)
                .unwrap_or_else(|e| panic!("{full}: {e}"));
            assert_eq!(ts.kind, *kind, "{full}");
            if *kind == ShiftKind::AllAtOnce {
                assert_eq!(ts.wait, Duration::ZERO, "{full}: AllAtOnce has no wait");
            } else {
                assert_eq!(ts.percent, *percent, "{full}");
                assert_eq!(ts.wait, mins(*minutes), "{full}");
            }
            let plan = RolloutPlan::new(&ts);
            assert_eq!(weights(&plan), *expected, "{full}");
            let waits_below_full = (expected.len() as u64 - 1) * minutes;
            assert_eq!(plan.configured_waits(), mins(waits_below_full), "{full}");
        }
    }
}

#[test]
fn plain_kinds_and_defaults() {
    // (type, percent, wait, bake) -> (weights, configured waits)
    type Row = (
        Option<&'static str>,
        Option<i64>,
        Option<u64>,
        Option<u64>,
        &'static [u8],
        u64,
    );
    let rows: &[Row] = &[
        (None, None, None, None, &[100], 0),
        (Some("CANARY"), None, None, None, &[20, 100], 60),
        (Some("canary"), Some(10), Some(300), None, &[10, 100], 300),
        (
            Some("LINEAR"),
            None,
            None,
            None,
            &[20, 40, 60, 80, 100],
            240,
        ),
        (
            Some("LINEAR"),
            Some(30),
            Some(10),
            None,
            &[30, 60, 90, 100],
            30,
        ),
        (Some("Linear"), Some(50), Some(10), Some(30), &[50, 100], 40),
        (Some("LINEAR"), Some(99), Some(5), None, &[99, 100], 5),
        (Some("LINEAR"), Some(1), Some(1), None, &[], 99),
        (Some("ALL_AT_ONCE"), None, None, None, &[100], 60),
        (Some("all_at_once"), None, Some(90), None, &[100], 90),
        (Some("CANARY"), Some(20), Some(60), Some(0), &[20, 100], 60),
    ];
    for (ty, percent, wait, bake, expected, total) in rows {
        let ts = parse_traffic_shifting(*ty, *percent, wait.map(secs), bake.map(secs))
            .unwrap_or_else(|e| panic!("{ty:?}: {e}"));
        let plan = RolloutPlan::new(&ts);
        if !expected.is_empty() {
            assert_eq!(weights(&plan), *expected, "{ty:?} {percent:?}");
        } else {
            assert_eq!(plan.steps.len(), 100, "1% linear has 99 steps then 100");
        }
        assert_eq!(plan.configured_waits(), secs(*total), "{ty:?} {percent:?}");
        let last = plan.steps.last().unwrap();
        assert_eq!((last.weight_percent, last.wait), (100, Duration::ZERO));
    }
}

#[test]
fn all_at_once_bakes_for_its_wait() {
    let ts = parse_traffic_shifting(Some("ALL_AT_ONCE"), None, Some(secs(45)), None).unwrap();
    let plan = RolloutPlan::new(&ts);
    assert_eq!(plan, RolloutPlan::all_at_once(secs(45)));
    assert_eq!(plan.bake, secs(45));
}

#[test]
fn errors_point_at_the_argument() {
    type Row = (
        Option<&'static str>,
        Option<i64>,
        Option<u64>,
        Option<u64>,
        &'static str,
    );
    let rows: &[Row] = &[
        (Some("BLUE_GREEN"), None, None, None, "type"),
        (Some("Canary10Percent"), None, None, None, "type"),
        (Some("Canary10Percent5Hours"), None, None, None, "type"),
        (Some("Linear10Percent5Minutes"), None, None, None, "type"),
        (Some("Canary0Percent5Minutes"), None, None, None, "type"),
        (Some("Canary100Percent5Minutes"), None, None, None, "type"),
        (Some("Canary10Percent0Minutes"), None, None, None, "type"),
        (
            Some("Canary10Percent43201Minutes"),
            None,
            None,
            None,
            "type",
        ),
        (
            Some("Linear10PercentEvery99999999999999999999Minutes"),
            None,
            None,
            None,
            "type",
        ),
        (Some("LambdaCanary"), None, None, None, "type"),
        (Some(""), None, None, None, "type"),
        (Some("CANARY"), Some(0), None, None, "percent"),
        (Some("CANARY"), Some(100), None, None, "percent"),
        (Some("LINEAR"), Some(-5), None, None, "percent"),
        (Some("LINEAR"), Some(1000), None, None, "percent"),
        (
            Some("Canary10Percent5Minutes"),
            Some(10),
            None,
            None,
            "percent",
        ),
        (
            Some("Canary10Percent5Minutes"),
            None,
            Some(60),
            None,
            "wait_interval",
        ),
        (Some("AllAtOnce"), None, Some(60), None, "wait_interval"),
        (Some("ALL_AT_ONCE"), None, Some(60), Some(30), "bake_time"),
        (None, None, None, Some(30), "bake_time"),
    ];
    for (ty, percent, wait, bake, argument) in rows {
        let err = parse_traffic_shifting(*ty, *percent, wait.map(secs), bake.map(secs))
            .expect_err(&format!("{ty:?} {percent:?} {wait:?} {bake:?} should fail"));
        assert_eq!(err.argument, Some(*argument), "{ty:?}: {err}");
        assert!(!err.summary.is_empty() && err.detail.len() > 20, "{err:?}");
    }
}

#[test]
fn describe_reads_like_the_plan() {
    let canary = |p, w, b| {
        RolloutPlan::new(&TrafficShifting {
            kind: ShiftKind::Canary,
            percent: p,
            wait: secs(w),
            bake: secs(b),
        })
    };
    assert_eq!(canary(10, 300, 0).describe(), ["10% for 5m0s", "100%"]);
    assert_eq!(
        canary(20, 60, 30).describe(),
        ["20% for 1m0s", "100% for 30s (bake)"]
    );
    assert_eq!(canary(20, 0, 0).describe(), ["20%", "100%"]);
    let linear = parse_traffic_shifting(Some("LINEAR"), Some(30), Some(secs(90)), None).unwrap();
    assert_eq!(
        RolloutPlan::new(&linear).describe(),
        ["30% for 1m30s", "60% for 1m30s", "90% for 1m30s", "100%"]
    );
    let none = parse_traffic_shifting(None, None, None, None).unwrap();
    assert_eq!(RolloutPlan::new(&none).describe(), ["100%"]);
    assert_eq!(
        RolloutPlan::all_at_once(secs(600)).describe(),
        ["100% for 10m0s (bake)"]
    );
}

#[test]
fn durations_print_like_go() {
    let rows: &[(Duration, &str)] = &[
        (Duration::ZERO, "0s"),
        (secs(45), "45s"),
        (secs(60), "1m0s"),
        (secs(90), "1m30s"),
        (secs(300), "5m0s"),
        (secs(5400), "1h30m0s"),
        (secs(3600), "1h0m0s"),
        (secs(90_061), "25h1m1s"),
        (Duration::from_millis(500), "500ms"),
        (Duration::from_millis(1500), "1.5s"),
        (Duration::from_micros(1500), "1.5ms"),
        (Duration::from_nanos(42), "42ns"),
        (Duration::from_micros(7), "7µs"),
    ];
    for (d, expected) in rows {
        assert_eq!(format_duration(*d), *expected, "{d:?}");
    }
}
