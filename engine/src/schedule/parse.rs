//! `traffic_shifting { type, percent, wait_interval, bake_time }` → [`TrafficShifting`].

use std::fmt;
use std::time::Duration;

use super::{ShiftKind, TrafficShifting};

const DEFAULT_PERCENT: u8 = 20;
const DEFAULT_WAIT: Duration = Duration::from_secs(60);

const ACCEPTED_TYPES: &str = "Use CANARY, LINEAR or ALL_AT_ONCE, or a CodeDeploy configuration \
name such as Canary10Percent5Minutes, Linear10PercentEvery1Minute or AllAtOnce (optionally prefixed \
with CodeDeployDefault. and Lambda, e.g. CodeDeployDefault.LambdaCanary10Percent5Minutes).";

/// An invalid `traffic_shifting` block, shaped like a Terraform diagnostic: `argument` names the
/// attribute inside the block so the caller can build the attribute path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleError {
    pub summary: String,
    pub detail: String,
    pub argument: Option<&'static str>,
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.summary, self.detail)
    }
}

impl std::error::Error for ScheduleError {}

fn error(argument: &'static str, summary: String, detail: String) -> ScheduleError {
    ScheduleError {
        summary,
        detail,
        argument: Some(argument),
    }
}

/// What a `type` value names: one of our three kinds, or a CodeDeploy configuration that fixes
/// percent and wait itself.
#[derive(Debug, PartialEq, Eq)]
enum TypeName {
    Plain(ShiftKind),
    CodeDeploy {
        kind: ShiftKind,
        percent: u8,
        wait: Duration,
    },
}

/// Validates the block and applies the defaults (`percent` 20, `wait_interval` 60s). `type_name`
/// None means the block is absent (or has no type): ALL_AT_ONCE with no wait.
pub fn parse_traffic_shifting(
    type_name: Option<&str>,
    percent: Option<i64>,
    wait_interval: Option<Duration>,
    bake_time: Option<Duration>,
) -> Result<TrafficShifting, ScheduleError> {
    let percent = percent.map(check_percent).transpose()?;
    let bake = bake_time.unwrap_or(Duration::ZERO);
    let Some(raw) = type_name else {
        return all_at_once(wait_interval.unwrap_or(Duration::ZERO), bake);
    };
    match parse_type(raw)? {
        TypeName::Plain(ShiftKind::AllAtOnce) => {
            all_at_once(wait_interval.unwrap_or(DEFAULT_WAIT), bake)
        }
        TypeName::Plain(kind) => Ok(TrafficShifting {
            kind,
            percent: percent.unwrap_or(DEFAULT_PERCENT),
            wait: wait_interval.unwrap_or(DEFAULT_WAIT),
            bake,
        }),
        TypeName::CodeDeploy {
            kind,
            percent: p,
            wait,
        } => {
            if percent.is_some() {
                return Err(fixed_by_name("percent", raw));
            }
            if wait_interval.is_some() {
                return Err(fixed_by_name("wait_interval", raw));
            }
            if kind == ShiftKind::AllAtOnce {
                return all_at_once(wait, bake);
            }
            Ok(TrafficShifting {
                kind,
                percent: p,
                wait,
                bake,
            })
        }
    }
}

fn all_at_once(wait: Duration, bake: Duration) -> Result<TrafficShifting, ScheduleError> {
    if !bake.is_zero() {
        return Err(error(
            "bake_time",
            "bake_time does not apply to ALL_AT_ONCE".into(),
            "ALL_AT_ONCE moves all traffic at once and then waits wait_interval with checks \
             running: that wait is its bake time. Remove bake_time and set wait_interval instead."
                .into(),
        ));
    }
    Ok(TrafficShifting {
        kind: ShiftKind::AllAtOnce,
        percent: DEFAULT_PERCENT,
        wait,
        bake: Duration::ZERO,
    })
}

