//! Event sources on an alias (SPEC §5): what invokes the function follows the alias.
//!
//! [`reconcile`] moves an alias from the event sources it had (as this resource last deployed
//! them) to the ones declared. Only sources this resource made are touched: a mapping or a
//! permission someone else created on the alias is left alone.

use aws_sdk_lambda::types::{
    Cors, DestinationConfig, FunctionUrlAuthType, InvokeMode, OnFailure, OnSuccess,
};
use gitmoxi_engine::{AwsError, AwsErrorKind};

use super::clients::AwsClients;
use super::errors::classify;
use super::event_source_mapping::{create_mapping, key_of, matches, update_mapping};
use crate::resources::event_sources::{EventSources, PullSource, PushSource};

/// One function alias that event sources point at.
pub struct Target<'a> {
    pub function: &'a str,
    pub alias: &'a str,
    /// `arn:aws:lambda:REGION:ACCOUNT:function:NAME:ALIAS`
    pub alias_arn: &'a str,
}

impl Target<'_> {
    fn qualified(&self) -> String {
        format!("{}:{}", self.function, self.alias)
    }
    fn account(&self) -> &str {
        self.alias_arn.split(':').nth(4).unwrap_or_default()
    }
    fn region(&self) -> &str {
        self.alias_arn.split(':').nth(3).unwrap_or_default()
    }
    fn partition(&self) -> &str {
        self.alias_arn.split(':').nth(1).unwrap_or("aws")
    }
}

fn other(message: impl Into<String>) -> AwsError {
    AwsError::new(AwsErrorKind::Other, message)
}

/// Makes the alias's event sources go from `had` to `want`. Returns warnings worth showing.
pub async fn reconcile(
    clients: &AwsClients,
    target: &Target<'_>,
    had: &EventSources,
    want: &EventSources,
) -> Result<Vec<String>, AwsError> {
    let mut warnings = Vec::new();
    reconcile_pull(clients, target, &had.pull, &want.pull, &mut warnings).await?;
    reconcile_push(clients, target, &had.push, &want.push).await?;
    reconcile_destinations(clients, target, had, want).await?;
    Ok(warnings)
}

async fn reconcile_pull(
    clients: &AwsClients,
    target: &Target<'_>,
    had: &[PullSource],
    want: &[PullSource],
    warnings: &mut Vec<String>,
) -> Result<(), AwsError> {
    // Nothing to create, update or delete: listing the alias's mappings would be a wasted call
    // on every deployment of a function without pull sources.
    if had.is_empty() && want.is_empty() {
        return Ok(());
    }
    let lambda = &clients.lambda;
    let qualified = target.qualified();
    let mut existing = Vec::new();
    let mut marker = None;
    loop {
        let page = lambda
            .list_event_source_mappings()
            .function_name(target.alias_arn)
            .set_marker(marker)
            .send()
            .await
            .map_err(|e| classify("listing event source mappings", e))?;
        existing.extend(page.event_source_mappings().iter().cloned());
        marker = page.next_marker().map(str::to_string);
        if marker.is_none() {
            break;
        }
    }
    let find = |key| existing.iter().find(|m| key_of(m) == key);

    for source in want {
        let key = source.key();
        let previous = had.iter().find(|h| h.key() == key);
        match find(key.clone()) {
            Some(m) if previous.is_some_and(|p| p.needs_recreate(source)) => {
                if source.is_stream() {
                    warnings.push(format!(
                        "event source mapping {key} was recreated: a stream mapping restarts from its starting position"
                    ));
                }
                delete_mapping(clients, m.uuid().unwrap_or_default()).await?;
                create_mapping(lambda, &qualified, source)
                    .map_err(other)?
                    .send()
                    .await
                    .map_err(|e| classify("creating event source mapping", e))?;
            }
            Some(m) if matches(m, source) => {}
            Some(m) => {
                update_mapping(lambda, m.uuid().unwrap_or_default(), &qualified, source)
                    .map_err(other)?
                    .send()
                    .await
                    .map_err(|e| classify("updating event source mapping", e))?;
            }
            None => {
                create_mapping(lambda, &qualified, source)
                    .map_err(other)?
                    .send()
                    .await
                    .map_err(|e| classify("creating event source mapping", e))?;
            }
        }
    }
    for gone in had
        .iter()
        .filter(|h| !want.iter().any(|w| w.key() == h.key()))
    {
        if let Some(m) = find(gone.key()) {
            delete_mapping(clients, m.uuid().unwrap_or_default()).await?;
        }
    }
    Ok(())
}

async fn delete_mapping(clients: &AwsClients, uuid: &str) -> Result<(), AwsError> {
    match clients
        .lambda
        .delete_event_source_mapping()
        .uuid(uuid)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) => match classify("deleting event source mapping", e) {
            e if e.kind == AwsErrorKind::NotFound => Ok(()),
            e => Err(e),
        },
    }
}

