//! Event sources changed and removed through Terraform on the emulator, read back with the SDK:
//! a function URL and destinations follow their entries and go with them, a REST API source
//! scopes its permission and puts its stage variable back, and a mapping made outside Terraform is
//! refused until the entry adopts it. (A target group losing the alias with its entry is in
//! `event_sources.rs`.)

use crate::fixtures::{create_queue, mappings, policy_statements, write_handler_zip, Deployment};
use crate::harness::{Emulator, Workspace, REGION};

const ACCOUNT: &str = "000000000000";

/// Applies `deployment` with `sources` (or none) in `ws`, expecting success.
fn apply_sources(
    ws: &Workspace,
    emulator: &Emulator,
    deployment: &mut Deployment,
    sources: Option<String>,
) {
    deployment.event_sources = sources;
    deployment.write(ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();
}

fn workspace(name: &str) -> Workspace {
    let ws = Workspace::new(name);
    write_handler_zip(&ws, "v1.zip", "v1");
    ws
}

fn alias_arn(function: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}:live")
}

async fn url_config(
    lambda: &aws_sdk_lambda::Client,
) -> Option<aws_sdk_lambda::operation::get_function_url_config::GetFunctionUrlConfigOutput> {
    let found = lambda
        .get_function_url_config()
        .function_name("e2e-url")
        .qualifier("live");
    found.send().await.ok()
}

async fn retry_attempts(lambda: &aws_sdk_lambda::Client) -> Option<Option<i32>> {
    let found = lambda
        .get_function_event_invoke_config()
        .function_name("e2e-url")
        .qualifier("live");
    found.send().await.ok().map(|c| c.maximum_retry_attempts())
}

#[tokio::test]
async fn a_function_url_and_destinations_follow_their_entries_and_go_with_them() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let (_, dlq) = create_queue(&emulator.endpoint(), "e2e-url-dlq");
    let ws = workspace("url-destinations");
    let mut d = Deployment::new("e2e-url");
    let url = |auth: &str, extra: &str| {
        format!(
            r#"{{"PushEventSources": [{{"Service": "lambda.url", "AuthType": "{auth}"{extra}}}], "Destinations": {{"OnFailure": "{dlq}", "MaximumRetryAttempts": 1}}}}"#
        )
    };
    apply_sources(&ws, &emulator, &mut d, Some(url("AWS_IAM", "")));
    let config = url_config(&lambda).await.expect("the alias has a URL");
    assert_eq!(config.auth_type().as_str(), "AWS_IAM");
    assert_eq!(
        retry_attempts(&lambda).await,
        Some(Some(1)),
        "destinations set"
    );

    let cors = r#", "Cors": {"AllowOrigins": ["https://example.com"]}"#;
    apply_sources(&ws, &emulator, &mut d, Some(url("NONE", cors)));
    let config = url_config(&lambda)
        .await
        .expect("the alias still has a URL");
    assert_eq!(config.auth_type().as_str(), "NONE");
    let origins = config.cors().map(|c| c.allow_origins().to_vec());
    assert_eq!(origins, Some(vec!["https://example.com".to_string()]));

    apply_sources(&ws, &emulator, &mut d, None);
    assert!(
        url_config(&lambda).await.is_none(),
        "the URL went with its entry"
    );
    assert_eq!(
        retry_attempts(&lambda).await,
        None,
        "the destinations went too"
    );
}

