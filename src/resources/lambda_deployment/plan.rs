//! Plan rules (SPEC §3 "What a change does"), pure: given prior state, configuration and what
//! refresh saw, decide whether this is a deployment, an in-place change or a replacement, and
//! which computed values become unknown. A value is unknown only when it will change.

use gitmoxi_engine::RolloutPlan;

use super::definition::{compare, FunctionDefinition};
use super::release;
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::registry::PlanResponse;
use crate::protocol::value::Value;
use crate::resources::common::settings::{self, Settings};
use crate::resources::common::state::Drift;
use crate::resources::event_source_attr;

/// Computed attributes a deployment changes.
const DEPLOYMENT_COMPUTED: [&str; 4] = [
    "version",
    "previous_version",
    "code_sha256",
    "last_deployment",
];
const ALL_COMPUTED: [&str; 9] = [
    "id",
    "function_arn",
    "alias_arn",
    "invoke_arn",
    "version",
    "previous_version",
    "code_sha256",
    "rollout_schedule",
    "last_deployment",
];

/// Validation shared by ValidateResourceConfig and PlanResourceChange.
pub fn validate(
    config: &Value,
) -> (
    Option<FunctionDefinition>,
    Settings,
    Option<String>,
    Diagnostics,
) {
    let mut diags = Diagnostics::default();
    let def = release::declared_definition(config, &mut diags);
    let hash = release::check(config, def.as_ref(), &mut diags);
    let (settings, settings_diags) = settings::parse(config);
    diags.extend(settings_diags);
    event_source_attr::declared(config, &mut diags);
    (def, settings, hash, diags)
}

/// The schedule the plan shows, and a warning when a Role/DeadLetterConfig change forces
/// ALL_AT_ONCE (weighted aliases need both versions to share them).
fn schedule(
    settings: &Settings,
    role_or_dlq_changed: bool,
    diags: &mut Diagnostics,
) -> Option<RolloutPlan> {
    let plan = settings.plan()?;
    if role_or_dlq_changed && plan.steps.len() > 1 {
        diags.push(
            Diagnostic::warning(
                "This release rolls out ALL_AT_ONCE",
                "It changes Role or DeadLetterConfig, and Lambda can only split an alias's traffic between versions \
                 that share both. The new version takes 100% at once; the configured waits are kept as bake time \
                 with the same checks, so a firing alarm still rolls it back.",
            )
            .at(AttrPath::root("traffic_shifting")),
        );
        return Some(RolloutPlan::all_at_once(plan.configured_waits()));
    }
    Some(plan)
}

fn schedule_value(plan: Option<&RolloutPlan>) -> Value {
    match plan {
        Some(p) => Value::List(p.describe().into_iter().map(Value::String).collect()),
        None => Value::Unknown,
    }
}