async fn reconcile_push(
    clients: &AwsClients,
    target: &Target<'_>,
    had: &[PushSource],
    want: &[PushSource],
) -> Result<(), AwsError> {
    // Add first, then remove: a source that only changed shape keeps working throughout.
    for source in want.iter().filter(|w| !had.contains(w)) {
        add_push(clients, target, source).await?;
    }
    let url_still_wanted = want
        .iter()
        .any(|w| matches!(w, PushSource::FunctionUrl { .. }));
    for source in had.iter().filter(|h| !want.contains(h)) {
        if url_still_wanted && matches!(source, PushSource::FunctionUrl { .. }) {
            // The URL was updated in place above: only the old entry's permission goes.
            remove_permission(clients, target, &source.statement_id()).await?;
        } else {
            remove_push(clients, target, source).await?;
        }
    }
    Ok(())
}

/// The execute-api ARN a permission for an API Gateway source is scoped to.
async fn api_source_arn(
    clients: &AwsClients,
    target: &Target<'_>,
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
    let route = clients
        .apigatewayv2
        .get_route()
        .api_id(api_id)
        .route_id(route_id)
        .send()
        .await
        .map_err(|e| classify("reading API Gateway route", e))?;
    // A route key is "METHOD /path", "ANY /path" or "$default".
    let scope = match route.route_key().unwrap_or("$default").split_once(' ') {
        Some(("ANY", path)) => format!("*/*{path}"),
        Some((method, path)) => format!("*/{method}{path}"),
        None => "*/*".to_string(),
    };
    Ok(Some(format!("{base}/{scope}")))
}

/// A resource-based policy statement on the alias.
struct Permission<'a> {
    statement_id: &'a str,
    principal: &'a str,
    action: &'a str,
    source_arn: Option<String>,
    source_account: Option<String>,
    /// Public function URLs also need the statement to name the URL's auth type.
    url_auth_none: bool,
}

async fn add_permission(
    clients: &AwsClients,
    target: &Target<'_>,
    p: Permission<'_>,
) -> Result<(), AwsError> {
    let Permission {
        statement_id,
        principal,
        action,
        source_arn,
        source_account,
        url_auth_none,
    } = p;
    let mut req = clients
        .lambda
        .add_permission()
        .function_name(target.function)
        .qualifier(target.alias)
        .statement_id(statement_id)
        .action(action)
        .principal(principal)
        .set_source_arn(source_arn)
        .set_source_account(source_account);
    if url_auth_none {
        req = req.function_url_auth_type(FunctionUrlAuthType::None);
    }
    match req.send().await {
        Ok(_) => Ok(()),
        // The statement is already there (a retried apply): nothing to do.
        Err(e) => match classify("adding Lambda permission", e) {
            e if e.kind == AwsErrorKind::InUse => Ok(()),
            e => Err(e),
        },
    }
}

async fn remove_permission(
    clients: &AwsClients,
    target: &Target<'_>,
    statement_id: &str,
) -> Result<(), AwsError> {
    match clients
        .lambda
        .remove_permission()
        .function_name(target.function)
        .qualifier(target.alias)
        .statement_id(statement_id)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) => match classify("removing Lambda permission", e) {
            e if e.kind == AwsErrorKind::NotFound => Ok(()),
            e => Err(e),
        },
    }
}

async fn add_push(
    clients: &AwsClients,
    target: &Target<'_>,
    source: &PushSource,
) -> Result<(), AwsError> {
    let sid = source.statement_id();
    match source {
        PushSource::ApiGateway {
            api_id,
            stage,
            stage_variable,
            ..
        } => {
            let arn = api_source_arn(clients, target, source).await?;
            add_permission(
                clients,
                target,
                Permission {
                    statement_id: &sid,
                    principal: "apigateway.amazonaws.com",
                    action: "lambda:InvokeFunction",
                    source_arn: arn,
                    source_account: None,
                    url_auth_none: false,
                },
            )
            .await?;
            if let (Some(api_id), Some(variable)) = (api_id, stage_variable) {
                clients
                    .apigatewayv2
                    .update_stage()
                    .api_id(api_id)
                    .stage_name(stage.clone().unwrap_or_else(|| "$default".into()))
                    .stage_variables(variable.clone(), target.alias.to_string())
                    .send()
                    .await
                    .map_err(|e| classify("setting the API Gateway stage variable", e))?;
            }
        }
        PushSource::LoadBalancer { target_group_arn } => {
            // The load balancer may only invoke once the permission exists.
            add_permission(
                clients,
                target,
                Permission {
                    statement_id: &sid,
                    principal: "elasticloadbalancing.amazonaws.com",
                    action: "lambda:InvokeFunction",
                    source_arn: Some(target_group_arn.clone()),
                    source_account: None,
                    url_auth_none: false,
                },
            )
            .await?;
            clients
                .elbv2
                .register_targets()
                .target_group_arn(target_group_arn)
                .targets(
                    aws_sdk_elasticloadbalancingv2::types::TargetDescription::builder()
                        .id(target.alias_arn)
                        .build(),
                )
                .send()
                .await
                .map_err(|e| classify("registering the alias with the target group", e))?;
        }
        PushSource::FunctionUrl {
            auth_type,
            cors,
            invoke_mode,
        } => {
            let auth = FunctionUrlAuthType::from(auth_type.as_str());
            let cors = cors.as_ref().map(cors_of);
            let mode = invoke_mode.as_deref().map(InvokeMode::from);
            let created = clients
                .lambda
                .create_function_url_config()
                .function_name(target.function)
                .qualifier(target.alias)
                .auth_type(auth.clone())
                .set_cors(cors.clone())
                .set_invoke_mode(mode.clone())
                .send()
                .await;
            if let Err(e) = created {
                let e = classify("creating the function URL", e);
                if e.kind != AwsErrorKind::InUse {
                    return Err(e);
                }
                clients
                    .lambda
                    .update_function_url_config()
                    .function_name(target.function)
                    .qualifier(target.alias)
                    .auth_type(auth.clone())
                    .set_cors(cors)
                    .set_invoke_mode(mode)
                    .send()
                    .await
                    .map_err(|e| classify("updating the function URL", e))?;
            }
            if auth == FunctionUrlAuthType::None {
                add_permission(
                    clients,
                    target,
                    Permission {
                        statement_id: &sid,
                        principal: "*",
                        action: "lambda:InvokeFunctionUrl",
                        source_arn: None,
                        source_account: None,
                        url_auth_none: true,
                    },
                )
                .await?;
            }
        }
        PushSource::Service {
            principal,
            source_arn,
            source_account,
        } => {
            add_permission(
                clients,
                target,
                Permission {
                    statement_id: &sid,
                    principal,
                    action: "lambda:InvokeFunction",
                    source_arn: source_arn.clone(),
                    source_account: source_account.clone(),
                    url_auth_none: false,
                },
            )
            .await?;
        }
    }
    Ok(())
}

