//! The async loop around the state machine: performs each [`Action`] against the ports, sleeps
//! with `tokio::time`, and feeds the reply back. It decides nothing. Throttling is retried below
//! the ports, by the adapters, so an error that reaches the machine already outlasted them.

use std::time::{Duration, SystemTime};

use tokio::time::{sleep_until, timeout, Instant};
use tokio_util::sync::CancellationToken;

use crate::ports::{
    Alarms, AwsError, AwsErrorKind, Conductor, HookPayload, Hooks, Lambda, Metrics, NoConductor,
    NoHooks, NoMetrics, NoNotifier, Notifier,
};

use super::machine::{step, Action, Observation, Reply, State};
use super::{Deployment, Event, Outcome};

/// A notification is a side message: one that hangs must not hold the deployment.
const NOTIFY_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything outside the engine a rollout talks to, bundled so a new port does not change
/// [`run_with`]'s signature.
pub struct Ports<'a, L, A, H, M, N, C = NoConductor> {
    pub lambda: &'a L,
    pub alarms: &'a A,
    pub hooks: &'a H,
    pub metrics: &'a M,
    pub notifier: &'a N,
    pub conductor: &'a C,
}

// By hand: a derive would require the port types themselves to be Clone.
impl<L, A, H, M, N, C> Clone for Ports<'_, L, A, H, M, N, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<L, A, H, M, N, C> Copy for Ports<'_, L, A, H, M, N, C> {}

/// Runs one deployment without hooks, analysis or notifications ([`NoHooks`], [`NoMetrics`],
/// [`NoNotifier`]): a deployment configuring any of them fails its hook, fails its analysis read,
/// or warns, naming the missing port. Use [`run_with`] for those.
pub async fn run<L: Lambda, A: Alarms>(
    lambda: &L,
    alarms: &A,
    deployment: &Deployment,
    cancel: CancellationToken,
    progress: &(dyn Fn(&Event) + Send + Sync),
) -> Outcome {
    let ports = Ports {
        lambda,
        alarms,
        hooks: &NoHooks,
        metrics: &NoMetrics,
        notifier: &NoNotifier,
        conductor: &NoConductor,
    };
    run_with(ports, deployment, cancel, progress).await
}

/// Runs one deployment to its end. Never panics on AWS errors and never returns early: every
/// path ends in an [`Outcome`] describing what the alias serves.
pub async fn run_with<L: Lambda, A: Alarms, H: Hooks, M: Metrics, N: Notifier, C: Conductor>(
    ports: Ports<'_, L, A, H, M, N, C>,
    deployment: &Deployment,
    cancel: CancellationToken,
    progress: &(dyn Fn(&Event) + Send + Sync),
) -> Outcome {
    let driver = Driver {
        ports,
        alias: &deployment.alias,
        cancel: &cancel,
    };
    let mut state = State::new(deployment.clone(), Instant::now(), SystemTime::now());
    let mut reply = Reply::Start;
    loop {
        let observation = Observation {
            now: Instant::now(),
            interrupted: cancel.is_cancelled(),
            reply,
        };
        let actions;
        (state, actions) = step(state, observation);
        let mut next = None;
        for action in actions {
            match action {
                Action::Emit(event) => progress(&event),
                Action::Finish(outcome) => return *outcome,
                action => next = Some(driver.perform(action).await),
            }
        }
        // A step that asks for nothing would stall the rollout; the machine never does this, but
        // waking it again is safer than hanging an apply.
        reply = next.unwrap_or(Reply::Woke);
    }
}

struct Driver<'a, L, A, H, M, N, C> {
    ports: Ports<'a, L, A, H, M, N, C>,
    alias: &'a str,
    cancel: &'a CancellationToken,
}

