//! `analysis`: judging the new version on its own metrics, without pre-made alarms.
//! Pure: the figures come in, a [`Verdict`] goes out.

use std::time::Duration;

use crate::ports::VersionMetrics;

use super::checks::Verdict;

/// Thresholds for the new version's own `Invocations`, `Errors` and `Throttles`.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Percent of invocations that may fail, e.g. `1.0`.
    pub max_error_rate: Option<f64>,
    pub max_errors: Option<u64>,
    /// Error thresholds apply only once this many invocations were seen.
    pub min_invocations: u64,
    /// The CloudWatch period the figures are read in; metrics are read at most about twice per
    /// period, since a fresher read shows nothing new.
    pub metric_period: Duration,
    /// Applies whatever the traffic, unlike the error thresholds.
    pub max_throttles: Option<u64>,
    /// Fewer than `min_invocations` by the end of the rollout rolls back instead of passing.
    pub fail_without_traffic: bool,
}

impl Default for Analysis {
    fn default() -> Analysis {
        Analysis {
            max_error_rate: None,
            max_errors: None,
            min_invocations: 20,
            metric_period: Duration::from_secs(60),
            max_throttles: None,
            fail_without_traffic: false,
        }
    }
}

impl Analysis {
    /// How often metrics are worth reading during a wait: half a period, never more often than
    /// alarms are read.
    pub fn read_every(&self, check_interval: Duration) -> Duration {
        (self.metric_period / 2).max(check_interval)
    }
}

/// `at_end` is the last judgement of the rollout (end of the bake, or of the last wait), where too
/// little traffic fails when `fail_without_traffic`. When the error rate and the error count both
/// trip, the tighter threshold (fewer errors allowed) is named, as Gitmoxi's circuit breaker
/// takes the minimum of its absolute and percent thresholds.
pub fn judge_analysis(analysis: &Analysis, m: &VersionMetrics, at_end: bool) -> Verdict {
    if let Some(max) = analysis.max_throttles {
        if m.throttles > max {
            return unhealthy(
                "throttles",
                format!(
                    "{} throttles is over max_throttles {max} ({} invocations)",
                    m.throttles, m.invocations
                ),
            );
        }
    }
    if m.invocations < analysis.min_invocations {
        if at_end && analysis.fail_without_traffic {
            return unhealthy(
                "no_traffic",
                format!(
                    "too few invocations to judge the new version: {} (with {} errors) is under \
                     min_invocations {}, and fail_without_traffic is set",
                    m.invocations, m.errors, analysis.min_invocations
                ),
            );
        }
        return Verdict::Healthy;
    }
    let rate = if m.invocations == 0 {
        0.0
    } else {
        m.errors as f64 * 100.0 / m.invocations as f64
    };
    // Each tripped threshold with the error count it allows, so the tighter one can be named.
    let by_rate = analysis
        .max_error_rate
        .filter(|max| rate > *max)
        .map(|max| {
            let allowed = max * m.invocations as f64 / 100.0;
            let reason = format!(
                "error rate {}% ({} of {} invocations) is over max_error_rate {}%",
                round2(rate),
                m.errors,
                m.invocations,
                round2(max)
            );
            (allowed, unhealthy("error_rate", reason))
        });
    let by_count = analysis
        .max_errors
        .filter(|max| m.errors > *max)
        .map(|max| {
            let reason = format!(
                "{} errors (of {} invocations) is over max_errors {max}",
                m.errors, m.invocations
            );
            (max as f64, unhealthy("errors", reason))
        });
    match (by_rate, by_count) {
        (Some((r, rv)), Some((c, cv))) => {
            if c < r {
                cv
            } else {
                rv
            }
        }
        (Some((_, v)), None) | (None, Some((_, v))) => v,
        (None, None) => Verdict::Healthy,
    }
}

fn unhealthy(what: &str, reason: String) -> Verdict {
    Verdict::Unhealthy {
        check: format!("analysis:{what}"),
        reason,
    }
}

