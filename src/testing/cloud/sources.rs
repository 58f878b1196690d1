//! The event-source side of [`FakeCloud`]: mappings and their tags, permissions, API Gateway,
//! function URLs, target groups and destinations, on the in-memory account.

use std::collections::BTreeMap;

use gitmoxi_engine::ports::{done_if_not_found, AwsError, AwsErrorKind};
use gitmoxi_fake_aws::{FakeAws, Mapping, Statement, UrlConfig};

use super::{done_if_exists, FakeCloud};
use crate::model::event_sources::{Destinations, PullSource};
use crate::model::ports::{Api, FunctionUrl, Permission, ServedMapping, SourceTarget};

impl FakeCloud {
    pub(super) async fn list_mappings(
        &self,
        target: &SourceTarget,
    ) -> Result<Vec<ServedMapping>, AwsError> {
        let mappings = self
            .call("list_mappings", |aws| aws.list_mappings(&target.alias_arn))
            .await?;
        mappings
            .into_iter()
            .map(|m| {
                let source: PullSource = serde_json::from_str(&m.settings)
                    .map_err(|e| AwsError::new(AwsErrorKind::Other, e.to_string()))?;
                Ok(ServedMapping {
                    arn: Some(FakeAws::mapping_arn(&m.uuid)),
                    uuid: m.uuid,
                    source,
                })
            })
            .collect()
    }

    pub(super) async fn create_mapping(
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

    pub(super) async fn mapping_tags(
        &self,
        arn: &str,
    ) -> Result<BTreeMap<String, String>, AwsError> {
        self.call("mapping_tags", |aws| aws.mapping_tags(arn)).await
    }

    pub(super) async fn tag_mapping(
        &self,
        arn: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), AwsError> {
        self.call("tag_mapping", |aws| aws.tag_mapping(arn, tags))
            .await
    }

    pub(super) async fn untag_mapping(&self, arn: &str, keys: &[String]) -> Result<(), AwsError> {
        self.call("untag_mapping", |aws| aws.untag_mapping(arn, keys))
            .await
    }

    pub(super) async fn update_mapping(
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

    pub(super) async fn delete_mapping(&self, uuid: &str) -> Result<(), AwsError> {
        done_if_not_found(
            self.call("delete_mapping", |aws| aws.delete_mapping(uuid))
                .await,
        )
    }

    pub(super) async fn add_permission(
        &self,
        target: &SourceTarget,
        p: &Permission,
    ) -> Result<(), AwsError> {
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

    pub(super) async fn remove_permission(
        &self,
        target: &SourceTarget,
        sid: &str,
    ) -> Result<(), AwsError> {
        done_if_not_found(
            self.call("remove_permission", |aws| {
                aws.remove_permission(&target.function, &target.alias, sid)
            })
            .await,
        )
    }

    pub(super) async fn route_key(&self, api_id: &str, route_id: &str) -> Result<String, AwsError> {
        self.call("route_key", |aws| aws.route_key(api_id, route_id))
            .await
    }

    pub(super) async fn rest_resource_path(
        &self,
        rest_api_id: &str,
        resource_id: &str,
    ) -> Result<String, AwsError> {
        self.call("rest_resource_path", |aws| {
            aws.rest_resource_path(rest_api_id, resource_id)
        })
        .await
    }

    pub(super) async fn stage_variable(
        &self,
        api: Api<'_>,
        stage: &str,
        name: &str,
    ) -> Result<Option<String>, AwsError> {
        let (Api::Http(id) | Api::Rest(id)) = api;
        self.call("stage_variable", |aws| {
            aws.get_stage_variable(id, stage, name)
        })
        .await
    }

    pub(super) async fn set_stage_variable(
        &self,
        api: Api<'_>,
        stage: &str,
        name: &str,
        value: Option<&str>,
    ) -> Result<(), AwsError> {
        let (Api::Http(id) | Api::Rest(id)) = api;
        self.call("set_stage_variable", |aws| {
            aws.set_stage_variable(id, stage, name, value)
        })
        .await
    }

    pub(super) async fn put_function_url(
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

    pub(super) async fn delete_function_url(&self, target: &SourceTarget) -> Result<(), AwsError> {
        done_if_not_found(
            self.call("delete_url", |aws| {
                aws.delete_url(&target.function, &target.alias)
            })
            .await,
        )
    }

    pub(super) async fn register_target(
        &self,
        group: &str,
        target: &SourceTarget,
    ) -> Result<(), AwsError> {
        self.call("register_target", |aws| {
            aws.register_target(group, &target.alias_arn)
        })
        .await
    }

    pub(super) async fn deregister_target(
        &self,
        group: &str,
        target: &SourceTarget,
    ) -> Result<(), AwsError> {
        done_if_not_found(
            self.call("deregister_target", |aws| {
                aws.deregister_target(group, &target.alias_arn)
            })
            .await,
        )
    }

    pub(super) async fn put_destinations(
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

    pub(super) async fn delete_destinations(&self, target: &SourceTarget) -> Result<(), AwsError> {
        done_if_not_found(
            self.call("delete_invoke_config", |aws| {
                aws.delete_invoke_config(&target.function, &target.alias)
            })
            .await,
        )
    }
}
