//! `gitmoxi_lambda_alias_deployment` (SPEC §7): rolls an **existing** version out on an alias of a
//! function this resource does not own — promotion from DEV to QA to PROD, or branch aliases —
//! with the same checks and rollback as `gitmoxi_lambda_deployment`. It never publishes, and
//! never deletes the function or a version: destroy removes the alias and its event sources.

mod apply;

use async_trait::async_trait;

use crate::aws::lambda as aws_lambda;
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::registry::{
    ApplyRequest, ApplyResponse, ImportResponse, PlanRequest, PlanResponse, ReadResponse,
    RequestContext, Resource,
};
use crate::protocol::schema::{Attribute, Block, Schema};
use crate::protocol::value::{Type, Value};
use crate::provider::Configured;
use crate::resources::common::state::{self, Drift};
use crate::resources::common::{blocks, settings};
use crate::resources::event_source_attr;

pub const TYPE_NAME: &str = "gitmoxi_lambda_alias_deployment";

pub fn schema() -> Schema {
    let block = Block::new(
        "Rolls an existing version of a function out on one of its aliases, step by step, with the same checks \
         and rollback as `gitmoxi_lambda_deployment`: promotion between environments (DEV → QA → PROD), branch \
         aliases. Never publishes; destroy removes only the alias and its event sources.",
    )
    .attr(Attribute::required(
        "function_name",
        Type::String,
        "Name of the function, e.g. `gitmoxi_lambda_deployment.app.id`. Changing it replaces the resource.",
    ))
    .attr(Attribute::required(
        "alias",
        Type::String,
        "Alias to roll the version out on (not a number, not `$LATEST`). Changing it replaces the resource.",
    ))
    .attr(Attribute::required(
        "version",
        Type::String,
        "Version to serve, e.g. `gitmoxi_lambda_alias_deployment.qa.version` to promote what QA runs. A change \
         rolls it out.",
    ))
    .attr(blocks::event_sources_attribute())
    .attr(Attribute::computed("id", Type::String, "`FUNCTION_NAME:ALIAS`."))
    .attr(Attribute::computed("alias_arn", Type::String, "ARN of the alias."))
    .attr(Attribute::computed("invoke_arn", Type::String, "API Gateway invoke ARN of the alias."))
    .attr(Attribute::computed(
        "previous_version",
        Type::String,
        "Version the alias served before the last successful deployment.",
    ));
    Schema::new(0, blocks::with_rollout_settings(block))
}

pub struct LambdaAliasDeployment {
    schema: Schema,
    configured: Configured,
}

impl LambdaAliasDeployment {
    pub fn new(configured: Configured) -> Self {
        LambdaAliasDeployment {
            schema: schema(),
            configured,
        }
    }
}

fn validate(config: &Value) -> (settings::Settings, Diagnostics) {
    let (settings, mut diags) = settings::parse(config);
    if let Some(v) = config.get("version").as_str() {
        if v.is_empty() || !v.chars().all(|c| c.is_ascii_digit()) || v.starts_with('0') {
            diags.push(
                Diagnostic::error(
                    format!("Invalid version {v:?}"),
                    "Set `version` to a published version number such as \"3\" (not $LATEST, not an alias).",
                )
                .at(AttrPath::root("version")),
            );
        }
    }
    if let Some(f) = config.get("function_name").as_str() {
        let ok = !f.is_empty()
            && f.len() <= 64
            && f.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok {
            diags.push(
                Diagnostic::error(
                    format!("Invalid function name {f:?}"),
                    "Set `function_name` to the function's name (1 to 64 letters, digits, - or _), not an ARN.",
                )
                .at(AttrPath::root("function_name")),
            );
        }
    }
    event_source_attr::declared(config, &mut diags);
    (settings, diags)
}

fn schedule_value(settings: &settings::Settings) -> Value {
    match settings.plan() {
        Some(p) => Value::List(p.describe().into_iter().map(Value::String).collect()),
        None => Value::Unknown,
    }
}

const COMPUTED: [&str; 6] = [
    "id",
    "alias_arn",
    "invoke_arn",
    "previous_version",
    "rollout_schedule",
    "last_deployment",
];

