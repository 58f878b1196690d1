//! `gitmoxi_lambda_deployment`: one Lambda function, its versions, and progressive rollouts of
//! each release on one alias.
//!
//! - [`schema`]: arguments and attributes (their descriptions are the docs).
//! - [`config`]: the configuration read into the model, once per request.
//! - [`state`]: the state, typed; the only place that knows attribute names.
//! - [`plan`]: the plan rules, pure.
//! - [`deploy`]: a rollout through the engine; [`in_place`]: changes without one, and destroy.
//! - [`rename`]: moving to another alias; [`read`]: refresh and import.
//! - [`keep`]: the code and environment values kept from the serving version.
//! - [`list`]: the list resource of the same name, for `terraform query`.

pub mod config;
pub mod deploy;
pub mod in_place;
pub mod keep;
pub mod list;
pub mod plan;
pub mod read;
pub mod rename;
pub mod schema;
pub mod state;
#[cfg(test)]
mod tests;
pub mod walk;

use async_trait::async_trait;

use self::config::DeploymentConfig;
use crate::model::ports::Cloud;
use std::collections::BTreeMap;

use crate::protocol::diagnostics::{Diagnostic, Diagnostics};
use crate::protocol::registry::{
    ApplyRequest, ApplyResponse, ImportResponse, PlanRequest, PlanResponse, ReadResponse,
    RequestContext, Resource,
};
use crate::protocol::schema::{IdentitySchema, Schema};
use crate::protocol::value::Value;
use crate::provider::Configured;
use crate::resources::common::failure::fail;
use crate::resources::common::state::{Drift, Private};
use crate::resources::common::{identity, orchestrator};
use tokio::sync::Mutex;

pub struct LambdaDeployment<C> {
    schema: Schema,
    identity: IdentitySchema,
    configured: Configured<C>,
}

impl<C: Cloud> LambdaDeployment<C> {
    pub fn new(configured: Configured<C>) -> Self {
        LambdaDeployment {
            schema: schema::schema(),
            identity: identity::schema(),
            configured,
        }
    }
}

impl<C: Cloud> LambdaDeployment<C> {
    /// For a create: what the alias of the declared function serves, so the plan can show the
    /// rollout (`Some(None)`: nothing, a first release). None when it cannot be read: the read
    /// only previews the apply, so an endpoint that does not answer (or an account being
    /// throttled) leaves the starting version unknown rather than holding the plan up. Terraform
    /// plans a create twice (at plan and again at apply) and the second plan must not lose what
    /// the first knew, which is why the preview's patience does not depend on how busy the
    /// provider's quota budget is.
    async fn serving(&self, c: &DeploymentConfig) -> Option<Option<String>> {
        let (function, alias) = (c.function_name()?, c.alias.known()?);
        let cloud = self.configured.cloud().ok()?;
        let routing = cloud.preview_alias(function, alias).await.ok()?;
        Some(routing.map(|r| r.version))
    }
}

impl<C: Cloud> LambdaDeployment<C> {
    /// For an update: the values of the variables the prior state keeps, when the configuration
    /// now declares some of them (see [`keep::served_values`]).
    async fn kept_values(
        &self,
        prior: &Value,
        c: &DeploymentConfig,
    ) -> Result<Option<BTreeMap<String, String>>, Diagnostic> {
        let (Some(state), Some(declared)) = (
            state::DeploymentState::read(prior),
            c.with_declared_secrets(),
        ) else {
            return Ok(None);
        };
        let cloud = self.configured.cloud()?;
        let target = (state.function_name.as_str(), state.version.as_str());
        keep::served_values(cloud, &keep::Keep::read(prior), &declared, target).await
    }
}

#[async_trait]
impl<C: Cloud> Resource for LambdaDeployment<C> {
    fn type_name(&self) -> &'static str {
        schema::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        DeploymentConfig::parse(config).1
    }

    async fn plan(&self, _ctx: &RequestContext, req: PlanRequest) -> PlanResponse {
        let drift = Drift::from_private(&req.prior_private);
        let config = DeploymentConfig::parse(&req.config);
        let creating = req.prior_state.is_null() && !req.proposed_new_state.is_null();
        let serving = match creating {
            true => self.serving(&config.0).await,
            false => None,
        };
        let (config, mut diags) = config;
        let kept_values = match &req.prior_state {
            prior if creating || prior.is_null() => None,
            prior => self.kept_values(prior, &config).await.unwrap_or_else(|d| {
                diags.push(d);
                None
            }),
        };
        let seen = plan::Seen {
            drift: drift.as_ref(),
            serving,
            kept_values,
        };
        let prior = &req.prior_state;
        let mut resp = plan::plan(prior, (config, diags), &req.proposed_new_state, seen);
        let default = self.configured.cloud().ok().map(|c| c.orchestrator());
        resp.diagnostics
            .extend(orchestrator::plan_refusals(&req.config, default));
        if let Some(walk) = Private::read(&req.prior_private).running {
            let function = prior.get("id").as_str().unwrap_or_default();
            let alias = prior.get("alias").as_str().unwrap_or_default();
            resp.diagnostics
                .push(walk::still_running(function, alias, &walk));
        }
        resp.planned_private = req.prior_private;
        resp
    }

    async fn apply(&self, ctx: &RequestContext, req: ApplyRequest) -> ApplyResponse {
        let cloud = match self.configured.cloud() {
            Ok(c) => c,
            Err(d) => return fail(d, req.prior_state),
        };
        // The stage variable values event sources replaced, kept across applies.
        let replaced = Mutex::new(Private::read(&req.planned_private).replaced);
        if req.planned_state.is_null() {
            return in_place::destroy(cloud, &req.prior_state, &replaced).await;
        }
        let (config, diags) = DeploymentConfig::parse(&req.config);
        if diags.has_errors() {
            return fail(diags, req.prior_state);
        }
        let carried = Private::read(&req.planned_private);
        let mut resp = if let Some(d) = walk::still_running_at_apply(cloud, &req, &carried).await {
            fail(d, req.prior_state.clone())
        } else if state::is_deployment(&req.planned_state) {
            deploy::deploy(cloud, ctx, &req, &config, &replaced).await
        } else {
            in_place::update_in_place(cloud, &req, &config, &replaced).await
        };
        if !resp.new_state.is_null() {
            let mut kept = walk::carry(&req, &resp, carried);
            kept.replaced = replaced.into_inner();
            resp.private = kept.to_bytes();
        }
        resp
    }

    async fn read(&self, _ctx: &RequestContext, state: Value, private: Vec<u8>) -> ReadResponse {
        match self.configured.cloud() {
            Ok(cloud) => read::read(cloud, state, private).await,
            Err(d) => ReadResponse {
                new_state: state,
                private,
                diagnostics: d.into(),
            },
        }
    }

    async fn import(&self, _ctx: &RequestContext, id: &str) -> ImportResponse {
        match self.configured.cloud() {
            Ok(cloud) => read::import(cloud, &self.schema.value_type(), id).await,
            Err(d) => ImportResponse {
                diagnostics: d.into(),
                ..Default::default()
            },
        }
    }

    fn identity_schema(&self) -> Option<&IdentitySchema> {
        Some(&self.identity)
    }

    fn identity(&self, state: &Value) -> Option<Value> {
        let region = self.configured.cloud().ok()?.region();
        identity::of(state.get("id"), state.get("alias"), region)
    }

    fn import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        let cloud = self.configured.cloud().map_err(Diagnostics::from)?;
        identity::import_id(identity, cloud.region())
    }
}
