//! The ports through which resources reach AWS, named for what the provider does. [`Cloud`] is
//! implemented by `aws::Aws` (the SDK) and, in tests, by `testing::FakeCloud` (the in-memory
//! account); resources only ever see this trait and the value types below.
//!
//! Every method answers with the engine's [`AwsError`], classified once in `aws/` (NotFound,
//! Conflict, InUse, Throttled, Propagating, Invalid); retries are the adapter's business, so an
//! error seen here already outlasted them. Removals treat "already gone" as done, and additions
//! treat "already there, the same" as done, so a retried apply converges.

use std::collections::BTreeMap;
use std::future::Future;

pub use gitmoxi_engine::ports::{
    Alarms, AliasRouting, AwsError, AwsErrorKind, Conductor, FunctionStatus, Hooks, Lambda,
    Metrics, Notifier, Provisioned, ProvisionedStatus, WalkState,
};

use super::definition::FunctionDefinition;
use super::event_sources::{Destinations, PullSource};
use super::release::Release;
use super::settings::Orchestrator;

/// What Lambda serves under one qualifier.
#[derive(Clone, Debug)]
pub struct ServedFunction {
    /// Unqualified: `arn:aws:lambda:REGION:ACCOUNT:function:NAME`.
    pub function_arn: String,
    /// `$LATEST` or the version number.
    pub version: String,
    pub code_sha256: String,
    /// For an image function, the image Lambda resolved (by digest).
    pub resolved_image_uri: Option<String>,
    /// The configuration read back as a definition (values AWS reports, defaults included);
    /// tags and code are not part of it.
    pub definition: FunctionDefinition,
    /// The function's tags, without the ones AWS manages (`aws:` prefix).
    pub tags: BTreeMap<String, String>,
    /// State and last update, as GetFunction reported them with the rest.
    pub status: FunctionStatus,
    /// Lambda's error instead of the environment variables, when it could not show them (the
    /// caller may not decrypt them with the function's KMS key): the definition then has none.
    pub environment_error: Option<String>,
}

/// An API Gateway API: an HTTP or WebSocket API (API Gateway v2) or a REST API (v1), by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api<'a> {
    Http(&'a str),
    Rest(&'a str),
}

/// The alias event sources point at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceTarget {
    pub function: String,
    pub alias: String,
    /// `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME:ALIAS`
    pub alias_arn: String,
}

impl SourceTarget {
    pub fn new(function: &str, alias: &str, function_arn: &str) -> SourceTarget {
        SourceTarget {
            function: function.into(),
            alias: alias.into(),
            alias_arn: alias_arn(function_arn, alias),
        }
    }

    /// `NAME:ALIAS`, as mappings name their function.
    pub fn qualified(&self) -> String {
        format!("{}:{}", self.function, self.alias)
    }

    fn arn_part(&self, i: usize) -> &str {
        self.alias_arn.split(':').nth(i).unwrap_or_default()
    }

    pub fn partition(&self) -> &str {
        match self.arn_part(1) {
            "" => "aws",
            p => p,
        }
    }

    pub fn region(&self) -> &str {
        self.arn_part(3)
    }

    pub fn account(&self) -> &str {
        self.arn_part(4)
    }
}

/// `FUNCTION_ARN:ALIAS`
pub fn alias_arn(function_arn: &str, alias: &str) -> String {
    format!("{function_arn}:{alias}")
}

/// The API Gateway invoke ARN of a Lambda ARN, as `aws_lambda_alias.invoke_arn` gives.
pub fn invoke_arn(region: &str, alias_arn: &str) -> String {
    let partition = alias_arn.split(':').nth(1).unwrap_or("aws");
    format!(
        "arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{alias_arn}/invocations"
    )
}

/// An event source mapping as AWS serves it.
#[derive(Clone, Debug, PartialEq)]
pub struct ServedMapping {
    pub uuid: String,
    /// `EventSourceMappingArn`: what its tags are read and written by.
    pub arn: Option<String>,
    pub source: PullSource,
}

/// The tag that marks a mapping as made (or adopted) by this provider for one alias: its value
/// is the alias ARN.
pub const MAPPING_OWNER_TAG: &str = "gitmoxi:alias";

/// One statement of the alias's resource-based policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permission {
    pub statement_id: String,
    pub principal: String,
    pub action: String,
    pub source_arn: Option<String>,
    pub source_account: Option<String>,
    /// Public function URLs also need the statement to name the URL's auth type (`NONE`).
    pub function_url_auth_type: Option<String>,
}

