//! Apply for `gitmoxi_lambda_alias_deployment`: roll an existing version out on the alias,
//! reconcile the alias's event sources, or remove both.

use gitmoxi_engine::{Deployment, Target};

use crate::aws::alarms::CloudWatchAlarms;
use crate::aws::clients::AwsClients;
use crate::aws::event_sources::{self, Target as EventTarget};
use crate::aws::lambda::{self as lambda, FunctionRelease};
use crate::log;
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::registry::{ApplyRequest, ApplyResponse, RequestContext};
use crate::protocol::value::Value;
use crate::resources::common::rollout::{
    aws_diag, deployment_error, fail, ports, preflight_alarms, preflight_hooks,
};
use crate::resources::common::settings::{self, Settings};
use crate::resources::common::state;
use crate::resources::event_source_attr;

pub async fn apply(ctx: &RequestContext, clients: &AwsClients, req: ApplyRequest) -> ApplyResponse {
    if req.planned_state.is_null() {
        return destroy(clients, &req.prior_state).await;
    }
    let (settings, diags) = settings::parse(&req.config);
    if diags.has_errors() {
        return fail(diags, req.prior_state);
    }
    if req.planned_state.get("last_deployment").is_unknown() {
        roll_out(ctx, clients, &req, &settings).await
    } else {
        update_event_sources(clients, &req).await
    }
}

async fn roll_out(
    ctx: &RequestContext,
    clients: &AwsClients,
    req: &ApplyRequest,
    settings: &Settings,
) -> ApplyResponse {
    let creating = req.prior_state.is_null();
    let undo_state = if creating {
        Value::Null
    } else {
        req.prior_state.clone()
    };
    let function = req
        .config
        .get("function_name")
        .as_str()
        .unwrap_or_default()
        .to_string();
    let alias = settings.alias.clone().unwrap_or_default();
    let version = req
        .config
        .get("version")
        .as_str()
        .unwrap_or_default()
        .to_string();
    let Some(plan) = settings.plan() else {
        return fail(
            Diagnostic::error(
                "traffic_shifting is unknown at apply",
                "This is a bug; please report it.",
            ),
            undo_state,
        );
    };

    // Preflight: what only AWS can tell, before any change.
    let served = match lambda::find_function(&clients.lambda, &function, &version).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            return fail(
                Diagnostic::error(
                    format!("Version {version} of {function} does not exist"),
                    "Nothing was changed. Promote a version that was published, e.g. the `version` of the \
                     environment before this one.",
                )
                .at(AttrPath::root("version")),
                undo_state,
            )
        }
        Err(e) => return fail(aws_diag("reading the version to promote", &function, e), undo_state),
    };
    let alarms = CloudWatchAlarms::new(clients.cloudwatch.clone());
    if let Err(d) = preflight_alarms(&alarms, &settings.alarms).await {
        return fail(d, undo_state);
    }
    if let Err(d) = preflight_hooks(clients, &settings.hooks).await {
        return fail(d, undo_state);
    }

    let timeout = settings::apply_timeout(
        if creating {
            settings.timeouts.create
        } else {
            settings.timeouts.update
        },
        &plan,
    );
    let id = state::new_deployment_id(&function);
    let mut d = Deployment::new(
        id.clone(),
        alias.clone(),
        Target::Existing(version.clone()),
        plan,
    );
    d.alarms = settings.alarms.clone();
    // This resource owns no version: a failed promotion deletes nothing, success cleans nothing.
    d.delete_failed_version = false;
    d.retain_versions = u32::MAX;
    d.function_name = function.clone();
    d.deadline = Some(tokio::time::Instant::now() + timeout);
    d.hooks = settings.hooks.clone();
    d.analysis = settings.analysis.clone();
    d.notify = settings.notification_topic_arn.is_some();

    let port = FunctionRelease {
        client: clients.lambda.clone(),
        function_name: function.clone(),
        content: None,
    };
    let progress = |e: &gitmoxi_engine::Event| {
        log::info(
            &e.to_string(),
            &[
                ("function", function.as_str()),
                ("alias", alias.as_str()),
                ("deployment_id", id.as_str()),
            ],
        );
    };
    let check_ports = ports(clients, &port, &alarms, settings, &function);
    let outcome =
        gitmoxi_engine::run_with(check_ports.as_ports(), &d, ctx.stop.clone(), &progress).await;

    if !outcome.succeeded() {
        let error = deployment_error(&function, &alias, &outcome, creating);
        let mut new_state = undo_state;
        if !new_state.is_null() {
            new_state.set_attr("last_deployment", state::last_deployment(&id, &outcome));
        }
        return fail(error, new_state);
    }

    let mut s = req.planned_state.clone();
    let alias_arn = state::alias_arn(&served.function_arn, &alias);
    s.set_attr("id", Value::string(format!("{function}:{alias}")));
    s.set_attr(
        "invoke_arn",
        Value::string(state::invoke_arn(&clients.region, &alias_arn)),
    );
    s.set_attr("alias_arn", Value::string(alias_arn.clone()));
    s.set_attr(
        "previous_version",
        Value::opt_string(outcome.from_version.clone().filter(|v| *v != version)),
    );
    s.set_attr("last_deployment", state::last_deployment(&id, &outcome));
    let mut diagnostics = Diagnostics::default();
    for w in &outcome.warnings {
        diagnostics.push(Diagnostic::warning(
            "Deployment notification not sent",
            w.clone(),
        ));
    }

    // Event sources follow the alias once the version serves 100%.
    let target = EventTarget {
        function: &function,
        alias: &alias,
        alias_arn: &alias_arn,
    };
    let had = event_source_attr::stored(&req.prior_state);
    let want =
        event_source_attr::declared(&req.config, &mut Diagnostics::default()).unwrap_or_default();
    match event_sources::reconcile(clients, &target, &had, &want).await {
        Ok(warnings) => {
            for w in warnings {
                diagnostics.push(Diagnostic::warning("Event sources", w));
            }
        }
        Err(e) => {
            s.set_attr(
                "event_sources",
                req.prior_state.get("event_sources").clone(),
            );
            diagnostics.push(aws_diag("reconciling event sources", &function, e));
        }
    }
    ApplyResponse {
        new_state: s,
        private: Vec::new(),
        diagnostics,
    }
}

