//! Actions (Terraform 1.14 and later): what `terraform apply -invoke=action.TYPE.NAME` or a
//! resource's `action_trigger` runs once, outside any resource's life-cycle.
//!
//! - [`rollback`]: `gitmoxi_lambda_rollback`, an alias back to 100% on one version, now.
//! - [`promote`]: `gitmoxi_lambda_promote`, an existing version rolled onto an alias with the
//!   usual schedule and checks.
//!
//! Both run the engine as the resources do (same revision guard on every alias update, same
//! checks, notifications and rollback), stream its events to Terraform as progress lines and
//! end with a report. Neither touches Terraform state: a resource managing the alias sees the
//! change at its next refresh, as drift.

pub mod promote;
pub mod rollback;

use std::sync::Arc;
use std::time::Duration;

use gitmoxi_engine::{Event, Outcome, RolloutPlan, Target};

use crate::model::ports::{AliasRouting, Cloud};
use crate::model::settings::{Orchestrator, Settings};
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::registry::{Action, Progress, RequestContext};
use crate::protocol::schema::{Attribute, Block};
use crate::protocol::value::{Type, Value};
use crate::provider::Configured;
use crate::resources::common::failure::rollout_error;
use crate::resources::common::rollout::{self, outcome_warnings, Rollout};
use crate::resources::common::settings;
use crate::resources::common::values::{check_function_name, check_version};

pub fn all<C: Cloud>(configured: &Configured<C>) -> Vec<Arc<dyn Action>> {
    vec![
        Arc::new(rollback::Rollback::new(configured.clone())),
        Arc::new(promote::Promote::new(configured.clone())),
    ]
}

/// `function_name` and `alias`, which every action names.
fn on_alias(block: Block) -> Block {
    block
        .attr(Attribute::required(
            "function_name",
            Type::String,
            "Name of the Lambda function.",
        ))
        .attr(Attribute::required(
            "alias",
            Type::String,
            "The alias to act on.",
        ))
}

/// What can be checked without calling AWS (unknown values are skipped): the function's name,
/// the version argument `version` names, and the settings (the alias among them).
fn validate_config(config: &Value, version: &str) -> Diagnostics {
    let mut diags = Diagnostics::default();
    if let Some(f) = config.get("function_name").as_str() {
        check_function_name(f, &mut diags);
    }
    if let Some(v) = config.get(version).as_str() {
        check_version(version, v, &mut diags);
    }
    diags.extend(settings::parse(config).1);
    diags
}

/// Where every action starts: the cloud, the function and alias the configuration names, and what
/// the alias routes.
async fn acting_on<'a, C: Cloud>(
    configured: &'a Configured<C>,
    config: &'a Value,
) -> Result<(&'a C, &'a str, &'a str, AliasRouting), Diagnostics> {
    let cloud = configured.cloud()?;
    let function = known(config, "function_name")?;
    let alias = known(config, "alias")?;
    let routing = read_alias(cloud, function, alias).await?;
    Ok((cloud, function, alias, routing))
}

/// What `alias` of `function` routes, before an action changes anything; a missing alias is an
/// error (an action moves an alias, it never creates one).
async fn read_alias<C: Cloud>(
    cloud: &C,
    function: &str,
    alias: &str,
) -> Result<AliasRouting, Diagnostics> {
    match cloud.find_alias(function, alias).await {
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(Diagnostic::error(
            format!("{function} has no alias {alias}"),
            "Nothing was changed: an action moves an existing alias and never creates one. Check \
             function_name and alias (a deployment resource creates the alias).",
        )
        .at(AttrPath::root("alias"))
        .into()),
        Err(e) => Err(Diagnostic::error(
            format!("Reading alias {function}:{alias}"),
            format!("{e}. Nothing was changed."),
        )
        .into()),
    }
}

/// That `version` of `function` exists, before an action changes anything.
async fn version_exists<C: Cloud>(
    cloud: &C,
    function: &str,
    version: &str,
    argument: &str,
) -> Diagnostics {
    match cloud.find_function(function, version).await {
        Ok(Some(_)) => Diagnostics::default(),
        Ok(None) => Diagnostic::error(
            format!("Version {version} of {function} does not exist"),
            format!("Nothing was changed. Set {argument} to a published version."),
        )
        .at(AttrPath::root(argument))
        .into(),
        Err(e) => Diagnostic::error(
            format!("Reading version {version} of {function}"),
            format!("{e}. Nothing was changed."),
        )
        .into(),
    }
}

/// The known text of `name`, or the diagnostic Terraform should never make us give.
fn known<'a>(config: &'a Value, name: &str) -> Result<&'a str, Diagnostics> {
    config.get(name).as_str().ok_or_else(|| {
        Diagnostic::error(
            format!("{name} is not known"),
            "An action runs with its whole configuration known; this is a bug, please report it.",
        )
        .into()
    })
}

/// One run of the engine putting `version` on `alias` under `plan`, its events streamed to
/// Terraform, ending with a line saying what serves.
/// `seen_serving`: the version the action saw the alias serve, which the engine holds it to.
async fn run_on_alias<C: Cloud>(
    cloud: &C,
    ctx: &RequestContext,
    progress: Progress<'_>,
    (function, alias, version): (&str, &str, &str),
    (plan, seen_serving): (RolloutPlan, Option<&str>),
    settings: &Settings,
) -> Diagnostics {
    let watcher = |e: &Event| progress(e.to_string());
    let run = Rollout {
        function,
        alias,
        target: Target::Existing(version.to_string()),
        plan,
        settings,
        release: None,
        creating: false,
        owns_versions: false,
        planned: &Value::Null,
        previous_capacity: 0,
        watcher: Some(&watcher),
        seen_serving,
        // Actions act now and report as they go: they always run in the provider.
        orchestrator: &Orchestrator::Provider,
        leftovers: Vec::new(),
    };
    let ran = rollout::run(cloud, ctx, run).await;
    let o = &ran.outcome;
    progress(report(&ran.id, o));
    if o.succeeded() {
        return outcome_warnings(o);
    }
    let subject = format!("Moving {function}:{alias} to version {version}");
    let next = "Terraform state is unchanged. Fix the cause and invoke the action again.";
    let error = rollout_error(&subject, alias, o, next);
    // A rollback that met an error on the way can still end where it was asked to: say so.
    match o.serving.as_ref().filter(|r| r.serves_fully(version)) {
        Some(_) => Diagnostic::warning(error.summary, error.detail).into(),
        None => error.into(),
    }
}

/// What a deployment did, in one line, as `last_deployment` would record it.
fn report(id: &str, o: &Outcome) -> String {
    let steps: Vec<String> = o
        .steps
        .iter()
        .map(|s| format!("{}%", s.weight_percent))
        .collect();
    format!(
        "deployment {id}: {} from version {} to {} (steps {}){}",
        o.status.as_str(),
        o.from_version.as_deref().unwrap_or("-"),
        o.to_version.as_deref().unwrap_or("-"),
        if steps.is_empty() {
            "none".into()
        } else {
            steps.join(", ")
        },
        o.failed_check
            .as_deref()
            .map(|c| format!(", failed check {c}"))
            .unwrap_or_default(),
    )
}

/// No wait and no bake: an action that moves traffic back does it at once.
fn at_once() -> RolloutPlan {
    RolloutPlan::all_at_once(Duration::ZERO)
}

#[cfg(test)]
mod tests;
