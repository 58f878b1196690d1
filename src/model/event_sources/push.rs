//! Push sources: services that invoke the alias, each granted a resource-based permission (and,
//! for a load balancer, a target registration; for `lambda.url`, a function URL).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::gateway::api_gateway;

use super::errors::{arn, from_serde, one_of, range, Check, EventSourceError, EventSourceWarning};

pub const API_GATEWAY: &str = "apigateway.amazonaws.com";
pub const LOAD_BALANCER: &str = "elasticloadbalancing.amazonaws.com";
pub const FUNCTION_URL: &str = "lambda.url";
pub const URL_AUTH_TYPES: &[&str] = &["AWS_IAM", "NONE"];
pub const URL_INVOKE_MODES: &[&str] = &["BUFFERED", "RESPONSE_STREAM"];
/// The stage that carries the alias variable when `Stage` is not given.
pub const DEFAULT_STAGE: &str = "$default";

#[derive(Clone, Debug, PartialEq)]
pub enum PushSource {
    /// `stage` is filled with `$default` when a stage variable is given without one.
    ApiGateway {
        source_arn: Option<String>,
        api_id: Option<String>,
        route_id: Option<String>,
        stage: Option<String>,
        stage_variable: Option<String>,
    },
    /// A REST API (API Gateway v1). The permission is scoped to the API, and to the method and
    /// resource path when given; the stage variable is set on `stage`.
    RestApi {
        rest_api_id: String,
        resource_id: Option<String>,
        http_method: Option<String>,
        stage: Option<String>,
        stage_variable: Option<String>,
    },
    LoadBalancer {
        target_group_arn: String,
    },
    FunctionUrl {
        /// `AWS_IAM` or `NONE`.
        auth_type: String,
        /// The Lambda `Cors` shape, keys sorted.
        cors: Option<Value>,
        invoke_mode: Option<String>,
    },
    Service {
        principal: String,
        source_arn: Option<String>,
        source_account: Option<String>,
    },
}

impl PushSource {
    /// The permission's statement id: `gitmoxi-` and 16 hex digits of the SHA-256 of the
    /// canonical entry. Deterministic, and equal exactly when the entries are: a changed entry
    /// is a new statement (permissions cannot be edited in place, only removed and added).
    pub fn statement_id(&self) -> String {
        let digest = Sha256::digest(self.canonical_value().to_string().as_bytes());
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("gitmoxi-{hex}")
    }

