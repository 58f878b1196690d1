//! Every AWS operation the provider calls: what it does (as error messages say it), the quota it
//! counts against, and its priority within that quota.

use super::budget::{Priority, Quota};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Op {
    pub action: &'static str,
    pub quota: Quota,
    pub priority: Priority,
}

const fn op(action: &'static str, quota: Quota, priority: Priority) -> Op {
    Op {
        action,
        quota,
        priority,
    }
}

use Priority::{Change, Routine, Traffic};
use Quota::{DescribeAlarmHistory, DescribeAlarms, GetFunction, GetMetricData, LambdaControl};

// Lambda: functions and versions.
pub const GET_FUNCTION: Op = op("reading Lambda function", GetFunction, Routine);
pub const GET_FUNCTION_CONFIGURATION: Op = op("reading Lambda function", LambdaControl, Routine);
pub const CREATE_FUNCTION: Op = op("creating Lambda function", LambdaControl, Change);
pub const UPDATE_CODE: Op = op("updating Lambda function code", LambdaControl, Change);
pub const UPDATE_CONFIGURATION: Op = op(
    "updating Lambda function configuration",
    LambdaControl,
    Change,
);
pub const PUBLISH_VERSION: Op = op("publishing Lambda version", LambdaControl, Change);
pub const LIST_FUNCTIONS: Op = op("listing Lambda functions", LambdaControl, Routine);
pub const LIST_VERSIONS: Op = op("listing Lambda versions", LambdaControl, Routine);
pub const DELETE_VERSION: Op = op("deleting Lambda version", LambdaControl, Change);
pub const DELETE_FUNCTION: Op = op("deleting Lambda function", LambdaControl, Change);
pub const TAG: Op = op("tagging Lambda function", LambdaControl, Change);
pub const UNTAG: Op = op("untagging Lambda function", LambdaControl, Change);
pub const LIST_MAPPING_TAGS: Op = op("reading event source mapping tags", LambdaControl, Routine);
pub const TAG_MAPPING: Op = op("tagging event source mapping", LambdaControl, Change);
pub const UNTAG_MAPPING: Op = op("untagging event source mapping", LambdaControl, Change);
pub const GET_CODE_SIGNING: Op = op(
    "reading the code-signing configuration",
    LambdaControl,
    Routine,
);
pub const PUT_CODE_SIGNING: Op = op(
    "setting the code-signing configuration",
    LambdaControl,
    Change,
);
pub const DELETE_CODE_SIGNING: Op = op(
    "removing the code-signing configuration",
    LambdaControl,
    Change,
);

// Lambda: provisioned concurrency and account settings.
pub const PUT_CAPACITY: Op = op("setting provisioned concurrency", LambdaControl, Change);
pub const GET_CAPACITY: Op = op("reading provisioned concurrency", LambdaControl, Routine);
pub const DELETE_CAPACITY: Op = op("releasing provisioned concurrency", LambdaControl, Change);
pub const GET_ACCOUNT_SETTINGS: Op = op(
    "reading the account's Lambda settings",
    LambdaControl,
    Routine,
);

// Lambda: aliases.
pub const GET_ALIAS: Op = op("reading Lambda alias", LambdaControl, Routine);
pub const LIST_ALIASES: Op = op("listing Lambda aliases", LambdaControl, Routine);
pub const CREATE_ALIAS: Op = op("creating Lambda alias", LambdaControl, Traffic);
pub const UPDATE_ALIAS: Op = op("updating Lambda alias", LambdaControl, Traffic);
pub const DELETE_ALIAS: Op = op("deleting Lambda alias", LambdaControl, Change);

