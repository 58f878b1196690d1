//! Lifecycle hooks in the rollout: `before_allow_traffic` once the
//! new version is ready, before the first shift (failure: FAILED, nothing moved);
//! `after_allow_traffic` once the alias serves it at 100%, before the bake (failure: rollback).

use std::time::Duration;

use tokio::time::Instant;

use crate::ports::{AwsError, HookOutcome, HookPayload, HookPhase};
use crate::schedule::format_duration;

use super::machine::{Action, AfterChecks, Phase, State};
use super::Event;

/// The `hooks` block: function names or ARNs, and how long each may take to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookSettings {
    pub before_allow_traffic: Option<String>,
    pub after_allow_traffic: Option<String>,
    /// A hook that has not answered by then fails. Default 5 minutes.
    pub timeout: Duration,
}

impl Default for HookSettings {
    fn default() -> HookSettings {
        HookSettings {
            before_allow_traffic: None,
            after_allow_traffic: None,
            timeout: Duration::from_secs(5 * 60),
        }
    }
}

impl HookSettings {
    pub fn is_empty(&self) -> bool {
        self.before_allow_traffic.is_none() && self.after_allow_traffic.is_none()
    }
}

/// Where the rollout goes once a hook passed (or when there is none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AfterHook {
    /// Create the alias, or check and make the first shift.
    AllowTraffic,
    /// Bake at 100% (or succeed when there is no bake).
    Bake,
    Succeed,
}

/// A hook invocation in flight.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct HookCall {
    phase: HookPhase,
    function: String,
    timeout: Duration,
    since: Instant,
    then: AfterHook,
}

impl State {
    /// The new version is ready: the before-traffic hook, then the first traffic.
    pub(super) fn allow_traffic(&mut self, out: &mut Vec<Action>) {
        match self.d.hooks.before_allow_traffic.clone() {
            Some(function) => self.invoke_hook(
                HookPhase::BeforeAllowTraffic,
                function,
                AfterHook::AllowTraffic,
                out,
            ),
            None => self.after_hook(AfterHook::AllowTraffic, out),
        }
    }

    /// The alias serves the new version at 100%: the after-traffic hook, then `then`.
    pub(super) fn traffic_allowed(&mut self, then: AfterHook, out: &mut Vec<Action>) {
        match self.d.hooks.after_allow_traffic.clone() {
            Some(function) => self.invoke_hook(HookPhase::AfterAllowTraffic, function, then, out),
            None => self.after_hook(then, out),
        }
    }

    fn after_hook(&mut self, then: AfterHook, out: &mut Vec<Action>) {
        match then {
            AfterHook::AllowTraffic if self.serving.is_none() => {
                self.phase = Phase::CreatingAlias;
                out.push(Action::CreateAlias {
                    version: self.to.clone().unwrap_or_default(),
                });
            }
            AfterHook::AllowTraffic => self.run_checks(AfterChecks::Shift(0), out),
            AfterHook::Bake => self.watch_step(self.remaining.len().saturating_sub(1), out),
            AfterHook::Succeed => self.succeed(out),
        }
    }

    fn invoke_hook(
        &mut self,
        phase: HookPhase,
        function: String,
        then: AfterHook,
        out: &mut Vec<Action>,
    ) {
        // The deployment's deadline bounds the hook too; reaching it rolls back as anywhere.
        let timeout = match self.d.deadline {
            Some(deadline) => self
                .d
                .hooks
                .timeout
                .min(deadline.saturating_duration_since(self.now)),
            None => self.d.hooks.timeout,
        };
        let payload = HookPayload {
            deployment_id: self.d.id.clone(),
            function_name: self.d.function_name.clone(),
            alias: self.d.alias.clone(),
            from_version: self.from.clone(),
            to_version: self.to.clone().unwrap_or_default(),
            phase,
        };
        out.push(Action::Emit(Event::HookStarted {
            phase,
            function: function.clone(),
        }));
        out.push(Action::InvokeHook {
            function: function.clone(),
            payload,
            timeout,
        });
        self.phase = Phase::Hook(HookCall {
            phase,
            function,
            timeout,
            since: self.now,
            then,
        });
    }

    pub(super) fn hook_answered(
        &mut self,
        call: HookCall,
        r: Option<Result<HookOutcome, AwsError>>,
        out: &mut Vec<Action>,
    ) {
        let HookCall {
            phase,
            function,
            timeout,
            since,
            then,
        } = call;
        let failure = match r {
            Some(Ok(HookOutcome::Passed)) => None,
            Some(Ok(HookOutcome::Failed { reason })) => {
                Some(format!("{phase} hook {function} failed: {reason}"))
            }
            Some(Err(e)) => Some(format!("{phase} hook {function} could not be invoked: {e}")),
            None => Some(format!(
                "{phase} hook {function} did not answer within {}",
                format_duration(timeout)
            )),
        };
        out.push(Action::Emit(Event::HookFinished {
            phase,
            function,
            passed: failure.is_none(),
            after: self.now.saturating_duration_since(since),
        }));
        match failure {
            None => self.after_hook(then, out),
            Some(reason) if !self.traffic_moved && phase == HookPhase::BeforeAllowTraffic => {
                let reason = format!("{reason}; no traffic was shifted");
                self.fail(&phase.failed_check(), reason, out)
            }
            Some(reason) => self.fail(&phase.failed_check(), reason, out),
        }
    }
}
