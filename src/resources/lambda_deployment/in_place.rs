//! What an apply changes without a rollout: settings, tags, event sources, an alias rename, and
//! destroy. Nothing here publishes a version. Each step that fails returns a state saying which
//! of them already happened.

use std::collections::BTreeMap;

use super::config::DeploymentConfig;
use super::rename::AliasMove;
use super::state::DeploymentState;
use crate::log;
use crate::model::definition;
use crate::model::event_sources::EventSources;
use crate::model::ports::{invoke_arn, AwsError, Cloud, SourceTarget};
use crate::protocol::diagnostics::{Diagnostic, Diagnostics};
use crate::protocol::registry::{ApplyRequest, ApplyResponse};
use crate::protocol::value::Value;
use crate::resources::common::failure::{aws_failure, fail, NOTHING_CHANGED};
use crate::resources::common::reconcile::{reconcile, Replaced};
use crate::resources::common::{capacity, rollout, settings, sources};
use tokio::sync::Mutex;

/// Makes the function's tags go from `have` to `want` (tags are not versioned).
pub async fn sync_tags<C: Cloud>(
    cloud: &C,
    function_arn: &str,
    have: &BTreeMap<String, String>,
    want: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    let remove: Vec<String> = have
        .keys()
        .filter(|k| !want.contains_key(*k))
        .cloned()
        .collect();
    if !remove.is_empty() {
        cloud.untag_function(function_arn, &remove).await?;
    }
    let add: BTreeMap<String, String> = want
        .iter()
        .filter(|(k, v)| have.get(*k) != Some(v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !add.is_empty() {
        cloud.tag_function(function_arn, &add).await?;
    }
    Ok(())
}

/// Tags are not versioned: applied in place, from what the state says to what is declared (from
/// what the function really has when a create left them pending).
async fn update_tags<C: Cloud>(
    cloud: &C,
    prior: &DeploymentState,
    config: &DeploymentConfig,
) -> Result<(), Diagnostic> {
    let Some(new) = &config.definition else {
        return Ok(());
    };
    let function = &prior.function_name;
    let failed =
        |e: AwsError| aws_failure("tagging Lambda function", function, &e, NOTHING_CHANGED);
    let have = if prior.tags_pending() {
        let served = cloud
            .find_function(function, "$LATEST")
            .await
            .map_err(failed)?;
        served.map(|f| f.tags).unwrap_or_default()
    } else {
        let old = prior.function_definition.as_deref();
        let old = old.and_then(|t| definition::parse(t).ok()).map(|(d, _)| d);
        old.map(|d| d.tags()).unwrap_or_else(|| new.tags())
    };
    if have != new.tags() {
        sync_tags(cloud, &prior.function_arn, &have, &new.tags())
            .await
            .map_err(failed)?;
    }
    Ok(())
}

pub async fn update_in_place<C: Cloud>(
    cloud: &C,
    req: &ApplyRequest,
    config: &DeploymentConfig,
    replaced: &Mutex<Replaced>,
) -> ApplyResponse {
    let mut replaced = replaced.lock().await;
    let Some(prior) = DeploymentState::read(&req.prior_state) else {
        return fail(Diagnostics::default(), Value::Null);
    };
    let planned = DeploymentState::read(&req.planned_state).unwrap_or_default();
    let function = prior.function_name.clone();

    // First, so that a failure leaves nothing else changed.
    let serving = (function.as_str(), prior.version.as_str());
    let amounts = (
        capacity::amount(&req.prior_state),
        config.settings.provisioned_concurrency,
    );
    let readiness = &config.settings.readiness;
    if let Err(d) = capacity::set_in_place(cloud, serving, amounts, readiness).await {
        return fail(Diagnostics::from(d), req.prior_state.clone());
    }
    if let Err(d) = update_tags(cloud, &prior, config).await {
        return fail(d, req.prior_state.clone());
    }
    // Sources a create left pending were taken off again: nothing of them is on the alias.
    let had = match prior.event_sources_pending() {
        true => EventSources::default(),
        false => sources::stored(prior.event_sources.as_deref()),
    };
    let want = config.event_sources.clone().unwrap_or_default();
    if planned.alias != prior.alias {
        return rename_alias(cloud, req, &prior, planned, (&had, &want), &mut replaced).await;
    }
    if had != want {
        let target = SourceTarget::new(&function, &prior.alias, &prior.function_arn);
        if let Err(e) = reconcile(cloud, &target, &had, &want, &mut replaced).await {
            let mut partial = planned;
            partial.event_sources = prior.event_sources.clone();
            let done = "The other changes were applied; the event sources were not all moved, \
                        and the next plan shows them again.";
            let d = aws_failure("reconciling event sources", &function, &e, done);
            return fail(d, partial.write(req.planned_state.clone()));
        }
    }
    ApplyResponse {
        new_state: req.planned_state.clone(),
        private: Vec::new(),
        diagnostics: Diagnostics::default(),
    }
}

/// The new alias starts on the serving version and gets the event sources, then the old alias
/// loses them and goes. A failure undoes the new alias, so the state's alias is the one serving.
async fn rename_alias<C: Cloud>(
    cloud: &C,
    req: &ApplyRequest,
    prior: &DeploymentState,
    mut planned: DeploymentState,
    sources: (&EventSources, &EventSources),
    replaced: &mut Replaced,
) -> ApplyResponse {
    let function = &prior.function_name;
    let fn_arn = &prior.function_arn;
    let m = AliasMove::new(
        function,
        fn_arn,
        &prior.alias,
        &planned.alias,
        &prior.version,
    );
    if let Err(d) = m.open(cloud).await {
        return fail(d, req.prior_state.clone());
    }
    if let Err(e) = m.complete(cloud, sources, replaced).await {
        m.undo(cloud, sources, replaced).await;
        let done = format!(
            "The move was undone as far as AWS allowed: alias {} still serves version {}.",
            prior.alias, prior.version
        );
        let d = aws_failure("moving to the new alias", function, &e, &done);
        return fail(d, req.prior_state.clone());
    }
    planned.invoke_arn = invoke_arn(cloud.region(), &m.new.alias_arn);
    planned.alias_arn = m.new.alias_arn;
    ApplyResponse {
        new_state: planned.write(req.planned_state.clone()),
        private: Vec::new(),
        diagnostics: Diagnostics::default(),
    }
}

/// Deletes the event sources, the alias and the function, unless `skip_destroy`.
pub async fn destroy<C: Cloud>(
    cloud: &C,
    prior: &Value,
    replaced: &Mutex<Replaced>,
) -> ApplyResponse {
    let (settings, _) = settings::parse(prior);
    let Some(state) = DeploymentState::read(prior) else {
        return ApplyResponse::default();
    };
    let function = state.function_name.clone();
    if settings.skip_destroy {
        log::info(
            "skip_destroy: leaving the function in place",
            &[("function", &function)],
        );
        return ApplyResponse::default();
    }
    let work = async {
        let target = SourceTarget::new(&function, &state.alias, &state.function_arn);
        let had = sources::stored(state.event_sources.as_deref());
        let mut replaced = replaced.lock().await;
        let none = EventSources::default();
        reconcile(cloud, &target, &had, &none, &mut replaced).await?;
        cloud.delete_alias(&function, &state.alias).await?;
        cloud.delete_function(&function).await
    };
    match tokio::time::timeout(settings.delete_timeout(), work).await {
        Ok(Ok(())) => {
            let target = (function.as_str(), state.alias.as_str());
            let warning = rollout::forget_machine(cloud, prior, target).await;
            ApplyResponse {
                diagnostics: warning.into_iter().collect::<Vec<_>>().into(),
                ..ApplyResponse::default()
            }
        }
        Ok(Err(e)) => {
            let done = "Some of the function's event sources may be gone already; the function \
                        is still there, and the next destroy finishes the job.";
            let d = aws_failure("deleting Lambda function", &function, &e, done);
            fail(d, prior.clone())
        }
        Err(_) => fail(
            Diagnostic::error(
                format!("Timed out deleting {function}"),
                "Raise `timeouts.delete` or check the function in the console, then apply again.",
            ),
            prior.clone(),
        ),
    }
}