#[async_trait]
impl Resource for LambdaAliasDeployment {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        validate(config).1
    }

    async fn plan(&self, _ctx: &RequestContext, req: PlanRequest) -> PlanResponse {
        let mut resp = PlanResponse {
            planned_private: req.prior_private.clone(),
            ..Default::default()
        };
        if req.proposed_new_state.is_null() {
            return resp;
        }
        let (settings, mut diags) = validate(&req.config);
        let prior = &req.prior_state;
        let mut planned = req.proposed_new_state.clone();
        let id = match (
            req.config.get("function_name").as_str(),
            req.config.get("alias").as_str(),
        ) {
            (Some(f), Some(a)) => Value::string(format!("{f}:{a}")),
            _ => Value::Unknown,
        };
        let replace: Vec<AttrPath> = ["function_name", "alias"]
            .into_iter()
            .filter(|k| !prior.is_null() && req.config.get(k) != prior.get(k))
            .map(AttrPath::root)
            .collect();
        if prior.is_null() || !replace.is_empty() {
            for name in COMPUTED {
                planned.set_attr(name, Value::Unknown);
            }
            planned.set_attr("id", id);
        } else {
            for name in COMPUTED {
                planned.set_attr(name, prior.get(name).clone());
            }
            let drift = Drift::from_private(&req.prior_private);
            if let Some(d) = &drift {
                diags.push(Diagnostic::warning(
                    "The alias does not serve the deployed version",
                    format!(
                        "{} This plan restores version {} with a rollout.",
                        d.description,
                        prior.get("version").as_str().unwrap_or("?")
                    ),
                ));
            }
            if req.config.get("version") != prior.get("version") || drift.is_some() {
                planned.set_attr("previous_version", Value::Unknown);
                planned.set_attr("last_deployment", Value::Unknown);
            }
            if let Some(want) =
                event_source_attr::declared(&req.config, &mut Diagnostics::default())
            {
                let had = event_source_attr::stored(prior);
                if want == had
                    && !prior.get("event_sources").is_null()
                    && !req.config.get("event_sources").is_null()
                {
                    planned.set_attr("event_sources", prior.get("event_sources").clone());
                } else {
                    for w in event_source_attr::plan_warnings(&had, &want) {
                        diags.push(w);
                    }
                }
            }
        }
        planned.set_attr("rollout_schedule", schedule_value(&settings));
        resp.requires_replace = replace;
        resp.planned_state = planned;
        resp.diagnostics = diags;
        resp
    }

    async fn apply(&self, ctx: &RequestContext, req: ApplyRequest) -> ApplyResponse {
        match self.configured.clients() {
            Ok(clients) => apply::apply(ctx, clients, req).await,
            Err(d) => ApplyResponse {
                new_state: req.prior_state,
                private: vec![],
                diagnostics: d.into(),
            },
        }
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
        let function = state
            .get("function_name")
            .as_str()
            .unwrap_or_default()
            .to_string();
        let alias = state.get("alias").as_str().unwrap_or_default().to_string();
        match aws_lambda::find_alias(&clients.lambda, &function, &alias).await {
            // The alias is this resource: gone means gone.
            Ok(None) => ReadResponse::default(),
            Ok(Some(routing)) => {
                let deployed = state.get("version").as_str().unwrap_or_default();
                let drift = Drift::detect(&alias, deployed, Some(&routing));
                ReadResponse {
                    new_state: state,
                    private: drift.map(|d| d.to_private()).unwrap_or_default(),
                    diagnostics: Diagnostics::default(),
                }
            }
            Err(e) => {
                let d = Diagnostic::error(
                    format!("Error reading Lambda alias ({function}:{alias})"),
                    e.to_string(),
                );
                ReadResponse {
                    new_state: state,
                    private,
                    diagnostics: d.into(),
                }
            }
        }
    }

    async fn import(&self, _ctx: &RequestContext, id: &str) -> ImportResponse {
        let fail = |summary: String, detail: String| ImportResponse {
            diagnostics: Diagnostic::error(summary, detail).into(),
            ..Default::default()
        };
        let Some((function, alias)) = id
            .split_once(':')
            .filter(|(f, a)| !f.is_empty() && !a.is_empty())
        else {
            return fail(
                format!("Invalid import ID {id:?}"),
                "Import with FUNCTION_NAME:ALIAS, e.g. `terraform import gitmoxi_lambda_alias_deployment.prod orders:prod`."
                    .into(),
            );
        };
        let clients = match self.configured.clients() {
            Ok(c) => c,
            Err(d) => {
                return ImportResponse {
                    diagnostics: d.into(),
                    ..Default::default()
                }
            }
        };
        let routing = match aws_lambda::find_alias(&clients.lambda, function, alias).await {
            Ok(Some(r)) => r,
            Ok(None) => {
                return fail(
                    format!("Cannot import {id}: no such alias"),
                    format!("Check that {function} has the alias {alias}."),
                )
            }
            Err(e) => return fail(format!("Error reading Lambda alias ({id})"), e.to_string()),
        };
        let function_arn =
            match aws_lambda::find_function(&clients.lambda, function, "$LATEST").await {
                Ok(Some(f)) => f.function_arn,
                Ok(None) => {
                    return fail(
                        format!("Cannot import {id}: no such function"),
                        String::new(),
                    )
                }
                Err(e) => {
                    return fail(
                        format!("Error reading Lambda function ({function})"),
                        e.to_string(),
                    )
                }
            };
        let Type::Object(attrs) = self.schema.value_type() else {
            unreachable!("schemas are objects")
        };
        let mut st = Value::Object(attrs.keys().map(|k| (k.clone(), Value::Null)).collect());
        let alias_arn = state::alias_arn(&function_arn, alias);
        st.set_attr("id", Value::string(id));
        st.set_attr("function_name", Value::string(function));
        st.set_attr("alias", Value::string(alias));
        st.set_attr("version", Value::string(routing.version.clone()));
        st.set_attr(
            "invoke_arn",
            Value::string(state::invoke_arn(&clients.region, &alias_arn)),
        );
        st.set_attr("alias_arn", Value::string(alias_arn));
        st.set_attr("rollout_schedule", Value::List(vec![Value::string("100%")]));
        let drift = Drift::detect(alias, &routing.version, Some(&routing));
        ImportResponse {
            state: Some(st),
            private: drift.map(|d| d.to_private()).unwrap_or_default(),
            diagnostics: Diagnostics::default(),
        }
    }
}
