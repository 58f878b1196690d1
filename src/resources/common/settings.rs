//! The rollout settings of a configuration, read into the model's [`Settings`]. Every error names
//! its argument's path and says how to fix it; unknown values are skipped here and checked again
//! at apply.

use gitmoxi_engine::{parse_traffic_shifting, Readiness, RolloutPlan, TrafficShifting};

use super::guards::{parse_analysis, parse_hooks, parse_topic};
use super::orchestrator;
use super::values::{duration, string, whole_number};
use crate::model::settings::{Settings, Timeouts, MAX_ALARMS};
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::value::Value;

/// Reads every rollout setting of `config`.
pub fn parse(config: &Value) -> (Settings, Diagnostics) {
    let mut diags = Diagnostics::default();
    let alias = string(config.get("alias"));
    if let Some(a) = &alias {
        if let Err(d) = validate_alias(a) {
            diags.push(d);
        }
    }
    let shifting = parse_shifting(config.get("traffic_shifting"), &mut diags);
    let plan = shifting.as_ref().map(RolloutPlan::new);
    let settings = Settings {
        alias,
        alarms: parse_alarms(config.get("alarms"), &mut diags),
        readiness: parse_readiness(config.get("readiness_check"), &mut diags),
        delete_failed_version: config
            .get("delete_failed_version")
            .as_bool()
            .unwrap_or(true),
        retain_versions: whole_number(
            config.get("retain_versions"),
            AttrPath::root("retain_versions"),
            (0.0, 1000.0),
            &mut diags,
        ),
        skip_destroy: config.get("skip_destroy").as_bool().unwrap_or(false),
        timeouts: parse_timeouts(config.get("timeouts"), plan.as_ref(), &mut diags),
        hooks: parse_hooks(config.get("hooks"), &mut diags),
        analysis: parse_analysis(config.get("analysis"), &mut diags),
        notification_topic_arn: parse_topic(config.get("notification_topic_arn"), &mut diags),
        provisioned_concurrency: whole_number(
            config.get("provisioned_concurrency"),
            AttrPath::root("provisioned_concurrency"),
            (0.0, 100_000.0),
            &mut diags,
        )
        .unwrap_or(0),
        orchestrator: orchestrator::parse(
            config.get("orchestrator"),
            AttrPath::root("orchestrator"),
            &mut diags,
        ),
        wait_for_rollout: config.get("wait_for_rollout").as_bool().unwrap_or(true),
        shifting,
    };
    (settings, diags)
}

