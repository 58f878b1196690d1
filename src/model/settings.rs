//! How to deploy: the rollout settings a resource declares, already validated.

use std::time::Duration;

use gitmoxi_engine::rollout::{Analysis, HookSettings};
use gitmoxi_engine::{Readiness, RolloutPlan, TrafficShifting};

/// Beyond the schedule's configured waits, how long a create or update may run by default.
pub const DEFAULT_EXTRA_TIMEOUT: Duration = Duration::from_secs(30 * 60);
pub const DEFAULT_DELETE_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// DescribeAlarms takes at most 100 names a call.
pub const MAX_ALARMS: usize = 100;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timeouts {
    pub create: Option<Duration>,
    pub update: Option<Duration>,
    pub delete: Option<Duration>,
}

/// Everything about *how* to deploy; `None` where a value is unknown at plan time.
#[derive(Clone, Debug)]
pub struct Settings {
    pub alias: Option<String>,
    /// None when part of the block is unknown.
    pub shifting: Option<TrafficShifting>,
    pub alarms: Vec<String>,
    pub readiness: Readiness,
    pub delete_failed_version: bool,
    /// `retain_versions`: None (the default) deletes only the version a deployment replaced.
    pub retain_versions: Option<u32>,
    pub skip_destroy: bool,
    pub timeouts: Timeouts,
    pub hooks: HookSettings,
    pub analysis: Option<Analysis>,
    pub notification_topic_arn: Option<String>,
    /// Provisioned concurrency of the serving version (0: none).
    pub provisioned_concurrency: u32,
    /// Where the rollout runs; None: the provider's default.
    pub orchestrator: Option<Orchestrator>,
    /// Follow a rollout on Step Functions to its end (false: the apply returns after the first
    /// shift).
    pub wait_for_rollout: bool,
}

/// Where a rollout's walk through the weights runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Orchestrator {
    /// In the provider's process, during the apply.
    #[default]
    Provider,
    /// In an AWS Step Functions state machine that runs as `role_arn`.
    StepFunctions { role_arn: String },
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            alias: None,
            shifting: None,
            alarms: Vec::new(),
            readiness: Readiness::default(),
            delete_failed_version: true,
            retain_versions: None,
            skip_destroy: false,
            timeouts: Timeouts::default(),
            hooks: HookSettings::default(),
            analysis: None,
            notification_topic_arn: None,
            provisioned_concurrency: 0,
            orchestrator: None,
            wait_for_rollout: true,
        }
    }
}

impl Settings {
    /// The orchestrator this resource's rollouts run in, given the provider's default.
    pub fn orchestrator<'a>(&'a self, default: &'a Orchestrator) -> &'a Orchestrator {
        self.orchestrator.as_ref().unwrap_or(default)
    }

    pub fn plan(&self) -> Option<RolloutPlan> {
        self.shifting.as_ref().map(RolloutPlan::new)
    }

    /// How long a create (or an update) may run: the configured timeout, else the schedule's
    /// waits + 30 minutes.
    pub fn apply_timeout(&self, creating: bool, plan: &RolloutPlan) -> Duration {
        let configured = if creating {
            self.timeouts.create
        } else {
            self.timeouts.update
        };
        configured.unwrap_or_else(|| plan.configured_waits() + DEFAULT_EXTRA_TIMEOUT)
    }

    pub fn delete_timeout(&self) -> Duration {
        self.timeouts.delete.unwrap_or(DEFAULT_DELETE_TIMEOUT)
    }
}
