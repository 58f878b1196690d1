//! Push sources.

use serde_json::{json, Value};

use super::super::*;

const TG: &str =
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/0123456789abcdef";
const API_ARN: &str = "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/*";

fn parsed(entries: Value) -> Result<(EventSources, Vec<EventSourceWarning>), EventSourceError> {
    parse(&json!({ "PushEventSources": entries }).to_string())
}

fn one(entry: Value) -> PushSource {
    parsed(json!([entry]))
        .expect("valid push source")
        .0
        .push
        .remove(0)
}

fn err_path(entry: Value) -> String {
    let e = parsed(json!([entry])).expect_err("invalid push source");
    assert!(!e.detail.is_empty());
    e.key_path.unwrap_or_default()
}

#[test]
fn reads_each_kind_of_push_source() {
    assert_eq!(
        one(json!({ "Service": "apigateway.amazonaws.com", "SourceArn": API_ARN })),
        PushSource::ApiGateway {
            source_arn: Some(API_ARN.into()),
            api_id: None,
            route_id: None,
            stage: None,
            stage_variable: None
        }
    );
    assert_eq!(
        one(json!({ "Service": "elasticloadbalancing.amazonaws.com", "TargetGroupArn": TG })),
        PushSource::LoadBalancer {
            target_group_arn: TG.into()
        }
    );
    assert_eq!(
        one(
            json!({ "Service": "lambda.url", "AuthType": "NONE", "InvokeMode": "RESPONSE_STREAM",
                    "Cors": { "MaxAge": 60, "AllowOrigins": ["*"] } })
        ),
        PushSource::FunctionUrl {
            auth_type: "NONE".into(),
            cors: Some(json!({ "AllowOrigins": ["*"], "MaxAge": 60 })),
            invoke_mode: Some("RESPONSE_STREAM".into())
        }
    );
    assert_eq!(
        one(
            json!({ "Service": "s3.amazonaws.com", "SourceArn": "arn:aws:s3:::uploads", "SourceAccount": "123456789012" })
        ),
        PushSource::Service {
            principal: "s3.amazonaws.com".into(),
            source_arn: Some("arn:aws:s3:::uploads".into()),
            source_account: Some("123456789012".into())
        }
    );
}

#[test]
fn reads_the_gitmoxi_api_gateway_form() {
    let written = json!({ "Service": "apigateway.amazonaws.com", "ApiId": "abc123", "RouteId": "r1",
                          "AliasStageVariableName": "lambdaAlias" });
    assert_eq!(
        one(written),
        PushSource::ApiGateway {
            source_arn: None,
            api_id: Some("abc123".into()),
            route_id: Some("r1".into()),
            stage: Some("$default".into()),
            stage_variable: Some("lambdaAlias".into())
        }
    );
}

#[test]
fn accepts_the_misspelled_stage_variable_key_with_a_warning() {
    let (sources, warnings) = parsed(
        json!([{ "Service": "apigateway.amazonaws.com", "ApiId": "abc123",
        "Stage": "$default", "AlaisStageVariableName": "lambdaAlias" }]),
    )
    .unwrap();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].detail.contains("AliasStageVariableName"));
    assert_eq!(
        warnings[0].key_path.as_deref(),
        Some("PushEventSources[0].AlaisStageVariableName")
    );
    let correct = one(
        json!({ "Service": "apigateway.amazonaws.com", "ApiId": "abc123", "AliasStageVariableName": "lambdaAlias" }),
    );
    assert_eq!(sources.push[0], correct);
    assert_eq!(sources.push[0].statement_id(), correct.statement_id());
}

#[test]
fn push_errors_name_the_key_path() {
    let cases = [
        (
            json!({ "SourceArn": API_ARN }),
            "PushEventSources[0].Service",
        ),
        (json!({ "Service": 3 }), "PushEventSources[0].Service"),
        (
            json!({ "Service": "apigateway" }),
            "PushEventSources[0].Service",
        ),
        (
            json!({ "Service": "apigateway.amazonaws.com" }),
            "PushEventSources[0].ApiId",
        ),
        (
            json!({ "Service": "apigateway.amazonaws.com", "SourceArn": "arn:aws:lambda:eu-west-1:123456789012:function:f" }),
            "PushEventSources[0].SourceArn",
        ),
        (
            json!({ "Service": "apigateway.amazonaws.com", "SourceArn": API_ARN, "RouteId": "r" }),
            "PushEventSources[0].RouteId",
        ),
        (
            json!({ "Service": "apigateway.amazonaws.com", "ApiId": "a", "AliasStageVariableName": "x", "AlaisStageVariableName": "x" }),
            "PushEventSources[0].AlaisStageVariableName",
        ),
        (
            json!({ "Service": "apigateway.amazonaws.com", "ApiId": "a", "Route": "r" }),
            "PushEventSources[0].Route",
        ),
        (
            json!({ "Service": "elasticloadbalancing.amazonaws.com" }),
            "PushEventSources[0].TargetGroupArn",
        ),
        (
            json!({ "Service": "elasticloadbalancing.amazonaws.com", "TargetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1" }),
            "PushEventSources[0].TargetGroupArn",
        ),
        (
            json!({ "Service": "lambda.url" }),
            "PushEventSources[0].AuthType",
        ),
        (
            json!({ "Service": "lambda.url", "AuthType": "IAM" }),
            "PushEventSources[0].AuthType",
        ),
        (
            json!({ "Service": "lambda.url", "AuthType": "NONE", "InvokeMode": "STREAM" }),
            "PushEventSources[0].InvokeMode",
        ),
        (
            json!({ "Service": "lambda.url", "AuthType": "NONE", "Cors": { "AllowOrigin": ["*"] } }),
            "PushEventSources[0].Cors.AllowOrigin",
        ),
        (
            json!({ "Service": "lambda.url", "AuthType": "NONE", "Cors": { "MaxAge": 100000 } }),
            "PushEventSources[0].Cors.MaxAge",
        ),
        (
            json!({ "Service": "lambda.url", "AuthType": "NONE", "Cors": { "AllowMethods": "GET" } }),
            "PushEventSources[0].Cors.AllowMethods",
        ),
        (
            json!({ "Service": "s3.amazonaws.com", "SourceAccount": "12" }),
            "PushEventSources[0].SourceAccount",
        ),
        (
            json!({ "Service": "s3.amazonaws.com", "SourceArn": "bucket" }),
            "PushEventSources[0].SourceArn",
        ),
        (
            json!({ "Service": "s3.amazonaws.com", "Qualifier": "x" }),
            "PushEventSources[0].Qualifier",
        ),
    ];
    for (entry, want) in cases {
        assert_eq!(err_path(entry.clone()), want, "{entry}");
    }
}

