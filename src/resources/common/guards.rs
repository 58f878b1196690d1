//! The settings that guard a rollout besides alarms: lifecycle hooks, version-scoped analysis,
//! and the SNS topic deployments report to.

use std::time::Duration;

use gitmoxi_engine::rollout::{Analysis, HookSettings};

use super::values::{duration, whole_number};
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::value::Value;

/// Lambda's own limit on a function's run time, and so on a hook's.
const MAX_HOOK_TIMEOUT: Duration = Duration::from_secs(15 * 60);

pub fn parse_hooks(v: &Value, diags: &mut Diagnostics) -> HookSettings {
    let mut hooks = HookSettings::default();
    let Some(block) = v.elements().first() else {
        return hooks;
    };
    let base = AttrPath::root("hooks").index(0);
    for (name, slot) in [
        ("before_allow_traffic", &mut hooks.before_allow_traffic),
        ("after_allow_traffic", &mut hooks.after_allow_traffic),
    ] {
        let Some(f) = block.get(name).as_str() else {
            continue;
        };
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        let plain_name = !f.is_empty() && f.len() <= 64 && f.chars().all(allowed);
        let arn = f.starts_with("arn:") && f.split(':').nth(2) == Some("lambda");
        if plain_name || arn {
            *slot = Some(f.to_string());
        } else {
            diags.push(
                Diagnostic::error(
                    format!("Invalid hook function {f:?}"),
                    "Name the hook by its Lambda function name (letters, digits, - and _) or its \
                     function ARN.",
                )
                .at(base.clone().attr(name)),
            );
        }
    }
    let timeout_path = base.attr("timeout");
    match duration(block.get("timeout"), timeout_path.clone(), diags) {
        Some(t) if t.is_zero() || t > MAX_HOOK_TIMEOUT => diags.push(
            Diagnostic::error(
                "Invalid hook timeout",
                "A hook timeout must be longer than zero and at most 15m (Lambda's own limit).",
            )
            .at(timeout_path),
        ),
        Some(t) => hooks.timeout = t,
        None => {}
    }
    hooks
}

pub fn parse_analysis(v: &Value, diags: &mut Diagnostics) -> Option<Analysis> {
    let block = v.elements().first()?;
    let base = AttrPath::root("analysis").index(0);
    let mut a = Analysis::default();
    if let Some(rate) = block.get("max_error_rate").as_f64() {
        if (0.0..=100.0).contains(&rate) {
            a.max_error_rate = Some(rate);
        } else {
            diags.push(
                Diagnostic::error(
                    format!("Invalid max_error_rate {rate}"),
                    "`max_error_rate` is a percent from 0 to 100, e.g. 1.0.",
                )
                .at(base.clone().attr("max_error_rate")),
            );
        }
    }
    let count = |name: &str, diags: &mut Diagnostics| {
        whole_number(
            block.get(name),
            base.clone().attr(name),
            (0.0, 1.0e9),
            diags,
        )
        .map(u64::from)
    };
    a.max_errors = count("max_errors", diags);
    a.max_throttles = count("max_throttles", diags);
    if let Some(n) = count("min_invocations", diags) {
        a.min_invocations = n;
    }
    let period_path = base.clone().attr("metric_period");
    if let Some(p) = duration(block.get("metric_period"), period_path.clone(), diags) {
        if valid_metric_period(p) {
            a.metric_period = p;
        } else {
            diags.push(
                Diagnostic::error(
                    format!(
                        "Invalid metric_period {}",
                        gitmoxi_engine::format_duration(p)
                    ),
                    "CloudWatch periods are 1s, 5s, 10s, 30s or a multiple of 60s, e.g. \"60s\".",
                )
                .at(period_path),
            );
        }
    }
    a.fail_without_traffic = block.get("fail_without_traffic").as_bool().unwrap_or(false);
    let checks_nothing = a.max_error_rate.is_none()
        && a.max_errors.is_none()
        && a.max_throttles.is_none()
        && !a.fail_without_traffic;
    if checks_nothing {
        diags.push(
            Diagnostic::error(
                "analysis has nothing to check",
                "Set at least one of `max_error_rate`, `max_errors`, `max_throttles` or \
                 `fail_without_traffic`, or remove the block.",
            )
            .at(base),
        );
    }
    Some(a)
}

/// CloudWatch periods: 1, 5, 10, 30 seconds or a whole number of minutes.
fn valid_metric_period(p: Duration) -> bool {
    let secs = p.as_secs();
    p.subsec_nanos() == 0
        && (matches!(secs, 1 | 5 | 10 | 30) || (secs >= 60 && secs.is_multiple_of(60)))
}

pub fn parse_topic(v: &Value, diags: &mut Diagnostics) -> Option<String> {
    let arn = v.as_str()?;
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() == 6 && parts[0] == "arn" && parts[2] == "sns" {
        return Some(arn.to_string());
    }
    diags.push(
        Diagnostic::error(
            format!("Invalid SNS topic ARN {arn:?}"),
            "Set `notification_topic_arn` to an SNS topic ARN such as \
             \"arn:aws:sns:us-east-1:123456789012:deployments\".",
        )
        .at(AttrPath::root("notification_topic_arn")),
    );
    None
}
