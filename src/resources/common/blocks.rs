//! Schema pieces every rollout resource declares the same way: how traffic shifts, what is
//! checked, and what the last deployment did. Their descriptions are the docs.

use crate::protocol::schema::{Attribute, Block};
use crate::protocol::value::Type;

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
        ("schedule", Type::list(Type::String)),
        ("configured_duration", Type::String),
        ("execution_arn", Type::String),
    ])
}

/// Adds the rollout arguments, attributes and blocks shared by every rollout resource.
pub fn with_rollout_settings(block: Block) -> Block {
    checks_and_results(block)
        .single_list_block("traffic_shifting", traffic_shifting_block())
        .single_list_block("hooks", hooks_block())
        .single_list_block("analysis", analysis_block())
        .single_list_block("timeouts", timeouts_block())
        .single_list_block(
            "orchestrator",
            super::orchestrator::block("Without it, the provider block's `orchestrator` applies."),
        )
}

/// What is watched and told (`alarms`, `notification_topic_arn`), and what the next and the last
/// deployment do (`rollout_schedule`, `last_deployment`).
fn checks_and_results(block: Block) -> Block {
    block
        .attr(Attribute::optional(
            "alarms",
            Type::list(Type::String),
            "CloudWatch alarm names (metric or composite, at most 100). Checked before the rollout (one in ALARM \
             stops it before any change) and every few seconds during every wait and the bake; one in ALARM rolls \
             back.",
        ))
        .attr(Attribute::optional(
            "notification_topic_arn",
            Type::String,
            "SNS topic that receives a JSON message at `DeploymentStart`, `DeploymentSuccess`, `DeploymentFailure` \
             and `DeploymentRollback` (deployment id, function, alias, versions, reason). A failure to notify is a \
             warning, never a failed deployment.",
        ))
        .attr(Attribute::optional(
            "provisioned_concurrency",
            Type::Number,
            "Provisioned concurrency of the serving version (default `0`: none). Each release allocates it on the \
             new version and waits until it is READY before any traffic moves; the old version keeps its own \
             until the new one serves 100% and the bake has passed (a rollback lands on warm capacity), then \
             it is released. Changing only this number applies it in place to the serving version.",
        ))
        .attr(Attribute::computed(
            "rollout_schedule",
            Type::list(Type::String),
            "The steps the next rollout takes, known at plan time, e.g. `[\"10% for 5m0s\", \"100%\"]`.",
        ))
        .attr(Attribute::computed(
            "last_deployment",
            last_deployment_type(),
            "The last deployment: `id`, `status` (SUCCEEDED, ROLLED_BACK, FAILED, INTERRUPTED, or IN_PROGRESS while \
             a rollout on Step Functions goes on without the apply), `from_version`, \
             `to_version`, `started_at`, `finished_at`, `reason`, `failed_check` (which check ended it, e.g. \
             `alarm:NAME`, `hook:AfterAllowTraffic`, `analysis:error_rate`, `verify`), `steps` (`weight_percent`, \
             `at`), `schedule` (the steps it was to take), `configured_duration` (the waits they configure) and \
             `execution_arn` (the Step Functions execution that ran it, with that orchestrator). A \
             plan that runs a rollout shows `from_version`, `schedule` and `configured_duration` already: where it \
             starts, what it will do and how long it waits (a first release goes to 100% at once). If the alias \
             serves something else when the apply starts, the rollout stops before any change.",
        ))
}

pub fn traffic_shifting_block() -> Block {
    Block::new("How a new version reaches traffic. Absent: ALL_AT_ONCE with no wait.")
        .attr(Attribute::optional(
            "type",
            Type::String,
            "Required: `CANARY`, `LINEAR` or `ALL_AT_ONCE`, or a CodeDeploy configuration name \
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
        ))
}

fn hooks_block() -> Block {
    Block::new(
        "Lambda functions invoked synchronously with `{deployment_id, function_name, alias, from_version, \
         to_version, phase}`. A hook fails when the invocation errors, returns a FunctionError, or returns \
         `{\"status\": \"Failed\", \"reason\": ...}`.",
    )
    .attr(Attribute::optional(
        "before_allow_traffic",
        Type::String,
        "Runs after the new version is ready, before any traffic moves; failure stops the deployment (FAILED).",
    ))
    .attr(Attribute::optional(
        "after_allow_traffic",
        Type::String,
        "Runs once the new version serves 100%, before the bake; failure rolls back.",
    ))
    .attr(Attribute::optional("timeout", Type::String, "How long a hook may run. Default `5m`."))
}

fn analysis_block() -> Block {
    Block::new(
        "Judges the new version on its own `Errors`, `Invocations` and `Throttles` (CloudWatch `AWS/Lambda` \
         with `ExecutedVersion`) since it first received traffic, during every wait and the bake. CloudWatch \
         metrics arrive one to three minutes late: waits shorter than that see little.",
    )
    .attr(Attribute::optional(
        "max_error_rate",
        Type::Number,
        "Roll back when errors are more than this percent of invocations (once `min_invocations` were seen).",
    ))
    .attr(Attribute::optional(
        "max_errors",
        Type::Number,
        "Roll back when more errors than this were seen (once `min_invocations` were seen).",
    ))
    .attr(Attribute::optional("min_invocations", Type::Number, "Invocations needed to judge errors. Default 20."))
    .attr(Attribute::optional("metric_period", Type::String, "Metric period. Default `60s`."))
    .attr(Attribute::optional("max_throttles", Type::Number, "Roll back when more throttles than this were seen."))
    .attr(Attribute::optional(
        "fail_without_traffic",
        Type::Bool,
        "Roll back when fewer than `min_invocations` were seen by the end. Default `false`.",
    ))
}

fn timeouts_block() -> Block {
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
        .attr(Attribute::optional("delete", Type::String, "Default `15m`."))
}

pub fn event_sources_attribute() -> Attribute {
    Attribute::optional(
        "event_sources",
        Type::String,
        "JSON in Gitmoxi's `_lambdaeventsourcedef.json` shape: `PullEventSources` (event source mappings, every \
         CreateEventSourceMapping parameter but `FunctionName`, plus `\"adopt\": true` to take over a mapping made \
         elsewhere), `PushEventSources` (API Gateway HTTP, WebSocket and REST APIs, load balancer target groups, \
         function URLs, other services' permissions) and `Destinations` (asynchronous invocation). Everything points \
         at the alias and is reconciled once the new version serves 100%; a change to event sources alone is applied \
         in place, and removing a source puts back what it changed. A mapping this resource did not create is \
         refused unless its entry adopts it.",
    )
}