#[test]
fn at_most_one_function_url_and_no_duplicates() {
    let url = json!({ "Service": "lambda.url", "AuthType": "NONE" });
    let e = parsed(json!([url, { "Service": "lambda.url", "AuthType": "AWS_IAM" }])).unwrap_err();
    assert_eq!(e.key_path.as_deref(), Some("PushEventSources"));
    let s3 = json!({ "Service": "s3.amazonaws.com", "SourceArn": "arn:aws:s3:::b" });
    let e = parsed(json!([s3, s3])).unwrap_err();
    assert_eq!(e.key_path.as_deref(), Some("PushEventSources[1]"));
}

#[test]
fn an_unscoped_service_permission_is_a_warning() {
    let (_, warnings) = parsed(json!([{ "Service": "events.amazonaws.com" }])).unwrap();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].summary.contains("events.amazonaws.com"));
}

#[test]
fn statement_ids_are_stable_short_and_distinct() {
    let a = one(json!({ "Service": "s3.amazonaws.com", "SourceArn": "arn:aws:s3:::a" }));
    let b = one(json!({ "Service": "s3.amazonaws.com", "SourceArn": "arn:aws:s3:::b" }));
    let id = a.statement_id();
    assert_eq!(id, a.clone().statement_id());
    assert_ne!(id, b.statement_id());
    assert!(id.starts_with("gitmoxi-") && id.len() <= 100);
    assert!(id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    // A fixed value: changing how ids are made would orphan every permission already granted.
    assert_eq!(
        one(json!({ "Service": "elasticloadbalancing.amazonaws.com", "TargetGroupArn": TG }))
            .statement_id(),
        PushSource::LoadBalancer {
            target_group_arn: TG.into()
        }
        .statement_id()
    );
    assert_eq!(id.len(), "gitmoxi-".len() + 16);
}

#[test]
fn push_order_and_key_order_do_not_matter() {
    let url = json!({ "Service": "lambda.url", "AuthType": "AWS_IAM", "Cors": { "MaxAge": 5, "AllowCredentials": true } });
    let url_reordered = json!({ "Cors": { "AllowCredentials": true, "MaxAge": 5 }, "AuthType": "AWS_IAM", "Service": "lambda.url" });
    let tg = json!({ "Service": "elasticloadbalancing.amazonaws.com", "TargetGroupArn": TG });
    let a = parsed(json!([url, tg.clone()])).unwrap().0;
    let b = parsed(json!([tg, url_reordered])).unwrap().0;
    assert_eq!(a, b);
    assert_eq!(a.canonical_json(), b.canonical_json());
    assert_eq!(parse(&a.canonical_json()).unwrap().0, a);
    let gitmoxi = parsed(json!([{ "Service": "apigateway.amazonaws.com", "ApiId": "abc", "AlaisStageVariableName": "v" }])).unwrap().0;
    let again = parse(&gitmoxi.canonical_json()).unwrap();
    assert_eq!(again.0, gitmoxi);
    assert!(
        again.1.is_empty(),
        "the canonical form uses the right spelling"
    );
}

#[test]
fn reads_a_rest_api_source() {
    let gw = "apigateway.amazonaws.com";
    assert_eq!(
        one(
            json!({ "Service": gw, "RestApiId": "r1", "ResourceId": "res", "HttpMethod": "get",
                    "Stage": "prod", "AliasStageVariableName": "lambdaAlias" })
        ),
        PushSource::RestApi {
            rest_api_id: "r1".into(),
            resource_id: Some("res".into()),
            http_method: Some("GET".into()),
            stage: Some("prod".into()),
            stage_variable: Some("lambdaAlias".into()),
        }
    );
    let whole = one(json!({ "Service": gw, "RestApiId": "r1" }));
    assert_eq!(
        whole.canonical_value(),
        json!({ "RestApiId": "r1", "Service": gw })
    );
    let cases = [
        (
            json!({ "Service": gw, "RestApiId": "r1", "ApiId": "a" }),
            "PushEventSources[0].ApiId",
        ),
        (
            json!({ "Service": gw, "RestApiId": "r1", "AliasStageVariableName": "v" }),
            "PushEventSources[0].Stage",
        ),
        (
            json!({ "Service": gw, "RestApiId": "r1", "HttpMethod": "FETCH" }),
            "PushEventSources[0].HttpMethod",
        ),
        (
            json!({ "Service": gw, "ApiId": "a", "ResourceId": "res" }),
            "PushEventSources[0].ResourceId",
        ),
        (
            json!({ "Service": gw, "RestApiId": "" }),
            "PushEventSources[0].RestApiId",
        ),
    ];
    for (entry, path) in cases {
        assert_eq!(err_path(entry.clone()), path, "{entry}");
    }
}
