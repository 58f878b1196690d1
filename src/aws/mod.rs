//! Adapters: the only code that imports `aws_sdk_*`. [`Aws`] implements the resources' port
//! ([`Cloud`](crate::model::ports::Cloud)) and, per rollout, the engine's ports, mapping the model
//! to and from the SDK.
//!
//! - `clients.rs`: one shared AWS configuration and the SDK clients, built at ConfigureProvider.
//! - `cloud.rs`: `impl Cloud for Aws`, each method a call of the modules below.
//! - `errors.rs` / `retry.rs` / `budget.rs` / `ops.rs`: every SDK error classified once; one
//!   retry policy and one budget per AWS quota for every call, listed in `ops.rs`.
//! - `lambda.rs`: functions, versions, aliases, tags; `rollout.rs`: the engine's ports for one
//!   rollout (`lambda_release.rs`: the release's `$LATEST` updates and publish).
//! - `function_definition/`, `event_source_mapping/`: the model ⇄ SDK shapes (`expand_*`,
//!   `flatten`).
//! - `event_sources.rs`: permissions, function URLs, destinations, target groups;
//!   `gateways.rs`: API Gateway routes, REST resources and stage variables;
//!   `alarms.rs`, `hooks.rs`, `iam.rs`, `metrics.rs`, `notify.rs`, `s3.rs`, `sts.rs`;
//!   `step_functions.rs`: rollouts run as Step Functions executions.

mod alarms;
mod budget;
mod capacity;
mod clients;
mod cloud;
mod errors;
mod event_source_mapping;
mod event_sources;
mod function_definition;
mod gateways;
mod hooks;
mod iam;
mod lambda;
mod lambda_release;
mod metrics;
mod notify;
mod ops;
mod published;
mod retry;
mod rollout;
mod s3;
mod step_functions;
mod sts;

pub use clients::{connect, AssumeRole, AwsConfig};
pub use retry::{retrying, RetryPolicy};

use std::sync::Arc;

use alarms::{AlarmPoller, CloudWatchAlarms};
use clients::Lazy;
use retry::Calls;

/// The provider's AWS access: one client per service, sharing one configuration (connection
/// pools, credential caches, assumed-role refresh), and the retry policy every call follows.
pub struct Aws {
    lambda: aws_sdk_lambda::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
    s3: Lazy<aws_sdk_s3::Client>,
    sns: Lazy<aws_sdk_sns::Client>,
    elbv2: Lazy<aws_sdk_elasticloadbalancingv2::Client>,
    apigatewayv2: Lazy<aws_sdk_apigatewayv2::Client>,
    apigateway: Lazy<aws_sdk_apigateway::Client>,
    /// None when IAM cannot be asked about the account Lambda runs in (see `clients.rs`).
    iam: Option<Lazy<aws_sdk_iam::Client>>,
    sts: Lazy<aws_sdk_sts::Client>,
    sfn: Lazy<aws_sdk_sfn::Client>,
    /// The account deployed to, once asked.
    account: tokio::sync::OnceCell<sts::Caller>,
    region: String,
    /// The retry policy and the quota budgets every call goes through.
    calls: Arc<Calls>,
    /// One alarm poll shared by every rollout.
    alarms: AlarmPoller<CloudWatchAlarms>,
    /// The provider block's orchestrator: every resource's default.
    orchestrator: crate::model::settings::Orchestrator,
}
