//! Apply: run a deployment through the engine, apply in-place changes, destroy. After any
//! failure the returned state describes what really serves (SPEC §3 "What the state holds").

use std::time::Duration;

use gitmoxi_engine::{Deployment, Outcome, RolloutPlan, Target};

use super::definition::{self, compare};
use super::plan;
use super::release::{self, Release};
use crate::aws::alarms::CloudWatchAlarms;
use crate::aws::clients::AwsClients;
use crate::aws::event_sources::{self, Target as EventTarget};
use crate::aws::function_definition::flatten;
use crate::aws::function_definition::CodeSource;
use crate::aws::lambda::{self as lambda, FunctionRelease, ReleaseContent};
use crate::aws::s3;
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

/// How long a just-created role may take to become assumable by Lambda (IAM propagation).
const ROLE_PROPAGATION: Duration = Duration::from_secs(120);

use super::in_place::{destroy, update_in_place};

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
    let mut release = match release::load(&req.config, planned_hash) {
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
    let alarms = CloudWatchAlarms::new(clients.cloudwatch.clone());

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

    let existing = match lambda::find_function(&clients.lambda, &function, "$LATEST").await {
        Ok(f) => f,
        Err(e) => {
            return fail(
                aws_diag("reading Lambda function", &function, e),
                undo_state,
            )
        }
    };

    // Preflight of what only AWS can tell, before any change. For an existing function the
    // engine checks the alarms itself before touching anything; a new one is created first, so
    // its alarms are checked here.
    if existing.is_none() {
        if let Err(d) = preflight_alarms(&alarms, &settings.alarms).await {
            return fail(d, undo_state);
        }
    }
    if let Err(d) = preflight_hooks(clients, &settings.hooks).await {
        return fail(d, undo_state);
    }

    if let (Some(bucket), CodeSource::Zip(bytes)) =
        (req.config.get("package_s3_bucket").as_str(), &release.code)
    {
        match s3::stage_package(&clients.s3, bucket, &function, bytes).await {
            Ok(key) => {
                release.code = CodeSource::S3 {
                    bucket: bucket.to_string(),
                    key,
                    version: None,
                }
            }
            Err(e) => {
                let d = aws_diag("staging the package in S3", &function, e)
                    .at(AttrPath::root("package_s3_bucket"));
                return fail(d, undo_state);
            }
        }
    }

    let created = existing.is_none();
    if created {
        if let Err(d) = create_function(ctx, clients, &release).await {
            return fail(d, undo_state);
        }
    }

    // `$LATEST` is compared with the release, not the prior state: after a rollback it may hold
    // the rejected release, which must never leak into the next version.
    let latest_sha = existing.as_ref().map(|f| f.code_sha256.as_str());
    let code_changed = match &release.package_hash {
        // A local package: Lambda's CodeSha256 is the same hash.
        Some(hash) => latest_sha != Some(hash.as_str()),
        // S3 or image code: no hash to compare, so push it.
        None => true,
    };
    let configuration_changed = existing
        .as_ref()
        .is_none_or(|f| latest_differs(f, &release));
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
            update_configuration: configuration_changed,
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
    d.function_name = function.clone();
    d.deadline = Some(deadline);
    d.hooks = settings.hooks.clone();
    d.analysis = settings.analysis.clone();
    d.notify = settings.notification_topic_arn.is_some();

    let release_port = FunctionRelease {
        client: clients.lambda.clone(),
        function_name: function.clone(),
        content: Some(ReleaseContent {
            definition: release.definition.clone(),
            code: release.code.clone(),
        }),
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
    let outcome = gitmoxi_engine::run_with(
        ports(clients, &release_port, &alarms, settings, &function).as_ports(),
        &d,
        ctx.stop.clone(),
        &progress,
    )
    .await;
    log::info(
        "deployment finished",
        &[
            ("function", &function),
            ("status", outcome.status.as_str()),
            ("deployment_id", &id),
        ],
    );

    if outcome.succeeded() {
        let mut resp =
            succeeded_state(clients, req, &function, &alias, &id, &outcome, &release).await;
        for w in &outcome.warnings {
            resp.diagnostics.push(Diagnostic::warning(
                "Deployment notification not sent",
                w.clone(),
            ));
        }
        return resp;
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

/// Whether `$LATEST`'s configuration differs from the release's (unreadable counts as different).
fn latest_differs(latest: &lambda::ServedVersion, release: &Release) -> bool {
    let served = flatten(&latest.configuration, None).to_string();
    match definition::parse(&served) {
        Ok((served, _)) => compare(&served, &release.definition).configuration,
        Err(_) => true,
    }
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

/// Reads the version a rollout just put in service, riding out throttling longer than the SDK's
/// own retries: the rollout already succeeded, so giving up early would only misreport it.
async fn read_back(
    clients: &AwsClients,
    function: &str,
    version: &str,
) -> Result<Option<lambda::ServedVersion>, gitmoxi_engine::AwsError> {
    let mut delay = Duration::from_millis(500);
    for _ in 0..5 {
        match lambda::find_function(&clients.lambda, function, version).await {
            Err(e) if e.kind == gitmoxi_engine::AwsErrorKind::Throttled => {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(8));
            }
            other => return other,
        }
    }
    lambda::find_function(&clients.lambda, function, version).await
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
    let served = match read_back(clients, function, &version).await {
        Ok(Some(s)) => s,
        result => {
            let cause = match result {
                Err(e) => e.to_string(),
                _ => "it is gone".to_string(),
            };
            let d = Diagnostic::error(
                format!("Version {version} of {function} is serving, but reading it back failed"),
                format!(
                    "The rollout succeeded: alias {alias} serves version {version} at 100%. Reading that version \
                     back then failed ({cause}). The state records version {version}; run `terraform apply` again to \
                     record the rest (it publishes nothing)."
                ),
            );
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
    // Step 6: event sources follow the alias only once the new version serves 100%.
    let alias_arn = state::alias_arn(&served.function_arn, alias);
    let target = EventTarget {
        function,
        alias,
        alias_arn: &alias_arn,
    };
    let had = event_source_attr::stored(&req.prior_state);
    let want =
        event_source_attr::declared(&req.config, &mut Diagnostics::default()).unwrap_or_default();
    let mut diagnostics = Diagnostics::default();
    match event_sources::reconcile(clients, &target, &had, &want).await {
        Ok(warnings) => {
            for w in warnings {
                diagnostics.push(Diagnostic::warning("Event sources", w));
            }
        }
        Err(e) => {
            // The release serves; the sources lag. The state keeps the previous ones so the
            // next plan shows the change again.
            s.set_attr(
                "event_sources",
                req.prior_state.get("event_sources").clone(),
            );
            return fail(aws_diag("reconciling event sources", function, e), s);
        }
    }
    ApplyResponse {
        new_state: s,
        private: Vec::new(),
        diagnostics,
    }
}
