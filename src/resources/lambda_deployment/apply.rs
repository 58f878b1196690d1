//! Apply: run a deployment through the engine, apply in-place changes, destroy. After any
//! failure the returned state describes what really serves (SPEC §3 "What the state holds").

use std::time::Duration;

use gitmoxi_engine::rollout::{judge_alarms, Verdict};
use gitmoxi_engine::{Alarms, Deployment, Outcome, RolloutPlan, Status, Target};

use super::definition::compare;
use super::plan;
use super::release::{self, Release};
use super::settings::{self, Settings};
use super::state;
use crate::aws::alarms::CloudWatchAlarms;
use crate::aws::clients::AwsClients;
use crate::aws::lambda::{self as lambda, FunctionRelease};
use crate::log;
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::registry::{ApplyRequest, ApplyResponse, RequestContext};
use crate::protocol::value::Value;

/// How long a just-created role may take to become assumable by Lambda (IAM propagation).
const ROLE_PROPAGATION: Duration = Duration::from_secs(120);

fn fail(diags: impl Into<Diagnostics>, state: Value) -> ApplyResponse {
    ApplyResponse {
        new_state: state,
        private: Vec::new(),
        diagnostics: diags.into(),
    }
}

fn aws_diag(action: &str, function: &str, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        format!("Error {action} ({function})"),
        format!("{e}. Nothing was left half-done: fix the cause and run `terraform apply` again."),
    )
}

pub async fn apply(ctx: &RequestContext, clients: &AwsClients, req: ApplyRequest) -> ApplyResponse {
    if req.planned_state.is_null() {
        return destroy(clients, &req.prior_state).await;
    }
    let (settings, diags) = settings::parse(&req.config);
    if diags.has_errors() {
        return fail(diags, req.prior_state);
    }
    if plan::is_deployment(&req.planned_state) {
        deploy(ctx, clients, &req, &settings).await
    } else {
        update_in_place(clients, &req, &settings).await
    }
}

