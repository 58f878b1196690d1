//! The account's state and the Lambda rules it enforces: functions, `$LATEST`, versions, aliases,
//! tags and code signing.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use gitmoxi_engine::ports::{
    AlarmState, AliasRouting, AwsError, AwsErrorKind, FunctionStatus, PublishedVersion,
};
use tokio::time::Instant;

use super::guards::Guards;
use super::s3::Objects;
use super::sources::Sources;
use super::{error, FakeAws, Outside, Recorded, DEFAULT_FUNCTION};

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
            "Description".to_string(),
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
}

pub(crate) struct Function {
    pub latest: Latest,
    pub versions: BTreeMap<u64, Version>,
    pub aliases: BTreeMap<String, AliasRouting>,
    pub tags: BTreeMap<String, String>,
    pub code_signing_config_arn: Option<String>,
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
    pub fail_new_versions: Option<String>,
    /// Role ARN → when (since the epoch) Lambda can assume it.
    pub roles_ready_at: HashMap<String, Duration>,
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
            fail_new_versions: None,
            roles_ready_at: HashMap::new(),
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
            let _ = self.publish_now(function, now);
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
                    if let Ok(f) = self.function_mut(DEFAULT_FUNCTION) {
                        let touched = format!("{:?}", "touched");
                        f.latest
                            .configuration
                            .0
                            .insert("Description".into(), touched);
                        f.latest.revision = revision;
                    }
                }
            }
        }
    }

    pub fn set_alias(
        &mut self,
        function: &str,
        alias: &str,
        version: &str,
        extra: Option<(&str, f64)>,
    ) {
        let revision_id = self.next_revision();
        if let Ok(f) = self.function_mut(function) {
            f.aliases.insert(
                alias.into(),
                AliasRouting {
                    version: version.into(),
                    extra: extra.map(|(v, w)| (v.into(), w)),
                    revision_id,
                },
            );
        }
    }

    fn role_ready(&self, role: &str, now: Instant) -> Result<(), AwsError> {
        match self.roles_ready_at.get(role) {
            Some(at) if now.saturating_duration_since(self.epoch) < *at => Err(error(
                AwsErrorKind::Propagating,
                "The role defined for the function cannot be assumed by Lambda.",
            )),
            _ => Ok(()),
        }
    }

    pub fn create_function(&mut self, spec: NewFunction, now: Instant) -> Result<(), AwsError> {
        if self.functions.contains_key(&spec.name) {
            return Err(error(
                AwsErrorKind::InUse,
                format!("Function already exist: {}", spec.name),
            ));
        }
        self.role_ready(&spec.role, now)?;
        let revision = self.next_revision();
        let pending = self.timing.version_pending;
        self.functions.insert(
            spec.name.clone(),
            Function {
                latest: Latest {
                    code: spec.code,
                    configuration: spec.configuration,
                    revision,
                    settles_at: now,
                    active_at: now + pending,
                    failure: None,
                },
                versions: BTreeMap::new(),
                aliases: BTreeMap::new(),
                tags: spec.tags,
                code_signing_config_arn: spec.code_signing_config_arn,
            },
        );
        Ok(())
    }

    pub fn view(
        &self,
        function: &str,
        qualifier: &str,
        now: Instant,
    ) -> Result<FunctionView, AwsError> {
        let f = self.function(function)?;
        let status = self.status(function, qualifier, now)?;
        let version = self.resolve(function, qualifier)?;
        let (code, configuration) = match version {
            None => (f.latest.code.clone(), f.latest.configuration.clone()),
            Some(n) => {
                let v = &f.versions[&n];
                (v.code.clone(), v.configuration.clone())
            }
        };
        Ok(FunctionView {
            function_arn: FakeAws::function_arn(function),
            version: version.map_or_else(|| LATEST.to_string(), |n| n.to_string()),
            code,
            configuration,
            status,
            tags: f.tags.clone(),
            code_signing_config_arn: f.code_signing_config_arn.clone(),
        })
    }

    /// `$LATEST` → None, a version or an alias → the version number it stands for.
    fn resolve(&self, function: &str, qualifier: &str) -> Result<Option<u64>, AwsError> {
        let f = self.function(function)?;
        if qualifier == LATEST {
            return Ok(None);
        }
        let n = match qualifier.parse::<u64>() {
            Ok(n) => n,
            Err(_) => {
                let alias = f.aliases.get(qualifier).ok_or_else(|| {
                    error(
                        AwsErrorKind::NotFound,
                        format!("alias {qualifier} not found"),
                    )
                })?;
                alias.version.parse::<u64>().unwrap_or_default()
            }
        };
        f.versions
            .contains_key(&n)
            .then_some(Some(n))
            .ok_or_else(|| {
                error(
                    AwsErrorKind::NotFound,
                    format!("version {qualifier} not found"),
                )
            })
    }

    pub fn status(
        &self,
        function: &str,
        qualifier: &str,
        now: Instant,
    ) -> Result<FunctionStatus, AwsError> {
        let f = self.function(function)?;
        let Some(n) = self.resolve(function, qualifier)? else {
            let l = &f.latest;
            let (update, reason) = match (&l.failure, now < l.settles_at) {
                (_, true) => ("InProgress", None),
                (Some(reason), false) => ("Failed", Some(reason.clone())),
                (None, false) => ("Successful", None),
            };
            let state = if now < l.active_at {
                "Pending"
            } else {
                "Active"
            };
            return Ok(FunctionStatus {
                state: state.into(),
                state_reason: None,
                last_update_status: Some(update.into()),
                last_update_reason: reason,
                revision_id: l.revision.clone(),
                code_sha256: l.code.sha256.clone(),
            });
        };
        let v = &f.versions[&n];
        let (state, reason) = match (&v.failure, now < v.ready_at) {
            (_, true) => (
                "Pending",
                Some("The function is being created.".to_string()),
            ),
            (Some(reason), false) => ("Failed", Some(reason.clone())),
            (None, false) => ("Active", None),
        };
        Ok(FunctionStatus {
            state: state.into(),
            state_reason: reason,
            last_update_status: Some("Successful".into()),
            last_update_reason: None,
            revision_id: format!("version-{n}"),
            code_sha256: v.code.sha256.clone(),
        })
    }

    fn start_update(&mut self, function: &str, now: Instant) -> Result<(), AwsError> {
        let f = self.function(function)?;
        if now < f.latest.settles_at || now < f.latest.active_at {
            return Err(error(
                AwsErrorKind::InUse,
                "The operation cannot be performed at this time. An update is in progress",
            ));
        }
        Ok(())
    }

    fn finish_update(&mut self, function: &str, now: Instant) -> Result<(), AwsError> {
        let revision = self.next_revision();
        let failure = self.fail_next_update.take();
        let takes = self.timing.update_takes;
        let f = self.function_mut(function)?;
        f.latest.revision = revision;
        f.latest.settles_at = now + takes;
        f.latest.failure = failure;
        Ok(())
    }

    pub fn update_code(
        &mut self,
        function: &str,
        code: Code,
        architectures: Option<String>,
        now: Instant,
    ) -> Result<(), AwsError> {
        self.start_update(function, now)?;
        let f = self.function_mut(function)?;
        f.latest.code = code;
        if let Some(a) = architectures {
            f.latest.configuration.0.insert("Architectures".into(), a);
        }
        self.finish_update(function, now)
    }

    pub fn update_configuration(
        &mut self,
        function: &str,
        configuration: Configuration,
        now: Instant,
    ) -> Result<(), AwsError> {
        if let Some(field) = [
            "Architectures",
            "Code",
            "CodeSigningConfigArn",
            "Tags",
            "PackageType",
        ]
        .into_iter()
        .find(|k| configuration.0.contains_key(*k))
        {
            return Err(error(
                AwsErrorKind::Invalid,
                format!("UpdateFunctionConfiguration has no parameter {field}"),
            ));
        }
        self.start_update(function, now)?;
        if let Some(role) = configuration
            .get("Role")
            .map(|r| r.trim_matches('"').to_string())
        {
            self.role_ready(&role, now)?;
        }
        let f = self.function_mut(function)?;
        // Architectures belong to the code; every other field is replaced.
        let architectures = f.latest.configuration.0.remove("Architectures");
        f.latest.configuration = configuration;
        if let Some(a) = architectures {
            f.latest.configuration.0.insert("Architectures".into(), a);
        }
        self.finish_update(function, now)
    }

    pub fn publish(
        &mut self,
        function: &str,
        revision_id: &str,
        now: Instant,
    ) -> Result<PublishedVersion, AwsError> {
        let f = self.function(function)?;
        if now < f.latest.settles_at {
            return Err(error(AwsErrorKind::InUse, "An update is in progress"));
        }
        if revision_id != f.latest.revision {
            return Err(error(AwsErrorKind::Conflict, REVISION_MISMATCH));
        }
        self.publish_now(function, now)
    }

    /// Lambda publishes nothing when `$LATEST` equals the latest version: it answers with that
    /// version.
    pub fn publish_now(
        &mut self,
        function: &str,
        now: Instant,
    ) -> Result<PublishedVersion, AwsError> {
        let pending = self.timing.version_pending;
        let failure = self.fail_new_versions.clone();
        let f = self.function_mut(function)?;
        let unchanged =
            f.versions.iter().next_back().filter(|(_, v)| {
                v.code == f.latest.code && v.configuration == f.latest.configuration
            });
        if let Some((n, v)) = unchanged {
            return Ok(PublishedVersion {
                version: n.to_string(),
                code_sha256: v.code.sha256.clone(),
            });
        }
        let n = f.versions.keys().next_back().map_or(1, |n| n + 1);
        f.versions.insert(
            n,
            Version {
                code: f.latest.code.clone(),
                configuration: f.latest.configuration.clone(),
                ready_at: now + pending,
                failure,
            },
        );
        Ok(PublishedVersion {
            version: n.to_string(),
            code_sha256: f.latest.code.sha256.clone(),
        })
    }

    fn check_version(&self, function: &str, version: &str) -> Result<(), AwsError> {
        let f = self.function(function)?;
        match version
            .parse::<u64>()
            .ok()
            .filter(|n| f.versions.contains_key(n))
        {
            Some(_) => Ok(()),
            None => Err(error(
                AwsErrorKind::NotFound,
                format!("version {version} not found"),
            )),
        }
    }

    pub fn create_alias(
        &mut self,
        function: &str,
        alias: &str,
        version: &str,
    ) -> Result<AliasRouting, AwsError> {
        self.check_version(function, version)?;
        if self.function(function)?.aliases.contains_key(alias) {
            return Err(error(
                AwsErrorKind::InUse,
                format!("Alias already exists: {alias}"),
            ));
        }
        self.set_alias(function, alias, version, None);
        Ok(self.function(function)?.aliases[alias].clone())
    }

    pub fn shift_alias(
        &mut self,
        function: &str,
        alias: &str,
        version: &str,
        extra: Option<(&str, f64)>,
        revision_id: &str,
    ) -> Result<AliasRouting, AwsError> {
        let current = self
            .function(function)?
            .aliases
            .get(alias)
            .ok_or_else(|| error(AwsErrorKind::NotFound, format!("alias {alias} not found")))?;
        if current.revision_id != revision_id {
            return Err(error(AwsErrorKind::Conflict, REVISION_MISMATCH));
        }
        self.check_version(function, version)?;
        if let Some((v, w)) = extra {
            self.check_version(function, v)?;
            if v == version || !(0.0..=1.0).contains(&w) {
                return Err(error(AwsErrorKind::Invalid, "invalid RoutingConfig"));
            }
        }
        self.set_alias(function, alias, version, extra);
        Ok(self.function(function)?.aliases[alias].clone())
    }

    pub fn delete_alias(&mut self, function: &str, alias: &str) -> Result<(), AwsError> {
        let removed = self.function_mut(function)?.aliases.remove(alias);
        if removed.is_none() {
            return Err(error(
                AwsErrorKind::NotFound,
                format!("alias {alias} not found"),
            ));
        }
        self.sources.forget_qualifier(function, alias);
        Ok(())
    }

    pub fn delete_version(&mut self, function: &str, version: &str) -> Result<(), AwsError> {
        self.check_version(function, version)?;
        let f = self.function_mut(function)?;
        if let Some((name, _)) = f.aliases.iter().find(|(_, r)| r.routes_to(version)) {
            return Err(error(
                AwsErrorKind::InUse,
                format!(
                    "Unable to delete version because the following aliases reference it: [{name}]"
                ),
            ));
        }
        f.versions
            .remove(&version.parse::<u64>().unwrap_or_default());
        Ok(())
    }

    /// DeleteFunction without a qualifier: the function, its versions and aliases, and what hangs
    /// on them (not its event source mappings, which AWS keeps).
    pub fn delete_function(&mut self, function: &str) -> Result<(), AwsError> {
        self.functions
            .remove(function)
            .ok_or_else(|| not_found(function))?;
        self.sources.forget_function(function);
        Ok(())
    }

    pub fn tag(&mut self, function: &str, tags: BTreeMap<String, String>) -> Result<(), AwsError> {
        self.function_mut(function)?.tags.extend(tags);
        Ok(())
    }

    pub fn untag(&mut self, function: &str, keys: &[String]) -> Result<(), AwsError> {
        let f = self.function_mut(function)?;
        keys.iter().for_each(|k| {
            f.tags.remove(k);
        });
        Ok(())
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
