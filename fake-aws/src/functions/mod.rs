//! The account's state and the Lambda rules it enforces: functions, `$LATEST`, versions, aliases,
//! tags and code signing.
//!
//! This file holds the records and the account's setup; `lifecycle.rs` has the rules of a
//! function's life (create, update, publish, tag, delete) and `aliases.rs` those of aliases and
//! versions.

mod aliases;
mod capacity;
mod lifecycle;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use gitmoxi_engine::ports::{AlarmState, AliasRouting, AwsError, AwsErrorKind, FunctionStatus};
use tokio::time::Instant;

use super::guards::Guards;
use super::s3::Objects;
use super::sources::Sources;
use super::{error, FakeAws, Outside, Recorded, DEFAULT_FUNCTION};
use capacity::{Allocation, CapacityScript};

/// A function's code as Lambda reports it: CodeSha256 (for an image, its digest) and the image.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Code {
    pub sha256: String,
    pub image_uri: Option<String>,
}

impl Code {
    pub fn zip(sha256: &str) -> Code {
        Code {
            sha256: sha256.into(),
            image_uri: None,
        }
    }
}

/// The configuration of `$LATEST` or of a version: each field the function was given, by its
/// CreateFunction name (`Runtime`, `MemorySize`, `Environment`, …), with its value as canonical
/// JSON text. `Architectures` is one of them, but only code updates change it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Configuration(pub BTreeMap<String, String>);

impl Configuration {
    /// A configuration reduced to one opaque value, for tests that only tell releases apart.
    pub fn opaque(label: &str) -> Configuration {
        Configuration(BTreeMap::from([(
            "Handler".to_string(),
            format!("{label:?}"),
        )]))
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }
}

/// What a release pushes to `$LATEST`: code (with its architectures) and configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Release {
    pub code: Code,
    /// Canonical JSON of the Architectures list UpdateFunctionCode carries; None keeps them.
    pub architectures: Option<String>,
    /// Everything UpdateFunctionConfiguration carries.
    pub configuration: Configuration,
}

/// CreateFunction.
#[derive(Debug, Clone, Default)]
pub struct NewFunction {
    pub name: String,
    pub role: String,
    pub code: Code,
    /// Architectures included.
    pub configuration: Configuration,
    pub tags: BTreeMap<String, String>,
    pub code_signing_config_arn: Option<String>,
}

/// GetFunction of a qualifier.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionView {
    /// Unqualified.
    pub function_arn: String,
    /// `$LATEST` or the version number.
    pub version: String,
    pub code: Code,
    pub configuration: Configuration,
    pub status: FunctionStatus,
    pub tags: BTreeMap<String, String>,
    pub code_signing_config_arn: Option<String>,
}

pub(crate) struct Latest {
    pub code: Code,
    pub configuration: Configuration,
    pub revision: String,
    pub settles_at: Instant,
    pub active_at: Instant,
    pub failure: Option<String>,
}

pub(crate) struct Version {
    pub code: Code,
    pub configuration: Configuration,
    pub ready_at: Instant,
    pub failure: Option<String>,
    pub description: String,
}

pub(crate) struct Function {
    pub latest: Latest,
    pub versions: BTreeMap<u64, Version>,
    pub aliases: BTreeMap<String, AliasRouting>,
    pub tags: BTreeMap<String, String>,
    pub code_signing_config_arn: Option<String>,
    /// Provisioned concurrency by qualifier (a version or an alias).
    pub capacity: BTreeMap<String, Allocation>,
}

#[derive(Default)]
pub(crate) struct Timing {
    pub update_takes: Duration,
    pub version_pending: Duration,
    pub publish_takes: Duration,
}

pub(crate) struct World {
    pub epoch: Instant,
    revisions: u64,
    pub functions: BTreeMap<String, Function>,
    pub release: Release,
    pub timing: Timing,
    pub fail_next_update: Option<String>,
    /// Bytes the environment's variables may take as JSON (Lambda's 4 KB).
    pub environment_limit: usize,
    /// The account's unreserved concurrency (GetAccountSettings).
    pub unreserved_concurrency: u32,
    pub capacity_script: CapacityScript,
    /// Fields the next configuration update accepts but leaves as they were.
    pub ignore_fields: Vec<String>,
    pub fail_new_versions: Option<String>,
    /// Role ARN → when (since the epoch) Lambda can assume it.
    pub roles_ready_at: HashMap<String, Duration>,
    /// Role ARNs IAM does not know: GetRole says so, and Lambda refuses them as it refuses a
    /// role not yet propagated.
    pub missing_roles: HashSet<String>,
    /// Operation → (calls left, error kind, whether the call takes effect before failing).
    pub injected: HashMap<&'static str, (u32, AwsErrorKind, bool)>,
    pub alarms: BTreeMap<String, Vec<(Duration, AlarmState)>>,
    pub outside: Vec<(Duration, Outside)>,
    pub calls: Vec<Recorded>,
    pub guards: Guards,
    pub sources: Sources,
    pub objects: Objects,
}

