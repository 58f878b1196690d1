//! State shapes both resources share: `last_deployment` (planned, and from an engine outcome),
//! and the private drift note refresh leaves for the next plan.

use std::time::SystemTime;

use gitmoxi_engine::{format_duration, AliasRouting, Outcome, RolloutPlan};

use super::capacity::schedule_lines;
use super::reconcile::Replaced;
use crate::protocol::value::Value;

/// What a resource keeps in Terraform's private state: the drift refresh saw (for the next
/// plan), and the stage variable values its API Gateway sources replaced (for their removal).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Private {
    pub drift: Option<Drift>,
    pub replaced: Replaced,
    /// A rollout an apply left running on Step Functions, as the resource notes it (its
    /// execution, and the release to put back in the state if it fails).
    pub walk: Option<serde_json::Value>,
    /// The execution refresh found still running (the plan says so).
    pub running: Option<String>,
    /// Versions a rollout left running made or replaced, for the next release to delete.
    pub leftover: Vec<String>,
}

impl Private {
    /// Anything unreadable counts as empty: private state is the provider's own.
    pub fn read(bytes: &[u8]) -> Private {
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) else {
            return Private::default();
        };
        let replaced = v
            .get("replaced")
            .and_then(|r| serde_json::from_value(r.clone()).ok())
            .unwrap_or_default();
        let texts = |key: &str| -> Vec<String> {
            let items = v.get(key).and_then(|l| l.as_array()).into_iter().flatten();
            items
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        };
        Private {
            drift: Drift::from_json(&v),
            replaced,
            walk: v.get("walk").cloned(),
            running: v
                .get("running")
                .and_then(|r| r.as_str())
                .map(str::to_string),
            leftover: texts("leftover"),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = match &self.drift {
            Some(d) => d.to_json(),
            None => serde_json::json!({}),
        };
        if !self.replaced.is_empty() {
            v["replaced"] = serde_json::to_value(&self.replaced).unwrap_or_default();
        }
        if let Some(walk) = &self.walk {
            v["walk"] = walk.clone();
        }
        if let Some(running) = &self.running {
            v["running"] = running.clone().into();
        }
        if !self.leftover.is_empty() {
            v["leftover"] = self.leftover.clone().into();
        }
        match v.as_object().is_some_and(|o| o.is_empty()) {
            true => Vec::new(),
            false => v.to_string().into_bytes(),
        }
    }

    /// After a refresh: what refresh saw, beside what was already kept.
    pub fn noting(private: &[u8], drift: Option<Drift>) -> Vec<u8> {
        Private {
            drift,
            running: None,
            ..Private::read(private)
        }
        .to_bytes()
    }

    /// After an apply: what was replaced stays, drift was dealt with.
    pub fn keeping(replaced: Replaced) -> Vec<u8> {
        Private {
            replaced,
            ..Private::default()
        }
        .to_bytes()
    }
}

/// What refresh saw when the alias does not serve the deployed version at 100%. Kept in the
/// resource's private state (Terraform passes it from ReadResource to PlanResourceChange).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    pub description: String,
    /// The version the alias serves (its main one, when it carries weights): `Some(None)` when
    /// the alias is gone, None when the note does not say (notes of older versions).
    pub serving: Option<Option<String>>,
}

impl Drift {
    pub fn to_private(&self) -> Vec<u8> {
        Private {
            drift: Some(self.clone()),
            ..Private::default()
        }
        .to_bytes()
    }

    pub fn from_private(private: &[u8]) -> Option<Drift> {
        Private::read(private).drift
    }

    fn to_json(&self) -> serde_json::Value {
        let mut note = serde_json::json!({ "drift": self.description });
        if let Some(serving) = &self.serving {
            note["serving"] = serving.clone().into();
        }
        note
    }

    fn from_json(v: &serde_json::Value) -> Option<Drift> {
        let serving = v.get("serving").map(|s| s.as_str().map(str::to_string));
        Some(Drift {
            description: v.get("drift")?.as_str()?.to_string(),
            serving,
        })
    }

    /// None when `routing` serves exactly `deployed` at 100%.
    pub fn detect(alias: &str, deployed: &str, routing: Option<&AliasRouting>) -> Option<Drift> {
        let Some(r) = routing else {
            return Some(Drift {
                description: format!(
                    "Alias {alias} does not exist (it was deleted outside Terraform)."
                ),
                serving: Some(None),
            });
        };
        if r.serves_fully(deployed) {
            return None;
        }
        Some(Drift {
            description: format!(
                "Alias {alias} routes {}, not 100% to version {deployed}.",
                describe_routing(r)
            ),
            serving: Some(Some(r.version.clone())),
        })
    }
}

/// What a rollout does, as the plan shows it and `last_deployment` records it: its steps and
/// the waits it configures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub schedule: Vec<String>,
    pub configured_duration: String,
}

impl Shown {
    /// `first_release`: nothing serves yet, so the alias is created on the new version at once,
    /// with no waits (there is nothing to shift from, or back to).
    /// `capacity`: provisioned concurrency the new version gets first (0: none).
    pub fn of(plan: &RolloutPlan, first_release: bool, capacity: u32) -> Shown {
        if first_release {
            let at_once = vec!["100% at once (first release: nothing to shift from)".into()];
            return Shown {
                schedule: schedule_lines(at_once, capacity, true),
                configured_duration: format_duration(std::time::Duration::ZERO),
            };
        }
        Shown {
            schedule: schedule_lines(plan.describe(), capacity, false),
            configured_duration: format_duration(plan.configured_waits()),
        }
    }

