//! Lifecycle hooks: Lambda functions invoked synchronously before traffic moves and
//! once the new version serves everything.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use super::json;
use super::{AwsError, AwsErrorKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HookPhase {
    /// After readiness, before the first shift: failure ends the deployment with nothing moved.
    BeforeAllowTraffic,
    /// Once the alias serves the new version at 100%, before the bake: failure rolls back.
    AfterAllowTraffic,
}

impl HookPhase {
    /// The `phase` of the payload, as CodeDeploy spells its lifecycle events.
    pub fn as_str(self) -> &'static str {
        match self {
            HookPhase::BeforeAllowTraffic => "BeforeAllowTraffic",
            HookPhase::AfterAllowTraffic => "AfterAllowTraffic",
        }
    }

    /// The `failed_check` a failure of this hook reports, e.g. `hook:BeforeAllowTraffic`.
    pub fn failed_check(self) -> String {
        format!("hook:{}", self.as_str())
    }
}

impl fmt::Display for HookPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a hook function receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookPayload {
    pub deployment_id: String,
    pub function_name: String,
    pub alias: String,
    /// None on a first release (the alias did not exist).
    pub from_version: Option<String>,
    pub to_version: String,
    pub phase: HookPhase,
}

impl HookPayload {
    /// `{"deployment_id":…,"function_name":…,"alias":…,"from_version":…|null,"to_version":…,
    /// "phase":"BeforeAllowTraffic"|"AfterAllowTraffic"}`
    pub fn to_json(&self) -> String {
        json::object(&[
            ("deployment_id", Some(&self.deployment_id)),
            ("function_name", Some(&self.function_name)),
            ("alias", Some(&self.alias)),
            ("from_version", self.from_version.as_deref()),
            ("to_version", Some(&self.to_version)),
            ("phase", Some(self.phase.as_str())),
        ])
    }
}

/// A hook's verdict. The adapter maps an invocation error, a `FunctionError` or a reply
/// `{"status": "Failed", "reason": …}` to `Failed`; anything else is `Passed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookOutcome {
    Passed,
    Failed { reason: String },
}

/// Invokes hook functions (Lambda `Invoke`, RequestResponse).
pub trait Hooks: Send + Sync {
    /// `function` is a name or an ARN. `timeout` is how long the engine waits for the answer; the
    /// adapter may use it to bound its own call. An `AwsError` fails the hook with its message.
    fn invoke(
        &self,
        function: &str,
        payload: &HookPayload,
        timeout: Duration,
    ) -> impl Future<Output = Result<HookOutcome, AwsError>> + Send;
}

/// For deployments without hooks: any invocation fails, naming the missing port.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHooks;

impl Hooks for NoHooks {
    async fn invoke(
        &self,
        function: &str,
        _payload: &HookPayload,
        _timeout: Duration,
    ) -> Result<HookOutcome, AwsError> {
        Err(AwsError::new(
            AwsErrorKind::Other,
            format!("hook {function} is configured but the engine was run without a Hooks port"),
        ))
    }
}
