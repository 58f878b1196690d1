//! Lambda as callers see it: the engine's [`Lambda`] port for one function and one release
//! ([`FakeLambda`], and [`FakeAws`] itself for the default function), the [`Alarms`] port, and
//! the account-level function operations a resource uses (create, read, delete, tags, code
//! signing).

use std::collections::BTreeMap;

use gitmoxi_engine::ports::{
    absent_if_not_found, done_if_not_found, AlarmState, Alarms, AliasRouting, AwsError,
    FunctionStatus, Lambda, Provisioned, PublishedVersion, ReleaseCheck,
};
use tokio::time::sleep;

use super::functions::{FunctionView, NewFunction, Release};
use super::{Call, FakeAws, DEFAULT_FUNCTION};

/// The engine's view of one function while one release rolls out.
pub struct FakeLambda<'a> {
    aws: &'a FakeAws,
    function: String,
    /// What `update_code` / `update_configuration` push; None: the account's default release.
    release: Option<Release>,
}

impl FakeAws {
    /// The [`Lambda`] port for `function`, pushing `release` when asked to update `$LATEST`.
    pub fn lambda(&self, function: &str, release: Option<Release>) -> FakeLambda<'_> {
        FakeLambda {
            aws: self,
            function: function.into(),
            release,
        }
    }

    fn default_lambda(&self) -> FakeLambda<'_> {
        self.lambda(DEFAULT_FUNCTION, None)
    }

    // ---- account-level function operations ------------------------------------------------

    /// PutProvisionedConcurrencyConfig on `qualifier` (a version or an alias).
    pub fn put_capacity(
        &self,
        function: &str,
        qualifier: &str,
        amount: u32,
    ) -> Result<(), AwsError> {
        let call = Call::PutCapacity {
            qualifier: qualifier.into(),
            amount,
        };
        self.call(call, |w, now| {
            w.put_capacity(function, qualifier, amount, now)
        })
    }

    pub fn get_capacity(&self, function: &str, qualifier: &str) -> Result<Provisioned, AwsError> {
        self.call(Call::GetCapacity(qualifier.into()), |w, now| {
            w.capacity(function, qualifier, now)
        })
    }

    pub fn delete_capacity(&self, function: &str, qualifier: &str) -> Result<(), AwsError> {
        self.call(Call::DeleteCapacity(qualifier.into()), |w, _| {
            w.release_capacity(function, qualifier)
        })
    }

    /// GetAccountSettings: the account's unreserved concurrency.
    pub fn unreserved_concurrency(&self) -> Result<u32, AwsError> {
        self.call(
            Call::GetAccountSettings,
            |w, _| Ok(w.unreserved_concurrency),
        )
    }

    pub fn create_function(&self, spec: NewFunction) -> Result<FunctionView, AwsError> {
        let name = spec.name.clone();
        self.call(Call::CreateFunction(name.clone()), |w, now| {
            w.create_function(spec, now)?;
            w.view(&name, "$LATEST", now)
        })
    }

    /// GetFunction: `qualifier` is `$LATEST`, a version or an alias.
    pub fn get_function(&self, function: &str, qualifier: &str) -> Result<FunctionView, AwsError> {
        let call = Call::GetFunction {
            function: function.into(),
            qualifier: qualifier.into(),
        };
        self.call(call, |w, now| w.view(function, qualifier, now))
    }

    pub fn delete_function(&self, function: &str) -> Result<(), AwsError> {
        self.call(Call::DeleteFunction(function.into()), |w, _| {
            w.delete_function(function)
        })
    }

    pub fn tag_function(
        &self,
        function: &str,
        tags: BTreeMap<String, String>,
    ) -> Result<(), AwsError> {
        self.call(Call::Tag(function.into()), |w, _| w.tag(function, tags))
    }

    pub fn untag_function(&self, function: &str, keys: &[String]) -> Result<(), AwsError> {
        self.call(Call::Untag(function.into()), |w, _| w.untag(function, keys))
    }

    /// Put (Some) or Delete (None) FunctionCodeSigningConfig.
    pub fn set_code_signing(&self, function: &str, arn: Option<String>) -> Result<(), AwsError> {
        let call = Call::SetCodeSigning {
            function: function.into(),
            arn: arn.clone(),
        };
        self.call(call, |w, _| {
            w.function_mut(function)?.code_signing_config_arn = arn;
            Ok(())
        })
    }

    /// ListFunctions: every function's name, in order.
    pub fn list_functions(&self) -> Result<Vec<String>, AwsError> {
        self.call(Call::ListFunctions, |w, _| {
            Ok(w.functions.keys().cloned().collect())
        })
    }

    /// ListAliases of `function`: each alias with its routing.
    pub fn list_aliases_of(&self, function: &str) -> Result<Vec<(String, AliasRouting)>, AwsError> {
        self.call(Call::ListAliases, |w, _| {
            Ok(w.function(function)?
                .aliases
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect())
        })
    }

    pub fn get_alias_of(&self, function: &str, alias: &str) -> Result<AliasRouting, AwsError> {
        self.call(Call::GetAlias(alias.into()), |w, _| {
            w.function(function)?
                .aliases
                .get(alias)
                .cloned()
                .ok_or_else(|| {
                    super::error(
                        gitmoxi_engine::AwsErrorKind::NotFound,
                        format!("alias {alias} not found"),
                    )
                })
        })
    }

    pub fn create_alias_of(
        &self,
        function: &str,
        alias: &str,
        version: &str,
    ) -> Result<AliasRouting, AwsError> {
        let call = Call::CreateAlias {
            alias: alias.into(),
            version: version.into(),
        };
        self.call(call, |w, _| w.create_alias(function, alias, version))
    }

    pub fn delete_alias_of(&self, function: &str, alias: &str) -> Result<(), AwsError> {
        self.call(Call::DeleteAlias(alias.into()), |w, _| {
            w.delete_alias(function, alias)
        })
    }
}

