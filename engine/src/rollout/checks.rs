//! What a rollout watches before it starts, before each shift and throughout every wait.
//!
//! A check is two halves: a read (an [`Action`](super::Action) the driver performs) and a pure
//! judge turning the reply into a [`Verdict`]: [`judge_alarms`] here,
//! [`judge_analysis`](super::judge_analysis) in `analysis.rs`. The state machine runs whatever
//! list [`Check::for_deployment`] returns (`watch.rs`). Hooks are not checks: they run once, at
//! fixed points of the rollout (`hooks.rs`).

use crate::ports::AlarmState;

use super::Deployment;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The deployment's CloudWatch alarms, read in one batch.
    Alarms(Vec<String>),
    /// The new version's own metrics against the deployment's `analysis` thresholds.
    Analysis,
}

impl Check {
    pub fn for_deployment(deployment: &Deployment) -> Vec<Check> {
        let mut checks = Vec::new();
        if !deployment.alarms.is_empty() {
            checks.push(Check::Alarms(deployment.alarms.clone()));
        }
        if deployment.analysis.is_some() {
            checks.push(Check::Analysis);
        }
        checks
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Healthy,
    Unhealthy {
        /// Names the check for `failed_check`, e.g. `alarm:errors`.
        check: String,
        /// What is wrong, e.g. `alarm errors is ALARM`.
        reason: String,
    },
}

/// A missing alarm is unhealthy: a rollout that cannot see its guard must not go on.
/// INSUFFICIENT_DATA counts as OK, as CodeDeploy treats it.
pub fn judge_alarms(watched: &[String], states: &[(String, AlarmState)]) -> Verdict {
    for name in watched {
        match states.iter().find(|(n, _)| n == name).map(|(_, s)| *s) {
            None => {
                return Verdict::Unhealthy {
                    check: format!("alarm:{name}"),
                    reason: format!(
                        "alarm {name} does not exist: create it, or remove it from alarms"
                    ),
                }
            }
            Some(AlarmState::Alarm) => {
                return Verdict::Unhealthy {
                    check: format!("alarm:{name}"),
                    reason: format!("alarm {name} is ALARM"),
                }
            }
            Some(AlarmState::Ok | AlarmState::InsufficientData) => {}
        }
    }
    Verdict::Healthy
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judges_alarm_states() {
        let watched = vec!["errors".to_string(), "latency".to_string()];
        let s = |e, l| vec![("errors".to_string(), e), ("latency".to_string(), l)];
        use AlarmState::*;
        assert_eq!(
            judge_alarms(&watched, &s(Ok, InsufficientData)),
            Verdict::Healthy
        );
        assert!(matches!(
            judge_alarms(&watched, &s(Ok, Alarm)),
            Verdict::Unhealthy { check, .. } if check == "alarm:latency"
        ));
        let missing = judge_alarms(&watched, &[("errors".to_string(), Ok)]);
        assert!(matches!(
            missing,
            Verdict::Unhealthy { check, reason } if check == "alarm:latency" && reason.contains("does not exist")
        ));
        assert_eq!(judge_alarms(&[], &[]), Verdict::Healthy);
    }
}
