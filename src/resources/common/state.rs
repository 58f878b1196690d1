//! State shapes both resources share: `last_deployment` from an engine outcome, and the private
//! drift note refresh leaves for the next plan.

use std::time::SystemTime;

use gitmoxi_engine::{AliasRouting, Outcome};

use crate::protocol::value::Value;

/// What refresh saw when the alias does not serve the deployed version at 100%. Kept in the
/// resource's private state (Terraform passes it from ReadResource to PlanResourceChange).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    pub description: String,
}

impl Drift {
    pub fn to_private(&self) -> Vec<u8> {
        serde_json::json!({ "drift": self.description })
            .to_string()
            .into_bytes()
    }

    pub fn from_private(private: &[u8]) -> Option<Drift> {
        let v: serde_json::Value = serde_json::from_slice(private).ok()?;
        Some(Drift {
            description: v.get("drift")?.as_str()?.to_string(),
        })
    }

    /// None when `routing` serves exactly `deployed` at 100%.
    pub fn detect(alias: &str, deployed: &str, routing: Option<&AliasRouting>) -> Option<Drift> {
        let Some(r) = routing else {
            return Some(Drift {
                description: format!(
                    "Alias {alias} does not exist (it was deleted outside Terraform)."
                ),
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
        })
    }
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

pub fn last_deployment(id: &str, o: &Outcome) -> Value {
    Value::object([
        ("id", Value::string(id)),
        ("status", Value::string(o.status.as_str())),
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