pub fn plan(
    prior: &Value,
    config: &Value,
    proposed: &Value,
    drift: Option<&Drift>,
) -> PlanResponse {
    let mut resp = PlanResponse::default();
    if proposed.is_null() {
        // Destroy: nothing to plan.
        return resp;
    }
    let (def, settings, file_hash, mut diags) = validate(config);
    let mut planned = proposed.clone();

    // source_code_hash: the user's value, else the package's hash, else what we had.
    if config.get("source_code_hash").is_null() {
        let value = match (config.get("package_file"), &file_hash) {
            (Value::Unknown, _) => Value::Unknown,
            (Value::String(_), Some(h)) => Value::string(h.clone()),
            (Value::String(_), None) => Value::Unknown,
            _ if !prior.is_null() && config.get("function_definition").is_unknown() => {
                Value::Unknown
            }
            _ => prior.get("source_code_hash").clone(),
        };
        planned.set_attr("source_code_hash", value);
    }

    if prior.is_null() {
        // Create (or adopt): everything about the function is learned at apply.
        for name in ALL_COMPUTED {
            planned.set_attr(name, Value::Unknown);
        }
        if let Some(d) = &def {
            planned.set_attr("id", Value::string(d.function_name()));
        }
        let plan = schedule(&settings, false, &mut diags);
        planned.set_attr("rollout_schedule", schedule_value(plan.as_ref()));
        resp.planned_state = planned;
        resp.diagnostics = diags;
        return resp;
    }

    for name in ALL_COMPUTED {
        planned.set_attr(name, prior.get(name).clone());
    }

    let prior_def = prior
        .get("function_definition")
        .as_str()
        .and_then(|j| super::definition::parse(j).ok())
        .map(|(d, _)| d);
    let mut deployment = false;
    let mut role_or_dlq = false;
    match (&prior_def, &def) {
        (Some(old), Some(new)) => {
            let changes = compare(old, new);
            if changes.function_name {
                resp.requires_replace
                    .push(AttrPath::root("function_definition"));
                for name in ALL_COMPUTED {
                    planned.set_attr(name, Value::Unknown);
                }
                planned.set_attr("id", Value::string(new.function_name()));
                let plan = schedule(&settings, false, &mut diags);
                planned.set_attr("rollout_schedule", schedule_value(plan.as_ref()));
                resp.planned_state = planned;
                resp.diagnostics = diags;
                return resp;
            }
            for key in &changes.immutable {
                diags.push(
                    Diagnostic::error(
                        format!("{key} cannot change on an existing function"),
                        format!(
                            "AWS Lambda cannot update {key} in place. To recreate the function, run \
                             `terraform apply -replace=<this resource address>`; the function, its versions and \
                             its alias are deleted and created again."
                        ),
                    )
                    .at(AttrPath::root("function_definition")),
                );
            }
            deployment |= changes.is_deployment();
            role_or_dlq = changes.role_or_dlq;
            if new == old {
                // Same definition written differently: keep the stored text, no diff.
                planned.set_attr(
                    "function_definition",
                    prior.get("function_definition").clone(),
                );
            }
        }
        // Unknown or invalid definition, or an unreadable prior: assume a deployment.
        _ => deployment = true,
    }
    if planned.get("source_code_hash") != prior.get("source_code_hash") {
        deployment = true;
    }
    if config.get("sensitive_environment") != prior.get("sensitive_environment") {
        deployment = true;
    }
    if let Some(d) = drift {
        deployment = true;
        diags.push(Diagnostic::warning(
            "The alias does not serve the deployed release",
            format!(
                "{} This plan restores the declared release with a rollout.",
                d.description
            ),
        ));
    }
    if deployment {
        for name in DEPLOYMENT_COMPUTED {
            planned.set_attr(name, Value::Unknown);
        }
    }
    // Event sources: equal JSON written differently keeps the stored text; a real change is
    // applied in place, with a warning for stream mappings AWS must recreate.
    if let Some(want) = event_source_attr::declared(config, &mut Diagnostics::default()) {
        let had = event_source_attr::stored(prior);
        if want == had
            && !prior.get("event_sources").is_null()
            && !config.get("event_sources").is_null()
        {
            planned.set_attr("event_sources", prior.get("event_sources").clone());
        } else {
            for w in event_source_attr::plan_warnings(&had, &want) {
                diags.push(w);
            }
        }
    }
    if config.get("alias") != prior.get("alias") {
        planned.set_attr("alias_arn", Value::Unknown);
        planned.set_attr("invoke_arn", Value::Unknown);
    }
    let plan = schedule(&settings, role_or_dlq, &mut diags);
    planned.set_attr("rollout_schedule", schedule_value(plan.as_ref()));
    resp.planned_state = planned;
    resp.diagnostics = diags;
    resp
}

/// Whether an apply of this plan runs a rollout (the plan marked `version` unknown).
pub fn is_deployment(planned: &Value) -> bool {
    planned.get("version").is_unknown()
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let mut s = plan(&Value::Null, cfg, cfg, None).planned_state;
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
        let r = plan(&Value::Null, &cfg, &cfg, None);
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
        let p = plan(&prior, &cfg, &cfg, None).planned_state;
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
        let p = plan(&prior, &cfg, &cfg, None).planned_state;
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
        let r = plan(&prior, &cfg, &cfg, None);
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
        let r = plan(&prior, &cfg, &cfg, None);
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
        let r = plan(&prior, &cfg, &cfg, None);
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
        };
        let r = plan(&prior, &cfg, &cfg, Some(&drift));
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
        let r = plan(&prior, &cfg, &cfg, None);
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
        assert!(plan(&prior, &Value::Null, &Value::Null, None)
            .planned_state
            .is_null());
    }
}
