//! What every rollout resource does around the engine: preflight checks of what only AWS can
//! tell, the adapters a rollout talks to, and the diagnostics a deployment ends with.

use gitmoxi_engine::rollout::{judge_alarms, HookSettings, Ports, Verdict};
use gitmoxi_engine::{Alarms, Outcome, Status};

use crate::aws::alarms::CloudWatchAlarms;
use crate::aws::clients::AwsClients;
use crate::aws::hooks::LambdaHooks;
use crate::aws::lambda;
use crate::aws::metrics::CloudWatchMetrics;
use crate::aws::notify::SnsNotifier;
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::registry::ApplyResponse;
use crate::protocol::value::Value;

use super::settings::Settings;
use super::state;

pub fn fail(diags: impl Into<Diagnostics>, state: Value) -> ApplyResponse {
    ApplyResponse {
        new_state: state,
        private: Vec::new(),
        diagnostics: diags.into(),
    }
}

pub fn aws_diag(action: &str, function: &str, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        format!("Error {action} ({function})"),
        format!("{e}. Nothing was left half-done: fix the cause and run `terraform apply` again."),
    )
}

pub fn deployment_error(function: &str, alias: &str, o: &Outcome, creating: bool) -> Diagnostic {
    let reason = o.reason.clone().unwrap_or_else(|| "no reason given".into());
    let summary = match o.status {
        Status::RolledBack => format!("Deployment of {function} rolled back: {reason}"),
        Status::Interrupted => format!("Deployment of {function} interrupted and rolled back"),
        _ => format!("Deployment of {function} failed: {reason}"),
    };
    let mut detail = String::new();
    if let Some(check) = &o.failed_check {
        detail.push_str(&format!("Failed check: {check}. "));
    }
    if let Some((i, w)) = o.last_step {
        detail.push_str(&format!(
            "Traffic had reached step {} ({w}%) on version {}. ",
            i + 1,
            o.to_version.as_deref().unwrap_or("?")
        ));
    }
    match o.serving.as_ref() {
        Some(r) => detail.push_str(&format!(
            "Alias {alias} now routes {}. ",
            state::describe_routing(r)
        )),
        None if creating => detail.push_str("Nothing serves yet. "),
        None => {}
    }
    if creating {
        detail.push_str("The create was undone; fix the cause and apply again.");
    } else {
        detail.push_str(
            "The state keeps the previous release, so the next plan shows this change again. Fix the cause (or the \
             alarm) and run `terraform apply` again.",
        );
    }
    Diagnostic::error(summary, detail)
}

/// The adapters a rollout talks to besides Lambda itself.
/// The adapters a rollout talks to besides Lambda itself.
pub struct CheckPorts<'a, L> {
    lambda: &'a L,
    alarms: &'a CloudWatchAlarms,
    hooks: LambdaHooks,
    metrics: CloudWatchMetrics,
    notifier: SnsNotifier,
}

impl<'a, L> CheckPorts<'a, L> {
    pub fn as_ports(
        &self,
    ) -> Ports<'_, L, CloudWatchAlarms, LambdaHooks, CloudWatchMetrics, SnsNotifier> {
        Ports {
            lambda: self.lambda,
            alarms: self.alarms,
            hooks: &self.hooks,
            metrics: &self.metrics,
            notifier: &self.notifier,
        }
    }
}

pub fn ports<'a, L>(
    clients: &AwsClients,
    lambda: &'a L,
    alarms: &'a CloudWatchAlarms,
    settings: &Settings,
    function: &str,
) -> CheckPorts<'a, L> {
    CheckPorts {
        lambda,
        alarms,
        hooks: LambdaHooks {
            client: clients.lambda.clone(),
        },
        metrics: CloudWatchMetrics {
            client: clients.cloudwatch.clone(),
            function_name: function.to_string(),
        },
        notifier: SnsNotifier {
            client: clients.sns.clone(),
            topic_arn: settings.notification_topic_arn.clone().unwrap_or_default(),
        },
    }
}

/// Hook functions must exist before anything changes (SPEC §3 step 0).
pub async fn preflight_hooks(
    clients: &AwsClients,
    hooks: &HookSettings,
) -> Result<(), Diagnostics> {
    for (name, function) in [
        ("before_allow_traffic", &hooks.before_allow_traffic),
        ("after_allow_traffic", &hooks.after_allow_traffic),
    ] {
        let Some(function) = function else { continue };
        match lambda::find_function(&clients.lambda, function, "$LATEST").await {
            Ok(Some(_)) => {}
            Ok(None) => {
                return Err(Diagnostic::error(
                    format!("Deployment not started: hook function {function} does not exist"),
                    "Nothing was changed. Create the hook function first (or fix its name) and apply again.",
                )
                .at(AttrPath::root("hooks").index(0).attr(name))
                .into())
            }
            Err(e) => return Err(aws_diag("reading the hook function", function, e).into()),
        }
    }
    Ok(())
}

pub async fn preflight_alarms<A: Alarms>(alarms: &A, names: &[String]) -> Result<(), Diagnostics> {
    if names.is_empty() {
        return Ok(());
    }
    let states = alarms.states(names).await.map_err(|e| {
        Diagnostics::from(
            Diagnostic::error("Error reading CloudWatch alarms", e.to_string())
                .at(AttrPath::root("alarms")),
        )
    })?;
    match judge_alarms(names, &states) {
        Verdict::Healthy => Ok(()),
        Verdict::Unhealthy { reason, .. } => Err(Diagnostic::error(
            format!("Deployment not started: {reason}"),
            "Nothing was changed. An alarm must exist and not be in ALARM before a rollout starts; wait for it to \
             recover (or fix the alarm name) and apply again.",
        )
        .at(AttrPath::root("alarms"))
        .into()),
    }
}