/// The alias's function URL.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionUrl {
    /// `AWS_IAM` or `NONE`.
    pub auth_type: String,
    /// The Lambda `Cors` shape.
    pub cors: Option<serde_json::Value>,
    pub invoke_mode: Option<String>,
}

/// Everything the resources ask of AWS.
pub trait Cloud: Send + Sync + 'static {
    /// The engine's ports for one rollout of one function.
    type Rollout<'a>: Lambda + Alarms + Hooks + Metrics + Notifier
    where
        Self: 'a;
    /// Alarm states for preflight checks (rollouts watch theirs through [`Cloud::rollout`]).
    type Alarms: Alarms;
    /// A rollout's walk through the weights, run on Step Functions.
    type Conductor<'a>: Conductor
    where
        Self: 'a;

    /// The region the provider works in.
    fn region(&self) -> &str;

    /// Where rollouts run unless a resource says otherwise (the provider block's).
    fn orchestrator(&self) -> &Orchestrator;

    /// The ports a rollout of `function` talks to: `release` is what `$LATEST` becomes (None when
    /// only existing versions are rolled out), `topic` where notifications go.
    fn rollout<'a>(
        &'a self,
        function: &str,
        release: Option<&'a Release>,
        topic: Option<&str>,
    ) -> Self::Rollout<'a>;

    fn alarms(&self) -> &Self::Alarms;

    // ---- rollouts on Step Functions -------------------------------------------------------

    /// The engine's [`Conductor`] for `function`'s rollouts run on Step Functions, whose state
    /// machines run as `role_arn`.
    fn conductor<'a>(&'a self, function: &str, role_arn: &str) -> Self::Conductor<'a>;

    /// The execution running a rollout on `function`'s `alias`, if one runs.
    fn running_walk(
        &self,
        function: &str,
        alias: &str,
    ) -> impl Future<Output = Result<Option<String>, AwsError>> + Send;

    /// Deletes the state machine of `function`'s rollouts on `alias` (done when it is gone).
    fn forget_walks(
        &self,
        function: &str,
        alias: &str,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    /// How a rollout's execution stands.
    fn walk_state(&self, walk: &str) -> impl Future<Output = Result<WalkState, AwsError>> + Send;

    // ---- functions ------------------------------------------------------------------------

    /// The names of the account's functions in the region (ListFunctions, every page).
    fn list_functions(&self) -> impl Future<Output = Result<Vec<String>, AwsError>> + Send;

    /// GetFunction of `qualifier` (`$LATEST`, a version or an alias); None when absent.
    fn find_function(
        &self,
        function: &str,
        qualifier: &str,
    ) -> impl Future<Output = Result<Option<ServedFunction>, AwsError>> + Send;

    /// CreateFunction with everything the release declares; never publishes.
    fn create_function(
        &self,
        release: &Release,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    /// DeleteFunction: the function, its versions and aliases.
    fn delete_function(&self, function: &str) -> impl Future<Output = Result<(), AwsError>> + Send;

    fn tag_function(
        &self,
        function_arn: &str,
        tags: &BTreeMap<String, String>,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    fn untag_function(
        &self,
        function_arn: &str,
        keys: &[String],
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    /// The function's code-signing configuration (not versioned), if it has one.
    fn code_signing(
        &self,
        function: &str,
    ) -> impl Future<Output = Result<Option<String>, AwsError>> + Send;

    /// Puts (Some) or removes (None) the function's code-signing configuration.
    fn set_code_signing(
        &self,
        function: &str,
        arn: Option<&str>,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    /// Whether IAM knows the execution role `role_arn`. An error means it cannot tell (no
    /// permission to read IAM, IAM not reachable): Lambda is then left to judge the role.
    fn role_exists(&self, role_arn: &str) -> impl Future<Output = Result<bool, AwsError>> + Send;

    /// Uploads a package to `bucket` under `key` with its SHA-256 (base64, `sha256`) for S3 to
    /// check, unless an object of that key and checksum is already there. The bucket must belong
    /// to the account the provider deploys to: a bucket of that name owned by anyone else is
    /// refused, never written to or read from.
    fn stage_package(
        &self,
        bucket: &str,
        key: &str,
        package: &[u8],
        sha256: &str,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    // ---- provisioned concurrency ----------------------------------------------------------

    /// PutProvisionedConcurrencyConfig on a version.
    fn put_capacity(
        &self,
        function: &str,
        version: &str,
        amount: u32,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    /// None when the version has no provisioned concurrency.
    fn capacity(
        &self,
        function: &str,
        version: &str,
    ) -> impl Future<Output = Result<Option<Provisioned>, AwsError>> + Send;

    /// Releases a version's provisioned concurrency; done when it had none.
    fn release_capacity(
        &self,
        function: &str,
        version: &str,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    /// The account's concurrency no function has reserved (GetAccountSettings).
    fn unreserved_concurrency(&self) -> impl Future<Output = Result<u32, AwsError>> + Send;

    // ---- aliases --------------------------------------------------------------------------

    fn find_alias(
        &self,
        function: &str,
        alias: &str,
    ) -> impl Future<Output = Result<Option<AliasRouting>, AwsError>> + Send;

    /// The aliases of `function`, each with its routing (ListAliases, every page).
    fn list_aliases(
        &self,
        function: &str,
    ) -> impl Future<Output = Result<Vec<(String, AliasRouting)>, AwsError>> + Send;

    /// [`Cloud::find_alias`] for a plan's preview: given up once AWS has spent a few seconds on
    /// it (a throttled attempt is tried again meanwhile); time queued for the quota budget does
    /// not count, so a busy apply cannot turn a preview's answer into no answer.
    fn preview_alias(
        &self,
        function: &str,
        alias: &str,
    ) -> impl Future<Output = Result<Option<AliasRouting>, AwsError>> + Send;

    fn create_alias(
        &self,
        function: &str,
        alias: &str,
        version: &str,
    ) -> impl Future<Output = Result<AliasRouting, AwsError>> + Send;

    fn delete_alias(
        &self,
        function: &str,
        alias: &str,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    // ---- event sources --------------------------------------------------------------------

    /// The mappings that invoke the alias.
    fn list_mappings(
        &self,
        target: &SourceTarget,
    ) -> impl Future<Output = Result<Vec<ServedMapping>, AwsError>> + Send;

    fn create_mapping(
        &self,
        target: &SourceTarget,
        source: &PullSource,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    /// Sends every updatable setting, with AWS's default for what `source` leaves out.
    fn update_mapping(
        &self,
        uuid: &str,
        target: &SourceTarget,
        source: &PullSource,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    fn delete_mapping(&self, uuid: &str) -> impl Future<Output = Result<(), AwsError>> + Send;

    /// A mapping's tags (by its ARN).
    fn mapping_tags(
        &self,
        arn: &str,
    ) -> impl Future<Output = Result<BTreeMap<String, String>, AwsError>> + Send;

    fn tag_mapping(
        &self,
        arn: &str,
        tags: &BTreeMap<String, String>,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    fn untag_mapping(
        &self,
        arn: &str,
        keys: &[String],
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    fn add_permission(
        &self,
        target: &SourceTarget,
        permission: &Permission,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    fn remove_permission(
        &self,
        target: &SourceTarget,
        statement_id: &str,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    /// The path of a REST API resource: `/orders/{id}`.
    fn rest_resource_path(
        &self,
        rest_api_id: &str,
        resource_id: &str,
    ) -> impl Future<Output = Result<String, AwsError>> + Send;

    /// One stage variable's value (None: the stage does not have it).
    fn stage_variable(
        &self,
        api: Api<'_>,
        stage: &str,
        name: &str,
    ) -> impl Future<Output = Result<Option<String>, AwsError>> + Send;

    /// The key of an HTTP API route: `GET /orders`, `ANY /{proxy+}`, `$default`.
    fn route_key(
        &self,
        api_id: &str,
        route_id: &str,
    ) -> impl Future<Output = Result<String, AwsError>> + Send;

    /// Sets (or, with None, removes) one stage variable.
    fn set_stage_variable(
        &self,
        api: Api<'_>,
        stage: &str,
        name: &str,
        value: Option<&str>,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    /// Creates the alias's function URL, or updates it when there is one.
    fn put_function_url(
        &self,
        target: &SourceTarget,
        url: &FunctionUrl,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    fn delete_function_url(
        &self,
        target: &SourceTarget,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    fn register_target(
        &self,
        target_group_arn: &str,
        target: &SourceTarget,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    fn deregister_target(
        &self,
        target_group_arn: &str,
        target: &SourceTarget,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    fn put_destinations(
        &self,
        target: &SourceTarget,
        destinations: &Destinations,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;

    fn delete_destinations(
        &self,
        target: &SourceTarget,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
}
