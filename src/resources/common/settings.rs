//! The deployment settings of the configuration, validated into typed values. Every error
//! names its argument's path and says how to fix it (SPEC §8); unknown values are skipped here
//! and checked again at apply.

use std::time::Duration;

use gitmoxi_engine::rollout::{Analysis, HookSettings};
use gitmoxi_engine::{parse_traffic_shifting, Readiness, RolloutPlan, TrafficShifting};

use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::value::Value;

pub const DEFAULT_EXTRA_TIMEOUT: Duration = Duration::from_secs(30 * 60);
pub const DEFAULT_DELETE_TIMEOUT: Duration = Duration::from_secs(15 * 60);
pub const MAX_ALARMS: usize = 100;

#[derive(Clone, Debug, Default)]
pub struct Timeouts {
    pub create: Option<Duration>,
    pub update: Option<Duration>,
    pub delete: Option<Duration>,
}

/// Everything about *how* to deploy; `None` where the value is unknown at plan time.
#[derive(Clone, Debug)]
pub struct Settings {
    pub alias: Option<String>,
    /// None when part of the block is unknown.
    pub shifting: Option<TrafficShifting>,
    pub alarms: Vec<String>,
    pub readiness: Readiness,
    pub delete_failed_version: bool,
    pub retain_versions: u32,
    pub skip_destroy: bool,
    pub timeouts: Timeouts,
    pub hooks: HookSettings,
    pub analysis: Option<Analysis>,
    pub notification_topic_arn: Option<String>,
}

impl Settings {
    pub fn plan(&self) -> Option<RolloutPlan> {
        self.shifting.as_ref().map(RolloutPlan::new)
    }
}

pub fn parse_duration(v: &Value, path: AttrPath, diags: &mut Diagnostics) -> Option<Duration> {
    let s = v.as_str()?;
    match humantime::parse_duration(s.trim()) {
        Ok(d) => Some(d),
        Err(_) => {
            diags.push(
                Diagnostic::error(
                    format!("Invalid duration {s:?}"),
                    "Write a duration such as \"90s\", \"5m\" or \"1h30m\".",
                )
                .at(path),
            );
            None
        }
    }
}

fn whole_number(
    v: &Value,
    path: AttrPath,
    min: f64,
    max: f64,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<u32> {
    let n = v.as_f64()?;
    if n.fract() != 0.0 || n < min || n > max {
        diags.push(
            Diagnostic::error(
                format!("Invalid {} {n}", path),
                format!("{what} must be a whole number from {min} to {max}."),
            )
            .at(path),
        );
        return None;
    }
    Some(n as u32)
}

pub fn validate_alias(alias: &str) -> Result<(), Diagnostic> {
    let fix = "Use 1 to 128 letters, digits, '-' or '_', not only digits (a version number) and not $LATEST, e.g. \"live\".";
    if alias == "$LATEST" || alias.chars().all(|c| c.is_ascii_digit()) {
        return Err(
            Diagnostic::error(format!("Alias {alias:?} is not an alias name"), fix)
                .at(AttrPath::root("alias")),
        );
    }
    if alias.is_empty()
        || alias.len() > 128
        || !alias
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(
            Diagnostic::error(format!("Invalid alias name {alias:?}"), fix)
                .at(AttrPath::root("alias")),
        );
    }
    Ok(())
}

