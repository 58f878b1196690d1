//! The fake's state and the AWS rules it enforces.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use tokio::time::Instant;

use crate::ports::{
    AlarmState, AliasRouting, AwsError, AwsErrorKind, FunctionStatus, PublishedVersion,
};

use super::guards::Guards;
use super::Recorded;

/// A change someone else makes while the engine runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Outside {
    /// Points the alias elsewhere (a console click, another pipeline); changes its RevisionId.
    Alias {
        alias: String,
        version: String,
        extra: Option<(String, f64)>,
    },
    /// Updates `$LATEST` (another apply); changes its RevisionId.
    TouchLatest,
}

pub(super) struct Latest {
    pub code: String,
    pub config: String,
    pub revision: String,
    pub settles_at: Instant,
    pub failure: Option<String>,
}

pub(super) struct Version {
    code: String,
    config: String,
    ready_at: Instant,
    failure: Option<String>,
}

pub(super) struct World {
    epoch: Instant,
    revisions: u64,
    pub latest: Latest,
    pub versions: BTreeMap<u64, Version>,
    pub aliases: BTreeMap<String, AliasRouting>,
    pub release: (String, String),
    pub update_takes: Duration,
    pub version_pending: Duration,
    pub publish_takes: Duration,
    pub fail_next_update: Option<String>,
    pub fail_new_versions: Option<String>,
    pub injected: HashMap<&'static str, (u32, AwsErrorKind)>,
    pub alarms: BTreeMap<String, Vec<(Duration, AlarmState)>>,
    pub outside: Vec<(Duration, Outside)>,
    pub calls: Vec<Recorded>,
    pub guards: Guards,
}

fn error(kind: AwsErrorKind, message: impl Into<String>) -> AwsError {
    AwsError::new(kind, message)
}

impl World {
    pub fn new(epoch: Instant) -> World {
        World {
            epoch,
            revisions: 1,
            latest: Latest {
                code: "code-0".into(),
                config: "config-0".into(),
                revision: "rev-1".into(),
                settles_at: epoch,
                failure: None,
            },
            versions: BTreeMap::new(),
            aliases: BTreeMap::new(),
            release: ("code-new".into(), "config-new".into()),
            update_takes: Duration::from_secs(2),
            version_pending: Duration::ZERO,
            publish_takes: Duration::ZERO,
            fail_next_update: None,
            fail_new_versions: None,
            injected: HashMap::new(),
            alarms: BTreeMap::new(),
            outside: Vec::new(),
            calls: Vec::new(),
            guards: Guards::default(),
        }
    }