pub(crate) const LATEST: &str = "$LATEST";
const REVISION_MISMATCH: &str = "The Revision Id provided does not match the latest Revision Id";

impl World {
    pub fn new(epoch: Instant) -> World {
        World {
            epoch,
            revisions: 1,
            functions: BTreeMap::new(),
            release: Release {
                code: Code::zip("code-new"),
                architectures: None,
                configuration: Configuration::opaque("config-new"),
            },
            timing: Timing {
                update_takes: Duration::from_secs(2),
                ..Timing::default()
            },
            fail_next_update: None,
            environment_limit: 4096,
            unreserved_concurrency: 1000,
            capacity_script: CapacityScript::default(),
            ignore_fields: Vec::new(),
            fail_new_versions: None,
            roles_ready_at: HashMap::new(),
            missing_roles: HashSet::new(),
            injected: HashMap::new(),
            alarms: BTreeMap::new(),
            outside: Vec::new(),
            calls: Vec::new(),
            guards: Guards::default(),
            sources: Sources::default(),
            objects: Objects::default(),
        }
    }

    pub fn next_revision(&mut self) -> String {
        self.revisions += 1;
        format!("rev-{}", self.revisions)
    }

    /// A settled function, as a test's starting point.
    pub fn add_function(&mut self, name: &str, code: Code, configuration: Configuration) {
        let revision = self.next_revision();
        let at = self.epoch;
        self.functions.insert(
            name.into(),
            Function {
                latest: Latest {
                    code,
                    configuration,
                    revision,
                    settles_at: at,
                    active_at: at,
                    failure: None,
                },
                versions: BTreeMap::new(),
                aliases: BTreeMap::new(),
                tags: BTreeMap::new(),
                code_signing_config_arn: None,
                capacity: BTreeMap::new(),
            },
        );
    }

    pub fn function(&self, name: &str) -> Result<&Function, AwsError> {
        self.functions.get(name).ok_or_else(|| not_found(name))
    }

    pub fn function_mut(&mut self, name: &str) -> Result<&mut Function, AwsError> {
        self.functions.get_mut(name).ok_or_else(|| not_found(name))
    }

    pub fn seed_versions(&mut self, function: &str, n: u32) {
        let now = Instant::now();
        for i in self
            .function(function)
            .map_or(0, |f| f.versions.len() as u32)
            + 1..=n
        {
            let revision = self.next_revision();
            if let Ok(f) = self.function_mut(function) {
                f.latest.code = Code::zip(&format!("code-{i}"));
                f.latest.revision = revision;
            }
            let _ = self.publish_now(function, &format!("seeded version {i}"), now);
        }
    }

    /// Applies the outside changes that are due by `now`.
    pub fn catch_up(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.epoch);
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.outside)
            .into_iter()
            .partition(|(at, _)| *at <= elapsed);
        self.outside = later;
        for (_, change) in due {
            match change {
                Outside::Alias {
                    alias,
                    version,
                    extra,
                } => {
                    let extra = extra.as_ref().map(|(v, w)| (v.as_str(), *w));
                    self.set_alias(DEFAULT_FUNCTION, &alias, &version, extra);
                }
                Outside::TouchLatest => {
                    let revision = self.next_revision();
                    let settles_at = now + self.timing.update_takes;
                    if let Ok(f) = self.function_mut(DEFAULT_FUNCTION) {
                        let touched = format!("{:?}", "touched");
                        f.latest.configuration.0.insert("Handler".into(), touched);
                        f.latest.revision = revision;
                        f.latest.settles_at = settles_at;
                    }
                }
            }
        }
    }

    pub fn alarm_states(&self, names: &[String], elapsed: Duration) -> Vec<(String, AlarmState)> {
        names
            .iter()
            .filter_map(|name| {
                let script = self.alarms.get(name)?;
                let state = script
                    .iter()
                    .rev()
                    .find(|(at, _)| *at <= elapsed)
                    .map_or(AlarmState::Ok, |(_, s)| *s);
                Some((name.clone(), state))
            })
            .collect()
    }
}

fn not_found(function: &str) -> AwsError {
    error(
        AwsErrorKind::NotFound,
        format!("Function not found: {}", FakeAws::function_arn(function)),
    )
}
