//! Plan rules, pure: given the prior state, the configuration and what refresh saw, decide
//! whether this is a deployment, an in-place change or a replacement, and which computed values
//! become unknown. A value is unknown only when it will change.

use std::collections::BTreeMap;

use gitmoxi_engine::RolloutPlan;

use super::config::DeploymentConfig;
use super::keep::{self, Keep};
use super::state::{self, Change, DeploymentState, Planned, PlannedHash};
use crate::model::definition::{self, compare, ChangeSet, FunctionDefinition};
use crate::model::settings::Settings;
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::registry::PlanResponse;
use crate::protocol::value::Value;
use crate::resources::common::capacity::schedule_lines;
use crate::resources::common::sources;
use crate::resources::common::state::{Drift, Shown};
use crate::resources::common::values::Input;

pub use super::state::is_deployment;

/// What refresh (or, for a create, a read at plan time) saw of the alias. Not `Debug`: it may
/// hold secret values.
#[derive(Clone, Default)]
pub struct Seen<'a> {
    pub drift: Option<&'a Drift>,
    /// For a create: what the alias serves, if the function and alias exist (`Some(None)`: no
    /// alias, a first release); None when it could not be read.
    pub serving: Option<Option<String>>,
    /// For an update whose configuration declares variables the prior state keeps: their values
    /// as the deployed version serves them, to compare in memory (never stored).
    pub kept_values: Option<BTreeMap<String, String>>,
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
        Some(p) => {
            let kept = Keep::read(prior);
            let prior = Prior {
                state: &p,
                kept: &kept,
                values: seen.kept_values.as_ref(),
            };
            update(
                &c,
                prior,
                seen.drift,
                &mut diags,
                &mut resp.requires_replace,
            )
        }
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
    if c.keep.keeps_anything() {
        diags.push(keep::nothing_to_keep(c.keep.code));
    }
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

/// The prior state, and what it keeps from the serving version.
struct Prior<'a> {
    state: &'a DeploymentState,
    kept: &'a Keep,
    /// The kept variables' values, when they were read for this plan.
    values: Option<&'a BTreeMap<String, String>>,
}

fn update(
    c: &DeploymentConfig,
    Prior {
        state: prior,
        kept,
        values,
    }: Prior<'_>,
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
            refused(c, &changes, diags);
            // Variables count wherever they are declared: moving one between the definition and
            // `sensitive_environment` changes nothing Lambda runs, nor does keeping a value that
            // was declared (the serving version runs it).
            let served = effective(old, &prior.sensitive_environment)
                .and_then(|d| keep::for_comparison(d, kept.names(), values));
            let served_vars = served.as_ref().map(|d| d.env_vars().into_map());
            let declared = effective(new, &c.sensitive_environment)
                .and_then(|d| keep::for_comparison(d, c.keep.names(), served_vars.as_ref()));
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
    // An imported deployment has no hash of its own yet: a package is new unless it is the code
    // the alias serves.
    let same = |h: &String| match &prior.source_code_hash {
        Some(had) => h == had,
        None => *h == prior.code_sha256,
    };
    let hash_changed = match hash {
        PlannedHash::Given => {
            let given = &c.source_code_hash;
            given.is_unknown() || !given.known().is_some_and(same)
        }
        PlannedHash::Known(Some(h)) => !same(h),
        PlannedHash::Known(None) => prior.source_code_hash.is_some(),
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

/// Changes Lambda cannot make in place, and an architecture change to code that is kept.
fn refused(c: &DeploymentConfig, changes: &ChangeSet, diags: &mut Diagnostics) {
    for key in &changes.immutable {
        diags.push(immutable(key));
    }
    if c.keep.code && changes.code {
        diags.push(
            Diagnostic::error(
                "keep_code cannot change Architectures",
                "The kept code was built for the architecture it serves on, and it is published \
                 again as it is. Give the package built for the new architecture (package_file or \
                 Code) instead of keep_code.",
            )
            .at(AttrPath::root("keep_code")),
        );
    }
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
mod tests;