    pub fn next_revision(&mut self) -> String {
        self.revisions += 1;
        format!("rev-{}", self.revisions)
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
                    self.set_alias(&alias, &version, extra);
                }
                Outside::TouchLatest => {
                    self.latest.config = format!("{}+touched", self.latest.config);
                    self.latest.revision = self.next_revision();
                }
            }
        }
    }

    pub fn set_alias(&mut self, alias: &str, version: &str, extra: Option<(&str, f64)>) {
        let revision_id = self.next_revision();
        self.aliases.insert(
            alias.into(),
            AliasRouting {
                version: version.into(),
                extra: extra.map(|(v, w)| (v.into(), w)),
                revision_id,
            },
        );
    }

    pub fn publish_now(&mut self, now: Instant) -> PublishedVersion {
        let unchanged = self
            .versions
            .iter()
            .next_back()
            .filter(|(_, v)| v.code == self.latest.code && v.config == self.latest.config);
        if let Some((n, v)) = unchanged {
            return PublishedVersion {
                version: n.to_string(),
                code_sha256: v.code.clone(),
            };
        }
        let n = self.versions.keys().next_back().map_or(1, |n| n + 1);
        self.versions.insert(
            n,
            Version {
                code: self.latest.code.clone(),
                config: self.latest.config.clone(),
                ready_at: now + self.version_pending,
                failure: self.fail_new_versions.clone(),
            },
        );
        PublishedVersion {
            version: n.to_string(),
            code_sha256: self.latest.code.clone(),
        }
    }

    pub fn status(&self, qualifier: &str, now: Instant) -> Result<FunctionStatus, AwsError> {
        if qualifier == "$LATEST" {
            let l = &self.latest;
            let (update, reason) = match (&l.failure, now < l.settles_at) {
                (_, true) => ("InProgress", None),
                (Some(reason), false) => ("Failed", Some(reason.clone())),
                (None, false) => ("Successful", None),
            };
            return Ok(FunctionStatus {
                state: "Active".into(),
                state_reason: None,
                last_update_status: Some(update.into()),
                last_update_reason: reason,
                revision_id: l.revision.clone(),
                code_sha256: l.code.clone(),
            });
        }
        let v = qualifier
            .parse::<u64>()
            .ok()
            .and_then(|n| self.versions.get(&n))
            .ok_or_else(|| {
                error(
                    AwsErrorKind::NotFound,
                    format!("version {qualifier} not found"),
                )
            })?;
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
            revision_id: format!("version-{qualifier}"),
            code_sha256: v.code.clone(),
        })
    }

    pub fn update(&mut self, now: Instant, code: bool) -> Result<(), AwsError> {
        if now < self.latest.settles_at {
            return Err(error(
                AwsErrorKind::InUse,
                "The operation cannot be performed at this time. An update is in progress",
            ));
        }
        if code {
            self.latest.code = self.release.0.clone();
        } else {
            self.latest.config = self.release.1.clone();
        }
        self.latest.revision = self.next_revision();
        self.latest.settles_at = now + self.update_takes;
        self.latest.failure = self.fail_next_update.take();
        Ok(())
    }

    pub fn publish(
        &mut self,
        revision_id: &str,
        now: Instant,
    ) -> Result<PublishedVersion, AwsError> {
        if now < self.latest.settles_at {
            return Err(error(AwsErrorKind::InUse, "An update is in progress"));
        }
        if revision_id != self.latest.revision {
            return Err(error(
                AwsErrorKind::Conflict,
                "The Revision Id provided does not match the latest Revision Id",
            ));
        }
        Ok(self.publish_now(now))
    }

    fn check_version(&self, version: &str) -> Result<(), AwsError> {
        match version
            .parse::<u64>()
            .ok()
            .filter(|n| self.versions.contains_key(n))
        {
            Some(_) => Ok(()),
            None => Err(error(
                AwsErrorKind::NotFound,
                format!("version {version} not found"),
            )),
        }
    }

    pub fn create_alias(&mut self, alias: &str, version: &str) -> Result<AliasRouting, AwsError> {
        self.check_version(version)?;
        if self.aliases.contains_key(alias) {
            return Err(error(
                AwsErrorKind::InUse,
                format!("Alias already exists: {alias}"),
            ));
        }
        self.set_alias(alias, version, None);
        Ok(self.aliases[alias].clone())
    }

    pub fn shift_alias(
        &mut self,
        alias: &str,
        version: &str,
        extra: Option<(&str, f64)>,
        revision_id: &str,
    ) -> Result<AliasRouting, AwsError> {
        let current = self
            .aliases
            .get(alias)
            .ok_or_else(|| error(AwsErrorKind::NotFound, format!("alias {alias} not found")))?;
        if current.revision_id != revision_id {
            return Err(error(
                AwsErrorKind::Conflict,
                "The Revision Id provided does not match the latest Revision Id",
            ));
        }
        self.check_version(version)?;
        if let Some((v, w)) = extra {
            self.check_version(v)?;
            if v == version || !(0.0..=1.0).contains(&w) {
                return Err(error(AwsErrorKind::Other, "invalid RoutingConfig"));
            }
        }
        self.set_alias(alias, version, extra);
        Ok(self.aliases[alias].clone())
    }

    pub fn delete_version(&mut self, version: &str) -> Result<(), AwsError> {
        self.check_version(version)?;
        if let Some((name, _)) = self.aliases.iter().find(|(_, r)| r.routes_to(version)) {
            return Err(error(
                AwsErrorKind::InUse,
                format!(
                    "Unable to delete version because the following aliases reference it: [{name}]"
                ),
            ));
        }
        self.versions
            .remove(&version.parse::<u64>().unwrap_or_default());
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
