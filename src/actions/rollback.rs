//! `gitmoxi_lambda_rollback`: puts an alias back to 100% on one version, now, without a
//! configuration change: during an incident, `terraform apply -invoke=action.gitmoxi_lambda_rollback.NAME`.

use async_trait::async_trait;

use super::{acting_on, at_once, on_alias, run_on_alias, validate_config, version_exists};
use crate::model::ports::{AliasRouting, Cloud};
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::registry::{Action, Progress, RequestContext};
use crate::protocol::schema::{Attribute, Block, Schema};
use crate::protocol::value::{Type, Value};
use crate::provider::Configured;
use crate::resources::common::settings;
use crate::resources::common::state::describe_routing;

pub const TYPE_NAME: &str = "gitmoxi_lambda_rollback";

pub struct Rollback<C> {
    schema: Schema,
    configured: Configured<C>,
}

impl<C: Cloud> Rollback<C> {
    pub fn new(configured: Configured<C>) -> Self {
        let block = Block::new(
            "Puts an alias back to 100% on one version at once: by default the version it serves \
             as primary when it carries weights (a rollout or a hand-made split left traffic on \
             another version). Every alias update carries the RevisionId it read, so a change \
             made meanwhile by anyone else is never overwritten. Takes no alarms (an incident's \
             alarms are in ALARM), notifies like a deployment and ends with its report. Changes \
             no Terraform state: a resource managing the alias shows the move at its next plan.",
        )
        .attr(Attribute::optional(
            "to_version",
            Type::String,
            "The version to serve at 100%. Default: the alias's primary version, when the alias \
             routes part of its traffic elsewhere.",
        ))
        .attr(Attribute::optional(
            "notification_topic_arn",
            Type::String,
            "SNS topic told of the rollback as of a deployment (start, then success or failure).",
        ));
        Rollback {
            schema: Schema::new(0, on_alias(block)),
            configured,
        }
    }
}

#[async_trait]
impl<C: Cloud> Action for Rollback<C> {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        validate_config(config, "to_version")
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
        progress(format!(
            "{function}:{alias} routes {}",
            describe_routing(&routing)
        ));
        let Some(target) = target(&config, &routing) else {
            progress(format!(
                "nothing to roll back: {alias} routes all its traffic to version {}; set \
                 to_version to move it to another version",
                routing.version
            ));
            return Diagnostics::default();
        };
        if routing.serves_fully(&target) {
            progress(format!("{alias} already serves version {target} alone"));
            return Diagnostics::default();
        }
        let (settings, diags) = settings::parse(&config);
        if diags.has_errors() {
            return diags;
        }
        let exists = version_exists(cloud, function, &target, "to_version").await;
        if exists.has_errors() {
            return exists;
        }
        progress(format!("rolling {alias} back to version {target} at 100%"));
        let on = (function, alias, target.as_str());
        let seen = Some(routing.version.as_str());
        run_on_alias(cloud, ctx, progress, on, (at_once(), seen), &settings).await
    }
}

/// The version to serve: `to_version`, else the primary one when weights send traffic elsewhere.
fn target(config: &Value, routing: &AliasRouting) -> Option<String> {
    if let Some(v) = config.get("to_version").as_str() {
        return Some(v.to_string());
    }
    match &routing.extra {
        Some((_, weight)) if *weight > 0.0 => Some(routing.version.clone()),
        _ => None,
    }
}