fn check_percent(p: i64) -> Result<u8, ScheduleError> {
    match u8::try_from(p) {
        Ok(p @ 1..=99) => Ok(p),
        _ => Err(error(
            "percent",
            format!("percent {p} is out of range"),
            "percent is the first step of a CANARY rollout or the increment of a LINEAR one: \
             set a whole number from 1 to 99."
                .into(),
        )),
    }
}

fn fixed_by_name(argument: &'static str, name: &str) -> ScheduleError {
    error(
        argument,
        format!("{argument} conflicts with type {name:?}"),
        format!(
            "The CodeDeploy configuration name {name:?} already fixes the percent and the wait. \
             Remove {argument}, or use type CANARY or LINEAR to set it yourself."
        ),
    )
}

/// The longest wait a CodeDeploy-style name may spell: 30 days, the same bound the
/// provider puts on every duration argument.
const MAX_NAME_MINUTES: u64 = 30 * 24 * 60;

fn parse_type(raw: &str) -> Result<TypeName, ScheduleError> {
    let lower = raw.trim().to_ascii_lowercase();
    let plain = match lower.as_str() {
        "canary" => Some(ShiftKind::Canary),
        "linear" => Some(ShiftKind::Linear),
        "all_at_once" => Some(ShiftKind::AllAtOnce),
        _ => None,
    };
    if let Some(kind) = plain {
        return Ok(TypeName::Plain(kind));
    }
    let name = lower.strip_prefix("codedeploydefault.").unwrap_or(&lower);
    let name = name.strip_prefix("lambda").unwrap_or(name);
    let unknown = || {
        error(
            "type",
            format!("unknown traffic shifting type {raw:?}"),
            ACCEPTED_TYPES.into(),
        )
    };
    if name == "allatonce" {
        return Ok(TypeName::CodeDeploy {
            kind: ShiftKind::AllAtOnce,
            percent: DEFAULT_PERCENT,
            wait: Duration::ZERO,
        });
    }
    let (kind, rest) = if let Some(rest) = name.strip_prefix("canary") {
        (ShiftKind::Canary, rest)
    } else if let Some(rest) = name.strip_prefix("linear") {
        (ShiftKind::Linear, rest)
    } else {
        return Err(unknown());
    };
    let (percent, rest) = leading_number(rest).ok_or_else(unknown)?;
    let separator = if kind == ShiftKind::Canary {
        "percent"
    } else {
        "percentevery"
    };
    let rest = rest.strip_prefix(separator).ok_or_else(unknown)?;
    let (minutes, rest) = leading_number(rest).ok_or_else(unknown)?;
    if rest != "minute" && rest != "minutes" {
        return Err(unknown());
    }
    if !(1..=99).contains(&percent) {
        return Err(error(
            "type",
            format!("type {raw:?} shifts {percent}%"),
            "The percent in a CodeDeploy configuration name must be from 1 to 99, \
             e.g. Canary10Percent5Minutes."
                .into(),
        ));
    }
    if minutes == 0 {
        return Err(error(
            "type",
            format!("type {raw:?} waits 0 minutes"),
            "The minutes in a CodeDeploy configuration name must be at least 1; for no wait use \
             type CANARY or LINEAR with wait_interval = \"0s\"."
                .into(),
        ));
    }
    if minutes > MAX_NAME_MINUTES {
        return Err(error(
            "type",
            format!("type {raw:?} waits {minutes} minutes"),
            "The minutes in a CodeDeploy configuration name must be at most 43200 (30 days)."
                .into(),
        ));
    }
    Ok(TypeName::CodeDeploy {
        kind,
        percent: percent as u8,
        wait: Duration::from_secs(minutes * 60),
    })
}

/// Splits `"10percent5minutes"` into `(10, "percent5minutes")`.
fn leading_number(s: &str) -> Option<(u64, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let number = s[..end].parse().ok()?;
    Some((number, &s[end..]))
}
