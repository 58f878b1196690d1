//! Plan rules, pure: given the prior state, the configuration and what refresh saw, decide
//! whether this is a deployment, an in-place change or a replacement, and which computed values
//! become unknown. A value is unknown only when it will change.

use std::collections::BTreeMap;

use gitmoxi_engine::RolloutPlan;

use super::config::DeploymentConfig;
use super::state::{self, Change, DeploymentState, Planned, PlannedHash};
use crate::model::definition::{self, compare, FunctionDefinition};
use crate::model::settings::Settings;
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::registry::PlanResponse;
use crate::protocol::value::Value;
use crate::resources::common::capacity::schedule_lines;
use crate::resources::common::sources;
use crate::resources::common::state::{Drift, Shown};
use crate::resources::common::values::Input;

pub use super::state::is_deployment;

/// What refresh (or, for a create, a read at plan time) saw of the alias.
#[derive(Clone, Debug, Default)]
pub struct Seen<'a> {
    pub drift: Option<&'a Drift>,
    /// For a create: what the alias serves, if the function and alias exist (`Some(None)`: no
    /// alias, a first release); None when it could not be read.
    pub serving: Option<Option<String>>,
}

/// The plan of `config` (read, with its diagnostics) over `prior`.
pub fn plan(
    prior: &Value,
    (c, mut diags): (DeploymentConfig, Diagnostics),
    proposed: &Value,
    seen: Seen<'_>,
) -> PlanResponse {
    let mut resp = PlanResponse::default();
    if proposed.is_null() {
        // Destroy: nothing to plan.
        return resp;
    }
    let decision = match DeploymentState::read(prior) {
        None => new_function(&c, seen.serving, &mut diags),
        Some(p) => update(&c, &p, seen.drift, &mut diags, &mut resp.requires_replace),
    };
    resp.planned_state = state::planned(proposed, prior, &decision);
    resp.diagnostics = diags;
    resp
}

/// Create (or adopt), or replace: everything about the function is learned at apply, except
/// what the rollout does, when the alias could be read: a first release (no alias) goes to 100%
/// at once; an adopted alias is rolled out from what it serves.
fn new_function(
    c: &DeploymentConfig,
    serving: Option<Option<String>>,
    diags: &mut Diagnostics,
) -> Planned {
    let plan = schedule(&c.settings, false, diags);
    let shown = match (&serving, &plan) {
        (Some(from), Some(plan)) => Some(Shown::of(
            plan,
            from.is_none(),
            c.settings.provisioned_concurrency,
        )),
        _ => None,
    };
    Planned {
        change: Change::New,
        function_name: c.function_name().map(str::to_string),
        source_code_hash: planned_hash(c, None),
        rollout_schedule: describe(plan.as_ref(), c.settings.provisioned_concurrency),
        keep_definition_text: false,
        keep_event_sources_text: false,
        clear_pending: false,
        rollout: Some((serving, shown)),
    }
}

fn update(
    c: &DeploymentConfig,
    prior: &DeploymentState,
    drift: Option<&Drift>,
    diags: &mut Diagnostics,
    requires_replace: &mut Vec<AttrPath>,
) -> Planned {
    let prior_def = prior
        .function_definition
        .as_deref()
        .and_then(|j| definition::parse(j).ok())
        .map(|(d, _)| d);
    let (mut deployment, role_or_dlq, same_definition) = match (&prior_def, &c.definition) {
        (Some(old), Some(new)) => {
            let changes = compare(old, new);
            if changes.function_name {
                requires_replace.push(AttrPath::root("function_definition"));
                return new_function(c, None, diags);
            }
            for key in &changes.immutable {
                diags.push(immutable(key));
            }
            // Variables count wherever they are declared: moving one between the definition and
            // `sensitive_environment` (as after an import) changes nothing Lambda runs.
            let served = effective(old, &prior.sensitive_environment);
            let declared = effective(new, &c.sensitive_environment);
            let deployment = match (served, declared) {
                (Some(a), Some(b)) => compare(&a, &b).is_deployment(),
                _ => true,
            };
            (deployment, changes.role_or_dlq, new == old)
        }
        // Unknown or invalid definition, or an unreadable prior: assume a deployment.
        _ => (true, false, false),
    };
    let hash = planned_hash(c, Some(prior));
    deployment |= unseen_change(c, prior, &hash);
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
    let keep_event_sources_text = plan_event_sources(c, prior.event_sources.as_deref(), diags);
    let alias_renamed = c.alias.known() != Some(&prior.alias);
    let plan = schedule(&c.settings, role_or_dlq, diags);
    // The rollout starts from what the alias serves: the deployed version, or what refresh saw.
    let from = match drift {
        Some(d) => d.serving.clone(),
        None => Some(Some(prior.version.clone())),
    };
    let capacity = c.settings.provisioned_concurrency;
    let shown = plan.as_ref().map(|p| Shown::of(p, false, capacity));
    Planned {
        change: Change::Update {
            deployment,
            alias_renamed,
        },
        function_name: c.function_name().map(str::to_string),
        source_code_hash: hash,
        rollout_schedule: describe(plan.as_ref(), c.settings.provisioned_concurrency),
        // Same definition written differently: keep the stored text, no diff.
        keep_definition_text: same_definition,
        keep_event_sources_text,
        clear_pending: !prior.pending.is_empty(),
        rollout: deployment.then_some((from, shown)),
    }
}

