//! The resources' port, implemented with the SDK: each method is one call of the modules beside
//! this one, so this file reads as the table of what the provider asks of AWS.

use std::collections::BTreeMap;

use gitmoxi_engine::ports::{AliasRouting, AwsError, Provisioned, WalkState};

use super::alarms::{AlarmPoller, AlarmView, CloudWatchAlarms};
use super::lambda_release::FunctionRelease;
use super::rollout::RolloutPorts;
use super::step_functions::StepFunctionsWalk;
use super::Aws;
use crate::model::event_sources::{Destinations, PullSource};
use crate::model::ports::{
    Api, Cloud, FunctionUrl, Permission, ServedFunction, ServedMapping, SourceTarget,
};
use crate::model::release::Release;
use crate::model::settings::Orchestrator;

impl Cloud for Aws {
    type Rollout<'a> = RolloutPorts<'a>;
    type Alarms = AlarmPoller<CloudWatchAlarms>;
    type Conductor<'a> = StepFunctionsWalk<'a>;

    fn region(&self) -> &str {
        &self.region
    }

    fn orchestrator(&self) -> &Orchestrator {
        &self.orchestrator
    }

    fn rollout<'a>(
        &'a self,
        function: &str,
        release: Option<&'a Release>,
        topic: Option<&str>,
    ) -> RolloutPorts<'a> {
        RolloutPorts {
            lambda: FunctionRelease {
                aws: self,
                function: function.to_string(),
                release,
                published: Default::default(),
            },
            topic: topic.map(str::to_string),
            alarms: AlarmView::new(&self.alarms),
        }
    }

    fn alarms(&self) -> &AlarmPoller<CloudWatchAlarms> {
        &self.alarms
    }

    fn conductor<'a>(&'a self, function: &str, role_arn: &str) -> StepFunctionsWalk<'a> {
        StepFunctionsWalk {
            aws: self,
            function: function.to_string(),
            role_arn: role_arn.to_string(),
        }
    }

    async fn running_walk(&self, function: &str, alias: &str) -> Result<Option<String>, AwsError> {
        Aws::running_walk(self, function, alias).await
    }

    async fn forget_walks(&self, function: &str, alias: &str) -> Result<(), AwsError> {
        Aws::delete_machine(self, function, alias).await
    }

    async fn walk_state(&self, walk: &str) -> Result<WalkState, AwsError> {
        Aws::walk_state(self, walk).await
    }

    async fn list_functions(&self) -> Result<Vec<String>, AwsError> {
        Aws::list_functions(self).await
    }

    async fn find_function(
        &self,
        function: &str,
        qualifier: &str,
    ) -> Result<Option<ServedFunction>, AwsError> {
        Aws::find_function(self, function, qualifier).await
    }

    async fn create_function(&self, release: &Release) -> Result<(), AwsError> {
        Aws::create_function(self, release).await
    }

    async fn delete_function(&self, function: &str) -> Result<(), AwsError> {
        Aws::delete_function(self, function).await
    }

    async fn tag_function(
        &self,
        function_arn: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), AwsError> {
        Aws::tag_function(self, function_arn, tags).await
    }

    async fn untag_function(&self, function_arn: &str, keys: &[String]) -> Result<(), AwsError> {
        Aws::untag_function(self, function_arn, keys).await
    }

    async fn code_signing(&self, function: &str) -> Result<Option<String>, AwsError> {
        Aws::code_signing(self, function).await
    }

    async fn set_code_signing(&self, function: &str, arn: Option<&str>) -> Result<(), AwsError> {
        Aws::set_code_signing(self, function, arn).await
    }

    async fn put_capacity(
        &self,
        function: &str,
        version: &str,
        amount: u32,
    ) -> Result<(), AwsError> {
        Aws::put_capacity(self, function, version, amount).await
    }

    async fn capacity(
        &self,
        function: &str,
        version: &str,
    ) -> Result<Option<Provisioned>, AwsError> {
        Aws::capacity(self, function, version).await
    }

    async fn release_capacity(&self, function: &str, version: &str) -> Result<(), AwsError> {
        Aws::release_capacity(self, function, version).await
    }

    async fn unreserved_concurrency(&self) -> Result<u32, AwsError> {
        Aws::unreserved_concurrency(self).await
    }

    async fn role_exists(&self, role_arn: &str) -> Result<bool, AwsError> {
        Aws::role_exists(self, role_arn).await
    }

    async fn stage_package(
        &self,
        bucket: &str,
        key: &str,
        package: &[u8],
        sha256: &str,
    ) -> Result<(), AwsError> {
        Aws::stage_package(self, bucket, key, package, sha256).await
    }

    async fn find_alias(
        &self,
        function: &str,
        alias: &str,
    ) -> Result<Option<AliasRouting>, AwsError> {
        Aws::find_alias(self, function, alias).await
    }

    async fn list_aliases(&self, function: &str) -> Result<Vec<(String, AliasRouting)>, AwsError> {
        Aws::list_aliases(self, function).await
    }

    async fn preview_alias(
        &self,
        function: &str,
        alias: &str,
    ) -> Result<Option<AliasRouting>, AwsError> {
        Aws::preview_alias(self, function, alias).await
    }

    async fn create_alias(
        &self,
        function: &str,
        alias: &str,
        version: &str,
    ) -> Result<AliasRouting, AwsError> {
        Aws::create_alias(self, function, alias, version).await
    }

    async fn delete_alias(&self, function: &str, alias: &str) -> Result<(), AwsError> {
        Aws::delete_alias(self, function, alias).await
    }

    async fn list_mappings(&self, target: &SourceTarget) -> Result<Vec<ServedMapping>, AwsError> {
        Aws::list_mappings(self, target).await
    }

    async fn create_mapping(
        &self,
        target: &SourceTarget,
        source: &PullSource,
    ) -> Result<(), AwsError> {
        Aws::create_mapping(self, target, source).await
    }

    async fn mapping_tags(&self, arn: &str) -> Result<BTreeMap<String, String>, AwsError> {
        Aws::mapping_tags(self, arn).await
    }

    async fn tag_mapping(
        &self,
        arn: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), AwsError> {
        Aws::tag_mapping(self, arn, tags).await
    }

    async fn untag_mapping(&self, arn: &str, keys: &[String]) -> Result<(), AwsError> {
        Aws::untag_mapping(self, arn, keys).await
    }

    async fn update_mapping(
        &self,
        uuid: &str,
        target: &SourceTarget,
        source: &PullSource,
    ) -> Result<(), AwsError> {
        Aws::update_mapping(self, uuid, target, source).await
    }

    async fn delete_mapping(&self, uuid: &str) -> Result<(), AwsError> {
        Aws::delete_mapping(self, uuid).await
    }

    async fn add_permission(&self, target: &SourceTarget, p: &Permission) -> Result<(), AwsError> {
        Aws::add_permission(self, target, p).await
    }

    async fn remove_permission(&self, target: &SourceTarget, sid: &str) -> Result<(), AwsError> {
        Aws::remove_permission(self, target, sid).await
    }

    async fn route_key(&self, api_id: &str, route_id: &str) -> Result<String, AwsError> {
        Aws::route_key(self, api_id, route_id).await
    }

    async fn rest_resource_path(
        &self,
        rest_api_id: &str,
        resource_id: &str,
    ) -> Result<String, AwsError> {
        Aws::rest_resource_path(self, rest_api_id, resource_id).await
    }

    async fn stage_variable(
        &self,
        api: Api<'_>,
        stage: &str,
        name: &str,
    ) -> Result<Option<String>, AwsError> {
        Aws::stage_variable(self, api, stage, name).await
    }

    async fn set_stage_variable(
        &self,
        api: Api<'_>,
        stage: &str,
        name: &str,
        value: Option<&str>,
    ) -> Result<(), AwsError> {
        Aws::set_stage_variable(self, api, stage, name, value).await
    }

    async fn put_function_url(
        &self,
        target: &SourceTarget,
        url: &FunctionUrl,
    ) -> Result<(), AwsError> {
        Aws::put_function_url(self, target, url).await
    }

    async fn delete_function_url(&self, target: &SourceTarget) -> Result<(), AwsError> {
        Aws::delete_function_url(self, target).await
    }

    async fn register_target(&self, group: &str, target: &SourceTarget) -> Result<(), AwsError> {
        Aws::register_target(self, group, target).await
    }

    async fn deregister_target(&self, group: &str, target: &SourceTarget) -> Result<(), AwsError> {
        Aws::deregister_target(self, group, target).await
    }

    async fn put_destinations(
        &self,
        target: &SourceTarget,
        destinations: &Destinations,
    ) -> Result<(), AwsError> {
        Aws::put_destinations(self, target, destinations).await
    }

    async fn delete_destinations(&self, target: &SourceTarget) -> Result<(), AwsError> {
        Aws::delete_destinations(self, target).await
    }
}