/// 12.5 stays 12.5, 5.0 prints as 5, 33.333… as 33.33.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(invocations: u64, errors: u64, throttles: u64) -> VersionMetrics {
        VersionMetrics {
            invocations,
            errors,
            throttles,
        }
    }

    fn a(rate: Option<f64>, errors: Option<u64>, throttles: Option<u64>, strict: bool) -> Analysis {
        Analysis {
            max_error_rate: rate,
            max_errors: errors,
            max_throttles: throttles,
            fail_without_traffic: strict,
            ..Analysis::default()
        }
    }

    #[test]
    fn judges_figures_against_thresholds() {
        // (analysis, metrics, at_end) -> failed check or "" for healthy
        let rows: Vec<(Analysis, VersionMetrics, bool, &str)> = vec![
            (a(Some(5.0), None, None, false), m(40, 2, 0), false, ""),
            (
                a(Some(5.0), None, None, false),
                m(40, 5, 0),
                false,
                "analysis:error_rate",
            ),
            // Exactly at the threshold passes: only "over" trips.
            (a(Some(5.0), None, None, false), m(40, 2, 0), true, ""),
            (a(None, Some(3), None, false), m(40, 3, 0), false, ""),
            (
                a(None, Some(3), None, false),
                m(40, 4, 0),
                false,
                "analysis:errors",
            ),
            // Below min_invocations errors do not count, whatever their share.
            (a(Some(5.0), Some(0), None, false), m(19, 19, 0), false, ""),
            (
                a(Some(5.0), Some(0), None, false),
                m(20, 1, 0),
                false,
                "analysis:errors",
            ),
            // Both set, both trip: 5% of 40 allows 2, max_errors 3: the rate is tighter.
            (
                a(Some(5.0), Some(3), None, false),
                m(40, 5, 0),
                false,
                "analysis:error_rate",
            ),
            // 5% of 1000 allows 50, max_errors 3: the count is tighter.
            (
                a(Some(5.0), Some(3), None, false),
                m(1000, 60, 0),
                false,
                "analysis:errors",
            ),
            // Either tripping decides.
            (
                a(Some(5.0), Some(3), None, false),
                m(1000, 4, 0),
                false,
                "analysis:errors",
            ),
            (
                a(Some(5.0), Some(30), None, false),
                m(40, 5, 0),
                false,
                "analysis:error_rate",
            ),
            // Throttles count regardless of min_invocations.
            (
                a(None, None, Some(0), false),
                m(0, 0, 1),
                false,
                "analysis:throttles",
            ),
            (a(None, None, Some(2), false), m(100, 0, 2), false, ""),
            // Too little traffic: only at the end, only when asked.
            (a(Some(1.0), None, None, false), m(5, 5, 0), true, ""),
            (a(Some(1.0), None, None, true), m(5, 5, 0), false, ""),
            (
                a(Some(1.0), None, None, true),
                m(5, 0, 0),
                true,
                "analysis:no_traffic",
            ),
            (a(Some(1.0), None, None, true), m(20, 0, 0), true, ""),
            (
                a(None, None, None, true),
                m(0, 0, 0),
                true,
                "analysis:no_traffic",
            ),
        ];
        for (analysis, metrics, at_end, expected) in rows {
            let got = match judge_analysis(&analysis, &metrics, at_end) {
                Verdict::Healthy => String::new(),
                Verdict::Unhealthy { check, .. } => check,
            };
            assert_eq!(got, expected, "{analysis:?} {metrics:?} at_end {at_end}");
        }
    }

    #[test]
    fn reasons_give_the_figures() {
        let reason =
            |analysis: Analysis, metrics, at_end| match judge_analysis(&analysis, &metrics, at_end)
            {
                Verdict::Unhealthy { reason, .. } => reason,
                Verdict::Healthy => panic!("healthy"),
            };
        assert_eq!(
            reason(a(Some(5.0), None, None, false), m(40, 5, 0), false),
            "error rate 12.5% (5 of 40 invocations) is over max_error_rate 5%"
        );
        assert_eq!(
            reason(a(Some(0.5), None, None, false), m(30, 10, 0), false),
            "error rate 33.33% (10 of 30 invocations) is over max_error_rate 0.5%"
        );
        assert_eq!(
            reason(a(None, Some(3), None, false), m(40, 4, 0), false),
            "4 errors (of 40 invocations) is over max_errors 3"
        );
        assert_eq!(
            reason(a(None, None, Some(0), false), m(3, 0, 7), false),
            "7 throttles is over max_throttles 0 (3 invocations)"
        );
        assert!(reason(a(None, None, None, true), m(3, 0, 0), true)
            .starts_with("too few invocations to judge the new version: 3 (with 0 errors) is under min_invocations 20"));
    }
}