#[tokio::test]
async fn a_rest_api_source_scopes_its_permission_and_puts_the_stage_variable_back() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let apigw = emulator.apigateway_client();
    let api = apigw
        .create_rest_api()
        .name("e2e-rest")
        .send()
        .await
        .expect("CreateRestApi");
    let api_id = api.id().expect("an API id").to_string();
    let resources = apigw
        .get_resources()
        .rest_api_id(&api_id)
        .send()
        .await
        .expect("GetResources");
    let root = resources
        .items()
        .iter()
        .find(|r| r.path() == Some("/"))
        .and_then(|r| r.id());
    let orders = apigw
        .create_resource()
        .rest_api_id(&api_id)
        .parent_id(root.expect("a root resource"))
        .path_part("orders")
        .send()
        .await
        .expect("CreateResource");
    let resource_id = orders.id().expect("a resource id").to_string();
    apigw
        .create_deployment()
        .rest_api_id(&api_id)
        .stage_name("prod")
        .variables("lambdaAlias", "blue")
        .send()
        .await
        .expect("CreateDeployment");
    let ws = workspace("rest-api");
    let mut d = Deployment::new("e2e-rest");
    let rest = |method: &str| {
        Some(format!(
            r#"{{"PushEventSources": [{{"Service": "apigateway.amazonaws.com", "RestApiId": "{api_id}", "ResourceId": "{resource_id}", "HttpMethod": "{method}", "Stage": "prod", "AliasStageVariableName": "lambdaAlias"}}]}}"#
        ))
    };
    let variable = || async {
        let stage = apigw
            .get_stage()
            .rest_api_id(&api_id)
            .stage_name("prod")
            .send()
            .await;
        let stage = stage.expect("GetStage");
        stage
            .variables()
            .and_then(|v| v.get("lambdaAlias"))
            .cloned()
    };
    let scopes = || async {
        let statements = policy_statements(&lambda, "e2e-rest", "live").await;
        let arns = statements
            .iter()
            .map(|s| s["Condition"]["ArnLike"]["AWS:SourceArn"].clone());
        arns.filter_map(|a| a.as_str().map(str::to_string))
            .collect::<Vec<_>>()
    };
    let scope = |method: &str| {
        vec![format!(
            "arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id}/*/{method}/orders"
        )]
    };

    apply_sources(&ws, &emulator, &mut d, rest("GET"));
    assert_eq!(scopes().await, scope("GET"));
    assert_eq!(variable().await.as_deref(), Some("live"));

    apply_sources(&ws, &emulator, &mut d, rest("POST"));
    assert_eq!(scopes().await, scope("POST"));
    assert_eq!(variable().await.as_deref(), Some("live"));

    apply_sources(&ws, &emulator, &mut d, None);
    assert!(
        scopes().await.is_empty(),
        "the permission went with its entry"
    );
    assert_eq!(
        variable().await.as_deref(),
        Some("blue"),
        "the value before is back"
    );
}

#[tokio::test]
async fn a_mapping_made_outside_terraform_is_refused_until_the_entry_adopts_it() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let (_, queue) = create_queue(&emulator.endpoint(), "e2e-adopt");
    let ws = workspace("adopt");
    let mut d = Deployment::new("e2e-adopt");
    apply_sources(&ws, &emulator, &mut d, None);
    let alias = alias_arn("e2e-adopt");
    lambda
        .create_event_source_mapping()
        .function_name(&alias)
        .event_source_arn(&queue)
        .batch_size(3)
        .send()
        .await
        .expect("a mapping made by hand");

    let entry = |adopt: &str| {
        Some(format!(
            r#"{{"PullEventSources": [{{"EventSourceArn": "{queue}", "BatchSize": 5{adopt}}}]}}"#
        ))
    };
    d.event_sources = entry("");
    d.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"])
        .assert_failure_contains("was not created by this resource");
    assert_eq!(
        mappings(&lambda, &alias).await,
        vec![(queue.clone(), Some(3))]
    );

    apply_sources(&ws, &emulator, &mut d, entry(r#", "adopt": true"#));
    assert_eq!(
        mappings(&lambda, &alias).await,
        vec![(queue.clone(), Some(5))]
    );
    let plan = ws.tf(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), Some(0), "adopted and recorded:\n{plan}");

    apply_sources(&ws, &emulator, &mut d, None);
    assert!(
        mappings(&lambda, &alias).await.is_empty(),
        "it goes with its entry"
    );
}
