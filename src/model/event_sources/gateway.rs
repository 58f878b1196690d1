//! API Gateway push sources: an HTTP or WebSocket API (`ApiId`, optionally `RouteId`), a REST
//! API (`RestApiId`, optionally `ResourceId` and `HttpMethod`), or an execute-api `SourceArn`;
//! each optionally with the stage variable that carries the alias name.

use serde::Deserialize;

use super::errors::{arn, one_of, Check, EventSourceError, EventSourceWarning};
use super::push::{PushSource, DEFAULT_STAGE};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub(super) struct ApiGatewayJson {
    #[allow(dead_code)]
    service: String,
    source_arn: Option<String>,
    api_id: Option<String>,
    route_id: Option<String>,
    rest_api_id: Option<String>,
    resource_id: Option<String>,
    http_method: Option<String>,
    stage: Option<String>,
    alias_stage_variable_name: Option<String>,
    alais_stage_variable_name: Option<String>,
}

pub(super) fn api_gateway(
    p: &str,
    mut j: ApiGatewayJson,
    warnings: &mut Vec<EventSourceWarning>,
) -> Result<PushSource, EventSourceError> {
    let misspelt = j.alais_stage_variable_name.take();
    let stage_variable = match (j.alias_stage_variable_name.take(), misspelt) {
        (Some(_), Some(_)) => {
            return Err(EventSourceError::at(&format!("{p}.AlaisStageVariableName"), "Both AliasStageVariableName and AlaisStageVariableName are given", "AlaisStageVariableName is a misspelling of AliasStageVariableName: keep only AliasStageVariableName."));
        }
        (Some(v), None) => Some(v),
        (None, Some(v)) => {
            warnings.push(EventSourceWarning::at(&format!("{p}.AlaisStageVariableName"), "`AlaisStageVariableName` is a misspelling of `AliasStageVariableName`", "It is accepted as Gitmoxi's samples spell it; rename the key to AliasStageVariableName."));
            Some(v)
        }
        (None, None) => None,
    };
    if j.rest_api_id.is_some() {
        return rest_api(p, j, stage_variable);
    }
    for (key, given) in [
        ("ResourceId", j.resource_id.is_some()),
        ("HttpMethod", j.http_method.is_some()),
    ] {
        if given {
            return Err(EventSourceError::at(
                &format!("{p}.{key}"),
                format!("{key} needs RestApiId"),
                format!("{key} refers to a resource of a REST API: add RestApiId."),
            ));
        }
    }
    if let Some(a) = &j.source_arn {
        arn(
            &format!("{p}.SourceArn"),
            a,
            &["execute-api"],
            "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/*",
        )?;
    }
    if j.source_arn.is_none() && j.api_id.is_none() {
        return Err(EventSourceError::at(&format!("{p}.ApiId"), "An API Gateway source needs SourceArn, ApiId or RestApiId", "Add SourceArn (the execute-api ARN the permission is scoped to), ApiId (an HTTP or WebSocket API, optionally with RouteId) or RestApiId (a REST API, optionally with ResourceId and HttpMethod)."));
    }
    let needs_api = [
        ("RouteId", j.route_id.is_some()),
        ("Stage", j.stage.is_some()),
        ("AliasStageVariableName", stage_variable.is_some()),
    ];
    if j.api_id.is_none() {
        if let Some((key, _)) = needs_api.iter().find(|(_, given)| *given) {
            return Err(EventSourceError::at(
                &format!("{p}.{key}"),
                format!("{key} needs ApiId"),
                format!("{key} refers to an HTTP or WebSocket API: add ApiId."),
            ));
        }
    }
    not_empty(
        p,
        [
            ("ApiId", &j.api_id),
            ("RouteId", &j.route_id),
            ("Stage", &j.stage),
            ("AliasStageVariableName", &stage_variable),
        ],
    )?;
    let stage = j
        .stage
        .or_else(|| stage_variable.as_ref().map(|_| DEFAULT_STAGE.to_string()));
    Ok(PushSource::ApiGateway {
        source_arn: j.source_arn,
        api_id: j.api_id,
        route_id: j.route_id,
        stage,
        stage_variable,
    })
}

/// HTTP methods a REST API method can have (`ANY` and `*` stand for all of them).
pub const REST_METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY", "*",
];

/// A REST API source: `RestApiId`, optionally `ResourceId`, `HttpMethod`, `Stage` and
/// `AliasStageVariableName` (a REST API has no `$default` stage, so the variable needs `Stage`).
fn rest_api(
    p: &str,
    j: ApiGatewayJson,
    stage_variable: Option<String>,
) -> Result<PushSource, EventSourceError> {
    for (key, given) in [
        ("ApiId", j.api_id.is_some()),
        ("RouteId", j.route_id.is_some()),
        ("SourceArn", j.source_arn.is_some()),
    ] {
        if given {
            return Err(EventSourceError::at(
                &format!("{p}.{key}"),
                format!("{key} does not go with RestApiId"),
                format!(
                    "RestApiId names a REST API and scopes the permission itself; {key} is for                      HTTP and WebSocket APIs. Keep one of the two forms."
                ),
            ));
        }
    }
    not_empty(
        p,
        [
            ("RestApiId", &j.rest_api_id),
            ("ResourceId", &j.resource_id),
            ("Stage", &j.stage),
            ("AliasStageVariableName", &stage_variable),
        ],
    )?;
    let http_method = j.http_method.map(|m| m.to_ascii_uppercase());
    one_of(
        &format!("{p}.HttpMethod"),
        http_method.as_deref(),
        REST_METHODS,
    )?;
    if stage_variable.is_some() && j.stage.is_none() {
        return Err(EventSourceError::at(
            &format!("{p}.Stage"),
            "AliasStageVariableName on a REST API needs Stage",
            "A REST API has no $default stage: name the stage that carries the alias variable,              e.g. \"Stage\": \"prod\".",
        ));
    }
    Ok(PushSource::RestApi {
        rest_api_id: j.rest_api_id.unwrap_or_default(),
        resource_id: j.resource_id,
        http_method,
        stage: j.stage,
        stage_variable,
    })
}

/// Keys given with an empty value are errors naming the key.
fn not_empty<const N: usize>(p: &str, keys: [(&str, &Option<String>); N]) -> Check {
    for (key, value) in keys {
        if value.as_deref() == Some("") {
            return Err(EventSourceError::at(
                &format!("{p}.{key}"),
                format!("`{key}` is empty"),
                format!("Give a value for {key}, or remove it."),
            ));
        }
    }
    Ok(())
}
