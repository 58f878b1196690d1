//! Schema of `gitmoxi_lambda_deployment`. The descriptions are the reference docs.

use crate::protocol::schema::{Attribute, Block, Schema};
use crate::protocol::value::Type;

pub const TYPE_NAME: &str = "gitmoxi_lambda_deployment";
pub const SCHEMA_VERSION: i64 = 0;

pub fn last_deployment_type() -> Type {
    Type::object([
        ("id", Type::String),
        ("status", Type::String),
        ("from_version", Type::String),
        ("to_version", Type::String),
        ("started_at", Type::String),
        ("finished_at", Type::String),
        ("reason", Type::String),
        ("failed_check", Type::String),
        (
            "steps",
            Type::list(Type::object([
                ("weight_percent", Type::Number),
                ("at", Type::String),
            ])),
        ),
    ])
}

pub fn schema() -> Schema {
    Schema::new(
        SCHEMA_VERSION,
        Block::new(
            "Owns one AWS Lambda function, publishes a version for each release and rolls it out on one alias \
             step by step (CANARY, LINEAR or ALL_AT_ONCE), watching CloudWatch alarms and rolling back on its own. \
             Point invokers at `alias_arn`, not `function_arn`.",
        )
        .attr(Attribute::required(
            "function_definition",
            Type::String,
            "JSON of the Lambda **CreateFunction** request (PascalCase keys, as in Gitmoxi's `_lambdadef.json`). \
             `FunctionName` and `Role` are required; an absent key means the AWS default; `Publish` is ignored \
             (the provider publishes). Key order and spacing do not matter, nor the order of `SubnetIds` and \
             `SecurityGroupIds`. Changing anything but `Tags` deploys a new version; `Tags` are applied in place; \
             changing `FunctionName` replaces the function; `PackageType` and `TenancyConfig` cannot change.",
        ))
        .attr(Attribute::optional(
            "package_file",
            Type::String,
            "Path of a local `.zip` uploaded as the function's code (at most 50 MB). Conflicts with `Code` in \
             `function_definition`.",
        ))
        .attr(Attribute::optional_computed(
            "source_code_hash",
            Type::String,
            "Base64 SHA-256 of the package, as `filebase64sha256()` gives. Any change deploys. With `package_file` \
             and no value, computed at plan time; apply hashes the file again and fails before any change if it \
             differs. With S3 or image code it is a trigger only.",
        ))
        .attr(
            Attribute::optional(
                "sensitive_environment",
                Type::map(Type::String),
                "Environment variables merged into `Environment.Variables` whose values are never shown in plans, \
                 logs or errors. A key in both is an error.",
            )
            .sensitive(),
        )
        .attr(Attribute::required(
            "alias",
            Type::String,
            "Alias that receives traffic (not a number, not `$LATEST`). Renaming it moves traffic in place, \
             publishing nothing.",
        ))
        .attr(Attribute::optional(
            "alarms",
            Type::list(Type::String),
            "CloudWatch alarm names (metric or composite, at most 100). Checked before the rollout (one in ALARM \
             stops it before any change) and every few seconds during every wait and the bake; one in ALARM rolls \
             back.",
        ))
        .attr(Attribute::optional(
            "delete_failed_version",
            Type::Bool,
            "After a rollback or a failed release, delete the version that failed (default `true`).",
        ))
        .attr(Attribute::optional(
            "retain_versions",
            Type::Number,
            "How many versions before the serving one to keep after a successful deployment (default `0`). The \
             serving version, any version an alias routes to and newer versions are never deleted.",
        ))
        .attr(Attribute::optional(
            "skip_destroy",
            Type::Bool,
            "Destroy forgets the function instead of deleting it (default `false`).",
        ))
        .attr(Attribute::computed("id", Type::String, "The function name."))
        .attr(Attribute::computed(
            "function_arn",
            Type::String,
            "Unqualified function ARN. It invokes `$LATEST`, which may hold a release that was rolled back: \
             use `alias_arn`.",
        ))
        .attr(Attribute::computed("alias_arn", Type::String, "ARN of the alias: what invokers should use."))
        .attr(Attribute::computed("invoke_arn", Type::String, "API Gateway invoke ARN of the alias."))
        .attr(Attribute::computed(
            "version",
            Type::String,
            "Version the alias serves at 100% after the last successful deployment.",
        ))
        .attr(Attribute::computed("previous_version", Type::String, "Version served before the last successful deployment."))
        .attr(Attribute::computed("code_sha256", Type::String, "Code SHA-256 of the serving version."))
        .attr(Attribute::computed(
            "rollout_schedule",
            Type::list(Type::String),
            "The steps the next rollout takes, known at plan time, e.g. `[\"10% for 5m0s\", \"100%\"]`.",
        ))
        .attr(Attribute::computed(
            "last_deployment",
            last_deployment_type(),
            "The last deployment: `id`, `status` (SUCCEEDED, ROLLED_BACK, FAILED, INTERRUPTED), `from_version`, \
             `to_version`, `started_at`, `finished_at`, `reason`, `failed_check` and `steps` \
             (`weight_percent`, `at`).",
        ))
        .single_list_block(
            "traffic_shifting",
            Block::new("How a new version reaches traffic. Absent: ALL_AT_ONCE with no wait.")
                .attr(Attribute::optional(
                    "type",
                    Type::String,
                    "`CANARY`, `LINEAR` or `ALL_AT_ONCE` (default `ALL_AT_ONCE`), or a CodeDeploy configuration name \
                     such as `Canary10Percent5Minutes`, `Linear10PercentEvery1Minute` or `AllAtOnce` (with or without \
                     `CodeDeployDefault.Lambda`), which then sets `percent` and `wait_interval`.",
                ))
                .attr(Attribute::optional(
                    "percent",
                    Type::Number,
                    "CANARY: the first step; LINEAR: the increment. 1 to 99, default 20.",
                ))
                .attr(Attribute::optional(
                    "wait_interval",
                    Type::String,
                    "Wait after each step below 100% (ALL_AT_ONCE: bake time at 100%), e.g. `\"60s\"`, `\"5m\"`. \
                     Default `60s`.",
                ))
                .attr(Attribute::optional(
                    "bake_time",
                    Type::String,
                    "CANARY and LINEAR: how long checks keep running at 100% before success. Default `0s`.",
                )),
        )
        .single_list_block(
            "readiness_check",
            Block::new(
                "How long a new version may take to become `Active` with `LastUpdateStatus = Successful`: the larger \
                 of `wait_interval × max_retries` and `timeout`. SnapStart versions need minutes.",
            )
            .attr(Attribute::optional("wait_interval", Type::String, "Default `10s`."))
            .attr(Attribute::optional("max_retries", Type::Number, "Default `5`."))
            .attr(Attribute::optional("timeout", Type::String, "Optional absolute bound, e.g. `\"10m\"`.")),
        )
        .single_list_block(
            "timeouts",
            Block::new("Operation timeouts. Reaching `create` or `update` rolls back (the rollback may take up to 5 more minutes).")
                .attr(Attribute::optional(
                    "create",
                    Type::String,
                    "Default: the schedule's configured waits + 30m. Must not be shorter than the waits.",
                ))
                .attr(Attribute::optional(
                    "update",
                    Type::String,
                    "Default: the schedule's configured waits + 30m. Must not be shorter than the waits.",
                ))
                .attr(Attribute::optional("delete", Type::String, "Default `15m`.")),
        ),
    )
}