impl<L: Lambda, A: Alarms, H: Hooks, M: Metrics, N: Notifier, C: Conductor>
    Driver<'_, L, A, H, M, N, C>
{
    async fn perform(&self, action: Action) -> Reply {
        let (lambda, alias) = (self.ports.lambda, self.alias);
        match action {
            Action::Wait {
                until,
                interruptible,
            } => self.wait(until, interruptible).await,
            Action::ReadAlarms { names } => Reply::Alarms(self.ports.alarms.states(&names).await),
            Action::ReadStatus { qualifier } => Reply::Status(lambda.status(&qualifier).await),
            Action::UpdateCode => Reply::Updated(lambda.update_code().await),
            Action::UpdateConfiguration => Reply::Updated(lambda.update_configuration().await),
            Action::Publish {
                revision_id,
                description,
            } => Reply::Published(lambda.publish_version(&revision_id, &description).await),
            Action::CheckRelease { version } => {
                Reply::Checked(lambda.check_release(&version).await)
            }
            Action::ReadAlias => Reply::Alias(lambda.get_alias(alias).await),
            Action::CreateAlias { version } => {
                Reply::AliasSet(lambda.create_alias(alias, &version).await)
            }
            Action::ShiftAlias {
                version,
                extra,
                revision_id,
            } => {
                let extra = extra.as_ref().map(|(v, w)| (v.as_str(), *w));
                Reply::AliasSet(
                    lambda
                        .shift_alias(alias, &version, extra, &revision_id)
                        .await,
                )
            }
            Action::ListVersions => Reply::Versions(lambda.list_versions().await),
            Action::ListAliases => Reply::Aliases(lambda.list_aliases().await),
            Action::DeleteVersion { version } => {
                Reply::Deleted(lambda.delete_version(&version).await)
            }
            Action::InvokeHook {
                function,
                payload,
                timeout: limit,
            } => self.invoke_hook(&function, &payload, limit).await,
            Action::ReadMetrics {
                version,
                since,
                period,
            } => {
                let metrics = self.ports.metrics;
                Reply::Metrics(
                    metrics
                        .version_metrics(alias, &version, since, period)
                        .await,
                )
            }
            Action::Notify(n) => {
                let call = self.ports.notifier.notify(&n);
                Reply::Notified(timeout(NOTIFY_TIMEOUT, call).await.unwrap_or_else(|_| {
                    Err(AwsError::new(AwsErrorKind::Other, "no answer within 30s"))
                }))
            }
            Action::ReadCapacity { version } => Reply::Capacity(lambda.provisioned(&version).await),
            Action::SetCapacity { version, amount } => {
                Reply::CapacitySet(lambda.put_provisioned(&version, amount).await)
            }
            Action::ReleaseCapacity { version } => {
                Reply::CapacityReleased(lambda.release_provisioned(&version).await)
            }
            Action::StartWalk(walk) => Reply::WalkStarted(self.ports.conductor.start(&walk).await),
            Action::FollowWalk { walk, read_alias } => {
                let progress = self.ports.conductor.progress(&walk, alias, read_alias);
                Reply::Walk(progress.await)
            }
            Action::StopWalk { walk } => Reply::WalkStopped(self.ports.conductor.stop(&walk).await),
            Action::Emit(_) | Action::Finish(_) => Reply::Woke,
        }
    }

    /// Sleeps until `until`, or until an interrupt when the wait is `interruptible`.
    async fn wait(&self, until: Instant, interruptible: bool) -> Reply {
        if interruptible {
            tokio::select! {
                _ = sleep_until(until) => {}
                _ = self.cancel.cancelled() => {}
            }
        } else {
            sleep_until(until).await;
        }
        Reply::Woke
    }

    /// The wait for a hook ends at its timeout or at an interrupt, whichever comes first; the
    /// machine tells the two apart by the interrupt flag.
    async fn invoke_hook(&self, function: &str, payload: &HookPayload, limit: Duration) -> Reply {
        let call = self.ports.hooks.invoke(function, payload, limit);
        tokio::select! {
            r = timeout(limit, call) => Reply::Hook(r.ok()),
            _ = self.cancel.cancelled() => Reply::Hook(None),
        }
    }
}
