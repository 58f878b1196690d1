//! What the machine and the driver exchange: an [`Observation`] in (the [`Reply`] to the last
//! [`Action`]), actions out.

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::ports::{
    AlarmState, AliasRouting, AwsError, FunctionStatus, HookOutcome, HookPayload, Notification,
    Provisioned, PublishedVersion, ReleaseCheck, VersionMetrics, Walk, WalkProgress,
};

use super::Event;

/// What the driver saw: the reply to the last action, the time, and whether the user interrupted.
#[derive(Debug, Clone)]
pub struct Observation {
    pub now: Instant,
    pub interrupted: bool,
    pub reply: Reply,
}

/// The result of an [`Action`], one variant per kind of call.
#[derive(Debug, Clone)]
pub enum Reply {
    Start,
    Woke,
    Alarms(Result<Vec<(String, AlarmState)>, AwsError>),
    Status(Result<FunctionStatus, AwsError>),
    Updated(Result<(), AwsError>),
    Published(Result<PublishedVersion, AwsError>),
    Checked(Result<ReleaseCheck, AwsError>),
    Alias(Result<Option<AliasRouting>, AwsError>),
    AliasSet(Result<AliasRouting, AwsError>),
    Versions(Result<Vec<String>, AwsError>),
    Aliases(Result<Vec<(String, AliasRouting)>, AwsError>),
    Deleted(Result<(), AwsError>),
    /// None: the hook did not answer within its timeout, or the wait for it was interrupted.
    Hook(Option<Result<HookOutcome, AwsError>>),
    Metrics(Result<VersionMetrics, AwsError>),
    Notified(Result<(), AwsError>),
    Capacity(Result<Option<Provisioned>, AwsError>),
    CapacitySet(Result<(), AwsError>),
    CapacityReleased(Result<(), AwsError>),
    WalkStarted(Result<String, AwsError>),
    Walk(Result<WalkProgress, AwsError>),
    WalkStopped(Result<(), AwsError>),
}

/// What the driver does next. Alias actions act on the deployment's alias. Each step returns
/// any number of `Emit`s followed by exactly one other action, whose reply is the next input.
#[derive(Debug, Clone)]
pub enum Action {
    Emit(Event),
    ReadAlarms {
        names: Vec<String>,
    },
    ReadStatus {
        qualifier: String,
    },
    UpdateCode,
    UpdateConfiguration,
    Publish {
        revision_id: String,
        description: String,
    },
    /// Compare a published version with the release.
    CheckRelease {
        version: String,
    },
    ReadAlias,
    CreateAlias {
        version: String,
    },
    ShiftAlias {
        version: String,
        extra: Option<(String, f64)>,
        revision_id: String,
    },
    ListVersions,
    ListAliases,
    DeleteVersion {
        version: String,
    },
    /// Invoke a hook function and wait for its answer at most `timeout` (interruptible).
    InvokeHook {
        function: String,
        payload: HookPayload,
        timeout: Duration,
    },
    /// Read the new version's own figures summed since `since`.
    ReadMetrics {
        version: String,
        since: SystemTime,
        period: Duration,
    },
    Notify(Notification),
    /// Read a version's provisioned concurrency.
    ReadCapacity {
        version: String,
    },
    /// Ask for `amount` provisioned concurrency on a version.
    SetCapacity {
        version: String,
        amount: u32,
    },
    /// Release a version's provisioned concurrency.
    ReleaseCapacity {
        version: String,
    },
    /// Hand the walk through the weights to the orchestrator.
    StartWalk(Box<Walk>),
    /// Read where the walk stands, and the alias.
    FollowWalk {
        walk: String,
        read_alias: bool,
    },
    StopWalk {
        walk: String,
    },
    /// Sleep until `until`; when `interruptible`, wake early on interrupt.
    Wait {
        until: Instant,
        interruptible: bool,
    },
    Finish(Box<super::Outcome>),
}