async fn remove_push(
    clients: &AwsClients,
    target: &Target<'_>,
    source: &PushSource,
) -> Result<(), AwsError> {
    let sid = source.statement_id();
    match source {
        PushSource::LoadBalancer { target_group_arn } => {
            let deregistered = clients
                .elbv2
                .deregister_targets()
                .target_group_arn(target_group_arn)
                .targets(
                    aws_sdk_elasticloadbalancingv2::types::TargetDescription::builder()
                        .id(target.alias_arn)
                        .build(),
                )
                .send()
                .await;
            if let Err(e) = deregistered {
                let e = classify("deregistering the alias from the target group", e);
                if e.kind != AwsErrorKind::NotFound {
                    return Err(e);
                }
            }
        }
        PushSource::FunctionUrl { .. } => {
            let deleted = clients
                .lambda
                .delete_function_url_config()
                .function_name(target.function)
                .qualifier(target.alias)
                .send()
                .await;
            if let Err(e) = deleted {
                let e = classify("deleting the function URL", e);
                if e.kind != AwsErrorKind::NotFound {
                    return Err(e);
                }
            }
        }
        PushSource::ApiGateway { .. } | PushSource::Service { .. } => {}
    }
    remove_permission(clients, target, &sid).await
}

fn cors_of(v: &serde_json::Value) -> Cors {
    let strings = |key: &str| -> Option<Vec<String>> {
        v.get(key)?.as_array().map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
    };
    Cors::builder()
        .set_allow_credentials(v.get("AllowCredentials").and_then(|b| b.as_bool()))
        .set_allow_headers(strings("AllowHeaders"))
        .set_allow_methods(strings("AllowMethods"))
        .set_allow_origins(strings("AllowOrigins"))
        .set_expose_headers(strings("ExposeHeaders"))
        .set_max_age(v.get("MaxAge").and_then(|n| n.as_i64()).map(|n| n as i32))
        .build()
}

async fn reconcile_destinations(
    clients: &AwsClients,
    target: &Target<'_>,
    had: &EventSources,
    want: &EventSources,
) -> Result<(), AwsError> {
    if had.destinations == want.destinations {
        return Ok(());
    }
    match &want.destinations {
        Some(d) => {
            let mut config = DestinationConfig::builder();
            if let Some(arn) = &d.on_failure {
                config = config.on_failure(OnFailure::builder().destination(arn).build());
            }
            if let Some(arn) = &d.on_success {
                config = config.on_success(OnSuccess::builder().destination(arn).build());
            }
            clients
                .lambda
                .put_function_event_invoke_config()
                .function_name(target.function)
                .qualifier(target.alias)
                .destination_config(config.build())
                .set_maximum_retry_attempts(d.maximum_retry_attempts)
                .set_maximum_event_age_in_seconds(d.maximum_event_age_in_seconds)
                .send()
                .await
                .map_err(|e| classify("setting asynchronous invocation destinations", e))?;
        }
        None => {
            let deleted = clients
                .lambda
                .delete_function_event_invoke_config()
                .function_name(target.function)
                .qualifier(target.alias)
                .send()
                .await;
            if let Err(e) = deleted {
                let e = classify("removing asynchronous invocation destinations", e);
                if e.kind != AwsErrorKind::NotFound {
                    return Err(e);
                }
            }
        }
    }
    Ok(())
}
