//! Push sources: a resource-based permission each, and what the service needs besides (a target
//! registration, a function URL, a stage variable). Added before the old ones go, so a source
//! that only changed shape keeps working throughout; removal puts back what adding changed.

use super::gateway::{self, StageVariable};
use super::Replaced;
use crate::model::event_sources::{PushSource, API_GATEWAY, LOAD_BALANCER};
use crate::model::ports::{AwsError, Cloud, FunctionUrl, Permission, SourceTarget};

pub(super) async fn reconcile_push<C: Cloud>(
    cloud: &C,
    target: &SourceTarget,
    had: &[PushSource],
    want: &[PushSource],
    replaced: &mut Replaced,
) -> Result<(), AwsError> {
    for source in want.iter().filter(|w| !had.contains(w)) {
        add_push(cloud, target, source, replaced).await?;
    }
    let url_still_wanted = want
        .iter()
        .any(|w| matches!(w, PushSource::FunctionUrl { .. }));
    let variables_wanted: Vec<StageVariable> = want.iter().filter_map(StageVariable::of).collect();
    for source in had.iter().filter(|h| !want.contains(h)) {
        match source {
            // The URL was updated in place above: only the old entry's permission goes.
            PushSource::FunctionUrl { .. } if url_still_wanted => {}
            PushSource::FunctionUrl { .. } => cloud.delete_function_url(target).await?,
            PushSource::LoadBalancer { target_group_arn } => {
                cloud.deregister_target(target_group_arn, target).await?
            }
            PushSource::ApiGateway { .. } | PushSource::RestApi { .. } => {
                if let Some(v) = StageVariable::of(source) {
                    if !variables_wanted.contains(&v) {
                        gateway::restore(cloud, target, &v, replaced).await?;
                    }
                }
            }
            PushSource::Service { .. } => {}
        }
        cloud
            .remove_permission(target, &source.statement_id())
            .await?;
    }
    Ok(())
}

async fn add_push<C: Cloud>(
    cloud: &C,
    target: &SourceTarget,
    source: &PushSource,
    replaced: &mut Replaced,
) -> Result<(), AwsError> {
    let permission = |principal: &str, source_arn: Option<String>| Permission {
        statement_id: source.statement_id(),
        principal: principal.to_string(),
        action: "lambda:InvokeFunction".into(),
        source_arn,
        source_account: None,
        function_url_auth_type: None,
    };
    match source {
        PushSource::ApiGateway { .. } | PushSource::RestApi { .. } => {
            let arn = gateway::source_arn(cloud, target, source).await?;
            cloud
                .add_permission(target, &permission(API_GATEWAY, arn))
                .await?;
            if let Some(v) = StageVariable::of(source) {
                gateway::point_at_alias(cloud, target, &v, replaced).await?;
            }
        }
        PushSource::LoadBalancer { target_group_arn } => {
            // The load balancer may only invoke once the permission exists.
            let p = permission(LOAD_BALANCER, Some(target_group_arn.clone()));
            cloud.add_permission(target, &p).await?;
            cloud.register_target(target_group_arn, target).await?;
        }
        PushSource::FunctionUrl {
            auth_type,
            cors,
            invoke_mode,
        } => {
            let url = FunctionUrl {
                auth_type: auth_type.clone(),
                cors: cors.clone(),
                invoke_mode: invoke_mode.clone(),
            };
            cloud.put_function_url(target, &url).await?;
            if auth_type == "NONE" {
                let p = Permission {
                    principal: "*".into(),
                    action: "lambda:InvokeFunctionUrl".into(),
                    function_url_auth_type: Some("NONE".into()),
                    ..permission("*", None)
                };
                cloud.add_permission(target, &p).await?;
            }
        }
        PushSource::Service {
            principal,
            source_arn,
            source_account,
        } => {
            let p = Permission {
                source_account: source_account.clone(),
                ..permission(principal, source_arn.clone())
            };
            cloud.add_permission(target, &p).await?;
        }
    }
    Ok(())
}
