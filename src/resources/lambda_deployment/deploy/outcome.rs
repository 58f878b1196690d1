//! After the rollout: recording what serves when it succeeded (then tags and event sources), or
//! what still serves when it did not.

use gitmoxi_engine::Outcome;

use super::super::in_place::sync_tags;
use super::super::state::{DeploymentState, Pending};
use super::{Apply, Prepared};
use crate::model::event_sources::EventSources;
use crate::model::ports::{invoke_arn, AwsError, Cloud, ServedFunction, SourceTarget};
use crate::model::release::{CodeSource, Release};
use crate::protocol::diagnostics::{Diagnostic, Diagnostics};
use crate::protocol::registry::ApplyResponse;
use crate::protocol::value::Value;
use crate::resources::common::failure::{aws_failure, deployment_error, fail};
use crate::resources::common::reconcile::reconcile;
use crate::resources::common::rollout::Ran;
use crate::resources::common::sources;
use crate::resources::common::state::last_deployment;

/// What serves after a release this apply published, without reading it again: the function's
/// ARN and tags as read before the update (neither changes with it), and the code Lambda
/// reported for the new version, which verification found equal to the release's. None when
/// that is not all known (a create, a version that already existed, code whose hash is not known
/// here): the caller reads the version then.
fn known_served(prepared: &Prepared, o: &Outcome, version: &str) -> Option<ServedFunction> {
    let latest = prepared.existing.as_ref()?;
    if !o.published || o.to_version.as_deref() != Some(version) {
        return None;
    }
    let code_sha256 = match (&prepared.release.package_hash, &prepared.release.code) {
        (Some(hash), _) => hash.clone(),
        (None, CodeSource::Served(sha)) => sha.clone(),
        (None, _) => return None,
    };
    Some(ServedFunction {
        version: version.to_string(),
        code_sha256,
        ..latest.clone()
    })
}

