//! The outside world as the engine needs it: small traits named for what a rollout does, not
//! mirrors of the AWS SDK. The provider's `aws/` adapters implement them; the `gitmoxi-fake-aws`
//! crate implements them in memory for tests.
//!
//! Methods return `impl Future + Send` so implementors can write plain `async fn` and the
//! rollout future stays `Send` (Terraform runs deployments in parallel on a multi-thread runtime).

mod conductor;
mod hooks;
mod json;
mod metrics;
mod notify;

use std::fmt;
use std::future::Future;

pub use conductor::{Conductor, NoConductor, Walk, WalkProgress, WalkState};
pub use hooks::{HookOutcome, HookPayload, HookPhase, Hooks, NoHooks};
pub use metrics::{Metrics, NoMetrics, VersionMetrics};
pub use notify::{NoNotifier, Notification, NotificationEvent, Notifier};

/// What went wrong talking to AWS, reduced to what the engine decides on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    pub kind: AwsErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwsErrorKind {
    NotFound,
    /// A stale RevisionId (PreconditionFailedException): someone else changed the resource.
    Conflict,
    /// ResourceConflictException: e.g. deleting a version an alias routes to, or an update of the
    /// function still in progress.
    InUse,
    /// Throttling, a 5xx or a lost connection that outlasted the adapter's retries.
    Throttled,
    /// AWS has not caught up with a change made elsewhere yet (an execution role created moments
    /// ago that Lambda cannot assume yet); the adapter retries these for a while.
    Propagating,
    /// The request was refused as invalid: retrying the same request cannot help.
    Invalid,
    Other,
}

impl AwsError {
    pub fn new(kind: AwsErrorKind, message: impl Into<String>) -> AwsError {
        AwsError {
            kind,
            message: message.into(),
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.kind == AwsErrorKind::NotFound
    }
}

/// `Ok(None)` for a NotFound answer: a `find_*` reports absence as a value.
pub fn absent_if_not_found<T>(result: Result<T, AwsError>) -> Result<Option<T>, AwsError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// `Ok(())` for a NotFound answer: deleting what is already gone is done.
pub fn done_if_not_found(result: Result<(), AwsError>) -> Result<(), AwsError> {
    absent_if_not_found(result).map(|_| ())
}

impl fmt::Display for AwsErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AwsErrorKind::NotFound => "not found",
            AwsErrorKind::Conflict => "revision conflict",
            AwsErrorKind::InUse => "resource in use",
            AwsErrorKind::Throttled => "throttled",
            AwsErrorKind::Propagating => "not propagated yet",
            AwsErrorKind::Invalid => "invalid request",
            AwsErrorKind::Other => "error",
        })
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.kind)
    }
}

impl std::error::Error for AwsError {}

/// GetFunctionConfiguration, reduced to what tells whether a qualifier is usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionStatus {
    /// Pending | Active | Inactive | Failed
    pub state: String,
    pub state_reason: Option<String>,
    /// InProgress | Successful | Failed
    pub last_update_status: Option<String>,
    pub last_update_reason: Option<String>,
    pub revision_id: String,
    pub code_sha256: String,
}

/// A published version read back: how it differs from the release (each difference in words,
/// naming the field, what the release asks and what AWS holds; empty when it is the release) and
/// its status, so readiness needs no second read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseCheck {
    pub differences: Vec<String>,
    pub status: FunctionStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedVersion {
    pub version: String,
    pub code_sha256: String,
    /// The version's description: Lambda answers PublishVersion with the existing latest
    /// version when nothing changed since it was published, and then this is that version's
    /// description, not the one asked for.
    pub description: Option<String>,
}

/// Provisioned concurrency of one version, as GetProvisionedConcurrencyConfig reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provisioned {
    pub status: ProvisionedStatus,
    pub requested: u32,
    pub allocated: u32,
    /// Why it failed (Lambda's StatusReason).
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProvisionedStatus {
    InProgress,
    Ready,
    Failed,
}

