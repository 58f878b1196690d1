//! The plan rules, on values as Terraform sends them.

use super::*;

fn plan_of(prior: &Value, cfg: &Value, proposed: &Value, drift: Option<&Drift>) -> PlanResponse {
    let seen = Seen {
        drift,
        serving: None,
        kept_values: None,
    };
    plan(prior, DeploymentConfig::parse(cfg), proposed, seen)
}
use crate::protocol::value::Type;

const DEF: &str = r#"{"FunctionName":"orders","Role":"arn:aws:iam::000000000000:role/x","Runtime":"python3.12","Handler":"app.handler","Code":{"S3Bucket":"b","S3Key":"k.zip"}}"#;

/// A configuration value of the resource's type with the given attributes set.
fn config(attrs: &[(&str, Value)]) -> Value {
    let Type::Object(types) = super::super::schema::schema().value_type() else {
        unreachable!()
    };
    let mut v = Value::Object(types.keys().map(|k| (k.clone(), Value::Null)).collect());
    v.set_attr("alias", Value::string("live"));
    v.set_attr("function_definition", Value::string(DEF));
    for (k, val) in attrs {
        v.set_attr(k, val.clone());
    }
    v
}

/// The state a successful create of `cfg` leaves.
fn deployed(cfg: &Value) -> Value {
    let mut s = plan_of(&Value::Null, cfg, cfg, None).planned_state;
    for (k, v) in [
        (
            "function_arn",
            "arn:aws:lambda:us-east-1:000000000000:function:orders",
        ),
        (
            "alias_arn",
            "arn:aws:lambda:us-east-1:000000000000:function:orders:live",
        ),
        ("invoke_arn", "arn:aws:apigateway:us-east-1:lambda:path/x"),
        ("version", "3"),
        ("code_sha256", "abc"),
    ] {
        s.set_attr(k, Value::string(v));
    }
    s.set_attr("previous_version", Value::string("2"));
    s.set_attr("last_deployment", Value::Null);
    s
}

fn canary(wait: &str) -> Value {
    Value::List(vec![Value::object([
        ("type", Value::string("CANARY")),
        ("percent", Value::Number(10.0)),
        ("wait_interval", Value::string(wait)),
        ("bake_time", Value::Null),
    ])])
}

#[test]
fn create_shows_the_schedule_and_leaves_the_rest_to_apply() {
    let cfg = config(&[("traffic_shifting", canary("5m"))]);
    let r = plan_of(&Value::Null, &cfg, &cfg, None);
    assert!(!r.diagnostics.has_errors(), "{:?}", r.diagnostics);
    let p = r.planned_state;
    assert_eq!(p.get("id").as_str(), Some("orders"));
    assert!(p.get("version").is_unknown() && p.get("alias_arn").is_unknown());
    assert_eq!(
        p.get("rollout_schedule"),
        &Value::List(vec![Value::string("10% for 5m0s"), Value::string("100%")])
    );
    assert!(is_deployment(&p));
}

#[test]
fn settings_only_change_publishes_nothing() {
    let prior = deployed(&config(&[("traffic_shifting", canary("5m"))]));
    let cfg = config(&[
        ("traffic_shifting", canary("2m")),
        ("retain_versions", Value::Number(2.0)),
    ]);
    let p = plan_of(&prior, &cfg, &cfg, None).planned_state;
    assert!(!is_deployment(&p));
    assert_eq!(p.get("version").as_str(), Some("3"));
    assert_eq!(
        p.get("rollout_schedule").elements()[0],
        Value::string("10% for 2m0s")
    );
}

#[test]
fn reformatted_definition_is_no_change_and_keeps_the_stored_text() {
    let prior = deployed(&config(&[]));
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(DEF).unwrap())
            .unwrap();
    let cfg = config(&[("function_definition", Value::string(pretty))]);
    let p = plan_of(&prior, &cfg, &cfg, None).planned_state;
    assert!(!is_deployment(&p));
    assert_eq!(p.get("function_definition").as_str(), Some(DEF));
}

#[test]
fn a_configuration_change_is_a_deployment() {
    let prior = deployed(&config(&[]));
    let cfg = config(&[(
        "function_definition",
        Value::string(DEF.replace("}}", "},\"Timeout\":30}")),
    )]);
    let r = plan_of(&prior, &cfg, &cfg, None);
    assert!(is_deployment(&r.planned_state));
    assert!(
        r.planned_state.get("function_arn").as_str().is_some(),
        "the function ARN does not change"
    );
    assert!(r.requires_replace.is_empty());
}

#[test]
fn renaming_the_function_replaces_it() {
    let prior = deployed(&config(&[]));
    let cfg = config(&[(
        "function_definition",
        Value::string(DEF.replace("orders", "orders-v2")),
    )]);
    let r = plan_of(&prior, &cfg, &cfg, None);
    assert_eq!(
        r.requires_replace,
        vec![AttrPath::root("function_definition")]
    );
}

#[test]
fn changing_package_type_is_a_plan_error_not_a_silent_replacement() {
    let prior = deployed(&config(&[]));
    let image = r#"{"FunctionName":"orders","Role":"arn:aws:iam::000000000000:role/x","PackageType":"Image","Code":{"ImageUri":"000000000000.dkr.ecr.us-east-1.amazonaws.com/o:1"}}"#;
    let cfg = config(&[("function_definition", Value::string(image))]);
    let r = plan_of(&prior, &cfg, &cfg, None);
    assert!(r.diagnostics.has_errors());
    assert!(r
        .diagnostics
        .0
        .iter()
        .any(|d| d.summary.contains("PackageType") && d.detail.contains("-replace")));
    assert!(r.requires_replace.is_empty());
}

#[test]
fn drift_seen_by_refresh_plans_a_repair() {
    let prior = deployed(&config(&[]));
    let cfg = config(&[]);
    let drift = Drift {
        description: "Alias live routes 100% to version 2, not 100% to version 3.".into(),
        serving: Some(Some("2".into())),
    };
    let r = plan_of(&prior, &cfg, &cfg, Some(&drift));
    assert!(is_deployment(&r.planned_state));
    assert!(r
        .diagnostics
        .0
        .iter()
        .any(|d| !d.is_error() && d.detail.contains("restores")));
}

#[test]
fn role_change_forces_all_at_once_with_a_warning() {
    let prior = deployed(&config(&[("traffic_shifting", canary("5m"))]));
    let cfg = config(&[
        ("traffic_shifting", canary("5m")),
        (
            "function_definition",
            Value::string(DEF.replace("role/x", "role/y")),
        ),
    ]);
    let r = plan_of(&prior, &cfg, &cfg, None);
    let schedule = r.planned_state.get("rollout_schedule").elements();
    assert_eq!(schedule.len(), 1, "{schedule:?}");
    assert!(
        schedule[0].as_str().unwrap().starts_with("100% for 5m0s"),
        "{schedule:?}"
    );
    assert!(r
        .diagnostics
        .0
        .iter()
        .any(|d| d.summary.contains("ALL_AT_ONCE")));
}

#[test]
fn destroy_plans_null() {
    let prior = deployed(&config(&[]));
    assert!(plan_of(&prior, &Value::Null, &Value::Null, None)
        .planned_state
        .is_null());
}