/// What the definitions cannot show: a new package (by its hash), or new write-only values
/// (never stored, so their version says when they change).
fn unseen_change(c: &DeploymentConfig, prior: &DeploymentState, hash: &PlannedHash) -> bool {
    let hash_changed = match hash {
        PlannedHash::Given => {
            let given = &c.source_code_hash;
            given.is_unknown() || given.known() != prior.source_code_hash.as_ref()
        }
        PlannedHash::Known(h) => *h != prior.source_code_hash,
        PlannedHash::Unknown => true,
    };
    hash_changed || c.sensitive_environment_wo_version != prior.sensitive_environment_wo_version
}

/// The definition with `sensitive_environment` merged in; None when a value is unknown.
fn effective(def: &FunctionDefinition, sensitive: &Value) -> Option<FunctionDefinition> {
    let mut vars = BTreeMap::new();
    for (k, v) in sensitive.entries().into_iter().flatten() {
        vars.insert(k.clone(), v.as_str()?.to_string());
    }
    if sensitive.is_unknown() {
        return None;
    }
    let mut merged = def.clone();
    merged.merge_sensitive_environment(&vars).ok()?;
    Some(merged)
}

/// `source_code_hash` when the user gives none: the package's hash, else what we had.
fn planned_hash(c: &DeploymentConfig, prior: Option<&DeploymentState>) -> PlannedHash {
    match (&c.source_code_hash, &c.package_file, &c.package_hash) {
        (Input::Known(_) | Input::Unknown, _, _) => PlannedHash::Given,
        (_, Input::Unknown, _) => PlannedHash::Unknown,
        (_, Input::Known(_), Some(h)) => PlannedHash::Known(Some(h.clone())),
        (_, Input::Known(_), None) => PlannedHash::Unknown,
        _ if prior.is_some() && c.definition_text.is_unknown() => PlannedHash::Unknown,
        _ => PlannedHash::Known(prior.and_then(|p| p.source_code_hash.clone())),
    }
}

/// Event sources: equal JSON written differently keeps the stored text (true); a real change is
/// applied in place, with a warning for stream mappings AWS must recreate.
fn plan_event_sources(c: &DeploymentConfig, stored: Option<&str>, diags: &mut Diagnostics) -> bool {
    let Some(want) = &c.event_sources else {
        return false;
    };
    let had = sources::stored(stored);
    if *want == had && stored.is_some() && c.event_sources_text.known().is_some() {
        return true;
    }
    sources::plan_warnings(&had, want)
        .into_iter()
        .for_each(|w| diags.push(w));
    false
}

fn immutable(key: &str) -> Diagnostic {
    Diagnostic::error(
        format!("{key} cannot change on an existing function"),
        format!(
            "AWS Lambda cannot update {key} in place. To recreate the function, run \
             `terraform apply -replace=<this resource address>`; the function, its versions and \
             its alias are deleted and created again."
        ),
    )
    .at(AttrPath::root("function_definition"))
}

/// The schedule the plan shows, and a warning when a Role/DeadLetterConfig change forces
/// ALL_AT_ONCE (weighted aliases need both versions to share them).
pub fn schedule(
    settings: &Settings,
    role_or_dlq_changed: bool,
    diags: &mut Diagnostics,
) -> Option<RolloutPlan> {
    let plan = settings.plan()?;
    if role_or_dlq_changed && plan.steps.len() > 1 {
        diags.push(
            Diagnostic::warning(
                "This release rolls out ALL_AT_ONCE",
                "It changes Role or DeadLetterConfig, and Lambda can only split an alias's traffic \
                 between versions that share both. The new version takes 100% at once; the \
                 configured waits are kept as bake time with the same checks, so a firing alarm \
                 still rolls it back.",
            )
            .at(AttrPath::root("traffic_shifting")),
        );
        return Some(RolloutPlan::all_at_once(plan.configured_waits()));
    }
    Some(plan)
}

fn describe(plan: Option<&RolloutPlan>, capacity: u32) -> Option<Vec<String>> {
    plan.map(|p| schedule_lines(p.describe(), capacity, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(
        prior: &Value,
        cfg: &Value,
        proposed: &Value,
        drift: Option<&Drift>,
    ) -> PlanResponse {
        let seen = Seen {
            drift,
            serving: None,
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
}