/// Where an alias sends traffic: `version` gets whatever `extra` does not.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasRouting {
    pub version: String,
    /// An additional version and its weight, 0.0..=1.0.
    pub extra: Option<(String, f64)>,
    pub revision_id: String,
}

impl AliasRouting {
    /// Whether any traffic can reach `version` through this alias.
    pub fn routes_to(&self, version: &str) -> bool {
        self.version == version || self.extra.as_ref().is_some_and(|(v, _)| v == version)
    }

    /// The alias sends everything to `version` and nothing elsewhere.
    pub fn serves_fully(&self, version: &str) -> bool {
        self.version == version && self.extra.as_ref().is_none_or(|(_, w)| *w <= 0.0)
    }
}

/// Lambda, scoped to one function and one release: the adapter holds the function name and the
/// code and configuration the release wants, so the engine never handles either.
pub trait Lambda: Send + Sync {
    /// `qualifier` is `$LATEST` or a version number.
    fn status(
        &self,
        qualifier: &str,
    ) -> impl Future<Output = Result<FunctionStatus, AwsError>> + Send;
    /// Pushes the release's code to `$LATEST`.
    fn update_code(&self) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Pushes the release's configuration to `$LATEST`.
    fn update_configuration(&self) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Publishes `$LATEST` if it still has `revision_id`. AWS returns the existing latest version
    /// when nothing changed since it was published.
    fn publish_version(
        &self,
        revision_id: &str,
        description: &str,
    ) -> impl Future<Output = Result<PublishedVersion, AwsError>> + Send;
    /// How `version` differs from the release, with the version's status from the same read.
    fn check_release(
        &self,
        version: &str,
    ) -> impl Future<Output = Result<ReleaseCheck, AwsError>> + Send;
    /// `None` when the alias does not exist.
    fn get_alias(
        &self,
        alias: &str,
    ) -> impl Future<Output = Result<Option<AliasRouting>, AwsError>> + Send;
    fn create_alias(
        &self,
        alias: &str,
        version: &str,
    ) -> impl Future<Output = Result<AliasRouting, AwsError>> + Send;
    /// Routes `alias` to `version`, plus `extra` = (other version, weight 0.0..=1.0), if the alias
    /// still has `revision_id` (UpdateAlias with RoutingConfig).
    fn shift_alias(
        &self,
        alias: &str,
        version: &str,
        extra: Option<(&str, f64)>,
        revision_id: &str,
    ) -> impl Future<Output = Result<AliasRouting, AwsError>> + Send;
    /// Numbered versions only (never `$LATEST`).
    fn list_versions(&self) -> impl Future<Output = Result<Vec<String>, AwsError>> + Send;
    fn list_aliases(
        &self,
    ) -> impl Future<Output = Result<Vec<(String, AliasRouting)>, AwsError>> + Send;
    fn delete_version(&self, version: &str) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// PutProvisionedConcurrencyConfig on `version` (never on an alias: an alias carrying
    /// weights cannot have it).
    fn put_provisioned(
        &self,
        version: &str,
        amount: u32,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// None when `version` has no provisioned concurrency.
    fn provisioned(
        &self,
        version: &str,
    ) -> impl Future<Output = Result<Option<Provisioned>, AwsError>> + Send;
    /// Releases `version`'s provisioned concurrency; done when it had none.
    fn release_provisioned(
        &self,
        version: &str,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmState {
    Ok,
    Alarm,
    InsufficientData,
}

impl fmt::Display for AlarmState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AlarmState::Ok => "OK",
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
        })
    }
}

/// CloudWatch alarms, metric or composite.
pub trait Alarms: Send + Sync {
    /// One batched read. Names AWS does not know are absent from the answer.
    fn states(
        &self,
        names: &[String],
    ) -> impl Future<Output = Result<Vec<(String, AlarmState)>, AwsError>> + Send;
}
