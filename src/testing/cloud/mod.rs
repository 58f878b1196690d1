//! [`FakeCloud`]: the resources' port on the in-memory AWS account of `gitmoxi-fake-aws`, as
//! `aws/` puts it on the SDK. The account enforces AWS's rules; this code only maps the model
//! onto the account's plain records (`records.rs`) and the engine's ports onto the account
//! (`rollout.rs`).

mod records;
mod rollout;

use std::collections::BTreeMap;
use std::sync::Arc;

use gitmoxi_engine::ports::{
    absent_if_not_found, done_if_not_found, AliasRouting, AwsError, AwsErrorKind, Provisioned,
};
use gitmoxi_fake_aws::{FakeAws, Mapping, NewFunction, ObjectInfo, Statement, UrlConfig};

use crate::aws::{retrying, RetryPolicy};
use crate::model::event_sources::{Destinations, PullSource};
use crate::model::ports::{
    Cloud, FunctionUrl, Permission, ServedFunction, ServedMapping, SourceTarget,
};
use crate::model::release::Release;
use records::{architectures_of, code_of, configuration_of, fake_release, fields_of, served};
use rollout::FakeRollout;

/// The resources' port, in memory. Every call goes through the same retry policy as the SDK
/// adapter's, so throttling injected into the account is retried as it would be on AWS.
#[derive(Clone)]
pub struct FakeCloud {
    pub aws: Arc<FakeAws>,
    retry: RetryPolicy,
}

impl FakeCloud {
    pub fn new(aws: Arc<FakeAws>) -> FakeCloud {
        FakeCloud {
            aws,
            retry: RetryPolicy::default(),
        }
    }

    async fn call<T>(
        &self,
        action: &str,
        mut op: impl FnMut(&FakeAws) -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        retrying(&self.retry, action, || std::future::ready(op(&self.aws))).await
    }
}

fn name_of(function_arn: &str) -> &str {
    function_arn.rsplit(':').next().unwrap_or_default()
}

fn done_if_exists(result: Result<(), AwsError>) -> Result<(), AwsError> {
    match result {
        Err(e) if e.kind == AwsErrorKind::InUse => Ok(()),
        other => other,
    }
}

impl Cloud for FakeCloud {
    type Rollout<'a> = FakeRollout<'a>;
    type Alarms = FakeAws;

    fn region(&self) -> &str {
        gitmoxi_fake_aws::REGION
    }