/// Creates the function (when missing) or updates `$LATEST`, then rolls the release out.
async fn deploy(
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
    let planned_hash = req.planned_state.get("source_code_hash").as_str();
    let release = match release::load(&req.config, planned_hash) {
        Ok(r) => r,
        Err(d) => return fail(d, undo_state),
    };
    let function = release.definition.function_name().to_string();
    let Some(alias) = settings.alias.clone() else {
        return fail(
            Diagnostic::error(
                "alias is unknown at apply",
                "This is a bug; please report it.",
            ),
            undo_state,
        );
    };
    let Some(mut rollout) = settings.plan() else {
        return fail(
            Diagnostic::error(
                "traffic_shifting is unknown at apply",
                "This is a bug; please report it.",
            ),
            undo_state,
        );
    };
    let alarms = CloudWatchAlarms {
        client: clients.cloudwatch.clone(),
    };

    // Role/DeadLetterConfig changes cannot be split by weight (SPEC §3).
    let prior_def =
        super::release::declared_definition(&req.prior_state, &mut Diagnostics::default());
    if let Some(old) = &prior_def {
        if compare(old, &release.definition).role_or_dlq {
            rollout = RolloutPlan::all_at_once(rollout.configured_waits());
        }
    }
    let timeout = settings::apply_timeout(
        if creating {
            settings.timeouts.create
        } else {
            settings.timeouts.update
        },
        &rollout,
    );
    let deadline = tokio::time::Instant::now() + timeout;

    // Preflight of what only AWS can tell, before any change.
    if let Err(d) = preflight_alarms(&alarms, &settings.alarms).await {
        return fail(d, undo_state);
    }

    let existing = match lambda::find_function(&clients.lambda, &function, "$LATEST").await {
        Ok(f) => f,
        Err(e) => {
            return fail(
                aws_diag("reading Lambda function", &function, e),
                undo_state,
            )
        }
    };
    let created = existing.is_none();
    if created {
        if let Err(d) = create_function(ctx, clients, &release).await {
            return fail(d, undo_state);
        }
    }

    let code_changed = created
        || release.package_hash.is_none()
        || existing.as_ref().map(|f| f.code_sha256.as_str()) != release.package_hash.as_deref()
        || req.prior_state.get("source_code_hash") != req.planned_state.get("source_code_hash");
    let target = if created {
        Target::Publish {
            update_code: false,
            update_configuration: false,
        }
    } else if let Some(version) = repair_only(clients, &function, req).await {
        // Nothing declared changed: the alias drifted. Put back the version that was deployed
        // rather than publishing a copy of it.
        Target::Existing(version)
    } else {
        Target::Publish {
            update_code: code_changed,
            update_configuration: true,
        }
    };
    let id = state::new_deployment_id(&function);
    let mut d = Deployment::new(id.clone(), alias.clone(), target, rollout);
    d.alarms = settings.alarms.clone();
    d.readiness = settings.readiness.clone();
    // A repair rolls out the deployed version: never delete it, even if the repair rolls back.
    d.delete_failed_version =
        settings.delete_failed_version && !matches!(d.target, Target::Existing(_));
    d.retain_versions = settings.retain_versions;
    d.deadline = Some(deadline);

    let release_port = FunctionRelease {
        client: clients.lambda.clone(),
        function_name: function.clone(),
        definition: release.definition.clone(),
        code: release.code.clone(),
    };
    log::info(
        "deployment started",
        &[
            ("function", &function),
            ("alias", &alias),
            ("deployment_id", &id),
        ],
    );
    let progress = |e: &gitmoxi_engine::Event| {
        log::info(
            &e.to_string(),
            &[
                ("function", function.as_str()),
                ("deployment_id", id.as_str()),
            ],
        );
    };
    let outcome =
        gitmoxi_engine::run(&release_port, &alarms, &d, ctx.stop.clone(), &progress).await;
    log::info(
        "deployment finished",
        &[
            ("function", &function),
            ("status", outcome.status.as_str()),
            ("deployment_id", &id),
        ],
    );

    if outcome.succeeded() {
        return succeeded_state(clients, req, &function, &alias, &id, &outcome, &release).await;
    }

    let error = deployment_error(&function, &alias, &outcome, creating);
    if creating {
        // A create that fails removes what it made and returns no state.
        if created {
            if let Err(e) = lambda::delete_function(&clients.lambda, &function).await {
                let mut diags = Diagnostics::from(error);
                diags.push(aws_diag(
                    "deleting the function this failed create made",
                    &function,
                    e,
                ));
                return fail(diags, Value::Null);
            }
        }
        return fail(error, Value::Null);
    }
    // The state keeps the previous release, so the next plan shows the change again; it records
    // what the alias really serves and how this deployment ended.
    let mut new_state = req.prior_state.clone();
    new_state.set_attr("last_deployment", state::last_deployment(&id, &outcome));
    if let Some(v) = outcome.serving_version() {
        if Some(v) != new_state.get("version").as_str() {
            new_state.set_attr("version", Value::string(v));
        }
    }
    fail(error, new_state)
}

/// The deployed version, when this deployment only repairs drift: the declared release equals
/// the prior state's and that version still exists.
async fn repair_only(clients: &AwsClients, function: &str, req: &ApplyRequest) -> Option<String> {
    let mut scratch = Diagnostics::default();
    let declared = release::declared_definition(&req.config, &mut scratch)?;
    let prior = release::declared_definition(&req.prior_state, &mut scratch)?;
    let same = declared == prior
        && req.config.get("sensitive_environment") == req.prior_state.get("sensitive_environment")
        && req.planned_state.get("source_code_hash") == req.prior_state.get("source_code_hash");
    let version = req.prior_state.get("version").as_str()?.to_string();
    if !same {
        return None;
    }
    match lambda::find_function(&clients.lambda, function, &version).await {
        Ok(Some(_)) => Some(version),
        _ => None,
    }
}

