//! A deployment: create the function (or find it), update `$LATEST`, publish and roll the
//! release out through the engine, then record what serves. After any failure the returned state
//! describes what really serves.

use gitmoxi_engine::{RolloutPlan, Status, Target};

use super::config::DeploymentConfig;
use super::keep::{self, Keep};
use super::rename::AliasMove;
use super::state::{planned_rollout, DeploymentState};
use super::walk;
use crate::log;
use crate::model::definition::{self, compare, FunctionDefinition};
use crate::model::ports::{Cloud, ServedFunction};
use crate::model::release::{package_hash, staging_key, CodeSource, Release};
use crate::model::settings::Orchestrator;
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::registry::{ApplyRequest, ApplyResponse, RequestContext};
use crate::protocol::value::Value;
use crate::resources::common::failure::{aws_failure, fail, unknown_at_apply, NOTHING_CHANGED};
use crate::resources::common::reconcile::Replaced;
use crate::resources::common::rollout::{
    self, outcome_warnings, preflight_alarms, preflight_hooks, Rollout,
};
use crate::resources::common::state::Private;
use crate::resources::common::{capacity, sources};
use tokio::sync::Mutex;

mod outcome;

/// What one apply works with, read once.
struct Apply<'a, C> {
    cloud: &'a C,
    ctx: &'a RequestContext,
    req: &'a ApplyRequest,
    config: &'a DeploymentConfig,
    prior: Option<DeploymentState>,
    /// The definition the prior state records as deployed.
    prior_definition: Option<FunctionDefinition>,
    /// The state to return when the apply changes nothing: the prior state, or none.
    undo: Value,
    /// The release goes out on a renamed alias.
    alias_move: Option<AliasMove>,
    /// Stage variable values event sources replaced (see `common::reconcile`).
    replaced: &'a Mutex<Replaced>,
}

/// The function as found before the rollout, and whether this apply created it.
pub(super) struct Prepared {
    release: Release,
    existing: Option<ServedFunction>,
    created: bool,
}

pub async fn deploy<C: Cloud>(
    cloud: &C,
    ctx: &RequestContext,
    req: &ApplyRequest,
    config: &DeploymentConfig,
    replaced: &Mutex<Replaced>,
) -> ApplyResponse {
    let prior = DeploymentState::read(&req.prior_state);
    let prior_definition = prior
        .as_ref()
        .and_then(|p| p.function_definition.as_deref())
        .and_then(|text| definition::parse(text).ok())
        .map(|(d, _)| d);
    let Some(alias) = config.alias.known() else {
        return fail(unknown_at_apply("alias"), req.prior_state.clone());
    };
    let alias_move = prior.as_ref().filter(|p| p.alias != *alias).map(|p| {
        AliasMove::new(
            &p.function_name,
            &p.function_arn,
            &p.alias,
            alias,
            &p.version,
        )
    });
    let a = Apply {
        cloud,
        ctx,
        req,
        config,
        prior,
        prior_definition,
        undo: req.prior_state.clone(),
        alias_move,
        replaced,
    };
    let Some(plan) = a.rollout_plan() else {
        return fail(unknown_at_apply("traffic_shifting"), a.undo);
    };
    let orchestrator = match a.orchestrated(alias).await {
        Ok(o) => o,
        Err(d) => return fail(d, a.undo),
    };
    let prepared = match a.prepare().await {
        Ok(p) => p,
        Err(d) => return fail(d, a.undo),
    };
    let target = a.choose_target(&prepared).await;
    if let Err(d) = kept_code_is_latest(&prepared, &target) {
        return fail(d, a.undo);
    }
    if let Some(m) = &a.alias_move {
        if let Err(d) = m.open(cloud).await {
            return fail(d, a.undo);
        }
    }
    a.release(&prepared, (target, plan), alias, orchestrator)
        .await
}

