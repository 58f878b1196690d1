//! [`FakeCloud`]: the resources' port on the in-memory AWS account of `gitmoxi-fake-aws`, as
//! `aws/` puts it on the SDK. The account enforces AWS's rules; this code only maps the model
//! onto the account's plain records (`records.rs`), the event sources onto the account
//! (`sources.rs`) and the engine's ports onto the account (`rollout.rs`).

mod records;
mod rollout;
mod sources;
mod step_functions;

use std::collections::BTreeMap;
use std::sync::Arc;

use gitmoxi_engine::ports::{
    absent_if_not_found, done_if_not_found, AliasRouting, AwsError, AwsErrorKind, Provisioned,
    WalkState,
};
use gitmoxi_fake_aws::{FakeAws, NewFunction, ObjectInfo};

use crate::aws::{retrying, RetryPolicy};
use crate::model::event_sources::{Destinations, PullSource};
use crate::model::ports::{
    Api, Cloud, FunctionUrl, Permission, ServedFunction, ServedMapping, SourceTarget,
};
use crate::model::release::Release;
use crate::model::settings::Orchestrator;
use crate::model::state_machine::machine_name;
use records::{architectures_of, code_of, configuration_of, fake_release, fields_of, served};
use rollout::FakeRollout;
pub use step_functions::FakeStepFunctions;

/// The resources' port, in memory. Every call goes through the same retry policy as the SDK
/// adapter's, so throttling injected into the account is retried as it would be on AWS.
#[derive(Clone)]
pub struct FakeCloud {
    pub aws: Arc<FakeAws>,
    retry: RetryPolicy,
    /// The provider block's orchestrator.
    pub orchestrator: Orchestrator,
}

impl FakeCloud {
    pub fn new(aws: Arc<FakeAws>) -> FakeCloud {
        FakeCloud {
            aws,
            retry: RetryPolicy::default(),
            orchestrator: Orchestrator::Provider,
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
    type Conductor<'a> = FakeStepFunctions<'a>;

    fn region(&self) -> &str {
        gitmoxi_fake_aws::REGION
    }

    fn orchestrator(&self) -> &Orchestrator {
        &self.orchestrator
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

    fn conductor<'a>(&'a self, function: &str, _role_arn: &str) -> FakeStepFunctions<'a> {
        FakeStepFunctions {
            cloud: self,
            function: function.to_string(),
        }
    }

    async fn running_walk(&self, function: &str, alias: &str) -> Result<Option<String>, AwsError> {
        let machine = machine_name(function, alias);
        Ok(self.aws.running_executions(&machine).into_iter().next())
    }

    async fn forget_walks(&self, function: &str, alias: &str) -> Result<(), AwsError> {
        self.aws
            .delete_state_machine(&machine_name(function, alias));
        Ok(())
    }

    async fn walk_state(&self, walk: &str) -> Result<WalkState, AwsError> {
        self.call("describe_execution", |aws| aws.describe_execution(walk))
            .await
    }

    async fn list_functions(&self) -> Result<Vec<String>, AwsError> {
        self.call("list_functions", |aws| aws.list_functions())
            .await
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

    async fn list_aliases(&self, function: &str) -> Result<Vec<(String, AliasRouting)>, AwsError> {
        self.call("list_aliases", |aws| aws.list_aliases_of(function))
            .await
    }

    async fn preview_alias(
        &self,
        function: &str,
        alias: &str,
    ) -> Result<Option<AliasRouting>, AwsError> {
        absent_if_not_found(self.aws.get_alias_of(function, alias))
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
        FakeCloud::list_mappings(self, target).await
    }

    async fn create_mapping(
        &self,
        target: &SourceTarget,
        source: &PullSource,
    ) -> Result<(), AwsError> {
        FakeCloud::create_mapping(self, target, source).await
    }

    async fn mapping_tags(&self, arn: &str) -> Result<BTreeMap<String, String>, AwsError> {
        FakeCloud::mapping_tags(self, arn).await
    }

    async fn tag_mapping(
        &self,
        arn: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), AwsError> {
        FakeCloud::tag_mapping(self, arn, tags).await
    }

    async fn untag_mapping(&self, arn: &str, keys: &[String]) -> Result<(), AwsError> {
        FakeCloud::untag_mapping(self, arn, keys).await
    }

    async fn update_mapping(
        &self,
        uuid: &str,
        _target: &SourceTarget,
        source: &PullSource,
    ) -> Result<(), AwsError> {
        FakeCloud::update_mapping(self, uuid, _target, source).await
    }

    async fn delete_mapping(&self, uuid: &str) -> Result<(), AwsError> {
        FakeCloud::delete_mapping(self, uuid).await
    }

    async fn add_permission(&self, target: &SourceTarget, p: &Permission) -> Result<(), AwsError> {
        FakeCloud::add_permission(self, target, p).await
    }

    async fn remove_permission(&self, target: &SourceTarget, sid: &str) -> Result<(), AwsError> {
        FakeCloud::remove_permission(self, target, sid).await
    }

    async fn route_key(&self, api_id: &str, route_id: &str) -> Result<String, AwsError> {
        FakeCloud::route_key(self, api_id, route_id).await
    }

    async fn rest_resource_path(
        &self,
        rest_api_id: &str,
        resource_id: &str,
    ) -> Result<String, AwsError> {
        FakeCloud::rest_resource_path(self, rest_api_id, resource_id).await
    }

    async fn stage_variable(
        &self,
        api: Api<'_>,
        stage: &str,
        name: &str,
    ) -> Result<Option<String>, AwsError> {
        FakeCloud::stage_variable(self, api, stage, name).await
    }

    async fn set_stage_variable(
        &self,
        api: Api<'_>,
        stage: &str,
        name: &str,
        value: Option<&str>,
    ) -> Result<(), AwsError> {
        FakeCloud::set_stage_variable(self, api, stage, name, value).await
    }

    async fn put_function_url(
        &self,
        target: &SourceTarget,
        url: &FunctionUrl,
    ) -> Result<(), AwsError> {
        FakeCloud::put_function_url(self, target, url).await
    }

    async fn delete_function_url(&self, target: &SourceTarget) -> Result<(), AwsError> {
        FakeCloud::delete_function_url(self, target).await
    }

    async fn register_target(&self, group: &str, target: &SourceTarget) -> Result<(), AwsError> {
        FakeCloud::register_target(self, group, target).await
    }

    async fn deregister_target(&self, group: &str, target: &SourceTarget) -> Result<(), AwsError> {
        FakeCloud::deregister_target(self, group, target).await
    }

    async fn put_destinations(
        &self,
        target: &SourceTarget,
        d: &Destinations,
    ) -> Result<(), AwsError> {
        FakeCloud::put_destinations(self, target, d).await
    }

    async fn delete_destinations(&self, target: &SourceTarget) -> Result<(), AwsError> {
        FakeCloud::delete_destinations(self, target).await
    }
}
