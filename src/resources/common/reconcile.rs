//! Moving an alias's event sources from what it had (as this resource last reconciled them) to
//! what is declared. Only sources this resource made are touched: a mapping or a permission
//! someone else created on the alias is left alone.

use crate::model::event_sources::{EventSources, PullSource, PushSource, DEFAULT_STAGE};
use crate::model::ports::{AwsError, Cloud, FunctionUrl, Permission, SourceTarget};

/// Makes the alias's event sources go from `had` to `want`. Returns warnings worth showing.
pub async fn reconcile<C: Cloud>(
    cloud: &C,
    target: &SourceTarget,
    had: &EventSources,
    want: &EventSources,
) -> Result<Vec<String>, AwsError> {
    let mut warnings = Vec::new();
    reconcile_pull(cloud, target, &had.pull, &want.pull, &mut warnings).await?;
    reconcile_push(cloud, target, &had.push, &want.push).await?;
    if had.destinations != want.destinations {
        match &want.destinations {
            Some(d) => cloud.put_destinations(target, d).await?,
            None => cloud.delete_destinations(target).await?,
        }
    }
    Ok(warnings)
}

async fn reconcile_pull<C: Cloud>(
    cloud: &C,
    target: &SourceTarget,
    had: &[PullSource],
    want: &[PullSource],
    warnings: &mut Vec<String>,
) -> Result<(), AwsError> {
    // Nothing to create, update or delete: listing the alias's mappings would be a wasted call
    // on every deployment of a function without pull sources.
    if had.is_empty() && want.is_empty() {
        return Ok(());
    }
    let existing = cloud.list_mappings(target).await?;
    let find = |source: &PullSource| existing.iter().find(|m| m.source.key() == source.key());
    for source in want {
        let previous = had.iter().find(|h| h.key() == source.key());
        match find(source) {
            Some(m) if previous.is_some_and(|p| p.needs_recreate(source)) => {
                if source.is_stream() {
                    warnings.push(format!(
                        "event source mapping {} was recreated: a stream mapping restarts from its \
                         starting position",
                        source.key()
                    ));
                }
                cloud.delete_mapping(&m.uuid).await?;
                cloud.create_mapping(target, source).await?;
            }
            Some(m) if source.is_served_by(&m.source) => {}
            Some(m) => cloud.update_mapping(&m.uuid, target, source).await?,
            None => cloud.create_mapping(target, source).await?,
        }
    }
    for gone in had
        .iter()
        .filter(|h| !want.iter().any(|w| w.key() == h.key()))
    {
        if let Some(m) = find(gone) {
            cloud.delete_mapping(&m.uuid).await?;
        }
    }
    Ok(())
}

async fn reconcile_push<C: Cloud>(
    cloud: &C,
    target: &SourceTarget,
    had: &[PushSource],
    want: &[PushSource],
) -> Result<(), AwsError> {
    // Add first, then remove: a source that only changed shape keeps working throughout.
    for source in want.iter().filter(|w| !had.contains(w)) {
        add_push(cloud, target, source).await?;
    }
    let url_still_wanted = want
        .iter()
        .any(|w| matches!(w, PushSource::FunctionUrl { .. }));
    for source in had.iter().filter(|h| !want.contains(h)) {
        let url = matches!(source, PushSource::FunctionUrl { .. });
        match source {
            // The URL was updated in place above: only the old entry's permission goes.
            _ if url && url_still_wanted => {}
            PushSource::LoadBalancer { target_group_arn } => {
                cloud.deregister_target(target_group_arn, target).await?
            }
            PushSource::FunctionUrl { .. } => cloud.delete_function_url(target).await?,
            PushSource::ApiGateway { .. } | PushSource::Service { .. } => {}
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
        PushSource::ApiGateway {
            api_id,
            stage,
            stage_variable,
            ..
        } => {
            let arn = api_source_arn(cloud, target, source).await?;
            let p = permission(crate::model::event_sources::API_GATEWAY, arn);
            cloud.add_permission(target, &p).await?;
            if let (Some(api_id), Some(variable)) = (api_id, stage_variable) {
                let stage = stage.as_deref().unwrap_or(DEFAULT_STAGE);
                let alias = Some(target.alias.as_str());
                cloud
                    .set_stage_variable(api_id, stage, variable, alias)
                    .await?;
            }
        }
        PushSource::LoadBalancer { target_group_arn } => {
            // The load balancer may only invoke once the permission exists.
            let p = permission(
                crate::model::event_sources::LOAD_BALANCER,
                Some(target_group_arn.clone()),
            );
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

/// The execute-api ARN a permission for an API Gateway source is scoped to: the one given, or
/// the API (and the route's method and path, when a route is named).
async fn api_source_arn<C: Cloud>(
    cloud: &C,
    target: &SourceTarget,
    source: &PushSource,
) -> Result<Option<String>, AwsError> {
    let PushSource::ApiGateway {
        source_arn,
        api_id,
        route_id,
        ..
    } = source
    else {
        return Ok(None);
    };
    if let Some(arn) = source_arn {
        return Ok(Some(arn.clone()));
    }
    let Some(api_id) = api_id else {
        return Ok(None);
    };
    let base = format!(
        "arn:{}:execute-api:{}:{}:{api_id}",
        target.partition(),
        target.region(),
        target.account()
    );
    let Some(route_id) = route_id else {
        return Ok(Some(format!("{base}/*/*")));
    };
    let route_key = cloud.route_key(api_id, route_id).await?;
    Ok(Some(format!("{base}/{}", route_scope(&route_key))))
}

/// A route key ("METHOD /path", "ANY /path" or "$default") as the stage/method/path part of an
/// execute-api ARN.
fn route_scope(route_key: &str) -> String {
    match route_key.split_once(' ') {
        Some(("ANY", path)) => format!("*/*{path}"),
        Some((method, path)) => format!("*/{method}{path}"),
        None => "*/*".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::route_scope;

    #[test]
    fn route_keys_scope_the_permission_to_method_and_path() {
        assert_eq!(route_scope("GET /orders"), "*/GET/orders");
        assert_eq!(route_scope("ANY /{proxy+}"), "*/*/{proxy+}");
        assert_eq!(route_scope("$default"), "*/*");
    }
}