/// Kept code must be what `$LATEST` holds when a new version is published from it.
fn kept_code_is_latest(prepared: &Prepared, target: &Target) -> Result<(), Diagnostics> {
    match (target, &prepared.existing) {
        (Target::Publish { .. }, Some(latest)) => {
            keep::check_latest_code(&prepared.release, &latest.code_sha256)
        }
        _ => Ok(()),
    }
}

impl<'a, C: Cloud> Apply<'a, C> {
    /// Where the rollout runs, once what would stop it there has been ruled out.
    async fn orchestrated(&self, alias: &str) -> Result<&'a Orchestrator, Diagnostics> {
        let settings = &self.config.settings;
        let orchestrator = settings.orchestrator(self.cloud.orchestrator());
        let Some(function) = self.config.function_name() else {
            return Err(unknown_at_apply("function_definition").into());
        };
        rollout::orchestrated(self.cloud, settings, orchestrator, (function, alias)).await?;
        Ok(orchestrator)
    }

    /// The rollout, and the state it leaves: the new release once it serves (or, left running
    /// on Step Functions, once its first shift did), the prior one otherwise.
    async fn release(
        &self,
        prepared: &Prepared,
        (target, plan): (Target, RolloutPlan),
        alias: &str,
        orchestrator: &Orchestrator,
    ) -> ApplyResponse {
        // A renamed alias moves its event sources and goes away once the new one serves 100%:
        // that needs the apply to see the end.
        let mut settings = self.config.settings.clone();
        // So do event sources that change (they move at 100%), and a create (there is no prior
        // release to put back if the rollout failed).
        let had = self
            .prior
            .as_ref()
            .map(|p| sources::stored(p.event_sources.as_deref()));
        let sources_change =
            had.unwrap_or_default() != self.config.event_sources.clone().unwrap_or_default();
        settings.wait_for_rollout |=
            self.alias_move.is_some() || self.prior.is_none() || sources_change;
        let function = prepared.release.function_name().to_string();
        let req = self.req;
        let rollout = Rollout {
            function: &function,
            alias,
            target,
            plan,
            settings: &settings,
            release: Some(&prepared.release),
            creating: self.prior.is_none(),
            owns_versions: true,
            planned: planned_rollout(&req.planned_state),
            previous_capacity: capacity::amount(&req.prior_state),
            watcher: None,
            seen_serving: None,
            orchestrator,
            leftovers: Private::read(&req.planned_private).leftover,
        };
        let ran = rollout::run(self.cloud, self.ctx, rollout).await;
        let left_running = ran.outcome.status == Status::InProgress;
        if !ran.outcome.succeeded() && !left_running {
            return self.failed(&function, alias, &ran, prepared.created).await;
        }
        let mut resp = self.succeeded(prepared, alias, &ran).await;
        resp.diagnostics.extend(outcome_warnings(&ran.outcome));
        if let (true, Some(walk), Some(prior)) = (left_running, &ran.outcome.walk, &self.prior) {
            let note = Private {
                walk: Some(walk::note(walk, prior)),
                ..Private::default()
            };
            resp.private = note.to_bytes();
        }
        resp
    }

    /// The schedule; a release that changes Role or DeadLetterConfig runs ALL_AT_ONCE (weighted
    /// aliases need both versions to share them).
    fn rollout_plan(&self) -> Option<RolloutPlan> {
        let plan = self.config.settings.plan()?;
        let changes_role = match (&self.prior_definition, &self.config.definition) {
            (Some(old), Some(new)) => compare(old, new).role_or_dlq,
            _ => false,
        };
        Some(match changes_role {
            true => RolloutPlan::all_at_once(plan.configured_waits()),
            false => plan,
        })
    }

    /// Everything before the rollout: the release, preflight of what only AWS can tell, the
    /// package staged, the function created when missing. Fails before any change, except a
    /// failed create, which has nothing to undo.
    async fn prepare(&self) -> Result<Prepared, Diagnostics> {
        let planned = DeploymentState::read(&self.req.planned_state);
        let planned_hash = planned.and_then(|p| p.source_code_hash);
        let release = self.config.load_release(planned_hash.as_deref())?;
        let function = release.function_name().to_string();
        let release = self.kept(release, &function).await?;
        let existing = self
            .cloud
            .find_function(&function, "$LATEST")
            .await
            .map_err(|e| aws_failure("reading Lambda function", &function, &e, NOTHING_CHANGED))?;
        // For an existing function the engine checks the alarms itself before touching anything;
        // a new one is created first, so its alarms are checked here.
        if existing.is_none() {
            preflight_alarms(self.cloud.alarms(), &self.config.settings.alarms).await?;
        }
        preflight_hooks(self.cloud, &self.config.settings.hooks).await?;
        self.preflight_role(&release, existing.as_ref()).await?;
        let capacity = self.config.settings.provisioned_concurrency;
        let held = capacity::amount(&self.req.prior_state);
        capacity::preflight(self.cloud, capacity, held).await?;
        let release = self.stage(release).await?;
        match existing {
            None => self.create(&release).await?,
            Some(_) => self.code_signing(&release).await?,
        }
        Ok(Prepared {
            created: existing.is_none(),
            release,
            existing,
        })
    }

    /// The release with what it keeps from the version deployed last. A create has none (its
    /// plan refuses keeping anything).
    async fn kept(&self, release: Release, function: &str) -> Result<Release, Diagnostics> {
        let keep = &self.config.keep;
        if !keep.keeps_anything() {
            return Ok(release);
        }
        let Some(prior) = &self.prior else {
            return Err(keep::nothing_to_keep(keep.code).into());
        };
        keep::fill(self.cloud, keep, release, (function, &prior.version)).await
    }

    /// A role IAM does not know is refused by Lambda only after the retries meant for a role
    /// still propagating (minutes), and after an update has already touched `$LATEST`; so when
    /// the function gets a role it does not have yet, IAM is asked first. When IAM cannot tell,
    /// Lambda judges.
    async fn preflight_role(
        &self,
        release: &Release,
        existing: Option<&ServedFunction>,
    ) -> Result<(), Diagnostics> {
        let role = release.definition.role();
        if existing.is_some_and(|f| f.definition.role() == role) {
            return Ok(());
        }
        match self.cloud.role_exists(role).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(Diagnostic::error(
                format!("Deployment not started: execution role {role} does not exist"),
                "Nothing was changed: IAM has no such role, and Lambda cannot run a function \
                 without one. Create the role first (with hashicorp/aws, put \
                 `aws_iam_role.<name>.arn` in Role so Terraform creates it before this \
                 resource) or fix Role in function_definition, then apply again.",
            )
            .at(AttrPath::root("function_definition"))
            .into()),
            Err(e) => {
                log::debug(
                    "execution role not checked",
                    &[("role", role), ("reason", &e.message)],
                );
                Ok(())
            }
        }
    }

    /// The code-signing configuration is the function's, not a version's, and has calls of its
    /// own: set before the code is updated (Lambda checks new code against it), when the release
    /// or the one before declares one.
    async fn code_signing(&self, release: &Release) -> Result<(), Diagnostics> {
        let want = release.definition.code_signing_config_arn();
        let had = self
            .prior_definition
            .as_ref()
            .and_then(|d| d.code_signing_config_arn());
        if want.is_none() && had.is_none() {
            return Ok(());
        }
        let function = release.function_name();
        let failed = |e| {
            aws_failure(
                "setting the code-signing configuration",
                function,
                &e,
                NOTHING_CHANGED,
            )
        };
        let have = self.cloud.code_signing(function).await.map_err(failed)?;
        if have.as_deref() != want {
            self.cloud
                .set_code_signing(function, want)
                .await
                .map_err(failed)?;
        }
        Ok(())
    }

    /// With `package_s3_bucket`, the local package goes to S3 and the code comes from there.
    async fn stage(&self, release: Release) -> Result<Release, Diagnostics> {
        let (Some(bucket), CodeSource::Zip(bytes)) =
            (&self.config.package_s3_bucket, &release.code)
        else {
            return Ok(release);
        };
        let function = release.function_name();
        let key = staging_key(function, bytes);
        let sha256 = release
            .package_hash
            .clone()
            .unwrap_or_else(|| package_hash(bytes));
        match self.cloud.stage_package(bucket, &key, bytes, &sha256).await {
            Ok(()) => Ok(release.staged(bucket, key)),
            Err(e) => {
                let d = aws_failure("staging the package in S3", function, &e, NOTHING_CHANGED);
                Err(d.at(AttrPath::root("package_s3_bucket")).into())
            }
        }
    }

    /// CreateFunction; the port waits out an execution role IAM has not propagated yet. An
    /// interrupt abandons the wait (the failed create then deletes whatever was made).
    async fn create(&self, release: &Release) -> Result<(), Diagnostics> {
        let function = release.function_name();
        let stopped = || {
            Diagnostic::error(
                format!("Creating {function} was interrupted"),
                "Nothing serves yet. Apply again to create the function.",
            )
        };
        tokio::select! {
            r = self.cloud.create_function(release) => r.map_err(|e| {
                // CreateFunction carries the environment, and Lambda may echo it.
                let e = release.definition.secrets().redact_error(e);
                aws_failure("creating Lambda function", function, &e, NOTHING_CHANGED).into()
            }),
            _ = self.ctx.stop.cancelled() => {
                let _ = self.cloud.delete_function(function).await;
                Err(stopped().into())
            }
        }
    }

    /// What to roll out. A new function: the release as created. Nothing declared changed
    /// (the alias drifted): the deployed version again, rather than a copy of it. Otherwise
    /// update `$LATEST` where it differs from the release — compared with `$LATEST`, not with the
    /// prior state, since after a rollback it may hold the rejected release.
    async fn choose_target(&self, p: &Prepared) -> Target {
        let Some(existing) = &p.existing else {
            return Target::Publish {
                update_code: false,
                update_configuration: false,
            };
        };
        if let Some(version) = self.repair_only(p.release.function_name()).await {
            return Target::Existing(version);
        }
        let release = p.release.definition.clone().without_code_signing();
        let changes = compare(&existing.definition, &release);
        let code_changed = match (&p.release.package_hash, &p.release.code) {
            // A local package: Lambda's CodeSha256 is the same hash.
            (Some(hash), _) => existing.code_sha256 != *hash,
            // Kept code: `$LATEST` was checked to hold it.
            (None, CodeSource::Served(_)) => false,
            // S3 or image code: no hash to compare, so push it.
            (None, _) => true,
        };
        Target::Publish {
            // Architectures travel with the code: a change of them alone is a code update too.
            update_code: code_changed || changes.code,
            update_configuration: changes.configuration,
        }
    }

    /// The deployed version, when this deployment only repairs drift: the declared release
    /// equals the prior state's and that version still exists.
    async fn repair_only(&self, function: &str) -> Option<String> {
        let prior = self.prior.as_ref()?;
        let planned = DeploymentState::read(&self.req.planned_state)?;
        let same = self.prior_definition.as_ref()? == self.config.definition.as_ref()?
            && self.config.sensitive_environment == prior.sensitive_environment
            && self.config.keep == Keep::read(&self.req.prior_state)
            && self.config.sensitive_environment_wo_version
                == prior.sensitive_environment_wo_version
            && planned.source_code_hash == prior.source_code_hash;
        if !same {
            return None;
        }
        match self.cloud.find_function(function, &prior.version).await {
            Ok(Some(_)) => Some(prior.version.clone()),
            _ => None,
        }
    }
}
