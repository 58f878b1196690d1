//! Apply for `gitmoxi_lambda_alias_deployment`: roll an existing version out on the alias,
//! reconcile the alias's event sources, or remove both.

use gitmoxi_engine::Target;

use super::config::AliasConfig;
use super::state::{self, AliasState};
use crate::model::event_sources::EventSources;
use crate::model::ports::{invoke_arn, Cloud, SourceTarget};
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::registry::{ApplyRequest, ApplyResponse, RequestContext};
use crate::protocol::value::Value;
use crate::resources::common::capacity;
use crate::resources::common::failure::{
    aws_failure, deployment_error, fail, unknown_at_apply, NOTHING_CHANGED,
};
use crate::resources::common::reconcile::{reconcile, Replaced};
use crate::resources::common::rollout::{
    self, outcome_warnings, preflight_alarms, preflight_hooks, Rollout,
};
use crate::resources::common::state::{last_deployment, Private};
use crate::resources::common::{settings, sources};

pub async fn apply<C: Cloud>(cloud: &C, ctx: &RequestContext, req: ApplyRequest) -> ApplyResponse {
    // The stage variable values event sources replaced, kept across applies.
    let mut replaced = Private::read(&req.planned_private).replaced;
    if req.planned_state.is_null() {
        return destroy(cloud, &req.prior_state, &mut replaced).await;
    }
    let (config, diags) = AliasConfig::parse(&req.config);
    if diags.has_errors() {
        return fail(diags, req.prior_state);
    }
    let mut resp = if state::is_rollout(&req.planned_state) {
        roll_out(cloud, ctx, &req, &config, &mut replaced).await
    } else {
        update_event_sources(cloud, &req, &config, &mut replaced).await
    };
    if !resp.new_state.is_null() {
        resp.private = Private::keeping(replaced);
    }
    resp
}

async fn roll_out<C: Cloud>(
    cloud: &C,
    ctx: &RequestContext,
    req: &ApplyRequest,
    c: &AliasConfig,
    replaced: &mut Replaced,
) -> ApplyResponse {
    let prior = AliasState::read(&req.prior_state);
    let undo = req.prior_state.clone();
    let (Some(function), Some(alias), Some(version), Some(plan)) = (
        c.function_name.known(),
        c.alias.known(),
        c.version.known(),
        c.settings.plan(),
    ) else {
        return fail(
            unknown_at_apply("function_name, alias, version or traffic_shifting"),
            undo,
        );
    };
    let function_arn = match preflight(cloud, c, function, version).await {
        Ok(arn) => arn,
        Err(d) => return fail(d, undo),
    };
    let held = capacity::amount(&req.prior_state);
    if let Err(d) = capacity::preflight(cloud, c.settings.provisioned_concurrency, held).await {
        return fail(d, undo);
    }
    let orchestrator = c.settings.orchestrator(cloud.orchestrator());
    if let Err(d) = rollout::orchestrated(cloud, &c.settings, orchestrator, (function, alias)).await
    {
        return fail(d, undo);
    }
    let rollout = Rollout {
        function,
        alias,
        target: Target::Existing(version.clone()),
        plan,
        settings: &c.settings,
        release: None,
        creating: prior.is_none(),
        owns_versions: false,
        planned: state::planned_rollout(&req.planned_state),
        previous_capacity: capacity::amount(&req.prior_state),
        watcher: None,
        seen_serving: None,
        orchestrator,
        leftovers: Vec::new(),
    };
    let ran = rollout::run(cloud, ctx, rollout).await;
    let o = &ran.outcome;
    if !o.succeeded() {
        let error = deployment_error(function, alias, o, prior.is_none());
        let Some(mut s) = prior else {
            return fail(error, Value::Null);
        };
        s.last_deployment = last_deployment(&ran.id, o, &ran.shown);
        return fail(error, s.write(undo));
    }
    let target = SourceTarget::new(function, alias, &function_arn);
    let mut s = AliasState::read(&req.planned_state).unwrap_or_default();
    s.id = format!("{function}:{alias}");
    s.invoke_arn = invoke_arn(cloud.region(), &target.alias_arn);
    s.alias_arn = target.alias_arn.clone();
    s.previous_version = o.from_version.clone().filter(|v| v != version);
    s.last_deployment = last_deployment(&ran.id, o, &ran.shown);
    let mut diagnostics = outcome_warnings(o);
    // Event sources follow the alias once the version serves 100%.
    let had = prior.as_ref().and_then(|p| p.event_sources.clone());
    let follow = follow_sources(cloud, &target, (had.as_deref(), c), replaced);
    if let Err(d) = follow.await.map(|w| diagnostics.extend(w)) {
        s.event_sources = had;
        diagnostics.push(d);
    }
    ApplyResponse {
        new_state: s.write(req.planned_state.clone()),
        private: Vec::new(),
        diagnostics,
    }
}