    /// What a planned `last_deployment` shows, when the plan knew it.
    pub fn read(last_deployment: &Value) -> Option<Shown> {
        let schedule = last_deployment.get("schedule");
        let duration = last_deployment.get("configured_duration").as_str()?;
        if schedule.is_unknown() || schedule.is_null() {
            return None;
        }
        let steps = schedule.elements().iter();
        Some(Shown {
            schedule: steps
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect(),
            configured_duration: duration.to_string(),
        })
    }
}

/// What the plan says a rollout starts from (`from_version`): None when it cannot tell.
pub fn planned_from(last_deployment: &Value) -> Option<Option<String>> {
    let Value::Object(_) = last_deployment else {
        return None;
    };
    match last_deployment.get("from_version") {
        Value::Unknown => None,
        v => Some(v.as_str().map(str::to_string)),
    }
}

/// The `last_deployment` a plan shows for a rollout: where it starts and what it will do, the
/// rest known after apply.
pub fn planned_last_deployment(from: Option<Option<String>>, shown: Option<&Shown>) -> Value {
    let u = || Value::Unknown;
    let from = match from {
        None => u(),
        Some(v) => Value::opt_string(v),
    };
    let (schedule, duration) = match shown {
        Some(s) => (
            Value::List(s.schedule.iter().map(Value::string).collect()),
            Value::string(&s.configured_duration),
        ),
        None => (u(), u()),
    };
    Value::object([
        ("id", u()),
        ("status", u()),
        ("from_version", from),
        ("to_version", u()),
        ("started_at", u()),
        ("finished_at", u()),
        ("reason", u()),
        ("failed_check", u()),
        ("steps", u()),
        ("schedule", schedule),
        ("configured_duration", duration),
        ("execution_arn", u()),
    ])
}

pub fn describe_routing(r: &AliasRouting) -> String {
    match &r.extra {
        Some((v, w)) if *w > 0.0 => {
            let extra = (w * 100.0).round();
            format!(
                "{}% to version {} and {extra}% to version {v}",
                100.0 - extra,
                r.version
            )
        }
        _ => format!("100% to version {}", r.version),
    }
}

pub fn timestamp(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

pub fn last_deployment(id: &str, o: &Outcome, shown: &Shown) -> Value {
    Value::object([
        (
            "schedule",
            Value::List(shown.schedule.iter().map(Value::string).collect()),
        ),
        (
            "configured_duration",
            Value::string(&shown.configured_duration),
        ),
        ("id", Value::string(id)),
        ("status", Value::string(o.status.as_str())),
        ("execution_arn", Value::opt_string(o.walk.clone())),
        ("from_version", Value::opt_string(o.from_version.clone())),
        ("to_version", Value::opt_string(o.to_version.clone())),
        ("started_at", Value::string(timestamp(o.started_at))),
        ("finished_at", Value::string(timestamp(o.finished_at))),
        ("reason", Value::opt_string(o.reason.clone())),
        ("failed_check", Value::opt_string(o.failed_check.clone())),
        (
            "steps",
            Value::List(
                o.steps
                    .iter()
                    .map(|s| {
                        Value::object([
                            ("weight_percent", Value::Number(f64::from(s.weight_percent))),
                            ("at", Value::string(timestamp(s.at))),
                        ])
                    })
                    .collect(),
            ),
        ),
    ])
}

/// A deployment id: the function, and the start time in milliseconds, unique enough per function.
pub fn new_deployment_id(function: &str) -> String {
    let ms = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    format!("d-{function}-{ms}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routing(version: &str, extra: Option<(&str, f64)>) -> AliasRouting {
        AliasRouting {
            version: version.into(),
            extra: extra.map(|(v, w)| (v.into(), w)),
            revision_id: "r".into(),
        }
    }

    #[test]
    fn drift_is_detected_for_weights_other_versions_and_missing_alias() {
        assert_eq!(Drift::detect("live", "3", Some(&routing("3", None))), None);
        let d = Drift::detect("live", "3", Some(&routing("3", Some(("4", 0.2))))).unwrap();
        assert_eq!(
            d.description,
            "Alias live routes 80% to version 3 and 20% to version 4, not 100% to version 3."
        );
        assert!(Drift::detect("live", "3", Some(&routing("2", None))).is_some());
        assert!(Drift::detect("live", "3", None)
            .unwrap()
            .description
            .contains("does not exist"));
        let back = Drift::from_private(&d.to_private()).unwrap();
        assert_eq!(back, d);
        assert_eq!(Drift::from_private(b""), None);
    }
}

#[cfg(test)]
mod private_tests {
    use super::*;

    #[test]
    fn private_state_keeps_drift_and_replaced_values_apart() {
        let drift = Drift {
            description: "moved".into(),
            serving: Some(Some("3".into())),
        };
        let replaced: Replaced = [
            ("api/prod/alias".to_string(), Some("blue".to_string())),
            ("api/dev/alias".to_string(), None),
        ]
        .into();
        let kept = Private::keeping(replaced.clone());
        let noted = Private::noting(&kept, Some(drift.clone()));
        let back = Private::read(&noted);
        assert_eq!(back.drift, Some(drift));
        assert_eq!(back.replaced, replaced);
        assert!(Private::keeping(Replaced::new()).is_empty());
        assert_eq!(Private::read(b"not json"), Private::default());
    }
}
