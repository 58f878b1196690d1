//! The rules of a function's life: creating it (once its role can be assumed), reading a
//! qualifier and its status, updating `$LATEST` (one update at a time), publishing versions,
//! tagging and deleting.

use std::collections::BTreeMap;

use gitmoxi_engine::ports::{AwsError, AwsErrorKind, FunctionStatus, PublishedVersion};
use tokio::time::Instant;

use super::{
    not_found, Code, Configuration, Function, FunctionView, Latest, NewFunction, Version, World,
    LATEST, REVISION_MISMATCH,
};
use crate::{error, FakeAws};

impl World {
    /// Lambda measures the variables as JSON and, refusing them, echoes that JSON whole.
    fn environment_fits(&self, configuration: &Configuration) -> Result<(), AwsError> {
        let Some(environment) = configuration.get("Environment") else {
            return Ok(());
        };
        let parsed: serde_json::Value = serde_json::from_str(environment).unwrap_or_default();
        let measured = parsed["Variables"].to_string();
        if measured.len() <= self.environment_limit {
            return Ok(());
        }
        Err(error(
            AwsErrorKind::Invalid,
            format!(
                "Lambda was unable to configure your environment variables because the \
                 environment variables you have provided exceeded the 4KB limit. String \
                 measured: {measured}"
            ),
        ))
    }

    fn role_ready(&self, role: &str, now: Instant) -> Result<(), AwsError> {
        if self.missing_roles.contains(role) {
            return Err(error(
                AwsErrorKind::Propagating,
                "The role defined for the function cannot be assumed by Lambda.",
            ));
        }
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
        self.environment_fits(&spec.configuration)?;
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
                capacity: BTreeMap::new(),
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
                // A version's description is the one PublishVersion gave it.
                let v = &f.versions[&n];
                let mut configuration = v.configuration.clone();
                let description = format!("{:?}", v.description);
                configuration.0.insert("Description".into(), description);
                (v.code.clone(), configuration)
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
        self.environment_fits(&configuration)?;
        self.start_update(function, now)?;
        if let Some(role) = configuration
            .get("Role")
            .map(|r| r.trim_matches('"').to_string())
        {
            self.role_ready(&role, now)?;
        }
        let ignored = std::mem::take(&mut self.ignore_fields);
        let f = self.function_mut(function)?;
        // Architectures belong to the code; every other field is replaced.
        let architectures = f.latest.configuration.0.remove("Architectures");
        let mut configuration = configuration;
        for field in ignored {
            match f.latest.configuration.0.get(&field) {
                Some(kept) => configuration.0.insert(field, kept.clone()),
                None => configuration.0.remove(&field),
            };
        }
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
        description: &str,
        now: Instant,
    ) -> Result<PublishedVersion, AwsError> {
        let f = self.function(function)?;
        if now < f.latest.settles_at {
            return Err(error(AwsErrorKind::InUse, "An update is in progress"));
        }
        if revision_id != f.latest.revision {
            return Err(error(AwsErrorKind::Conflict, REVISION_MISMATCH));
        }
        self.publish_now(function, description, now)
    }

    /// Lambda publishes nothing when `$LATEST` equals the latest version: it answers with that
    /// version (and that version's description).
    pub fn publish_now(
        &mut self,
        function: &str,
        description: &str,
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
                description: Some(v.description.clone()),
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
                description: description.to_string(),
            },
        );
        Ok(PublishedVersion {
            version: n.to_string(),
            code_sha256: f.latest.code.sha256.clone(),
            description: Some(description.to_string()),
        })
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
}
