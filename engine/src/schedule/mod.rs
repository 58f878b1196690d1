//! Traffic shifting: what the user wrote in `traffic_shifting`, and the list of
//! weights and waits a rollout walks through. Pure: no time, no I/O, so every rule is a table row.

mod duration;
mod parse;
#[cfg(test)]
mod tests;

use std::time::Duration;

pub use duration::format_duration;
pub use parse::{parse_traffic_shifting, ScheduleError};

/// The three shapes a rollout can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShiftKind {
    Canary,
    Linear,
    AllAtOnce,
}

/// `traffic_shifting` after validation and defaults.
///
/// For ALL_AT_ONCE, `wait` is the bake at 100% and `bake` stays zero: `wait_interval` is
/// ALL_AT_ONCE's bake time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrafficShifting {
    pub kind: ShiftKind,
    pub percent: u8,
    pub wait: Duration,
    pub bake: Duration,
}

/// One weight the alias is set to, and how long the rollout watches it before the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub weight_percent: u8,
    pub wait: Duration,
}

/// The weights a rollout walks through. The last step is always 100% with no wait; the time spent
/// at 100% with checks running is `bake`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutPlan {
    pub steps: Vec<Step>,
    pub bake: Duration,
}

impl RolloutPlan {
    pub fn new(shifting: &TrafficShifting) -> RolloutPlan {
        let p = u32::from(shifting.percent.clamp(1, 99));
        let below_full: Vec<u32> = match shifting.kind {
            ShiftKind::AllAtOnce => return RolloutPlan::all_at_once(shifting.wait),
            ShiftKind::Canary => vec![p],
            ShiftKind::Linear => (1..).map(|k| k * p).take_while(|w| *w < 100).collect(),
        };
        let mut steps: Vec<Step> = below_full
            .into_iter()
            .map(|w| Step {
                weight_percent: w as u8,
                wait: shifting.wait,
            })
            .collect();
        steps.push(Step::FULL);
        RolloutPlan {
            steps,
            bake: shifting.bake,
        }
    }

    /// Straight to 100%, then `bake` with checks running. Also used when a release changes `Role`
    /// or `DeadLetterConfig`, which weighted routing cannot span.
    pub fn all_at_once(bake: Duration) -> RolloutPlan {
        RolloutPlan {
            steps: vec![Step::FULL],
            bake,
        }
    }

    /// The waits the user asked for; anything a rollout takes beyond this is overhead.
    pub fn configured_waits(&self) -> Duration {
        self.steps.iter().map(|s| s.wait).sum::<Duration>() + self.bake
    }

    /// Human lines for `rollout_schedule`, e.g. `["10% for 5m0s", "100%"]`.
    pub fn describe(&self) -> Vec<String> {
        let last = self.steps.len().saturating_sub(1);
        self.steps
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let (wait, suffix) = if i == last {
                    (step.wait + self.bake, " (bake)")
                } else {
                    (step.wait, "")
                };
                if wait.is_zero() {
                    format!("{}%", step.weight_percent)
                } else {
                    format!(
                        "{}% for {}{suffix}",
                        step.weight_percent,
                        format_duration(wait)
                    )
                }
            })
            .collect()
    }
}

impl Step {
    pub const FULL: Step = Step {
        weight_percent: 100,
        wait: Duration::ZERO,
    };
}