pub fn validate_alias(alias: &str) -> Result<(), Diagnostic> {
    let fix = "Use 1 to 128 letters, digits, '-' or '_', not only digits (a version number) and \
               not $LATEST, e.g. \"live\".";
    if alias == "$LATEST" || alias.chars().all(|c| c.is_ascii_digit()) {
        return Err(
            Diagnostic::error(format!("Alias {alias:?} is not an alias name"), fix)
                .at(AttrPath::root("alias")),
        );
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if alias.is_empty() || alias.len() > 128 || !alias.chars().all(allowed) {
        return Err(
            Diagnostic::error(format!("Invalid alias name {alias:?}"), fix)
                .at(AttrPath::root("alias")),
        );
    }
    Ok(())
}

/// `traffic_shifting`: None when part of the block is unknown (or invalid).
fn parse_shifting(v: &Value, diags: &mut Diagnostics) -> Option<TrafficShifting> {
    let Some(block) = v.elements().first() else {
        if v.is_unknown() {
            return None;
        }
        return parse_traffic_shifting(None, None, None, None).ok();
    };
    let base = AttrPath::root("traffic_shifting").index(0);
    let any_unknown = ["type", "percent", "wait_interval", "bake_time"]
        .iter()
        .any(|k| block.get(k).is_unknown());
    let wait = duration(
        block.get("wait_interval"),
        base.clone().attr("wait_interval"),
        diags,
    );
    let bake = duration(
        block.get("bake_time"),
        base.clone().attr("bake_time"),
        diags,
    );
    let percent = block.get("percent").as_f64();
    if let Some(p) = percent.filter(|p| p.fract() != 0.0) {
        diags.push(
            Diagnostic::error(
                format!("Invalid percent {p}"),
                "`percent` must be a whole number from 1 to 99.",
            )
            .at(base.clone().attr("percent")),
        );
    }
    if any_unknown {
        return None;
    }
    if block.get("type").is_null() {
        diags.push(
            Diagnostic::error(
                "traffic_shifting needs a type",
                "Set `type` to CANARY, LINEAR or ALL_AT_ONCE, or to a CodeDeploy configuration \
                 name such as Canary10Percent5Minutes. Without it, `percent` and `wait_interval` \
                 would be ignored; remove the whole block for ALL_AT_ONCE with no wait.",
            )
            .at(base.attr("type")),
        );
        return None;
    }
    let kind = block.get("type").as_str();
    match parse_traffic_shifting(kind, percent.map(|p| p as i64), wait, bake) {
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

fn parse_alarms(v: &Value, diags: &mut Diagnostics) -> Vec<String> {
    let values = v.elements();
    let path = |i: usize| AttrPath::root("alarms").index(i as i64);
    if values.len() > MAX_ALARMS {
        diags.push(
            Diagnostic::error(
                format!("Too many alarms ({})", values.len()),
                format!(
                    "At most {MAX_ALARMS} alarms can be watched; combine them into a composite alarm."
                ),
            )
            .at(AttrPath::root("alarms")),
        );
    }
    let mut alarms: Vec<String> = Vec::new();
    for (i, a) in values.iter().enumerate() {
        let problem = match a {
            Value::String(s) if s.trim().is_empty() || s.len() > 255 => Some((
                "Invalid alarm name".to_string(),
                "Alarm names are 1 to 255 characters; remove the empty entry.",
            )),
            Value::String(s) if alarms.contains(s) => Some((
                format!("Alarm {s:?} is listed twice"),
                "List each alarm once.",
            )),
            Value::Null => Some((
                "Null alarm name".to_string(),
                "Remove the null entry from `alarms`.",
            )),
            _ => None,
        };
        match (problem, a) {
            (Some((summary, detail)), _) => {
                diags.push(Diagnostic::error(summary, detail).at(path(i)))
            }
            (None, Value::String(s)) => alarms.push(s.clone()),
            _ => {}
        }
    }
    alarms
}

fn parse_readiness(v: &Value, diags: &mut Diagnostics) -> Readiness {
    let mut readiness = Readiness::default();
    let Some(block) = v.elements().first() else {
        return readiness;
    };
    let base = AttrPath::root("readiness_check").index(0);
    let wait_path = base.clone().attr("wait_interval");
    match duration(block.get("wait_interval"), wait_path.clone(), diags) {
        Some(d) if d.is_zero() => diags.push(
            Diagnostic::error(
                "Invalid wait_interval 0s",
                "`wait_interval` must be longer than zero, e.g. \"10s\".",
            )
            .at(wait_path),
        ),
        Some(d) => readiness.wait_interval = d,
        None => {}
    }
    let retries_path = base.clone().attr("max_retries");
    if let Some(n) = whole_number(block.get("max_retries"), retries_path, (1.0, 1000.0), diags) {
        readiness.max_retries = n;
    }
    readiness.timeout = duration(block.get("timeout"), base.attr("timeout"), diags);
    readiness
}

fn parse_timeouts(v: &Value, plan: Option<&RolloutPlan>, diags: &mut Diagnostics) -> Timeouts {
    let Some(block) = v.elements().first() else {
        return Timeouts::default();
    };
    let base = AttrPath::root("timeouts").index(0);
    let read = |name: &str, diags: &mut Diagnostics| {
        duration(block.get(name), base.clone().attr(name), diags)
    };
    let timeouts = Timeouts {
        create: read("create", diags),
        update: read("update", diags),
        delete: read("delete", diags),
    };
    let Some(waits) = plan.map(RolloutPlan::configured_waits) else {
        return timeouts;
    };
    for (name, t) in [("create", timeouts.create), ("update", timeouts.update)] {
        let Some(t) = t.filter(|t| *t < waits) else {
            continue;
        };
        diags.push(
            Diagnostic::error(
                format!("The {name} timeout is shorter than the rollout's waits"),
                format!(
                    "The rollout waits {} in all, so a {name} timeout of {} would always roll \
                     back. Set `timeouts.{name}` to at least the waits plus a margin, or remove \
                     it to use the default (waits + 30m).",
                    gitmoxi_engine::format_duration(waits),
                    gitmoxi_engine::format_duration(t)
                ),
            )
            .at(base.clone().attr(name)),
        );
    }
    timeouts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shifting(block: Value) -> (Option<TrafficShifting>, Diagnostics) {
        let mut diags = Diagnostics::default();
        let parsed = parse_shifting(&Value::List(vec![block]), &mut diags);
        (parsed, diags)
    }

    fn block(kind: Value, percent: Value) -> Value {
        Value::object([
            ("type", kind),
            ("percent", percent),
            ("wait_interval", Value::string("5m")),
            ("bake_time", Value::Null),
        ])
    }

    #[test]
    fn a_block_without_type_is_an_error_naming_type() {
        let (parsed, diags) = shifting(block(Value::Null, Value::Number(10.0)));
        assert!(parsed.is_none());
        let d = &diags.0[0];
        assert_eq!(d.summary, "traffic_shifting needs a type");
        assert_eq!(
            d.path.as_ref().map(|p| p.to_string()),
            Some("traffic_shifting[0].type".into())
        );
    }

    #[test]
    fn no_block_is_all_at_once_and_an_unknown_type_waits_for_apply() {
        let mut diags = Diagnostics::default();
        let none = parse_shifting(&Value::List(vec![]), &mut diags).unwrap();
        assert_eq!(RolloutPlan::new(&none).describe(), ["100%"]);
        let (parsed, diags) = shifting(block(Value::Unknown, Value::Number(10.0)));
        assert!(parsed.is_none() && diags.is_empty());
        let (parsed, diags) = shifting(block(Value::string("CANARY"), Value::Number(10.0)));
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            RolloutPlan::new(&parsed.unwrap()).describe(),
            ["10% for 5m0s", "100%"]
        );
    }
}
