//! [`FakeCloud`]: the resources' port on the in-memory AWS account of `gitmoxi-fake-aws`, as
//! `aws/` puts it on the SDK. The account enforces AWS's rules; this file only maps the model
//! onto the account's plain records.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use gitmoxi_engine::ports::{
    absent_if_not_found, done_if_not_found, AlarmState, Alarms, AliasRouting, AwsError,
    AwsErrorKind, FunctionStatus, HookOutcome, HookPayload, Hooks, Lambda, Metrics, Notification,
    Notifier, PublishedVersion, VersionMetrics,
};
use gitmoxi_fake_aws::{
    Code, Configuration, FakeAws, FakeLambda, FunctionView, Mapping, NewFunction, ObjectInfo,
    Release as FakeRelease, Statement, UrlConfig,
};

use crate::aws::{retrying, RetryPolicy};
use crate::model::definition::{CreateFunctionJson, FunctionDefinition};
use crate::model::event_sources::{Destinations, PullSource};
use crate::model::ports::{
    Cloud, FunctionUrl, Permission, ServedFunction, ServedMapping, SourceTarget,
};
use crate::model::release::{CodeSource, Release};

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

/// Fields UpdateFunctionConfiguration does not carry: set at creation, by code updates, or by
/// calls of their own.
const NOT_CONFIGURATION: [&str; 8] = [
    "Architectures",
    "Code",
    "CodeSigningConfigArn",
    "PackageType",
    "Publish",
    "PublishTo",
    "Tags",
    "TenancyConfig",
];

/// Every field of the definition as canonical JSON text, the environment with its sensitive
/// values (what Lambda stores).
fn fields_of(def: &FunctionDefinition) -> BTreeMap<String, String> {
    let mut value = def.canonical_value();
    let env = def.env_vars();
    if let Some(obj) = value.as_object_mut() {
        obj.remove("Environment");
        if !env.is_empty() {
            let vars: serde_json::Map<String, serde_json::Value> =
                env.iter().map(|(k, v)| (k.to_string(), v.into())).collect();
            obj.insert(
                "Environment".into(),
                serde_json::json!({ "Variables": vars }),
            );
        }
    }
    let entries = value.as_object().cloned().unwrap_or_default();
    entries
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect()
}

fn configuration_of(def: &FunctionDefinition) -> Configuration {
    let mut fields = fields_of(def);
    fields.retain(|k, _| !NOT_CONFIGURATION.contains(&k.as_str()));
    Configuration(fields)
}

/// The architectures a code update carries: the declared ones, else x86_64 (as `aws/` sends).
fn architectures_of(def: &FunctionDefinition) -> String {
    fields_of(def)
        .remove("Architectures")
        .unwrap_or_else(|| r#"["x86_64"]"#.into())
}

fn code_of(release: &Release) -> Code {
    match &release.code {
        CodeSource::Zip(bytes) => Code::zip(&crate::model::release::package_hash(bytes)),
        CodeSource::S3 {
            bucket,
            key,
            version,
        } => Code::zip(&format!(
            "s3://{bucket}/{key}?{}",
            version.as_deref().unwrap_or("")
        )),
        CodeSource::Image(uri) => Code {
            sha256: format!("digest-of-{uri}"),
            image_uri: Some(uri.clone()),
        },
    }
}

fn fake_release(release: &Release) -> FakeRelease {
    FakeRelease {
        code: code_of(release),
        architectures: Some(architectures_of(&release.definition)),
        configuration: configuration_of(&release.definition),
    }
}

/// What the account serves, read back as the model does from GetFunction.
fn served(view: FunctionView) -> Result<ServedFunction, AwsError> {
    let object: serde_json::Map<String, serde_json::Value> = view
        .configuration
        .0
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), serde_json::from_str(v).ok()?)))
        .collect();
    let fields: CreateFunctionJson = serde_json::from_value(object.into()).map_err(|e| {
        AwsError::new(
            AwsErrorKind::Other,
            format!("unreadable configuration: {e}"),
        )
    })?;
    Ok(ServedFunction {
        function_arn: view.function_arn,
        version: view.version,
        code_sha256: view.code.sha256,
        resolved_image_uri: view.code.image_uri.clone(),
        definition: FunctionDefinition::from_served(fields),
        tags: view.tags,
    })
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

