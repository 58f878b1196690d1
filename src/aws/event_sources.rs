//! What invokes an alias: event source mappings, resource-based permissions, function URLs,
//! asynchronous-invocation destinations and load balancer targets (API Gateway is in
//! `gateways.rs`). Deciding which of them to add or remove is the resources' business; this file only speaks
//! to AWS.

use std::collections::BTreeMap;

use aws_sdk_elasticloadbalancingv2::types::TargetDescription;
use aws_sdk_lambda::types::{
    Cors, DestinationConfig, FunctionUrlAuthType, InvokeMode, OnFailure, OnSuccess,
};
use gitmoxi_engine::ports::{done_if_not_found, AwsError, AwsErrorKind};

use super::event_source_mapping::{create_mapping, flatten, update_mapping};
use super::ops;
use super::Aws;
use crate::model::event_sources::{Destinations, PullSource};
use crate::model::ports::{FunctionUrl, Permission, ServedMapping, SourceTarget};

fn invalid(message: String) -> AwsError {
    AwsError::new(AwsErrorKind::Invalid, message)
}

/// An addition AWS refuses because it is already there counts as done.
fn done_if_exists(result: Result<(), AwsError>) -> Result<(), AwsError> {
    match result {
        Err(e) if e.kind == AwsErrorKind::InUse => Ok(()),
        other => other,
    }
}

impl Aws {
    pub(super) async fn list_mappings(
        &self,
        target: &SourceTarget,
    ) -> Result<Vec<ServedMapping>, AwsError> {
        let mut out = Vec::new();
        let mut marker = None;
        loop {
            let page = self
                .calls
                .send(ops::LIST_MAPPINGS, || {
                    self.lambda
                        .list_event_source_mappings()
                        .function_name(&target.alias_arn)
                        .set_marker(marker.clone())
                        .send()
                })
                .await?;
            out.extend(page.event_source_mappings().iter().map(|m| ServedMapping {
                uuid: m.uuid().unwrap_or_default().to_string(),
                arn: m.event_source_mapping_arn().map(str::to_string),
                source: flatten(m),
            }));
            marker = page.next_marker().map(str::to_string);
            if marker.is_none() {
                return Ok(out);
            }
        }
    }

    pub(super) async fn mapping_tags(
        &self,
        arn: &str,
    ) -> Result<BTreeMap<String, String>, AwsError> {
        let found = self
            .calls
            .send(ops::LIST_MAPPING_TAGS, || {
                self.lambda.list_tags().resource(arn).send()
            })
            .await?;
        let tags = found.tags().cloned().unwrap_or_default();
        Ok(tags.into_iter().collect())
    }

    pub(super) async fn tag_mapping(
        &self,
        arn: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), AwsError> {
        let tags: std::collections::HashMap<String, String> = tags.clone().into_iter().collect();
        self.calls
            .send(ops::TAG_MAPPING, || {
                self.lambda
                    .tag_resource()
                    .resource(arn)
                    .set_tags(Some(tags.clone()))
                    .send()
            })
            .await?;
        Ok(())
    }

    pub(super) async fn untag_mapping(&self, arn: &str, keys: &[String]) -> Result<(), AwsError> {
        self.calls
            .send(ops::UNTAG_MAPPING, || {
                self.lambda
                    .untag_resource()
                    .resource(arn)
                    .set_tag_keys(Some(keys.to_vec()))
                    .send()
            })
            .await?;
        Ok(())
    }

    pub(super) async fn create_mapping(
        &self,
        target: &SourceTarget,
        source: &PullSource,
    ) -> Result<(), AwsError> {
        let request = create_mapping(&self.lambda, &target.qualified(), source).map_err(invalid)?;
        self.calls
            .send(ops::CREATE_MAPPING, || request.clone().send())
            .await?;
        Ok(())
    }

    pub(super) async fn update_mapping(
        &self,
        uuid: &str,
        target: &SourceTarget,
        source: &PullSource,
    ) -> Result<(), AwsError> {
        let request =
            update_mapping(&self.lambda, uuid, &target.qualified(), source).map_err(invalid)?;
        self.calls
            .send(ops::UPDATE_MAPPING, || request.clone().send())
            .await?;
        Ok(())
    }

    pub(super) async fn delete_mapping(&self, uuid: &str) -> Result<(), AwsError> {
        let deleted = self
            .calls
            .send(ops::DELETE_MAPPING, || {
                self.lambda.delete_event_source_mapping().uuid(uuid).send()
            })
            .await;
        done_if_not_found(deleted.map(|_| ()))
    }

    pub(super) async fn add_permission(
        &self,
        target: &SourceTarget,
        p: &Permission,
    ) -> Result<(), AwsError> {
        let url_auth = p
            .function_url_auth_type
            .as_deref()
            .map(FunctionUrlAuthType::from);
        let added = self
            .calls
            .send(ops::ADD_PERMISSION, || {
                self.lambda
                    .add_permission()
                    .function_name(&target.function)
                    .qualifier(&target.alias)
                    .statement_id(&p.statement_id)
                    .action(&p.action)
                    .principal(&p.principal)
                    .set_source_arn(p.source_arn.clone())
                    .set_source_account(p.source_account.clone())
                    .set_function_url_auth_type(url_auth.clone())
                    .send()
            })
            .await;
        // The statement is already there (a retried apply): statement ids are derived from
        // the entry, so an existing one says the same.
        done_if_exists(added.map(|_| ()))
    }