pub fn parse(config: &Value) -> (Settings, Diagnostics) {
    let mut diags = Diagnostics::default();

    let alias = config.get("alias").as_str().map(str::to_string);
    if let Some(a) = &alias {
        if let Err(d) = validate_alias(a) {
            diags.push(d);
        }
    }

    // traffic_shifting
    let shifting = match config.get("traffic_shifting").elements().first() {
        None if config.get("traffic_shifting").is_unknown() => None,
        None => Some(
            parse_traffic_shifting(None, None, None, None).expect("the default schedule is valid"),
        ),
        Some(block) => {
            let base = AttrPath::root("traffic_shifting").index(0);
            let any_unknown = ["type", "percent", "wait_interval", "bake_time"]
                .iter()
                .any(|k| block.get(k).is_unknown());
            let wait = parse_duration(
                block.get("wait_interval"),
                base.clone().attr("wait_interval"),
                &mut diags,
            );
            let bake = parse_duration(
                block.get("bake_time"),
                base.clone().attr("bake_time"),
                &mut diags,
            );
            let percent = block.get("percent").as_f64();
            if let Some(p) = percent {
                if p.fract() != 0.0 {
                    diags.push(
                        Diagnostic::error(
                            format!("Invalid percent {p}"),
                            "`percent` must be a whole number from 1 to 99.",
                        )
                        .at(base.clone().attr("percent")),
                    );
                }
            }
            if any_unknown {
                None
            } else {
                match parse_traffic_shifting(
                    block.get("type").as_str(),
                    percent.map(|p| p as i64),
                    wait,
                    bake,
                ) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        let path = match e.argument {
                            Some(arg) => base.attr(arg),
                            None => base,
                        };
                        diags.push(Diagnostic::error(e.summary, e.detail).at(path));
                        None
                    }
                }
            }
        }
    };

    // alarms
    let mut alarms = Vec::new();
    let alarm_values = config.get("alarms").elements();
    if alarm_values.len() > MAX_ALARMS {
        diags.push(
            Diagnostic::error(
                format!("Too many alarms ({})", alarm_values.len()),
                format!("At most {MAX_ALARMS} alarms can be watched; combine them into a composite alarm."),
            )
            .at(AttrPath::root("alarms")),
        );
    }
    for (i, a) in alarm_values.iter().enumerate() {
        match a {
            Value::String(s) if s.trim().is_empty() || s.len() > 255 => diags.push(
                Diagnostic::error(
                    "Invalid alarm name",
                    "Alarm names are 1 to 255 characters; remove the empty entry.",
                )
                .at(AttrPath::root("alarms").index(i as i64)),
            ),
            Value::String(s) => {
                if alarms.contains(s) {
                    diags.push(
                        Diagnostic::error(
                            format!("Alarm {s:?} is listed twice"),
                            "List each alarm once.",
                        )
                        .at(AttrPath::root("alarms").index(i as i64)),
                    );
                }
                alarms.push(s.clone())
            }
            Value::Null => diags.push(
                Diagnostic::error("Null alarm name", "Remove the null entry from `alarms`.")
                    .at(AttrPath::root("alarms").index(i as i64)),
            ),
            _ => {}
        }
    }

    // readiness_check
    let mut readiness = Readiness::default();
    if let Some(block) = config.get("readiness_check").elements().first() {
        let base = AttrPath::root("readiness_check").index(0);
        if let Some(d) = parse_duration(
            block.get("wait_interval"),
            base.clone().attr("wait_interval"),
            &mut diags,
        ) {
            if d.is_zero() {
                diags.push(
                    Diagnostic::error(
                        "Invalid wait_interval 0s",
                        "`wait_interval` must be longer than zero, e.g. \"10s\".",
                    )
                    .at(base.clone().attr("wait_interval")),
                );
            } else {
                readiness.wait_interval = d;
            }
        }
        if let Some(n) = whole_number(
            block.get("max_retries"),
            base.clone().attr("max_retries"),
            1.0,
            1000.0,
            "`max_retries`",
            &mut diags,
        ) {
            readiness.max_retries = n;
        }
        readiness.timeout = parse_duration(block.get("timeout"), base.attr("timeout"), &mut diags);
    }

    let delete_failed_version = config
        .get("delete_failed_version")
        .as_bool()
        .unwrap_or(true);
    let skip_destroy = config.get("skip_destroy").as_bool().unwrap_or(false);
    let retain_versions = whole_number(
        config.get("retain_versions"),
        AttrPath::root("retain_versions"),
        0.0,
        1000.0,
        "`retain_versions`",
        &mut diags,
    )
    .unwrap_or(0);

    // timeouts
    let mut timeouts = Timeouts::default();
    if let Some(block) = config.get("timeouts").elements().first() {
        let base = AttrPath::root("timeouts").index(0);
        timeouts.create =
            parse_duration(block.get("create"), base.clone().attr("create"), &mut diags);
        timeouts.update =
            parse_duration(block.get("update"), base.clone().attr("update"), &mut diags);
        timeouts.delete =
            parse_duration(block.get("delete"), base.clone().attr("delete"), &mut diags);
        if let Some(plan) = shifting.as_ref().map(RolloutPlan::new) {
            let waits = plan.configured_waits();
            for (name, t) in [("create", timeouts.create), ("update", timeouts.update)] {
                if let Some(t) = t {
                    if t < waits {
                        diags.push(
                            Diagnostic::error(
                                format!("The {name} timeout is shorter than the rollout's waits"),
                                format!(
                                    "The rollout waits {} in all, so a {name} timeout of {} would always roll back. \
                                     Set `timeouts.{name}` to at least the waits plus a margin, or remove it to use \
                                     the default (waits + 30m).",
                                    gitmoxi_engine::format_duration(waits),
                                    gitmoxi_engine::format_duration(t)
                                ),
                            )
                            .at(base.clone().attr(name)),
                        );
                    }
                }
            }
        }
    }

    let hooks = parse_hooks(config, &mut diags);
    let analysis = parse_analysis(config, &mut diags);
    let notification_topic_arn = config
        .get("notification_topic_arn")
        .as_str()
        .map(str::to_string);
    if let Some(arn) = &notification_topic_arn {
        if !(arn.starts_with("arn:")
            && arn.split(':').nth(2) == Some("sns")
            && arn.split(':').count() == 6)
        {
            diags.push(
                Diagnostic::error(
                    format!("Invalid SNS topic ARN {arn:?}"),
                    "Set `notification_topic_arn` to an SNS topic ARN such as \"arn:aws:sns:us-east-1:123456789012:deployments\".",
                )
                .at(AttrPath::root("notification_topic_arn")),
            );
        }
    }
    (
        Settings {
            alias,
            shifting,
            alarms,
            readiness,
            delete_failed_version,
            retain_versions,
            skip_destroy,
            timeouts,
            hooks,
            analysis,
            notification_topic_arn,
        },
        diags,
    )
}

