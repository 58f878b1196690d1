//! Plan rules (SPEC §3 "What a change does"), pure: given prior state, configuration and what
//! refresh saw, decide whether this is a deployment, an in-place change or a replacement, and
//! which computed values become unknown. A value is unknown only when it will change.

use gitmoxi_engine::RolloutPlan;

use super::definition::{compare, FunctionDefinition};
use super::release;
use super::settings::{self, Settings};
use super::state::Drift;
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::registry::PlanResponse;
use crate::protocol::value::Value;

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
        // Unknown definition (or unreadable prior): assume a deployment.
        (_, None) if config.get("function_definition").is_unknown() => deployment = true,
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