    pub(super) async fn remove_permission(
        &self,
        target: &SourceTarget,
        statement_id: &str,
    ) -> Result<(), AwsError> {
        let removed = self
            .calls
            .send(ops::REMOVE_PERMISSION, || {
                self.lambda
                    .remove_permission()
                    .function_name(&target.function)
                    .qualifier(&target.alias)
                    .statement_id(statement_id)
                    .send()
            })
            .await;
        done_if_not_found(removed.map(|_| ()))
    }

    pub(super) async fn put_function_url(
        &self,
        target: &SourceTarget,
        url: &FunctionUrl,
    ) -> Result<(), AwsError> {
        let auth = FunctionUrlAuthType::from(url.auth_type.as_str());
        let cors = url.cors.as_ref().map(cors_of);
        let mode = url.invoke_mode.as_deref().map(InvokeMode::from);
        let created = self
            .calls
            .send(ops::CREATE_URL, || {
                self.lambda
                    .create_function_url_config()
                    .function_name(&target.function)
                    .qualifier(&target.alias)
                    .auth_type(auth.clone())
                    .set_cors(cors.clone())
                    .set_invoke_mode(mode.clone())
                    .send()
            })
            .await;
        match created {
            Err(e) if e.kind == AwsErrorKind::InUse => {}
            other => return other.map(|_| ()),
        }
        self.calls
            .send(ops::UPDATE_URL, || {
                self.lambda
                    .update_function_url_config()
                    .function_name(&target.function)
                    .qualifier(&target.alias)
                    .auth_type(auth.clone())
                    .set_cors(cors.clone())
                    .set_invoke_mode(mode.clone())
                    .send()
            })
            .await?;
        Ok(())
    }

    pub(super) async fn delete_function_url(&self, target: &SourceTarget) -> Result<(), AwsError> {
        let deleted = self
            .calls
            .send(ops::DELETE_URL, || {
                self.lambda
                    .delete_function_url_config()
                    .function_name(&target.function)
                    .qualifier(&target.alias)
                    .send()
            })
            .await;
        done_if_not_found(deleted.map(|_| ()))
    }

    pub(super) async fn register_target(
        &self,
        target_group_arn: &str,
        target: &SourceTarget,
    ) -> Result<(), AwsError> {
        let alias = TargetDescription::builder().id(&target.alias_arn).build();
        self.calls
            .send(ops::REGISTER_TARGET, || {
                self.elbv2
                    .register_targets()
                    .target_group_arn(target_group_arn)
                    .targets(alias.clone())
                    .send()
            })
            .await?;
        Ok(())
    }

    pub(super) async fn deregister_target(
        &self,
        target_group_arn: &str,
        target: &SourceTarget,
    ) -> Result<(), AwsError> {
        let alias = TargetDescription::builder().id(&target.alias_arn).build();
        let deregistered = self
            .calls
            .send(ops::DEREGISTER_TARGET, || {
                self.elbv2
                    .deregister_targets()
                    .target_group_arn(target_group_arn)
                    .targets(alias.clone())
                    .send()
            })
            .await;
        done_if_not_found(deregistered.map(|_| ()))
    }

    pub(super) async fn put_destinations(
        &self,
        target: &SourceTarget,
        d: &Destinations,
    ) -> Result<(), AwsError> {
        let mut config = DestinationConfig::builder();
        if let Some(arn) = &d.on_failure {
            config = config.on_failure(OnFailure::builder().destination(arn).build());
        }
        if let Some(arn) = &d.on_success {
            config = config.on_success(OnSuccess::builder().destination(arn).build());
        }
        let config = config.build();
        self.calls
            .send(ops::PUT_DESTINATIONS, || {
                self.lambda
                    .put_function_event_invoke_config()
                    .function_name(&target.function)
                    .qualifier(&target.alias)
                    .destination_config(config.clone())
                    .set_maximum_retry_attempts(d.maximum_retry_attempts)
                    .set_maximum_event_age_in_seconds(d.maximum_event_age_in_seconds)
                    .send()
            })
            .await?;
        Ok(())
    }

    pub(super) async fn delete_destinations(&self, target: &SourceTarget) -> Result<(), AwsError> {
        let deleted = self
            .calls
            .send(ops::DELETE_DESTINATIONS, || {
                self.lambda
                    .delete_function_event_invoke_config()
                    .function_name(&target.function)
                    .qualifier(&target.alias)
                    .send()
            })
            .await;
        done_if_not_found(deleted.map(|_| ()))
    }
}

fn cors_of(v: &serde_json::Value) -> Cors {
    let strings = |key: &str| -> Option<Vec<String>> {
        v.get(key)?.as_array().map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
    };
    let max_age = v.get("MaxAge").and_then(|n| n.as_i64());
    Cors::builder()
        .set_allow_credentials(v.get("AllowCredentials").and_then(|b| b.as_bool()))
        .set_allow_headers(strings("AllowHeaders"))
        .set_allow_methods(strings("AllowMethods"))
        .set_allow_origins(strings("AllowOrigins"))
        .set_expose_headers(strings("ExposeHeaders"))
        .set_max_age(max_age.and_then(|n| i32::try_from(n).ok()))
        .build()
}