/// How long an apply may run: the configured timeout, else the schedule's waits + 30 minutes.
pub fn apply_timeout(configured: Option<Duration>, plan: &RolloutPlan) -> Duration {
    configured.unwrap_or_else(|| plan.configured_waits() + DEFAULT_EXTRA_TIMEOUT)
}

fn parse_hooks(config: &Value, diags: &mut Diagnostics) -> HookSettings {
    let mut hooks = HookSettings::default();
    let Some(block) = config.get("hooks").elements().first() else {
        return hooks;
    };
    let base = AttrPath::root("hooks").index(0);
    for (name, slot) in [
        ("before_allow_traffic", &mut hooks.before_allow_traffic),
        ("after_allow_traffic", &mut hooks.after_allow_traffic),
    ] {
        if let Some(f) = block.get(name).as_str() {
            let plain_name = !f.is_empty()
                && f.len() <= 64
                && f.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            let arn = f.starts_with("arn:") && f.split(':').nth(2) == Some("lambda");
            if plain_name || arn {
                *slot = Some(f.to_string());
            } else {
                diags.push(
                    Diagnostic::error(
                        format!("Invalid hook function {f:?}"),
                        "Name the hook by its Lambda function name (letters, digits, - and _) or its function ARN.",
                    )
                    .at(base.clone().attr(name)),
                );
            }
        }
    }
    if let Some(t) = parse_duration(block.get("timeout"), base.clone().attr("timeout"), diags) {
        if t.is_zero() || t > Duration::from_secs(15 * 60) {
            diags.push(
                Diagnostic::error(
                    "Invalid hook timeout",
                    "A hook timeout must be longer than zero and at most 15m (Lambda's own limit).",
                )
                .at(base.attr("timeout")),
            );
        } else {
            hooks.timeout = t;
        }
    }
    hooks
}

fn parse_analysis(config: &Value, diags: &mut Diagnostics) -> Option<Analysis> {
    let block = config.get("analysis").elements().first()?;
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
            0.0,
            1.0e9,
            &format!("`{name}`"),
            diags,
        )
        .map(u64::from)
    };
    a.max_errors = count("max_errors", diags);
    a.max_throttles = count("max_throttles", diags);
    if let Some(n) = count("min_invocations", diags) {
        a.min_invocations = n;
    }
    if let Some(p) = parse_duration(
        block.get("metric_period"),
        base.clone().attr("metric_period"),
        diags,
    ) {
        let secs = p.as_secs();
        if p.subsec_nanos() != 0
            || !(secs == 1
                || secs == 5
                || secs == 10
                || secs == 30
                || (secs >= 60 && secs % 60 == 0))
        {
            diags.push(
                Diagnostic::error(
                    format!(
                        "Invalid metric_period {}",
                        gitmoxi_engine::format_duration(p)
                    ),
                    "CloudWatch periods are 1s, 5s, 10s, 30s or a multiple of 60s, e.g. \"60s\".",
                )
                .at(base.clone().attr("metric_period")),
            );
        } else {
            a.metric_period = p;
        }
    }
    a.fail_without_traffic = block.get("fail_without_traffic").as_bool().unwrap_or(false);
    if a.max_error_rate.is_none()
        && a.max_errors.is_none()
        && a.max_throttles.is_none()
        && !a.fail_without_traffic
    {
        diags.push(
            Diagnostic::error(
                "analysis has nothing to check",
                "Set at least one of `max_error_rate`, `max_errors`, `max_throttles` or `fail_without_traffic`, or remove the block.",
            )
            .at(base),
        );
    }
    Some(a)
}
