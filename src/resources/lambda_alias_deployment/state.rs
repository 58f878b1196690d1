//! The resource's state, typed: the only place that knows its attribute names.

use crate::protocol::value::Value;
use crate::resources::common::state::{planned_last_deployment, Shown};

/// The attributes an apply reads back or records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AliasState {
    /// `FUNCTION_NAME:ALIAS`
    pub id: String,
    pub function_name: String,
    pub alias: String,
    /// The version the alias serves at 100% after the last successful deployment.
    pub version: String,
    /// The event sources text last reconciled on the alias.
    pub event_sources: Option<String>,
    pub alias_arn: String,
    pub invoke_arn: String,
    pub previous_version: Option<String>,
    pub rollout_schedule: Vec<String>,
    pub last_deployment: Value,
}

fn text(v: &Value, name: &str) -> Option<String> {
    v.get(name).as_str().map(str::to_string)
}

impl AliasState {
    /// None for a null state.
    pub fn read(v: &Value) -> Option<AliasState> {
        if v.is_null() {
            return None;
        }
        let schedule = v.get("rollout_schedule").elements().iter();
        Some(AliasState {
            id: text(v, "id").unwrap_or_default(),
            function_name: text(v, "function_name").unwrap_or_default(),
            alias: text(v, "alias").unwrap_or_default(),
            version: text(v, "version").unwrap_or_default(),
            event_sources: text(v, "event_sources"),
            alias_arn: text(v, "alias_arn").unwrap_or_default(),
            invoke_arn: text(v, "invoke_arn").unwrap_or_default(),
            previous_version: text(v, "previous_version"),
            rollout_schedule: schedule
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect(),
            last_deployment: v.get("last_deployment").clone(),
        })
    }

    /// `base` (the planned or the prior state) with these attributes.
    pub fn write(&self, mut base: Value) -> Value {
        let schedule = self.rollout_schedule.iter().map(Value::string).collect();
        for (name, value) in [
            ("id", Value::string(&self.id)),
            ("function_name", Value::string(&self.function_name)),
            ("alias", Value::string(&self.alias)),
            ("version", Value::string(&self.version)),
            (
                "event_sources",
                Value::opt_string(self.event_sources.clone()),
            ),
            ("alias_arn", Value::string(&self.alias_arn)),
            ("invoke_arn", Value::string(&self.invoke_arn)),
            (
                "previous_version",
                Value::opt_string(self.previous_version.clone()),
            ),
            ("rollout_schedule", Value::List(schedule)),
            ("last_deployment", self.last_deployment.clone()),
        ] {
            base.set_attr(name, value);
        }
        base
    }
}

/// What the plan decided.
#[derive(Clone, Debug, PartialEq)]
pub struct Planned {
    /// Create or replace: every computed attribute is learned at apply.
    pub new: bool,
    /// A rollout runs (a new version, or a repair of drift).
    pub rollout: bool,
    pub id: Option<String>,
    pub rollout_schedule: Option<Vec<String>>,
    pub keep_event_sources_text: bool,
    /// What the rollout starts from (None: not known at plan) and what it does.
    pub shown: (Option<Option<String>>, Option<Shown>),
}

const COMPUTED: [&str; 6] = [
    "id",
    "alias_arn",
    "invoke_arn",
    "previous_version",
    "rollout_schedule",
    "last_deployment",
];

pub fn planned(proposed: &Value, prior: &Value, p: &Planned) -> Value {
    let mut planned = proposed.clone();
    for name in COMPUTED {
        let value = if p.new {
            Value::Unknown
        } else {
            prior.get(name).clone()
        };
        planned.set_attr(name, value);
    }
    if p.rollout && !p.new {
        planned.set_attr("previous_version", Value::Unknown);
    }
    if p.rollout {
        let (from, shown) = p.shown.clone();
        planned.set_attr(
            "last_deployment",
            planned_last_deployment(from, shown.as_ref()),
        );
    }
    if p.new {
        planned.set_attr("id", p.id.clone().map_or(Value::Unknown, Value::string));
    }
    let schedule = p.rollout_schedule.as_ref().map_or(Value::Unknown, |s| {
        Value::List(s.iter().map(Value::string).collect())
    });
    planned.set_attr("rollout_schedule", schedule);
    if p.keep_event_sources_text {
        planned.set_attr("event_sources", prior.get("event_sources").clone());
    }
    planned
}

/// Whether an apply of this plan runs a rollout: the plan marked what `last_deployment` will say
/// unknown.
pub fn is_rollout(planned: &Value) -> bool {
    let last = planned.get("last_deployment");
    last.is_unknown() || last.get("status").is_unknown()
}

/// The `last_deployment` a plan shows for the rollout it plans.
pub fn planned_rollout(planned: &Value) -> &Value {
    planned.get("last_deployment")
}