impl Lambda for FakeLambda<'_> {
    async fn status(&self, qualifier: &str) -> Result<FunctionStatus, AwsError> {
        self.aws.call(Call::Status(qualifier.into()), |w, now| {
            w.status(&self.function, qualifier, now)
        })
    }

    async fn update_code(&self) -> Result<(), AwsError> {
        self.aws.call(Call::UpdateCode, |w, now| {
            let release = self.release.clone().unwrap_or_else(|| w.release.clone());
            w.update_code(&self.function, release.code, release.architectures, now)
        })
    }

    async fn update_configuration(&self) -> Result<(), AwsError> {
        self.aws.call(Call::UpdateConfiguration, |w, now| {
            let release = self.release.clone().unwrap_or_else(|| w.release.clone());
            w.update_configuration(&self.function, release.configuration, now)
        })
    }

    async fn publish_version(
        &self,
        revision_id: &str,
        description: &str,
    ) -> Result<PublishedVersion, AwsError> {
        let latency = self.aws.world().timing.publish_takes;
        if !latency.is_zero() {
            sleep(latency).await;
        }
        let call = Call::Publish {
            revision_id: revision_id.into(),
        };
        self.aws.call(call, |w, now| {
            w.publish(&self.function, revision_id, description, now)
        })
    }

    async fn check_release(&self, version: &str) -> Result<ReleaseCheck, AwsError> {
        let call = Call::GetFunction {
            function: self.function.clone(),
            qualifier: version.into(),
        };
        self.aws.call(call, |w, now| {
            let release = self.release.clone().unwrap_or_else(|| w.release.clone());
            let view = w.view(&self.function, version, now)?;
            Ok(ReleaseCheck {
                differences: release_differences(&release, &view),
                status: view.status,
            })
        })
    }

    async fn get_alias(&self, alias: &str) -> Result<Option<AliasRouting>, AwsError> {
        self.aws.call(Call::GetAlias(alias.into()), |w, _| {
            Ok(w.function(&self.function)?.aliases.get(alias).cloned())
        })
    }

    async fn create_alias(&self, alias: &str, version: &str) -> Result<AliasRouting, AwsError> {
        self.aws.create_alias_of(&self.function, alias, version)
    }

    async fn shift_alias(
        &self,
        alias: &str,
        version: &str,
        extra: Option<(&str, f64)>,
        revision_id: &str,
    ) -> Result<AliasRouting, AwsError> {
        let call = Call::ShiftAlias {
            alias: alias.into(),
            version: version.into(),
            extra: extra.map(|(v, w)| (v.into(), w)),
            revision_id: revision_id.into(),
        };
        self.aws.call(call, |w, _| {
            w.shift_alias(&self.function, alias, version, extra, revision_id)
        })
    }

    async fn list_versions(&self) -> Result<Vec<String>, AwsError> {
        self.aws.call(Call::ListVersions, |w, _| {
            Ok(w.function(&self.function)?
                .versions
                .keys()
                .map(u64::to_string)
                .collect())
        })
    }

    async fn list_aliases(&self) -> Result<Vec<(String, AliasRouting)>, AwsError> {
        self.aws.list_aliases_of(&self.function)
    }

    async fn delete_version(&self, version: &str) -> Result<(), AwsError> {
        self.aws.call(Call::DeleteVersion(version.into()), |w, _| {
            w.delete_version(&self.function, version)
        })
    }

    async fn put_provisioned(&self, version: &str, amount: u32) -> Result<(), AwsError> {
        self.aws.put_capacity(&self.function, version, amount)
    }

    async fn provisioned(&self, version: &str) -> Result<Option<Provisioned>, AwsError> {
        absent_if_not_found(self.aws.get_capacity(&self.function, version))
    }

    async fn release_provisioned(&self, version: &str) -> Result<(), AwsError> {
        done_if_not_found(self.aws.delete_capacity(&self.function, version))
    }
}