// Lambda: what invokes the alias.
pub const LIST_MAPPINGS: Op = op("listing event source mappings", LambdaControl, Routine);
pub const CREATE_MAPPING: Op = op("creating event source mapping", LambdaControl, Change);
pub const UPDATE_MAPPING: Op = op("updating event source mapping", LambdaControl, Change);
pub const DELETE_MAPPING: Op = op("deleting event source mapping", LambdaControl, Change);
pub const ADD_PERMISSION: Op = op("adding Lambda permission", LambdaControl, Change);
pub const REMOVE_PERMISSION: Op = op("removing Lambda permission", LambdaControl, Change);
pub const CREATE_URL: Op = op("creating the function URL", LambdaControl, Change);
pub const UPDATE_URL: Op = op("updating the function URL", LambdaControl, Change);
pub const DELETE_URL: Op = op("deleting the function URL", LambdaControl, Change);
pub const PUT_DESTINATIONS: Op = op(
    "setting asynchronous invocation destinations",
    LambdaControl,
    Change,
);
pub const DELETE_DESTINATIONS: Op = op(
    "removing asynchronous invocation destinations",
    LambdaControl,
    Change,
);

// Checks during rollouts.
pub const INVOKE_HOOK: Op = op("invoking the hook function", Quota::None, Change);
pub const DESCRIBE_ALARMS: Op = op("describing CloudWatch alarms", DescribeAlarms, Routine);
pub const ALARM_HISTORY: Op = op(
    "reading CloudWatch alarm history",
    DescribeAlarmHistory,
    Routine,
);
pub const GET_METRIC_DATA: Op = op("reading the new version's metrics", GetMetricData, Routine);
pub const NOTIFY: Op = op(
    "publishing the deployment notification",
    Quota::None,
    Routine,
);

// STS: once per provider process, the account deployed to.
pub const GET_CALLER_IDENTITY: Op = op("reading the caller's account", Quota::None, Routine);

// IAM: one read before a function gets a new execution role.
pub const GET_ROLE: Op = op("reading the IAM execution role", Quota::None, Routine);

// Step Functions: one machine per function and alias, one execution per rollout. Its quotas
// (hundreds of requests a second) are far above what rollouts ask.
pub const CREATE_STATE_MACHINE: Op =
    op("creating the rollout's state machine", Quota::None, Change);
pub const UPDATE_STATE_MACHINE: Op =
    op("updating the rollout's state machine", Quota::None, Change);
pub const DELETE_STATE_MACHINE: Op =
    op("deleting the rollouts' state machine", Quota::None, Change);
pub const LIST_STATE_MACHINE_VERSIONS: Op = op(
    "listing the rollouts' state machine versions",
    Quota::None,
    Routine,
);
pub const DELETE_STATE_MACHINE_VERSION: Op =
    op("deleting an old state machine version", Quota::None, Change);
pub const START_EXECUTION: Op = op("starting the rollout's execution", Quota::None, Traffic);
pub const DESCRIBE_EXECUTION: Op = op("reading the rollout's execution", Quota::None, Routine);
pub const STOP_EXECUTION: Op = op("stopping the rollout's execution", Quota::None, Traffic);
pub const LIST_EXECUTIONS: Op = op("listing the alias's running rollouts", Quota::None, Routine);

// Other services.
pub const HEAD_OBJECT: Op = op("reading the staged package", Quota::None, Routine);
pub const PUT_OBJECT: Op = op("staging the package in S3", Quota::None, Change);
pub const REGISTER_TARGET: Op = op(
    "registering the alias with the target group",
    Quota::None,
    Change,
);
pub const DEREGISTER_TARGET: Op = op(
    "deregistering the alias from the target group",
    Quota::None,
    Change,
);
pub const GET_ROUTE: Op = op("reading API Gateway route", Quota::None, Routine);
pub const GET_REST_RESOURCE: Op = op("reading API Gateway resource", Quota::None, Routine);
pub const GET_STAGE: Op = op("reading the API Gateway stage", Quota::None, Routine);
pub const UPDATE_STAGE: Op = op(
    "setting the API Gateway stage variable",
    Quota::None,
    Change,
);
