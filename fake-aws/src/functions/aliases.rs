//! The rules of aliases and versions: an alias routes to versions that exist, a stale RevisionId
//! is a conflict, and a version an alias routes to cannot be deleted.

use gitmoxi_engine::ports::{AliasRouting, AwsError, AwsErrorKind};

use super::{World, REVISION_MISMATCH};
use crate::error;

impl World {
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
        if f.capacity.contains_key(version) {
            return Err(error(
                AwsErrorKind::InUse,
                "Unable to delete version because it has provisioned concurrency",
            ));
        }
        f.versions
            .remove(&version.parse::<u64>().unwrap_or_default());
        Ok(())
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
}