impl Lambda for FakeAws {
    async fn status(&self, qualifier: &str) -> Result<FunctionStatus, AwsError> {
        self.default_lambda().status(qualifier).await
    }

    async fn check_release(&self, version: &str) -> Result<ReleaseCheck, AwsError> {
        self.default_lambda().check_release(version).await
    }

    async fn update_code(&self) -> Result<(), AwsError> {
        self.default_lambda().update_code().await
    }

    async fn update_configuration(&self) -> Result<(), AwsError> {
        self.default_lambda().update_configuration().await
    }

    async fn publish_version(
        &self,
        revision_id: &str,
        description: &str,
    ) -> Result<PublishedVersion, AwsError> {
        self.default_lambda()
            .publish_version(revision_id, description)
            .await
    }

    async fn get_alias(&self, alias: &str) -> Result<Option<AliasRouting>, AwsError> {
        self.default_lambda().get_alias(alias).await
    }

    async fn create_alias(&self, alias: &str, version: &str) -> Result<AliasRouting, AwsError> {
        self.default_lambda().create_alias(alias, version).await
    }

    async fn shift_alias(
        &self,
        alias: &str,
        version: &str,
        extra: Option<(&str, f64)>,
        revision_id: &str,
    ) -> Result<AliasRouting, AwsError> {
        self.default_lambda()
            .shift_alias(alias, version, extra, revision_id)
            .await
    }

    async fn list_versions(&self) -> Result<Vec<String>, AwsError> {
        self.default_lambda().list_versions().await
    }

    async fn list_aliases(&self) -> Result<Vec<(String, AliasRouting)>, AwsError> {
        self.default_lambda().list_aliases().await
    }

    async fn delete_version(&self, version: &str) -> Result<(), AwsError> {
        self.default_lambda().delete_version(version).await
    }

    async fn put_provisioned(&self, version: &str, amount: u32) -> Result<(), AwsError> {
        self.default_lambda().put_provisioned(version, amount).await
    }

    async fn provisioned(&self, version: &str) -> Result<Option<Provisioned>, AwsError> {
        self.default_lambda().provisioned(version).await
    }

    async fn release_provisioned(&self, version: &str) -> Result<(), AwsError> {
        self.default_lambda().release_provisioned(version).await
    }
}

/// How a version differs from the release: code, architectures, and every configuration field.
fn release_differences(release: &Release, view: &FunctionView) -> Vec<String> {
    let differ = |field: &str, wanted: &str, found: &str| {
        format!("{field}: the release asks {wanted}, AWS holds {found}")
    };
    let mut out = Vec::new();
    if release.code.sha256 != view.code.sha256 {
        out.push(differ(
            "CodeSha256",
            &release.code.sha256,
            &view.code.sha256,
        ));
    }
    let mut wanted = release.configuration.0.clone();
    if let Some(a) = &release.architectures {
        wanted.insert("Architectures".into(), a.clone());
    }
    let found = &view.configuration.0;
    let mut fields: Vec<&String> = wanted.keys().chain(found.keys()).collect();
    fields.sort();
    fields.dedup();
    for field in fields {
        // A version's description is its own, given at publish.
        let own = field == "Description";
        if own || field == "Architectures" && release.architectures.is_none() {
            continue;
        }
        let (w, f) = (wanted.get(field), found.get(field));
        if w != f {
            let absent = "(absent)".to_string();
            out.push(differ(field, w.unwrap_or(&absent), f.unwrap_or(&absent)));
        }
    }
    out
}

impl Alarms for FakeAws {
    async fn states(&self, names: &[String]) -> Result<Vec<(String, AlarmState)>, AwsError> {
        let epoch = self.epoch;
        self.call(Call::AlarmStates(names.to_vec()), |w, now| {
            Ok(w.alarm_states(names, now.saturating_duration_since(epoch)))
        })
    }
}
