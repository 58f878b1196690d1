//! The rollout: a pure state machine ([`step`]) deciding everything, and a small
//! async driver ([`run_with`]) that performs its actions against the ports and sleeps with
//! `tokio::time`.

mod analysis;
mod capacity;
mod checks;
mod delegated;
mod driver;
mod ending;
mod event;
mod hooks;
mod io;
mod machine;
mod notify;
mod outcome;
mod release;
mod retention;
#[cfg(test)]
mod tests;
mod traffic;
mod watch;

use std::time::Duration;

use tokio::time::Instant;

use crate::schedule::RolloutPlan;

pub use analysis::{judge_analysis, Analysis};
pub use checks::{judge_alarms, Check, Verdict};
pub use delegated::walk_check;
pub use driver::{run, run_with, Ports};
pub use event::Event;
pub use hooks::HookSettings;
pub use machine::{step, Action, Observation, Reply, State};
pub use outcome::{Outcome, Status, StepRecord};
pub use retention::{replaced, versions_to_delete, Retention};

/// One rollout of one release on one alias.
#[derive(Debug, Clone)]
pub struct Deployment {
    /// Names the deployment in events, version descriptions and `last_deployment.id`.
    pub id: String,
    pub alias: String,
    pub target: Target,
    pub plan: RolloutPlan,
    /// The function's name as hooks and notifications report it (the [`Lambda`](crate::Lambda)
    /// port already knows which function it acts on; the engine needs the name only for these).
    pub function_name: String,
    /// CloudWatch alarm names watched in preflight and throughout every wait.
    pub alarms: Vec<String>,
    /// Lifecycle hook functions and their timeout.
    pub hooks: HookSettings,
    /// Version-scoped checks on the new version's own metrics, watched like alarms.
    pub analysis: Option<Analysis>,
    /// Send `DeploymentStart` and an ending notification through the [`Notifier`](crate::Notifier).
    pub notify: bool,
    pub readiness: Readiness,
    /// After a rollback, delete the version that failed (never one an alias still routes to).
    pub delete_failed_version: bool,
    /// Which older versions a successful deployment deletes.
    pub retention: Retention,
    /// How often alarms (and, at most twice per `metric_period`, metrics) are read during waits.
    pub check_interval: Duration,
    /// From Terraform's `timeouts`: reaching it rolls back.
    pub deadline: Option<Instant>,
    /// What the alias served when the rollout was planned (`Some(None)`: no alias): when it serves
    /// something else at the start, the rollout stops before any change, since it would not be
    /// the one planned.
    pub expected_from: Option<Option<String>>,
    /// Provisioned concurrency the new version gets, READY before any traffic moves (0: none).
    pub provisioned_concurrency: u32,
    /// Once the new version serves 100% and the bake has passed, release the provisioned
    /// concurrency of the version it replaced (unless another alias still routes to it).
    pub release_previous_capacity: bool,
    /// Run the walk through the weights in an orchestrator (the [`Conductor`](crate::Conductor)
    /// port) instead of in process.
    pub delegation: Option<Delegation>,
    /// Versions an earlier delegated deployment left behind (the one it replaced, or the one
    /// that failed): a success deletes them with the version it replaces, unless routed to.
    pub leftovers: Vec<String>,
}

/// How a delegated walk is followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    /// Follow the walk to its end; otherwise the deployment ends after its first shift, with
    /// [`Status::InProgress`].
    pub wait: bool,
    /// How often the walk and the alias are read while following it.
    pub poll: Duration,
}

impl Deployment {
    /// A deployment with the provider's defaults: no alarms, hooks, analysis or notifications, the
    /// default readiness check, `delete_failed_version`, nothing retained, alarms read every 3s,
    /// no deadline. `function_name` defaults to empty: set it when hooks or notifications are on.
    pub fn new(
        id: impl Into<String>,
        alias: impl Into<String>,
        target: Target,
        plan: RolloutPlan,
    ) -> Deployment {
        Deployment {
            id: id.into(),
            alias: alias.into(),
            target,
            plan,
            function_name: String::new(),
            alarms: Vec::new(),
            hooks: HookSettings::default(),
            analysis: None,
            notify: false,
            readiness: Readiness::default(),
            delete_failed_version: true,
            retention: Retention::Replaced,
            check_interval: Duration::from_secs(3),
            deadline: None,
            expected_from: None,
            provisioned_concurrency: 0,
            release_previous_capacity: false,
            delegation: None,
            leftovers: Vec::new(),
        }
    }

    /// The waits the schedule configures (every step's wait plus the bake), as
    /// [`RolloutPlan::configured_waits`]. Readiness and hooks come on top, each bounded by its own
    /// window (`readiness.window()`, `hooks.timeout`).
    pub fn configured_waits(&self) -> Duration {
        self.plan.configured_waits()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Update `$LATEST` as asked, then publish it and roll the new version out.
    Publish {
        update_code: bool,
        update_configuration: bool,
    },
    /// Roll out a version that already exists (promotion); nothing is published.
    Existing(String),
}

/// `readiness_check`: how long a new version may take to become Active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    pub wait_interval: Duration,
    pub max_retries: u32,
    pub timeout: Option<Duration>,
}

impl Default for Readiness {
    fn default() -> Readiness {
        Readiness {
            wait_interval: Duration::from_secs(10),
            max_retries: 5,
            timeout: None,
        }
    }
}

impl Readiness {
    /// The larger of `wait_interval × max_retries` and `timeout`, as Gitmoxi's stability check.
    pub fn window(&self) -> Duration {
        let retries = self.wait_interval.saturating_mul(self.max_retries);
        retries.max(self.timeout.unwrap_or(Duration::ZERO))
    }

    /// Polling starts fast so a version Active after 1s is seen after about 1s, and slows to at
    /// most `wait_interval` (and 5s) so a SnapStart version taking minutes costs few calls.
    pub fn poll_cap(&self) -> Duration {
        self.wait_interval.min(Duration::from_secs(5))
    }
}