/// What only AWS can tell, before any change: the version exists, the alarms are quiet, the
/// hooks exist. Returns the function's ARN.
async fn preflight<C: Cloud>(
    cloud: &C,
    c: &AliasConfig,
    function: &str,
    version: &str,
) -> Result<String, Diagnostics> {
    let served = match cloud.find_function(function, version).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            let d = Diagnostic::error(
                format!("Version {version} of {function} does not exist"),
                "Nothing was changed. Promote a version that was published, e.g. the `version` \
                 of the environment before this one.",
            );
            return Err(d.at(AttrPath::root("version")).into());
        }
        Err(e) => {
            let d = aws_failure(
                "reading the version to promote",
                function,
                &e,
                NOTHING_CHANGED,
            );
            return Err(d.into());
        }
    };
    preflight_alarms(cloud.alarms(), &c.settings.alarms).await?;
    preflight_hooks(cloud, &c.settings.hooks).await?;
    Ok(served.function_arn)
}

/// Reconciles the alias's event sources after a successful rollout; warnings go into
/// `diagnostics`, a failure comes back as the diagnostic to add.
async fn follow_sources<C: Cloud>(
    cloud: &C,
    target: &SourceTarget,
    (had, c): (Option<&str>, &AliasConfig),
    replaced: &mut Replaced,
) -> Result<Diagnostics, Diagnostic> {
    let want = c.event_sources.clone().unwrap_or_default();
    match reconcile(cloud, target, &sources::stored(had), &want, replaced).await {
        Ok(warnings) => Ok(Diagnostics(
            warnings
                .into_iter()
                .map(|w| Diagnostic::warning("Event sources", w))
                .collect(),
        )),
        Err(e) => {
            let done = "The version serves; the event sources were not all moved, and the next \
                        plan shows them again.";
            Err(aws_failure(
                "reconciling event sources",
                &target.function,
                &e,
                done,
            ))
        }
    }
}

async fn update_event_sources<C: Cloud>(
    cloud: &C,
    req: &ApplyRequest,
    c: &AliasConfig,
    replaced: &mut Replaced,
) -> ApplyResponse {
    let Some(prior) = AliasState::read(&req.prior_state) else {
        return fail(Diagnostics::default(), Value::Null);
    };
    let serving = (prior.function_name.as_str(), prior.version.as_str());
    let amounts = (
        capacity::amount(&req.prior_state),
        c.settings.provisioned_concurrency,
    );
    let readiness = &c.settings.readiness;
    if let Err(d) = capacity::set_in_place(cloud, serving, amounts, readiness).await {
        return fail(Diagnostics::from(d), req.prior_state.clone());
    }
    let had = prior.event_sources.as_deref();
    let mut diagnostics = Diagnostics::default();
    if sources::stored(had) != c.event_sources.clone().unwrap_or_default() {
        let target = SourceTarget {
            function: prior.function_name.clone(),
            alias: prior.alias.clone(),
            alias_arn: prior.alias_arn.clone(),
        };
        let follow = follow_sources(cloud, &target, (had, c), replaced);
        if let Err(d) = follow.await.map(|w| diagnostics.extend(w)) {
            let mut partial = AliasState::read(&req.planned_state).unwrap_or_default();
            partial.event_sources = prior.event_sources.clone();
            return fail(d, partial.write(req.planned_state.clone()));
        }
    }
    ApplyResponse {
        new_state: req.planned_state.clone(),
        private: Vec::new(),
        diagnostics,
    }
}

/// Removes the alias's event sources and the alias; never the function or a version.
async fn destroy<C: Cloud>(cloud: &C, prior: &Value, replaced: &mut Replaced) -> ApplyResponse {
    let Some(s) = AliasState::read(prior) else {
        return ApplyResponse::default();
    };
    let target = SourceTarget {
        function: s.function_name.clone(),
        alias: s.alias.clone(),
        alias_arn: s.alias_arn.clone(),
    };
    let work = async {
        let had = sources::stored(s.event_sources.as_deref());
        let none = EventSources::default();
        reconcile(cloud, &target, &had, &none, replaced).await?;
        cloud.delete_alias(&s.function_name, &s.alias).await
    };
    let (settings, _) = settings::parse(prior);
    match tokio::time::timeout(settings.delete_timeout(), work).await {
        Ok(Ok(())) => {
            let target = (s.function_name.as_str(), s.alias.as_str());
            let warning = rollout::forget_machine(cloud, prior, target).await;
            ApplyResponse {
                diagnostics: warning.into_iter().collect::<Vec<_>>().into(),
                ..ApplyResponse::default()
            }
        }
        Ok(Err(e)) => {
            let done = "Some of the alias's event sources may be gone already; the alias is \
                        still there, and the next destroy finishes the job.";
            fail(
                aws_failure("deleting Lambda alias", &s.function_name, &e, done),
                prior.clone(),
            )
        }
        Err(_) => fail(
            Diagnostic::error(
                format!(
                    "Timed out deleting alias {} of {}",
                    s.alias, s.function_name
                ),
                "Raise `timeouts.delete` and apply again.",
            ),
            prior.clone(),
        ),
    }
}
