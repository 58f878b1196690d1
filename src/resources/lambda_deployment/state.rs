//! The resource's state, typed: the only place that knows its attribute names. Arguments the
//! apply never changes (the settings blocks) pass through untouched in the underlying value.

use crate::protocol::value::Value;
use crate::resources::common::state::{planned_last_deployment, Shown};

/// The attributes an apply reads back or records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeploymentState {
    /// `id`: the function's name.
    pub function_name: String,
    /// The definition text last deployed successfully.
    pub function_definition: Option<String>,
    pub source_code_hash: Option<String>,
    /// `sensitive_environment` as last deployed (compared with the configuration's as a whole).
    pub sensitive_environment: Value,
    /// `sensitive_environment_wo_version` as last deployed (the values themselves are never
    /// stored).
    pub sensitive_environment_wo_version: Value,
    /// The event sources text last reconciled on the alias.
    pub event_sources: Option<String>,
    pub alias: String,
    pub function_arn: String,
    pub alias_arn: String,
    pub invoke_arn: String,
    /// The version the alias serves at 100% after the last successful deployment.
    pub version: String,
    pub previous_version: Option<String>,
    pub code_sha256: String,
    pub rollout_schedule: Vec<String>,
    /// The `last_deployment` object (see `common::state::last_deployment`).
    pub last_deployment: Value,
    /// What the last create left undone after its release went out.
    pub pending: Vec<Pending>,
}

/// Work a create could not finish after its release went out. Stored as `what: cause`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pending {
    Tags(String),
    EventSources(String),
}

impl Pending {
    fn to_text(&self) -> String {
        match self {
            Pending::Tags(cause) => format!("tags: {cause}"),
            Pending::EventSources(cause) => format!("event_sources: {cause}"),
        }
    }

    fn parse(text: &str) -> Option<Pending> {
        let (what, cause) = text.split_once(": ").unwrap_or((text, ""));
        match what {
            "tags" => Some(Pending::Tags(cause.into())),
            "event_sources" => Some(Pending::EventSources(cause.into())),
            _ => None,
        }
    }
}

impl DeploymentState {
    pub fn tags_pending(&self) -> bool {
        self.pending.iter().any(|p| matches!(p, Pending::Tags(_)))
    }

    pub fn event_sources_pending(&self) -> bool {
        self.pending
            .iter()
            .any(|p| matches!(p, Pending::EventSources(_)))
    }
}

fn text(v: &Value, name: &str) -> Option<String> {
    v.get(name).as_str().map(str::to_string)
}

impl DeploymentState {
    /// None for a null state (nothing exists yet).
    pub fn read(v: &Value) -> Option<DeploymentState> {
        if v.is_null() {
            return None;
        }
        let schedule = v.get("rollout_schedule").elements().iter();
        Some(DeploymentState {
            function_name: text(v, "id").unwrap_or_default(),
            function_definition: text(v, "function_definition"),
            source_code_hash: text(v, "source_code_hash"),
            sensitive_environment: v.get("sensitive_environment").clone(),
            sensitive_environment_wo_version: v.get("sensitive_environment_wo_version").clone(),
            event_sources: text(v, "event_sources"),
            alias: text(v, "alias").unwrap_or_default(),
            function_arn: text(v, "function_arn").unwrap_or_default(),
            alias_arn: text(v, "alias_arn").unwrap_or_default(),
            invoke_arn: text(v, "invoke_arn").unwrap_or_default(),
            version: text(v, "version").unwrap_or_default(),
            previous_version: text(v, "previous_version"),
            code_sha256: text(v, "code_sha256").unwrap_or_default(),
            rollout_schedule: schedule
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect(),
            last_deployment: v.get("last_deployment").clone(),
            pending: v
                .get("pending")
                .elements()
                .iter()
                .filter_map(|p| Pending::parse(p.as_str()?))
                .collect(),
        })
    }

    /// `base` (the planned or the prior state) with these attributes.
    pub fn write(&self, mut base: Value) -> Value {
        let opt = |s: &Option<String>| Value::opt_string(s.clone());
        let schedule = self.rollout_schedule.iter().map(Value::string).collect();
        // Nothing pending is null, so states from before the attribute existed plan no change.
        let pending = match self.pending.is_empty() {
            true => Value::Null,
            false => Value::List(
                self.pending
                    .iter()
                    .map(|p| Value::string(p.to_text()))
                    .collect(),
            ),
        };
        for (name, value) in [
            ("id", Value::string(&self.function_name)),
            ("function_definition", opt(&self.function_definition)),
            ("source_code_hash", opt(&self.source_code_hash)),
            ("sensitive_environment", self.sensitive_environment.clone()),
            (
                "sensitive_environment_wo_version",
                self.sensitive_environment_wo_version.clone(),
            ),
            ("event_sources", opt(&self.event_sources)),
            ("alias", Value::string(&self.alias)),
            ("function_arn", Value::string(&self.function_arn)),
            ("alias_arn", Value::string(&self.alias_arn)),
            ("invoke_arn", Value::string(&self.invoke_arn)),
            ("version", Value::string(&self.version)),
            ("previous_version", opt(&self.previous_version)),
            ("code_sha256", Value::string(&self.code_sha256)),
            ("rollout_schedule", Value::List(schedule)),
            ("last_deployment", self.last_deployment.clone()),
            ("pending", pending),
        ] {
            base.set_attr(name, value);
        }
        base
    }
}

