//! `gitmoxi_lambda_promote`: rolls an existing version onto an alias with the usual schedule and
//! checks (what `gitmoxi_lambda_alias_deployment` does on a version change), run on demand.

use async_trait::async_trait;

use super::{acting_on, at_once, known, on_alias, run_on_alias, validate_config, version_exists};
use crate::model::ports::Cloud;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::registry::{Action, Progress, RequestContext};
use crate::protocol::schema::{Attribute, Block, Schema};
use crate::protocol::value::{Type, Value};
use crate::provider::Configured;
use crate::resources::common::blocks::traffic_shifting_block;
use crate::resources::common::rollout::preflight_alarms;
use crate::resources::common::settings;

pub const TYPE_NAME: &str = "gitmoxi_lambda_promote";

pub struct Promote<C> {
    schema: Schema,
    configured: Configured<C>,
}

impl<C: Cloud> Promote<C> {
    pub fn new(configured: Configured<C>) -> Self {
        let block = Block::new(
            "Rolls an existing version onto an alias step by step, as `gitmoxi_lambda_alias_deployment` \
             does when its version changes: alarms checked before the first shift and throughout, \
             rollback to the version the alias served when one fires, every alias update guarded by \
             its RevisionId. Never publishes or deletes a version. Changes no Terraform state.",
        )
        .attr(Attribute::required(
            "version",
            Type::String,
            "The published version to roll out, e.g. \"7\".",
        ))
        .attr(Attribute::optional(
            "alarms",
            Type::list(Type::String),
            "CloudWatch alarm names. One in ALARM before the first shift stops the promotion before any \
             change; one in ALARM during it rolls back.",
        ))
        .attr(Attribute::optional(
            "notification_topic_arn",
            Type::String,
            "SNS topic told of the promotion as of a deployment.",
        ))
        .single_list_block("traffic_shifting", traffic_shifting_block());
        Promote {
            schema: Schema::new(0, on_alias(block)),
            configured,
        }
    }
}

#[async_trait]
impl<C: Cloud> Action for Promote<C> {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        validate_config(config, "version")
    }

    async fn invoke(
        &self,
        ctx: &RequestContext,
        config: Value,
        progress: Progress<'_>,
    ) -> Diagnostics {
        let (cloud, function, alias, routing) = match acting_on(&self.configured, &config).await {
            Ok(found) => found,
            Err(d) => return d,
        };
        let version = match known(&config, "version") {
            Ok(v) => v,
            Err(d) => return d,
        };
        let (settings, diags) = settings::parse(&config);
        if diags.has_errors() {
            return diags;
        }
        let exists = version_exists(cloud, function, version, "version").await;
        if exists.has_errors() {
            return exists;
        }
        if let Err(d) = preflight_alarms(cloud.alarms(), &settings.alarms).await {
            return d;
        }
        let plan = settings.plan().unwrap_or_else(at_once);
        progress(format!(
            "promoting version {version} onto {function}:{alias}: {}",
            plan.steps
                .iter()
                .map(|s| format!("{}%", s.weight_percent))
                .collect::<Vec<_>>()
                .join(" → ")
        ));
        let on = (function, alias, version);
        let seen = Some(routing.version.as_str());
        run_on_alias(cloud, ctx, progress, on, (plan, seen), &settings).await
    }
}
