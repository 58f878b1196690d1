//! Schema of `gitmoxi_lambda_alias_deployment`. The descriptions are the reference docs.

use crate::protocol::schema::{Attribute, Block, Schema};
use crate::protocol::value::Type;
use crate::resources::common::blocks;

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
