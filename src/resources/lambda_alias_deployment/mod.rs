//! `gitmoxi_lambda_alias_deployment`: rolls an **existing** version out on an alias of a
//! function this resource does not own — promotion from DEV to QA to PROD, or branch aliases —
//! with the same checks and rollback as `gitmoxi_lambda_deployment`. It never publishes, and
//! never deletes the function or a version: destroy removes the alias and its event sources.

mod apply;
mod config;
mod plan;
mod read;
pub mod schema;
mod state;
#[cfg(test)]
mod tests;

use async_trait::async_trait;

pub use self::schema::{schema, TYPE_NAME};
use crate::model::ports::Cloud;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::registry::{
    ApplyRequest, ApplyResponse, ImportResponse, PlanRequest, PlanResponse, ReadResponse,
    RequestContext, Resource,
};
use crate::protocol::schema::{IdentitySchema, Schema};
use crate::protocol::value::Value;
use crate::provider::Configured;
use crate::resources::common::failure::fail;
use crate::resources::common::state::Drift;
use crate::resources::common::{identity, orchestrator};

pub struct LambdaAliasDeployment<C> {
    schema: Schema,
    identity: IdentitySchema,
    configured: Configured<C>,
}

impl<C: Cloud> LambdaAliasDeployment<C> {
    pub fn new(configured: Configured<C>) -> Self {
        LambdaAliasDeployment {
            schema: schema(),
            identity: identity::schema(),
            configured,
        }
    }
}

impl<C: Cloud> LambdaAliasDeployment<C> {
    /// For a create: what the alias serves, if it exists (`Some(None)`: it does not). None when
    /// it cannot be read.
    async fn serving(&self, config: &Value) -> Option<Option<String>> {
        let (c, _) = config::AliasConfig::parse(config);
        let (function, alias) = (c.function_name.known()?, c.alias.known()?);
        let cloud = self.configured.cloud().ok()?;
        let routing = cloud.find_alias(function, alias).await.ok()?;
        Some(routing.map(|r| r.version))
    }
}

#[async_trait]
impl<C: Cloud> Resource for LambdaAliasDeployment<C> {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        config::AliasConfig::parse(config).1
    }

    async fn plan(&self, _ctx: &RequestContext, req: PlanRequest) -> PlanResponse {
        let drift = Drift::from_private(&req.prior_private);
        let prior = &req.prior_state;
        let serving = match prior.is_null() && !req.proposed_new_state.is_null() {
            true => self.serving(&req.config).await,
            false => None,
        };
        let proposed = &req.proposed_new_state;
        let mut resp = plan::plan(prior, &req.config, proposed, drift.as_ref(), serving);
        let default = self.configured.cloud().ok().map(|c| c.orchestrator());
        resp.diagnostics
            .extend(orchestrator::plan_refusals(&req.config, default));
        resp.planned_private = req.prior_private;
        resp
    }

    async fn apply(&self, ctx: &RequestContext, req: ApplyRequest) -> ApplyResponse {
        match self.configured.cloud() {
            Ok(cloud) => apply::apply(cloud, ctx, req).await,
            Err(d) => fail(d, req.prior_state),
        }
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
        identity::of(state.get("function_name"), state.get("alias"), region)
    }

    fn import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        let cloud = self.configured.cloud().map_err(Diagnostics::from)?;
        identity::import_id(identity, cloud.region())
    }
}
