//! What a deployment ends with: the `last_deployment` attribute and the error the user reads.

use std::fmt;
use std::time::SystemTime;

use crate::ports::AliasRouting;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Succeeded,
    /// Traffic had moved to the new version and was restored to the previous one.
    RolledBack,
    /// Stopped before any traffic moved (preflight, update, publish, readiness, before-traffic
    /// hook), or by a conflict.
    Failed,
    /// Stopped by the user (Terraform's StopProvider) and rolled back.
    Interrupted,
    /// The walk goes on in an orchestrator nobody here waits for (`wait` off).
    InProgress,
}

impl Status {
    /// The spelling of the `last_deployment.status` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Succeeded => "SUCCEEDED",
            Status::RolledBack => "ROLLED_BACK",
            Status::Failed => "FAILED",
            Status::Interrupted => "INTERRUPTED",
            Status::InProgress => "IN_PROGRESS",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One weight the alias was set to, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord {
    pub weight_percent: u8,
    pub at: SystemTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Status,
    /// What the alias served at 100% when the deployment started (None: no alias yet).
    pub from_version: Option<String>,
    /// The version being rolled out (None when the deployment stopped before publishing).
    pub to_version: Option<String>,
    /// What the alias routes at the end, as last written or re-read after a conflict.
    pub serving: Option<AliasRouting>,
    pub reason: Option<String>,
    /// e.g. `alarm:NAME`, `readiness`, `conflict`, `timeout`, `interrupt`, `publish`, `update`,
    /// `hook:BeforeAllowTraffic`, `hook:AfterAllowTraffic`, `analysis:error_rate`,
    /// `analysis:errors`, `analysis:throttles`, `analysis:no_traffic`, `analysis` (a failed read).
    pub failed_check: Option<String>,
    pub steps: Vec<StepRecord>,
    pub started_at: SystemTime,
    pub finished_at: SystemTime,
    /// A version other than the one already serving came out of this deployment.
    pub published: bool,
    pub deleted_versions: Vec<String>,
    /// Index (0-based) and weight of the last step the alias reached, when it moved at all.
    pub last_step: Option<(usize, u8)>,
    /// What went wrong without failing the deployment, e.g. a notification that could not be
    /// sent.
    pub warnings: Vec<String>,
    /// The orchestrator's walk (its execution), when the deployment was delegated.
    pub walk: Option<String>,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        self.status == Status::Succeeded
    }

    /// The version the alias serves at 100% at the end, if it serves exactly one.
    pub fn serving_version(&self) -> Option<&str> {
        let serving = self.serving.as_ref()?;
        serving
            .serves_fully(&serving.version)
            .then_some(serving.version.as_str())
    }
}