impl<C: Cloud> Apply<'_, C> {
    /// The state after a rollout succeeded: the new version serves, whatever else fails now.
    pub(super) async fn succeeded(
        &self,
        prepared: &Prepared,
        alias: &str,
        ran: &Ran,
    ) -> ApplyResponse {
        let release = &prepared.release;
        let function = release.function_name();
        let o = &ran.outcome;
        let version = o.serving_version().or(o.to_version.as_deref());
        let version = version.unwrap_or_default().to_string();
        let served = match known_served(prepared, o, &version) {
            Some(s) => s,
            None => match self.cloud.find_function(function, &version).await {
                Ok(Some(s)) => s,
                result => return self.unreadable(function, alias, &version, ran, result.err()),
            },
        };
        let mut s = DeploymentState::read(&self.req.planned_state).unwrap_or_default();
        let target = SourceTarget::new(function, alias, &served.function_arn);
        s.function_name = function.to_string();
        s.invoke_arn = invoke_arn(self.cloud.region(), &target.alias_arn);
        s.alias_arn = target.alias_arn.clone();
        s.function_arn = served.function_arn.clone();
        s.previous_version = o.from_version.clone().filter(|v| *v != version);
        s.version = version;
        s.code_sha256 = served.code_sha256.clone();
        if s.source_code_hash.is_none()
            && self.req.planned_state.get("source_code_hash").is_unknown()
        {
            s.source_code_hash = Some(
                release
                    .package_hash
                    .clone()
                    .unwrap_or(served.code_sha256.clone()),
            );
        }
        s.last_deployment = last_deployment(&ran.id, o, &ran.shown);
        self.finish(s, &served, release, &target).await
    }

    /// Tags and event sources follow a successful rollout (sources only once the new version
    /// serves 100%, so the old version never receives a source meant for the new one). What
    /// fails here stays pending in the state, so the next plan shows it again; the release that
    /// serves is recorded either way.
    async fn finish(
        &self,
        mut s: DeploymentState,
        served: &ServedFunction,
        release: &Release,
        target: &SourceTarget,
    ) -> ApplyResponse {
        let function = release.function_name();
        let creating = self.prior.is_none();
        let mut diagnostics = Diagnostics::default();
        let want_tags = release.definition.tags();
        if let Err(e) = sync_tags(self.cloud, &served.function_arn, &served.tags, &want_tags).await
        {
            let d = self.lagging(
                function,
                &s.version,
                "tagging Lambda function",
                "its tags",
                &e,
            );
            if creating {
                s.pending.push(Pending::Tags(e.to_string()));
            } else {
                // The state's definition carries the tags the function really has.
                let with_served = release.definition.clone().with_tags(served.tags.clone());
                s.function_definition = Some(with_served.canonical_json());
            }
            diagnostics.push(d);
        }
        let prior = self.prior.as_ref();
        // Sources a create left pending were taken off again: nothing of them is on the alias.
        let had = match prior.filter(|p| !p.event_sources_pending()) {
            Some(p) => sources::stored(p.event_sources.as_deref()),
            None => EventSources::default(),
        };
        let want = self.config.event_sources.clone().unwrap_or_default();
        let mut replaced = self.replaced.lock().await;
        let moved = match &self.alias_move {
            Some(m) => m.complete(self.cloud, (&had, &want), &mut replaced).await,
            None => reconcile(self.cloud, target, &had, &want, &mut replaced).await,
        };
        match moved {
            Ok(warnings) => warnings
                .into_iter()
                .for_each(|w| diagnostics.push(Diagnostic::warning("Event sources", w))),
            Err(e) => {
                let what = "the event sources";
                diagnostics.push(self.lagging(
                    function,
                    &s.version,
                    "reconciling event sources",
                    what,
                    &e,
                ));
                if creating {
                    // What was made is taken off, so the next apply starts from nothing.
                    let none = EventSources::default();
                    let _ = reconcile(self.cloud, target, &want, &none, &mut replaced).await;
                    s.pending.push(Pending::EventSources(e.to_string()));
                } else {
                    s.event_sources = prior.and_then(|p| p.event_sources.clone());
                }
            }
        }
        ApplyResponse {
            new_state: s.write(self.req.planned_state.clone()),
            private: Vec::new(),
            diagnostics,
        }
    }

    /// A step after a successful rollout failed. On an update it is an error, and the state keeps
    /// that part as it was; on a create it is a warning and the part is recorded as `pending`,
    /// because Terraform taints a resource whose create ends in an error, and the next apply
    /// would then destroy a function that serves.
    fn lagging(
        &self,
        function: &str,
        version: &str,
        action: &str,
        what: &str,
        e: &AwsError,
    ) -> Diagnostic {
        let done = format!(
            "Version {version} serves; {what} were not all applied, and the next plan shows them \
             again: run `terraform apply` once the cause is fixed."
        );
        let d = aws_failure(action, function, e, &done);
        if self.prior.is_some() {
            return d;
        }
        Diagnostic::warning(d.summary, d.detail)
    }

    /// The rollout succeeded but the serving version could not be read back.
    fn unreadable(
        &self,
        function: &str,
        alias: &str,
        version: &str,
        ran: &Ran,
        error: Option<AwsError>,
    ) -> ApplyResponse {
        let cause = error.map_or_else(|| "it is gone".to_string(), |e| e.to_string());
        let d = Diagnostic::error(
            format!("Version {version} of {function} is serving, but reading it back failed"),
            format!(
                "The rollout succeeded: alias {alias} serves version {version} at 100%. Reading \
                 that version back then failed ({cause}). The state records version {version}; \
                 run `terraform apply` again to record the rest (it publishes nothing)."
            ),
        );
        let Some(mut s) = self.prior.clone() else {
            return fail(d, Value::Null);
        };
        // Record what serves; the prior definition stays, so the next plan re-applies this
        // release (publishing nothing: Lambda returns the same version).
        s.previous_version = ran.outcome.from_version.clone();
        s.version = version.to_string();
        s.last_deployment = last_deployment(&ran.id, &ran.outcome, &ran.shown);
        fail(d, s.write(self.undo.clone()))
    }

    /// A rollout that did not succeed. A create removes what it made and returns no state; an
    /// update keeps the previous release, recording what the alias really serves.
    pub(super) async fn failed(
        &self,
        function: &str,
        alias: &str,
        ran: &Ran,
        created: bool,
    ) -> ApplyResponse {
        let o: &Outcome = &ran.outcome;
        let error = deployment_error(function, alias, o, self.prior.is_none());
        let Some(mut s) = self.prior.clone() else {
            let mut diags = Diagnostics::from(error);
            if created {
                if let Err(e) = self.cloud.delete_function(function).await {
                    let done = format!(
                        "Function {function} was created and is still there: delete it, or apply \
                         again (the next apply adopts it)."
                    );
                    diags.push(aws_failure(
                        "deleting the function this failed create made",
                        function,
                        &e,
                        &done,
                    ));
                }
            }
            return fail(diags, Value::Null);
        };
        s.last_deployment = last_deployment(&ran.id, o, &ran.shown);
        match &self.alias_move {
            // The old alias serves throughout; the new one, rolled back, goes again.
            Some(m) => {
                let had = sources::stored(s.event_sources.as_deref());
                let want = self.config.event_sources.clone().unwrap_or_default();
                let mut replaced = self.replaced.lock().await;
                m.undo(self.cloud, (&had, &want), &mut replaced).await;
            }
            None => {
                if let Some(v) = o.serving_version() {
                    s.version = v.to_string();
                }
            }
        }
        fail(error, s.write(self.undo.clone()))
    }
}
