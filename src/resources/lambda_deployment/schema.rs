//! Schema of `gitmoxi_lambda_deployment`. The descriptions are the reference docs.

use crate::protocol::schema::{Attribute, Block, Schema};
use crate::protocol::value::Type;
use crate::resources::common::blocks;

pub const TYPE_NAME: &str = "gitmoxi_lambda_deployment";
pub const SCHEMA_VERSION: i64 = 0;

pub fn schema() -> Schema {
    let block = Block::new(
        "Owns one AWS Lambda function, publishes a version for each release and rolls it out on one alias \
         step by step (CANARY, LINEAR or ALL_AT_ONCE), watching CloudWatch alarms and rolling back on its own. \
         Point invokers at `alias_arn`, not `function_arn`.",
    );
    let block = release_arguments(block).attr(blocks::event_sources_attribute());
    let block = computed_attributes(alias_arguments(block))
        .single_list_block("readiness_check", readiness_check_block());
    Schema::new(SCHEMA_VERSION, blocks::with_rollout_settings(block))
}

/// What is released: the definition, its package and the sensitive environment.
fn release_arguments(block: Block) -> Block {
    block
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
        .attr(Attribute::optional(
            "package_s3_bucket",
            Type::String,
            "Stage `package_file` in this S3 bucket (key `gitmoxi/<function>/<sha256>.zip`, uploaded once per \
             package, with its SHA-256 for S3 to check) and create the code from S3. Needed for packages over \
             50 MB. The bucket must belong to the account deployed to: a bucket of that name owned by anyone \
             else is refused.",
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
                 logs or errors. A key in both is an error. Their values are kept (marked sensitive) in the \
                 state; with Terraform 1.11 or later, `sensitive_environment_wo` keeps them out of it.",
            )
            .sensitive(),
        )
        .attr(
            Attribute::optional(
                "sensitive_environment_wo",
                Type::map(Type::String),
                "Write-only environment variables (Terraform 1.11 or later): merged into `Environment.Variables` \
                 like `sensitive_environment`, but never stored in the plan or the state. The provider cannot \
                 see a change of their values, so set `sensitive_environment_wo_version` and change it to \
                 deploy new values. A key also in `Environment.Variables` or `sensitive_environment` is an error.",
            )
            .sensitive()
            .write_only("use `sensitive_environment`, whose values are stored in the state marked sensitive"),
        )
        .attr(Attribute::optional(
            "keep_code",
            Type::Bool,
            "Keep the code the alias serves (default `false`): releases change only the configuration and \
             publish the code of the version deployed last again. For functions whose package Terraform does not have, \
             as `terraform query -generate-config-out` writes them. Conflicts with `package_file` and `Code`; \
             a release fails before any change if `$LATEST` holds other code (after a rollback, or code \
             uploaded without publishing): give the package then. Only for a deployment that already \
             serves (imported): a new function or a replacement has nothing to keep.",
        ))
        .attr(Attribute::optional(
            "keep_environment",
            Type::set(Type::String),
            "Names of environment variables whose values stay as the serving version has them: never in the \
             configuration, the plan or the state. Each release copies their values from the version deployed \
             last, the one the alias serves (one that lacks a name fails before any change). Import and `terraform query \
             -generate-config-out` list an adopted function's variables here. A name also declared elsewhere is \
             an error; declaring its value instead deploys it.",
        ))
        .attr(Attribute::optional(
            "sensitive_environment_wo_version",
            Type::Number,
            "Required with `sensitive_environment_wo`: any number; changing it deploys the write-only values \
             as they are now (a new version, rolled out as configured).",
        ))
}

/// Where and how the release is served: the alias, and what happens to versions and the function.
fn alias_arguments(block: Block) -> Block {
    block
        .attr(Attribute::required(
            "alias",
            Type::String,
            "Alias that receives traffic (not a number, not `$LATEST`). Renaming it moves traffic in place, \
             publishing nothing.",
        ))
        .attr(Attribute::optional(
            "delete_failed_version",
            Type::Bool,
            "After a rollback or a failed release, delete the version that failed (default `true`).",
        ))
        .attr(Attribute::optional(
            "retain_versions",
            Type::Number,
            "Which older versions a successful deployment deletes. Unset (the default): the version it replaced, \
             without listing anything (Lambda refuses to delete, and so keeps, a version any alias routes to); \
             versions left from before are not touched. A number N: every version is listed and all below the \
             serving one but the N highest are deleted (`0`: all of them). The serving version, any version an \
             alias routes to and newer versions are never deleted.",
        ))
        .attr(Attribute::optional(
            "wait_for_rollout",
            Type::Bool,
            "With the `step_functions` orchestrator: follow the rollout to its end (default `true`). \
             `false`: the apply returns once the first shift is on the alias, with `last_deployment.status = \
             \"IN_PROGRESS\"`; the rollout goes on in Step Functions, and each refresh reads how it stands \
             (a failed one puts the prior release back in the state, so the next plan shows the change \
             again). Ignored by the provider orchestrator.",
        ))
        .attr(Attribute::optional(
            "skip_destroy",
            Type::Bool,
            "Destroy forgets the function instead of deleting it (default `false`).",
        ))
}

fn computed_attributes(block: Block) -> Block {
    block
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
            "pending",
            Type::list(Type::String),
            "What the last create left undone after its release went out (`tags` or \
             `event_sources`, each with the cause). The function serves, so the create is not \
             tainted; the next plan shows this list emptied, and its apply finishes the work. \
             Null when nothing is pending.",
        ))
}

fn readiness_check_block() -> Block {
    Block::new(
        "How long a new version may take to become `Active` with `LastUpdateStatus = Successful`: the larger \
         of `wait_interval × max_retries` and `timeout`. SnapStart versions need minutes.",
    )
    .attr(Attribute::optional("wait_interval", Type::String, "Default `10s`."))
    .attr(Attribute::optional("max_retries", Type::Number, "Default `5`."))
    .attr(Attribute::optional("timeout", Type::String, "Optional absolute bound, e.g. `\"10m\"`."))
}