fn deployment_error(function: &str, alias: &str, o: &Outcome, creating: bool) -> Diagnostic {
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

async fn preflight_alarms<A: Alarms>(alarms: &A, names: &[String]) -> Result<(), Diagnostics> {
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

/// CreateFunction, retrying while a just-created execution role propagates through IAM.
async fn create_function(
    ctx: &RequestContext,
    clients: &AwsClients,
    release: &Release,
) -> Result<(), Diagnostics> {
    let function = release.definition.function_name();
    let give_up = tokio::time::Instant::now() + ROLE_PROPAGATION;
    loop {
        match lambda::create_function(&clients.lambda, &release.definition, &release.code).await {
            Ok(()) => return Ok(()),
            Err(e)
                if e.message.contains("cannot be assumed")
                    && tokio::time::Instant::now() < give_up =>
            {
                log::info(
                    "execution role not assumable yet, retrying",
                    &[("function", function)],
                );
                tokio::select! {
                    _ = ctx.stop.cancelled() => return Err(aws_diag("creating Lambda function", function, e).into()),
                    _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                }
            }
            Err(e) => return Err(aws_diag("creating Lambda function", function, e).into()),
        }
    }
}

/// The state after a rollout succeeded: the new version serves, whatever else fails now.
async fn succeeded_state(
    clients: &AwsClients,
    req: &ApplyRequest,
    function: &str,
    alias: &str,
    id: &str,
    outcome: &Outcome,
    release: &Release,
) -> ApplyResponse {
    let version = outcome
        .serving_version()
        .or(outcome.to_version.as_deref())
        .unwrap_or_default()
        .to_string();
    let served = match lambda::find_function(&clients.lambda, function, &version).await {
        Ok(Some(s)) => s,
        result => {
            let cause = match result {
                Err(e) => e.to_string(),
                _ => "it is gone".to_string(),
            };
            let d = aws_diag("reading back the deployed version", function, cause);
            if req.prior_state.is_null() {
                return fail(d, Value::Null);
            }
            // Record what serves; the prior definition stays, so the next plan re-applies this
            // release (publishing nothing: Lambda returns the same version).
            let mut s = req.prior_state.clone();
            s.set_attr(
                "previous_version",
                Value::opt_string(outcome.from_version.clone()),
            );
            s.set_attr("version", Value::string(version));
            s.set_attr("last_deployment", state::last_deployment(id, outcome));
            return fail(d, s);
        }
    };
    let mut s = req.planned_state.clone();
    let alias_arn = state::alias_arn(&served.function_arn, alias);
    s.set_attr("id", Value::string(function));
    s.set_attr("function_arn", Value::string(served.function_arn.clone()));
    s.set_attr(
        "invoke_arn",
        Value::string(state::invoke_arn(&clients.region, &alias_arn)),
    );
    s.set_attr("alias_arn", Value::string(alias_arn));
    s.set_attr(
        "previous_version",
        Value::opt_string(outcome.from_version.clone().filter(|v| *v != version)),
    );
    s.set_attr("version", Value::string(version));
    s.set_attr("code_sha256", Value::string(served.code_sha256.clone()));
    if s.get("source_code_hash").is_unknown() {
        s.set_attr(
            "source_code_hash",
            Value::string(
                release
                    .package_hash
                    .clone()
                    .unwrap_or(served.code_sha256.clone()),
            ),
        );
    }
    s.set_attr("last_deployment", state::last_deployment(id, outcome));

    // Tags are not versioned: make the function's tags what the definition says.
    let have = served
        .tags
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| !k.starts_with("aws:"))
        .collect();
    if let Err(e) = lambda::sync_tags(
        &clients.lambda,
        &served.function_arn,
        &have,
        &release.definition.tags(),
    )
    .await
    {
        // The release serves; only the tags lag. Keeping the prior definition text makes the
        // next plan show the tag change again.
        if !req.prior_state.is_null() {
            s.set_attr(
                "function_definition",
                req.prior_state.get("function_definition").clone(),
            );
        }
        return fail(aws_diag("tagging Lambda function", function, e), s);
    }
    ApplyResponse {
        new_state: s,
        private: Vec::new(),
        diagnostics: Diagnostics::default(),
    }
}

/// Settings, tags and alias renames: nothing is published.
async fn update_in_place(
    clients: &AwsClients,
    req: &ApplyRequest,
    settings: &Settings,
) -> ApplyResponse {
    let prior = &req.prior_state;
    let mut s = req.planned_state.clone();
    let function = prior.get("id").as_str().unwrap_or_default().to_string();
    let function_arn = prior
        .get("function_arn")
        .as_str()
        .unwrap_or_default()
        .to_string();

    // Tags, applied in place.
    let mut scratch = Diagnostics::default();
    let new_def = release::declared_definition(&req.config, &mut scratch);
    let old_def = release::declared_definition(prior, &mut scratch);
    if let (Some(new), Some(old)) = (&new_def, &old_def) {
        if new.tags() != old.tags() {
            if let Err(e) =
                lambda::sync_tags(&clients.lambda, &function_arn, &old.tags(), &new.tags()).await
            {
                return fail(
                    aws_diag("tagging Lambda function", &function, e),
                    prior.clone(),
                );
            }
        }
    }

    // Alias rename: the new alias starts on the serving version, then the old one goes.
    let old_alias = prior.get("alias").as_str().unwrap_or_default().to_string();
    let new_alias = settings.alias.clone().unwrap_or_default();
    if old_alias != new_alias {
        let version = prior
            .get("version")
            .as_str()
            .unwrap_or_default()
            .to_string();
        match lambda::find_alias(&clients.lambda, &function, &new_alias).await {
            Ok(Some(_)) => {
                return fail(
                    Diagnostic::error(
                        format!("Alias {new_alias} already exists on {function}"),
                        "Another alias of that name exists; choose another name or import it.",
                    )
                    .at(AttrPath::root("alias")),
                    prior.clone(),
                )
            }
            Ok(None) => {}
            Err(e) => {
                return fail(
                    aws_diag("reading Lambda alias", &function, e),
                    prior.clone(),
                )
            }
        }
        if let Err(e) = lambda::create_alias(&clients.lambda, &function, &new_alias, &version).await
        {
            return fail(
                aws_diag("creating Lambda alias", &function, e),
                prior.clone(),
            );
        }
        if let Err(e) = lambda::delete_alias(&clients.lambda, &function, &old_alias).await {
            let mut moved = prior.clone();
            moved.set_attr("alias", Value::string(new_alias.clone()));
            return fail(
                aws_diag("deleting the old Lambda alias", &function, e),
                moved,
            );
        }
        let alias_arn = state::alias_arn(&function_arn, &new_alias);
        s.set_attr(
            "invoke_arn",
            Value::string(state::invoke_arn(&clients.region, &alias_arn)),
        );
        s.set_attr("alias_arn", Value::string(alias_arn));
    }
    ApplyResponse {
        new_state: s,
        private: Vec::new(),
        diagnostics: Diagnostics::default(),
    }
}

async fn destroy(clients: &AwsClients, prior: &Value) -> ApplyResponse {
    let (settings, _) = settings::parse(prior);
    let function = prior.get("id").as_str().unwrap_or_default().to_string();
    if settings.skip_destroy {
        log::info(
            "skip_destroy: leaving the function in place",
            &[("function", &function)],
        );
        return ApplyResponse::default();
    }
    let timeout = settings
        .timeouts
        .delete
        .unwrap_or(settings::DEFAULT_DELETE_TIMEOUT);
    let work = async {
        if let Some(alias) = prior.get("alias").as_str() {
            lambda::delete_alias(&clients.lambda, &function, alias).await?;
        }
        lambda::delete_function(&clients.lambda, &function).await
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(Ok(())) => ApplyResponse::default(),
        Ok(Err(e)) => fail(
            aws_diag("deleting Lambda function", &function, e),
            prior.clone(),
        ),
        Err(_) => fail(
            Diagnostic::error(
                format!("Timed out deleting {function}"),
                "Raise `timeouts.delete` or check the function in the console, then apply again.",
            ),
            prior.clone(),
        ),
    }
}