    fn rollout<'a>(
        &'a self,
        function: &str,
        release: Option<&'a Release>,
        _topic: Option<&str>,
    ) -> FakeRollout<'a> {
        FakeRollout::new(
            self.aws.lambda(function, release.map(fake_release)),
            &self.aws,
            function,
            release,
        )
    }

    fn alarms(&self) -> &FakeAws {
        &self.aws
    }

    async fn find_function(
        &self,
        function: &str,
        qualifier: &str,
    ) -> Result<Option<ServedFunction>, AwsError> {
        absent_if_not_found(
            self.call("get_function", |aws| aws.get_function(function, qualifier))
                .await,
        )?
        .map(served)
        .transpose()
    }

    async fn create_function(&self, release: &Release) -> Result<(), AwsError> {
        let def = &release.definition;
        let mut configuration = configuration_of(def);
        configuration
            .0
            .insert("Architectures".into(), architectures_of(def));
        if let Some(t) = fields_of(def).remove("PackageType") {
            configuration.0.insert("PackageType".into(), t);
        }
        let spec = NewFunction {
            name: def.function_name().into(),
            role: def.role().into(),
            code: code_of(release),
            configuration,
            tags: def.tags(),
            code_signing_config_arn: def.fields().code_signing_config_arn.clone(),
        };
        self.call("create_function", |aws| aws.create_function(spec.clone()))
            .await
            .map(|_| ())
    }

    async fn delete_function(&self, function: &str) -> Result<(), AwsError> {
        done_if_not_found(
            self.call("delete_function", |aws| aws.delete_function(function))
                .await,
        )
    }

    async fn tag_function(
        &self,
        function_arn: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), AwsError> {
        self.call("tag_function", |aws| {
            aws.tag_function(name_of(function_arn), tags.clone())
        })
        .await
    }

    async fn untag_function(&self, function_arn: &str, keys: &[String]) -> Result<(), AwsError> {
        self.call("untag_function", |aws| {
            aws.untag_function(name_of(function_arn), keys)
        })
        .await
    }

    async fn code_signing(&self, function: &str) -> Result<Option<String>, AwsError> {
        let view = self
            .call("get_function", |aws| aws.get_function(function, "$LATEST"))
            .await?;
        Ok(view.code_signing_config_arn)
    }

    async fn set_code_signing(&self, function: &str, arn: Option<&str>) -> Result<(), AwsError> {
        let arn = arn.map(str::to_string);
        self.call("set_code_signing", |aws| {
            aws.set_code_signing(function, arn.clone())
        })
        .await
    }

    async fn put_capacity(
        &self,
        function: &str,
        version: &str,
        amount: u32,
    ) -> Result<(), AwsError> {
        self.call("put_capacity", |aws| {
            aws.put_capacity(function, version, amount)
        })
        .await
    }

    async fn capacity(
        &self,
        function: &str,
        version: &str,
    ) -> Result<Option<Provisioned>, AwsError> {
        let found = self
            .call("get_capacity", |aws| aws.get_capacity(function, version))
            .await;
        absent_if_not_found(found)
    }

    async fn release_capacity(&self, function: &str, version: &str) -> Result<(), AwsError> {
        let released = self
            .call("delete_capacity", |aws| {
                aws.delete_capacity(function, version)
            })
            .await;
        done_if_not_found(released)
    }

    async fn unreserved_concurrency(&self) -> Result<u32, AwsError> {
        self.call("get_account_settings", |aws| aws.unreserved_concurrency())
            .await
    }

    async fn role_exists(&self, role_arn: &str) -> Result<bool, AwsError> {
        let found = self.call("get_role", |aws| aws.get_role(role_arn)).await;
        absent_if_not_found(found).map(|found| found.is_some())
    }

    async fn stage_package(
        &self,
        bucket: &str,
        key: &str,
        package: &[u8],
        sha256: &str,
    ) -> Result<(), AwsError> {
        let owner = gitmoxi_fake_aws::ACCOUNT;
        let head = absent_if_not_found(
            self.call("head_object", |aws| aws.head_object(bucket, key, owner))
                .await,
        )?;
        if head.is_some_and(|h| h.checksum_sha256.as_deref() == Some(sha256)) {
            return Ok(());
        }
        let info = ObjectInfo {
            length: package.len() as u64,
            checksum_sha256: Some(sha256.to_string()),
        };
        self.call("put_object", |aws| {
            aws.put_object(bucket, key, owner, info.clone())
        })
        .await
    }

    async fn find_alias(
        &self,
        function: &str,
        alias: &str,
    ) -> Result<Option<AliasRouting>, AwsError> {
        absent_if_not_found(
            self.call("get_alias_of", |aws| aws.get_alias_of(function, alias))
                .await,
        )
    }

    async fn create_alias(
        &self,
        function: &str,
        alias: &str,
        version: &str,
    ) -> Result<AliasRouting, AwsError> {
        self.call("create_alias_of", |aws| {
            aws.create_alias_of(function, alias, version)
        })
        .await
    }

    async fn delete_alias(&self, function: &str, alias: &str) -> Result<(), AwsError> {
        done_if_not_found(
            self.call("delete_alias_of", |aws| {
                aws.delete_alias_of(function, alias)
            })
            .await,
        )
    }

    async fn list_mappings(&self, target: &SourceTarget) -> Result<Vec<ServedMapping>, AwsError> {
        let mappings = self
            .call("list_mappings", |aws| aws.list_mappings(&target.alias_arn))
            .await?;
        mappings
            .into_iter()
            .map(|m| {
                let source: PullSource = serde_json::from_str(&m.settings)
                    .map_err(|e| AwsError::new(AwsErrorKind::Other, e.to_string()))?;
                Ok(ServedMapping {
                    uuid: m.uuid,
                    source,
                })
            })
            .collect()
    }

    async fn create_mapping(
        &self,
        target: &SourceTarget,
        source: &PullSource,
    ) -> Result<(), AwsError> {
        let mapping = Mapping {
            uuid: String::new(),
            function_arn: target.alias_arn.clone(),
            source_key: source.key().to_string(),
            settings: serde_json::to_string(source).unwrap_or_default(),
            tags: source.tags.clone().unwrap_or_default(),
        };
        self.call("create_mapping", |aws| aws.create_mapping(mapping.clone()))
            .await
            .map(|_| ())
    }

    async fn update_mapping(
        &self,
        uuid: &str,
        _target: &SourceTarget,
        source: &PullSource,
    ) -> Result<(), AwsError> {
        let settings = serde_json::to_string(&source.with_update_defaults()).unwrap_or_default();
        self.call("update_mapping", |aws| {
            aws.update_mapping(uuid, settings.clone())
        })
        .await
    }

    async fn delete_mapping(&self, uuid: &str) -> Result<(), AwsError> {
        done_if_not_found(
            self.call("delete_mapping", |aws| aws.delete_mapping(uuid))
                .await,
        )
    }

    async fn add_permission(&self, target: &SourceTarget, p: &Permission) -> Result<(), AwsError> {
        let statement = Statement {
            sid: p.statement_id.clone(),
            principal: p.principal.clone(),
            action: p.action.clone(),
            source_arn: p.source_arn.clone(),
            source_account: p.source_account.clone(),
            function_url_auth_type: p.function_url_auth_type.clone(),
        };
        let added = self
            .call("add_permission", |aws| {
                aws.add_permission(&target.function, &target.alias, statement.clone())
            })
            .await;
        done_if_exists(added)
    }

    async fn remove_permission(&self, target: &SourceTarget, sid: &str) -> Result<(), AwsError> {
        done_if_not_found(
            self.call("remove_permission", |aws| {
                aws.remove_permission(&target.function, &target.alias, sid)
            })
            .await,
        )
    }

    async fn route_key(&self, api_id: &str, route_id: &str) -> Result<String, AwsError> {
        self.call("route_key", |aws| aws.route_key(api_id, route_id))
            .await
    }

    async fn set_stage_variable(
        &self,
        api_id: &str,
        stage: &str,
        name: &str,
        value: Option<&str>,
    ) -> Result<(), AwsError> {
        self.call("set_stage_variable", |aws| {
            aws.set_stage_variable(api_id, stage, name, value)
        })
        .await
    }

    async fn put_function_url(
        &self,
        target: &SourceTarget,
        url: &FunctionUrl,
    ) -> Result<(), AwsError> {
        let config = UrlConfig {
            auth_type: url.auth_type.clone(),
            cors: url.cors.as_ref().map(|c| c.to_string()),
            invoke_mode: url.invoke_mode.clone(),
        };
        match self
            .call("create_url", |aws| {
                aws.create_url(&target.function, &target.alias, config.clone())
            })
            .await
        {
            Err(e) if e.kind == AwsErrorKind::InUse => {
                self.call("update_url", |aws| {
                    aws.update_url(&target.function, &target.alias, config.clone())
                })
                .await
            }
            other => other,
        }
    }

    async fn delete_function_url(&self, target: &SourceTarget) -> Result<(), AwsError> {
        done_if_not_found(
            self.call("delete_url", |aws| {
                aws.delete_url(&target.function, &target.alias)
            })
            .await,
        )
    }

    async fn register_target(&self, group: &str, target: &SourceTarget) -> Result<(), AwsError> {
        self.call("register_target", |aws| {
            aws.register_target(group, &target.alias_arn)
        })
        .await
    }

    async fn deregister_target(&self, group: &str, target: &SourceTarget) -> Result<(), AwsError> {
        done_if_not_found(
            self.call("deregister_target", |aws| {
                aws.deregister_target(group, &target.alias_arn)
            })
            .await,
        )
    }

    async fn put_destinations(
        &self,
        target: &SourceTarget,
        d: &Destinations,
    ) -> Result<(), AwsError> {
        let settings = serde_json::to_string(d).unwrap_or_default();
        self.call("put_invoke_config", |aws| {
            aws.put_invoke_config(&target.function, &target.alias, settings.clone())
        })
        .await
    }

    async fn delete_destinations(&self, target: &SourceTarget) -> Result<(), AwsError> {
        done_if_not_found(
            self.call("delete_invoke_config", |aws| {
                aws.delete_invoke_config(&target.function, &target.alias)
            })
            .await,
        )
    }
}