async fn update_event_sources(clients: &AwsClients, req: &ApplyRequest) -> ApplyResponse {
    let prior = &req.prior_state;
    let s = req.planned_state.clone();
    let had = event_source_attr::stored(prior);
    let want =
        event_source_attr::declared(&req.config, &mut Diagnostics::default()).unwrap_or_default();
    if had == want {
        return ApplyResponse {
            new_state: s,
            private: Vec::new(),
            diagnostics: Diagnostics::default(),
        };
    }
    let function = prior.get("function_name").as_str().unwrap_or_default();
    let alias = prior.get("alias").as_str().unwrap_or_default();
    let alias_arn = prior.get("alias_arn").as_str().unwrap_or_default();
    let target = EventTarget {
        function,
        alias,
        alias_arn,
    };
    match event_sources::reconcile(clients, &target, &had, &want).await {
        Ok(warnings) => ApplyResponse {
            new_state: s,
            private: Vec::new(),
            diagnostics: Diagnostics(
                warnings
                    .into_iter()
                    .map(|w| Diagnostic::warning("Event sources", w))
                    .collect(),
            ),
        },
        Err(e) => {
            let mut partial = s;
            partial.set_attr("event_sources", prior.get("event_sources").clone());
            fail(aws_diag("reconciling event sources", function, e), partial)
        }
    }
}

/// Removes the alias's event sources and the alias; never the function or a version.
async fn destroy(clients: &AwsClients, prior: &Value) -> ApplyResponse {
    let function = prior.get("function_name").as_str().unwrap_or_default();
    let alias = prior.get("alias").as_str().unwrap_or_default();
    let alias_arn = prior.get("alias_arn").as_str().unwrap_or_default();
    let target = EventTarget {
        function,
        alias,
        alias_arn,
    };
    let work = async {
        event_sources::reconcile(
            clients,
            &target,
            &event_source_attr::stored(prior),
            &Default::default(),
        )
        .await?;
        lambda::delete_alias(&clients.lambda, function, alias).await
    };
    let (settings, _) = settings::parse(prior);
    let timeout = settings
        .timeouts
        .delete
        .unwrap_or(settings::DEFAULT_DELETE_TIMEOUT);
    match tokio::time::timeout(timeout, work).await {
        Ok(Ok(())) => ApplyResponse::default(),
        Ok(Err(e)) => fail(
            aws_diag("deleting Lambda alias", function, e),
            prior.clone(),
        ),
        Err(_) => fail(
            Diagnostic::error(
                format!("Timed out deleting alias {alias} of {function}"),
                "Raise `timeouts.delete` and apply again.",
            ),
            prior.clone(),
        ),
    }
}
