//! What every rollout resource does around the engine: the preflight checks only AWS can answer,
//! the deployment built from the settings, and one run of the engine against the port.

use gitmoxi_engine::rollout::{judge_alarms, HookSettings, Verdict};
use std::time::Duration;

use gitmoxi_engine::{
    Alarms, Delegation, Deployment, Event, NoConductor, Outcome, Ports, Retention, RolloutPlan,
    Target,
};
use tokio::time::Instant;

use super::failure::{aws_failure, NOTHING_CHANGED};
use super::redacting::Redacting;
use super::state::{new_deployment_id, planned_from, Shown};
use crate::log;
use crate::model::ports::Cloud;
use crate::model::release::Release;
use crate::model::settings::{Orchestrator, Settings};
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::registry::RequestContext;
use crate::protocol::value::Value;

/// One rollout to run: where, what, and under which settings.
pub struct Rollout<'a> {
    pub function: &'a str,
    pub alias: &'a str,
    pub target: Target,
    pub plan: RolloutPlan,
    pub settings: &'a Settings,
    /// What `$LATEST` becomes; None when an existing version is rolled out.
    pub release: Option<&'a Release>,
    pub creating: bool,
    /// Whether this resource owns the function's versions: only then does a rollout delete the
    /// version that failed and old versions per `retain_versions`.
    pub owns_versions: bool,
    /// What the plan showed (`last_deployment` as planned): where the rollout starts, which the
    /// engine holds it to, and what it does, which the state then records as planned.
    pub planned: &'a Value,
    /// Provisioned concurrency the serving version holds (the prior state's number).
    pub previous_capacity: u32,
    /// Told every event as it happens, beside the log (an action streams them to Terraform).
    pub watcher: Option<&'a (dyn Fn(&Event) + Send + Sync)>,
    /// The version the caller saw the alias serve, when it read the alias itself: the rollout
    /// stops before any change if the alias serves another by the time it starts.
    pub seen_serving: Option<&'a str>,
    /// Where the walk through the weights runs.
    pub orchestrator: &'a Orchestrator,
    /// Versions an earlier rollout on Step Functions left for this one to delete.
    pub leftovers: Vec<String>,
}

/// How often a rollout on Step Functions is read while the apply follows it.
const FOLLOW_POLL: Duration = Duration::from_secs(1);

/// How the rollout ended, under which id, and what it was to do.
pub struct Ran {
    pub id: String,
    pub outcome: Outcome,
    pub shown: Shown,
}

impl Rollout<'_> {
    fn deployment(&self, id: &str) -> Deployment {
        let s = self.settings;
        let mut d = Deployment::new(id, self.alias, self.target.clone(), self.plan.clone());
        d.function_name = self.function.to_string();
        d.alarms = s.alarms.clone();
        d.readiness = s.readiness.clone();
        d.hooks = s.hooks.clone();
        d.analysis = s.analysis.clone();
        d.notify = s.notification_topic_arn.is_some();
        d.deadline = Some(Instant::now() + s.apply_timeout(self.creating, &self.plan));
        // A rollout of a version that already exists (a promotion, or a repair of the deployed
        // version) never deletes it, even if it rolls back.
        let existing = matches!(self.target, Target::Existing(_));
        d.delete_failed_version = self.owns_versions && s.delete_failed_version && !existing;
        d.retention = match (self.owns_versions, s.retain_versions) {
            (false, _) => Retention::KeepAll,
            (true, None) => Retention::Replaced,
            (true, Some(n)) => Retention::KeepNewest(n),
        };
        d.expected_from = match self.seen_serving {
            Some(v) => Some(Some(v.to_string())),
            None => planned_from(self.planned),
        };
        d.provisioned_concurrency = s.provisioned_concurrency;
        d.release_previous_capacity = self.previous_capacity > 0;
        if let Orchestrator::StepFunctions { .. } = self.orchestrator {
            d.delegation = Some(Delegation {
                wait: s.wait_for_rollout,
                poll: FOLLOW_POLL,
            });
        }
        if d.retention == Retention::Replaced {
            d.leftovers = self.leftovers.clone();
        }
        d
    }
}

/// Runs the rollout to its end (the engine never returns early), logging its events.
pub async fn run<C: Cloud>(cloud: &C, ctx: &RequestContext, r: Rollout<'_>) -> Ran {
    let id = new_deployment_id(r.function);
    let d = r.deployment(&id);
    let topic = r.settings.notification_topic_arn.as_deref();
    let ports = cloud.rollout(r.function, r.release, topic);
    let fields = [
        ("function", r.function),
        ("alias", r.alias),
        ("deployment_id", id.as_str()),
    ];
    log::info("deployment started", &fields);
    let progress = |e: &Event| {
        log::info(&e.to_string(), &fields);
        if let Some(watch) = r.watcher {
            watch(e);
        }
    };
    let lambda = Redacting {
        inner: &ports,
        secrets: r
            .release
            .map(|r| r.definition.secrets())
            .unwrap_or_default(),
    };
    let all = Ports {
        lambda: &lambda,
        alarms: &ports,
        hooks: &ports,
        metrics: &ports,
        notifier: &ports,
        conductor: &NoConductor,
    };
    let stop = ctx.stop.clone();
    let outcome = match r.orchestrator {
        Orchestrator::Provider => gitmoxi_engine::run_with(all, &d, stop, &progress).await,
        Orchestrator::StepFunctions { role_arn } => {
            let conductor = cloud.conductor(r.function, role_arn);
            let all = Ports {
                conductor: &conductor,
                lambda: all.lambda,
                alarms: all.alarms,
                hooks: all.hooks,
                metrics: all.metrics,
                notifier: all.notifier,
            };
            gitmoxi_engine::run_with(all, &d, stop, &progress).await
        }
    };
    let status = outcome.status.as_str();
    log::info(
        "deployment finished",
        &[
            ("function", r.function),
            ("status", status),
            ("deployment_id", &id),
        ],
    );
    let first_release = outcome.from_version.is_none();
    let shown = Shown::read(r.planned)
        .unwrap_or_else(|| Shown::of(&r.plan, first_release, r.settings.provisioned_concurrency));
    Ran { id, outcome, shown }
}