    /// The entry as written in canonical JSON (correct key spellings, keys sorted, absent keys
    /// left out). Parsing it gives the same `PushSource` back.
    pub fn canonical_value(&self) -> Value {
        let mut v = match self {
            PushSource::ApiGateway {
                source_arn,
                api_id,
                route_id,
                stage,
                stage_variable,
            } => json!({
                "Service": API_GATEWAY, "SourceArn": source_arn, "ApiId": api_id,
                "RouteId": route_id, "Stage": stage, "AliasStageVariableName": stage_variable,
            }),
            PushSource::RestApi {
                rest_api_id,
                resource_id,
                http_method,
                stage,
                stage_variable,
            } => json!({
                "Service": API_GATEWAY, "RestApiId": rest_api_id, "ResourceId": resource_id,
                "HttpMethod": http_method, "Stage": stage, "AliasStageVariableName": stage_variable,
            }),
            PushSource::LoadBalancer { target_group_arn } => {
                json!({ "Service": LOAD_BALANCER, "TargetGroupArn": target_group_arn })
            }
            PushSource::FunctionUrl {
                auth_type,
                cors,
                invoke_mode,
            } => json!({
                "Service": FUNCTION_URL, "AuthType": auth_type, "Cors": cors, "InvokeMode": invoke_mode,
            }),
            PushSource::Service {
                principal,
                source_arn,
                source_account,
            } => json!({
                "Service": principal, "SourceArn": source_arn, "SourceAccount": source_account,
            }),
        };
        if let Some(map) = v.as_object_mut() {
            map.retain(|_, v| !v.is_null());
        }
        super::sort_keys(v)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct LoadBalancerJson {
    #[allow(dead_code)]
    service: String,
    target_group_arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct FunctionUrlJson {
    #[allow(dead_code)]
    service: String,
    auth_type: Option<String>,
    cors: Option<CorsJson>,
    invoke_mode: Option<String>,
}

/// The Lambda `Cors` shape of a function URL.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct CorsJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_credentials: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_headers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_methods: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_origins: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expose_headers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_age: Option<i32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct ServiceJson {
    service: String,
    source_arn: Option<String>,
    source_account: Option<String>,
}

fn typed<T: for<'de> Deserialize<'de>>(
    p: &str,
    what: &str,
    v: &Value,
) -> Result<T, EventSourceError> {
    serde_path_to_error::deserialize(v).map_err(|e| from_serde(p, what, e))
}

/// Reads the push entry at path `p`.
pub(crate) fn parse_entry(
    p: &str,
    v: &Value,
    warnings: &mut Vec<EventSourceWarning>,
) -> Result<PushSource, EventSourceError> {
    let service_path = format!("{p}.Service");
    let service = match v.get("Service") {
        Some(Value::String(s)) => s.as_str(),
        Some(other) => return Err(super::errors::wrong_type(&service_path, "a string", other)),
        None => {
            return Err(EventSourceError::at(
                &service_path,
                format!("Missing `{service_path}` in event_sources"),
                "Each push source names the service that invokes the alias, e.g. \
                 \"apigateway.amazonaws.com\", \"elasticloadbalancing.amazonaws.com\", \
                 \"lambda.url\" or \"s3.amazonaws.com\".",
            ))
        }
    };
    match service {
        API_GATEWAY => api_gateway(p, typed(p, "An API Gateway push source", v)?, warnings),
        LOAD_BALANCER => {
            let j: LoadBalancerJson = typed(p, "A load balancer push source", v)?;
            let path = format!("{p}.TargetGroupArn");
            let Some(tg) = j.target_group_arn else {
                return Err(EventSourceError::at(&path, format!("Missing `{path}` in event_sources"), "A load balancer source registers the alias in a target group: add TargetGroupArn (a target group of type lambda)."));
            };
            arn(&path, &tg, &["elasticloadbalancing"], "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/0123456789abcdef")?;
            if !tg.split(':').nth(5).is_some_and(|r| r.starts_with("targetgroup/")) {
                return Err(EventSourceError::at(&path, format!("`{path}` is not a target group ARN"), "Give the ARN of a target group (…:targetgroup/NAME/ID), not of a load balancer or listener."));
            }
            Ok(PushSource::LoadBalancer { target_group_arn: tg })
        }
        FUNCTION_URL => function_url(p, typed(p, "A function URL (lambda.url) push source", v)?),
        s if s.ends_with(".amazonaws.com") && s.len() > ".amazonaws.com".len() => {
            let j: ServiceJson = typed(p, "A service push source", v)?;
            if let Some(a) = &j.source_arn {
                arn(&format!("{p}.SourceArn"), a, &[], "arn:aws:s3:::my-bucket")?;
            }
            if let Some(acct) = &j.source_account {
                if acct.len() != 12 || !acct.bytes().all(|c| c.is_ascii_digit()) {
                    return Err(EventSourceError::at(&format!("{p}.SourceAccount"), "SourceAccount is not an AWS account id", format!("Give the 12-digit account id that owns the source; found `{acct}`.")));
                }
            }
            if j.source_arn.is_none() && j.source_account.is_none() {
                warnings.push(EventSourceWarning::at(p, format!("Any {} resource may invoke the alias", j.service), "Without SourceArn or SourceAccount the permission lets this service invoke the alias on behalf of any resource in any account. Add SourceArn (or SourceAccount) to scope it."));
            }
            Ok(PushSource::Service { principal: j.service, source_arn: j.source_arn, source_account: j.source_account })
        }
        other => Err(EventSourceError::at(
            &service_path,
            format!("Unknown push service `{other}`"),
            "Service must be a service principal ending in .amazonaws.com (e.g. \
             \"apigateway.amazonaws.com\", \"elasticloadbalancing.amazonaws.com\", \
             \"s3.amazonaws.com\", \"events.amazonaws.com\"), or \"lambda.url\" for a function URL.",
        )),
    }
}

fn function_url(p: &str, j: FunctionUrlJson) -> Result<PushSource, EventSourceError> {
    let path = format!("{p}.AuthType");
    let Some(auth_type) = j.auth_type else {
        return Err(EventSourceError::at(&path, format!("Missing `{path}` in event_sources"), "A function URL needs AuthType: \"AWS_IAM\" (callers sign requests) or \"NONE\" (public)."));
    };
    one_of(&path, Some(&auth_type), URL_AUTH_TYPES)?;
    one_of(
        &format!("{p}.InvokeMode"),
        j.invoke_mode.as_deref(),
        URL_INVOKE_MODES,
    )?;
    let cors = match j.cors {
        Some(c) => {
            cors(&format!("{p}.Cors"), &c)?;
            Some(super::sort_keys(
                serde_json::to_value(&c).unwrap_or(Value::Null),
            ))
        }
        None => None,
    };
    Ok(PushSource::FunctionUrl {
        auth_type,
        cors,
        invoke_mode: j.invoke_mode,
    })
}

fn cors(p: &str, c: &CorsJson) -> Check {
    range(&format!("{p}.MaxAge"), c.max_age, 0, 86_400, " seconds")?;
    for (i, m) in c.allow_methods.iter().flatten().enumerate() {
        if m.is_empty() || m.len() > 6 {
            return Err(EventSourceError::at(
                &format!("{p}.AllowMethods[{i}]"),
                "Not an HTTP method",
                format!("AllowMethods takes HTTP methods (GET, POST, ...) or \"*\"; found `{m}`."),
            ));
        }
    }
    if c.allow_origins.as_ref().is_some_and(|o| o.len() > 100) {
        return Err(EventSourceError::at(
            &format!("{p}.AllowOrigins"),
            "Too many origins",
            "A function URL allows at most 100 origins.",
        ));
    }
    Ok(())
}