/// What the plan decided, as the planned state shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Planned {
    pub change: Change,
    /// `id`: the function's name, when the definition is known.
    pub function_name: Option<String>,
    pub source_code_hash: PlannedHash,
    /// The steps the rollout takes (None: unknown until apply).
    pub rollout_schedule: Option<Vec<String>>,
    /// Keep the stored text when the declared one is equal but written differently.
    pub keep_definition_text: bool,
    pub keep_event_sources_text: bool,
    /// The prior state has pending work: the plan empties the list, so the apply does it.
    pub clear_pending: bool,
    /// For a rollout: what it starts from (None: not known at plan) and what it does.
    pub rollout: Option<(Option<Option<String>>, Option<Shown>)>,
}

/// `source_code_hash` in the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlannedHash {
    /// The user's value, as configured.
    Given,
    /// Ours: the package's hash, or what the state had (None: null).
    Known(Option<String>),
    /// Ours, learned at apply.
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Create or replace: every computed attribute is learned at apply.
    New,
    /// An update; `deployment` rolls out a new version, `alias_renamed` moves the alias.
    Update {
        deployment: bool,
        alias_renamed: bool,
    },
}

/// Computed attributes a deployment changes.
const DEPLOYMENT_COMPUTED: [&str; 4] = [
    "version",
    "previous_version",
    "code_sha256",
    "last_deployment",
];
const ALL_COMPUTED: [&str; 10] = [
    "id",
    "function_arn",
    "alias_arn",
    "invoke_arn",
    "version",
    "previous_version",
    "code_sha256",
    "rollout_schedule",
    "last_deployment",
    "pending",
];

/// The planned state: the proposed one (the configuration) with the computed attributes known
/// where they keep their value and unknown where the apply will set them.
pub fn planned(proposed: &Value, prior: &Value, p: &Planned) -> Value {
    let mut planned = proposed.clone();
    let unknown = |planned: &mut Value, names: &[&str]| {
        names
            .iter()
            .for_each(|n| planned.set_attr(n, Value::Unknown))
    };
    match p.change {
        Change::New => unknown(&mut planned, &ALL_COMPUTED),
        Change::Update {
            deployment,
            alias_renamed,
        } => {
            for name in ALL_COMPUTED {
                planned.set_attr(name, prior.get(name).clone());
            }
            if deployment {
                unknown(&mut planned, &DEPLOYMENT_COMPUTED);
            }
            if alias_renamed {
                unknown(&mut planned, &["alias_arn", "invoke_arn"]);
            }
        }
    }
    if let Some(name) = &p.function_name {
        planned.set_attr("id", Value::string(name));
    }
    match &p.source_code_hash {
        PlannedHash::Given => {}
        PlannedHash::Known(hash) => {
            planned.set_attr("source_code_hash", Value::opt_string(hash.clone()))
        }
        PlannedHash::Unknown => planned.set_attr("source_code_hash", Value::Unknown),
    }
    if let Some((from, shown)) = &p.rollout {
        planned.set_attr(
            "last_deployment",
            planned_last_deployment(from.clone(), shown.as_ref()),
        );
    }
    let schedule = p.rollout_schedule.as_ref().map_or(Value::Unknown, |s| {
        Value::List(s.iter().map(Value::string).collect())
    });
    planned.set_attr("rollout_schedule", schedule);
    if p.clear_pending {
        planned.set_attr("pending", Value::Null);
    }
    for (keep, name) in [
        (p.keep_definition_text, "function_definition"),
        (p.keep_event_sources_text, "event_sources"),
    ] {
        if keep {
            planned.set_attr(name, prior.get(name).clone());
        }
    }
    planned
}

/// The `last_deployment` a plan shows for the rollout it plans.
pub fn planned_rollout(planned: &Value) -> &Value {
    planned.get("last_deployment")
}

/// Whether an apply of this plan runs a rollout: the plan marked `version` unknown.
pub fn is_deployment(planned: &Value) -> bool {
    planned.get("version").is_unknown()
}