/// Warnings the rollout ended with (notifications that could not be sent).
pub fn outcome_warnings(outcome: &Outcome) -> Diagnostics {
    let warnings = outcome.warnings.iter();
    Diagnostics(
        warnings
            .map(|w| Diagnostic::warning("Deployment notification not sent", w.clone()))
            .collect(),
    )
}

/// Before a rollout on Step Functions changes anything: what its machine cannot run is refused
/// (again: the provider block's orchestrator may have been unknown at plan), and a rollout still
/// running on the alias (one this resource left running, or one a killed apply started) stops
/// this one, so two never move one alias.
pub async fn orchestrated<C: Cloud>(
    cloud: &C,
    settings: &Settings,
    orchestrator: &Orchestrator,
    (function, alias): (&str, &str),
) -> Result<(), Diagnostics> {
    if *orchestrator == Orchestrator::Provider {
        return Ok(());
    }
    let mut refused = Diagnostics::default();
    super::orchestrator::refusals(settings, orchestrator, &mut refused);
    if refused.has_errors() {
        return Err(refused);
    }
    match cloud.running_walk(function, alias).await {
        Ok(None) => Ok(()),
        Ok(Some(walk)) => Err(still_running(function, alias, &walk).into()),
        Err(e) => {
            let d = aws_failure(
                "listing the alias's running rollouts",
                function,
                &e,
                NOTHING_CHANGED,
            );
            Err(d.into())
        }
    }
}

/// After a destroy: the alias's state machine, when its rollouts ran on Step Functions (a
/// warning when it cannot be deleted: it holds nothing and runs nothing on its own).
pub async fn forget_machine<C: Cloud>(
    cloud: &C,
    prior: &Value,
    (function, alias): (&str, &str),
) -> Option<Diagnostic> {
    let (settings, _) = super::settings::parse(prior);
    let on_sfn = *settings.orchestrator(cloud.orchestrator()) != Orchestrator::Provider;
    let ran_there = !prior.get("last_deployment").get("execution_arn").is_null();
    if !on_sfn && !ran_there {
        return None;
    }
    let e = cloud.forget_walks(function, alias).await.err()?;
    let d = aws_failure(
        "deleting the rollouts' state machine",
        &format!("{function}:{alias}"),
        &e,
        "Everything else was destroyed; the state machine is still there (delete it by hand if \
         you like: it runs nothing on its own).",
    );
    Some(Diagnostic::warning(d.summary, d.detail))
}

/// The error of an apply that would start a second rollout on an alias.
pub fn still_running(function: &str, alias: &str, walk: &str) -> Diagnostic {
    Diagnostic::error(
        format!("A rollout is still running on {function}:{alias}"),
        format!(
            "Step Functions execution {walk} is moving this alias. Nothing was changed: a second \
             rollout on the same alias would fight it. Apply again once it has ended (the next \
             plan reads how it ended), or stop it (`aws stepfunctions stop-execution \
             --execution-arn {walk}`: the alias keeps the weights it had, which the next apply \
             repairs)."
        ),
    )
}

/// Hook functions must exist before anything changes.
pub async fn preflight_hooks<C: Cloud>(cloud: &C, hooks: &HookSettings) -> Result<(), Diagnostics> {
    for (name, function) in [
        ("before_allow_traffic", &hooks.before_allow_traffic),
        ("after_allow_traffic", &hooks.after_allow_traffic),
    ] {
        let Some(function) = function else { continue };
        match cloud.find_function(function, "$LATEST").await {
            Ok(Some(_)) => {}
            Ok(None) => {
                return Err(Diagnostic::error(
                    format!("Deployment not started: hook function {function} does not exist"),
                    "Nothing was changed. Create the hook function first (or fix its name) and \
                     apply again.",
                )
                .at(AttrPath::root("hooks").index(0).attr(name))
                .into())
            }
            Err(e) => {
                let d = aws_failure("reading the hook function", function, &e, NOTHING_CHANGED);
                return Err(d.into());
            }
        }
    }
    Ok(())
}

/// Named alarms exist and none is in ALARM.
pub async fn preflight_alarms<A: Alarms>(alarms: &A, names: &[String]) -> Result<(), Diagnostics> {
    if names.is_empty() {
        return Ok(());
    }
    let states = alarms.states(names).await.map_err(|e| {
        let d = aws_failure("reading CloudWatch alarms", "alarms", &e, NOTHING_CHANGED);
        Diagnostics::from(d.at(AttrPath::root("alarms")))
    })?;
    match judge_alarms(names, &states) {
        Verdict::Healthy => Ok(()),
        Verdict::Unhealthy { reason, .. } => Err(Diagnostic::error(
            format!("Deployment not started: {reason}"),
            "Nothing was changed. An alarm must exist and not be in ALARM before a rollout \
             starts; wait for it to recover (or fix the alarm name) and apply again.",
        )
        .at(AttrPath::root("alarms"))
        .into()),
    }
}
