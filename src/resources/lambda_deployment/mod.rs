//! `gitmoxi_lambda_deployment`: one Lambda function, its versions, and progressive rollouts of
//! each release on one alias (SPEC §3).
//!
//! - [`schema`]: arguments and attributes (their descriptions are the docs).
//! - [`definition`]: the `function_definition` JSON, validated and compared.
//! - [`release`]: the code and definition together, validated at plan and loaded at apply;
//!   the rollout settings and state shapes are shared with other resources in `common`.
//! - [`plan`]: the plan rules, pure.
//! - [`apply`]: deployments through the engine; [`in_place`]: changes without a rollout, destroy.

pub mod apply;
pub mod definition;
pub mod in_place;
pub mod plan;
pub mod release;
pub mod schema;

use async_trait::async_trait;

use crate::aws::function_definition::flatten;
use crate::aws::lambda as aws_lambda;
use crate::protocol::diagnostics::{Diagnostic, Diagnostics};
use crate::protocol::registry::{
    ApplyRequest, ApplyResponse, ImportResponse, PlanRequest, PlanResponse, ReadResponse,
    RequestContext, Resource,
};
use crate::protocol::schema::Schema;
use crate::protocol::value::Value;
use crate::provider::Configured;
use crate::resources::common::state::{self, Drift};

pub struct LambdaDeployment {
    schema: Schema,
    configured: Configured,
}

impl LambdaDeployment {
    pub fn new(configured: Configured) -> Self {
        LambdaDeployment {
            schema: schema::schema(),
            configured,
        }
    }
}

#[async_trait]
impl Resource for LambdaDeployment {
    fn type_name(&self) -> &'static str {
        schema::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        plan::validate(config).3
    }

    async fn plan(&self, _ctx: &RequestContext, req: PlanRequest) -> PlanResponse {
        let drift = Drift::from_private(&req.prior_private);
        let mut resp = plan::plan(
            &req.prior_state,
            &req.config,
            &req.proposed_new_state,
            drift.as_ref(),
        );
        resp.planned_private = req.prior_private;
        resp
    }

    async fn apply(&self, ctx: &RequestContext, req: ApplyRequest) -> ApplyResponse {
        let clients = match self.configured.clients() {
            Ok(c) => c,
            Err(d) => {
                return ApplyResponse {
                    new_state: req.prior_state,
                    private: vec![],
                    diagnostics: d.into(),
                }
            }
        };
        apply::apply(ctx, clients, req).await
    }

    async fn read(&self, _ctx: &RequestContext, state: Value, private: Vec<u8>) -> ReadResponse {
        let clients = match self.configured.clients() {
            Ok(c) => c,
            Err(d) => {
                return ReadResponse {
                    new_state: state,
                    private,
                    diagnostics: d.into(),
                }
            }
        };
        let function = state.get("id").as_str().unwrap_or_default().to_string();
        let alias = state.get("alias").as_str().unwrap_or_default().to_string();
        let routing = match aws_lambda::find_alias(&clients.lambda, &function, &alias).await {
            Ok(r) => r,
            Err(e) => {
                let d = Diagnostic::error(
                    format!("Error reading Lambda alias ({function}:{alias})"),
                    e.to_string(),
                );
                return ReadResponse {
                    new_state: state,
                    private,
                    diagnostics: d.into(),
                };
            }
        };
        if routing.is_none() {
            match aws_lambda::find_function(&clients.lambda, &function, "$LATEST").await {
                Ok(None) => return ReadResponse::default(), // gone: Terraform drops it from state
                Ok(Some(_)) => {}
                Err(e) => {
                    let d = Diagnostic::error(
                        format!("Error reading Lambda function ({function})"),
                        e.to_string(),
                    );
                    return ReadResponse {
                        new_state: state,
                        private,
                        diagnostics: d.into(),
                    };
                }
            }
        }
        let deployed = state
            .get("version")
            .as_str()
            .unwrap_or_default()
            .to_string();
        let drift = Drift::detect(&alias, &deployed, routing.as_ref());
        ReadResponse {
            new_state: state,
            private: drift.map(|d| d.to_private()).unwrap_or_default(),
            diagnostics: Diagnostics::default(),
        }
    }

    async fn import(&self, _ctx: &RequestContext, id: &str) -> ImportResponse {
        let bad_id = || {
            ImportResponse {
            diagnostics: Diagnostic::error(
                format!("Invalid import ID {id:?}"),
                "Import with FUNCTION_NAME:ALIAS, e.g. `terraform import gitmoxi_lambda_deployment.api orders-api:live`.",
            )
            .into(),
            ..Default::default()
        }
        };
        let Some((function, alias)) = id.split_once(':') else {
            return bad_id();
        };
        if function.is_empty() || alias.is_empty() || alias.contains(':') {
            return bad_id();
        }
        let clients = match self.configured.clients() {
            Ok(c) => c,
            Err(d) => {
                return ImportResponse {
                    diagnostics: d.into(),
                    ..Default::default()
                }
            }
        };
        let fail = |summary: String, detail: String| ImportResponse {
            diagnostics: Diagnostic::error(summary, detail).into(),
            ..Default::default()
        };
        let routing = match aws_lambda::find_alias(&clients.lambda, function, alias).await {
            Ok(Some(r)) => r,
            Ok(None) => {
                return fail(
                    format!("Cannot import {id}: no such function or alias"),
                    format!(
                        "Check that function {function} exists in {} and has the alias {alias}.",
                        clients.region
                    ),
                )
            }
            Err(e) => return fail(format!("Error reading Lambda alias ({id})"), e.to_string()),
        };
        let served =
            match aws_lambda::find_function(&clients.lambda, function, &routing.version).await {
                Ok(Some(s)) => s,
                Ok(None) => {
                    return fail(
                        format!("Cannot import {id}"),
                        format!("Version {} disappeared.", routing.version),
                    )
                }
                Err(e) => {
                    return fail(
                        format!("Error reading Lambda function ({function})"),
                        e.to_string(),
                    )
                }
            };
        let definition = flatten(&served.configuration, served.tags.as_ref());
        let alias_arn = state::alias_arn(&served.function_arn, alias);
        let mut st = Value::Object(Default::default());
        if let crate::protocol::value::Type::Object(attrs) = self.schema.value_type() {
            for name in attrs.keys() {
                st.set_attr(name, Value::Null);
            }
        }
        st.set_attr("id", Value::string(function));
        st.set_attr("function_definition", Value::string(definition.to_string()));
        st.set_attr(
            "source_code_hash",
            Value::string(served.code_sha256.clone()),
        );
        st.set_attr("alias", Value::string(alias));
        st.set_attr("function_arn", Value::string(served.function_arn.clone()));
        st.set_attr(
            "invoke_arn",
            Value::string(state::invoke_arn(&clients.region, &alias_arn)),
        );
        st.set_attr("alias_arn", Value::string(alias_arn));
        st.set_attr("version", Value::string(routing.version.clone()));
        st.set_attr("code_sha256", Value::string(served.code_sha256));
        st.set_attr("rollout_schedule", Value::List(vec![Value::string("100%")]));
        let drift = Drift::detect(alias, &routing.version, Some(&routing));
        ImportResponse {
            state: Some(st),
            private: drift.map(|d| d.to_private()).unwrap_or_default(),
            diagnostics: Diagnostics::default(),
        }
    }
}