/// The engine's ports for one rollout, on the account.
pub struct FakeRollout<'a> {
    lambda: FakeLambda<'a>,
    aws: &'a FakeAws,
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
        FakeRollout {
            lambda: self.aws.lambda(function, release.map(fake_release)),
            aws: &self.aws,
        }
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

    async fn stage_package(&self, bucket: &str, key: &str, package: &[u8]) -> Result<(), AwsError> {
        let head = absent_if_not_found(
            self.call("head_object", |aws| aws.head_object(bucket, key))
                .await,
        )?;
        if head.is_some_and(|h| h.length == package.len() as u64) {
            return Ok(());
        }
        let info = ObjectInfo {
            length: package.len() as u64,
            checksum_sha256: None,
        };
        self.call("put_object", |aws| {
            aws.put_object(bucket, key, info.clone())
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

impl Lambda for FakeRollout<'_> {
    async fn status(&self, qualifier: &str) -> Result<FunctionStatus, AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.status(qualifier)
        })
        .await
    }

    async fn update_code(&self) -> Result<(), AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.update_code()
        })
        .await
    }

    async fn update_configuration(&self) -> Result<(), AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.update_configuration()
        })
        .await
    }

    async fn publish_version(
        &self,
        revision: &str,
        about: &str,
    ) -> Result<PublishedVersion, AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.publish_version(revision, about)
        })
        .await
    }

    async fn get_alias(&self, alias: &str) -> Result<Option<AliasRouting>, AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.get_alias(alias)
        })
        .await
    }

    async fn create_alias(&self, alias: &str, version: &str) -> Result<AliasRouting, AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.create_alias(alias, version)
        })
        .await
    }

    async fn shift_alias(
        &self,
        alias: &str,
        version: &str,
        extra: Option<(&str, f64)>,
        revision_id: &str,
    ) -> Result<AliasRouting, AwsError> {
        let lambda = &self.lambda;
        retrying(&RetryPolicy::default(), "rollout", || {
            lambda.shift_alias(alias, version, extra, revision_id)
        })
        .await
    }

    async fn list_versions(&self) -> Result<Vec<String>, AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.list_versions()
        })
        .await
    }

    async fn list_aliases(&self) -> Result<Vec<(String, AliasRouting)>, AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.list_aliases()
        })
        .await
    }

    async fn delete_version(&self, version: &str) -> Result<(), AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.delete_version(version)
        })
        .await
    }
}

impl Alarms for FakeRollout<'_> {
    async fn states(&self, names: &[String]) -> Result<Vec<(String, AlarmState)>, AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.aws.states(names)
        })
        .await
    }
}

impl Hooks for FakeRollout<'_> {
    async fn invoke(
        &self,
        function: &str,
        payload: &HookPayload,
        timeout: Duration,
    ) -> Result<HookOutcome, AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.aws.invoke(function, payload, timeout)
        })
        .await
    }
}

impl Metrics for FakeRollout<'_> {
    async fn version_metrics(
        &self,
        alias: &str,
        version: &str,
        since: SystemTime,
        period: Duration,
    ) -> Result<VersionMetrics, AwsError> {
        let aws = self.aws;
        retrying(&RetryPolicy::default(), "rollout", || {
            aws.version_metrics(alias, version, since, period)
        })
        .await
    }
}

impl Notifier for FakeRollout<'_> {
    async fn notify(&self, n: &Notification) -> Result<(), AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || self.aws.notify(n)).await
    }
}
