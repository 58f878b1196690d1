//! A rollout's walk through the weights, run outside this process: a durable orchestrator (the
//! provider's adapter puts it on AWS Step Functions) shifts the alias on the plan's schedule,
//! checks the alarms through every wait and puts the alias back on the old version when one
//! fires. The engine starts it once the new version is ready, follows it, and stops it on an
//! interrupt.

use std::future::Future;
use std::time::Duration;

use super::{AliasRouting, AwsError, AwsErrorKind};
use crate::schedule::Step;

/// What the orchestrator is asked to do: move `alias` from `from` (served at 100%, RevisionId
/// `revision_id`) to `to` through `steps`, then watch `bake` at 100%.
#[derive(Debug, Clone, PartialEq)]
pub struct Walk {
    /// The deployment's id: names the execution, so a repeated start finds the one it started.
    pub deployment_id: String,
    pub function_name: String,
    pub alias: String,
    pub from: String,
    pub to: String,
    pub revision_id: String,
    pub steps: Vec<Step>,
    pub bake: Duration,
    pub alarms: Vec<String>,
    pub check_interval: Duration,
}

/// Where a walk stands, with the alias as read at the same moment (when it was read).
#[derive(Debug, Clone, PartialEq)]
pub struct WalkProgress {
    pub state: WalkState,
    /// The alias was read: `routing` is what it routes (None: it does not exist).
    pub alias_read: bool,
    pub routing: Option<AliasRouting>,
}

impl WalkProgress {
    pub fn read(state: WalkState, routing: Option<AliasRouting>) -> WalkProgress {
        WalkProgress {
            state,
            alias_read: true,
            routing,
        }
    }

    pub fn unread(state: WalkState) -> WalkProgress {
        WalkProgress {
            state,
            alias_read: false,
            routing: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkState {
    Running,
    Succeeded,
    /// Ended without reaching 100% (rolled back on an alarm or a failed call, stopped, timed out):
    /// the orchestrator's error and cause.
    Failed {
        error: String,
        cause: String,
    },
}

pub trait Conductor: Send + Sync {
    /// Starts the walk; the answer identifies it (for Step Functions, the execution ARN).
    fn start(&self, walk: &Walk) -> impl Future<Output = Result<String, AwsError>> + Send;
    /// Where the walk stands; the alias is read too when `read_alias` is set or the walk has
    /// ended (the alias's reads count against Lambda's quota, the walk's against another).
    fn progress(
        &self,
        walk: &str,
        alias: &str,
        read_alias: bool,
    ) -> impl Future<Output = Result<WalkProgress, AwsError>> + Send;
    /// Stops a running walk where it is (the engine then restores the alias itself).
    fn stop(&self, walk: &str) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// For deployments that run their walk in process: starting one is refused.
pub struct NoConductor;

impl Conductor for NoConductor {
    async fn start(&self, _: &Walk) -> Result<String, AwsError> {
        Err(unsupported())
    }

    async fn progress(&self, _: &str, _: &str, _: bool) -> Result<WalkProgress, AwsError> {
        Err(unsupported())
    }

    async fn stop(&self, _: &str) -> Result<(), AwsError> {
        Err(unsupported())
    }
}

fn unsupported() -> AwsError {
    AwsError::new(
        AwsErrorKind::Invalid,
        "no orchestrator to run the rollout in",
    )
}
