//! `event_sources` through the real Terraform CLI: what invokes the function
//! follows the alias. An SQS mapping, an API Gateway permission and a load balancer target group,
//! each read back on the alias with the SDK.

use aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum;

use crate::fixtures::{
    create_queue, deployment_state, mappings, policy_statements, versions, write_handler_zip,
    Deployment,
};
use crate::harness::{Emulator, Workspace, ACCOUNT_ID, REGION};

/// Creates the function (version 1 on `live`) with `deployment`'s event sources.
fn create(emulator: &Emulator, ws_name: &str, deployment: &Deployment) -> Workspace {
    let ws = Workspace::new(ws_name);
    write_handler_zip(&ws, "v1.zip", "v1");
    deployment.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    ws
}

fn alias_arn(function: &str) -> String {
    format!("arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function}:live")
}

fn sqs_sources(queue_arn: &str, batch_size: u32) -> String {
    format!(
        r#"{{"PullEventSources": [{{"EventSourceArn": "{queue_arn}", "BatchSize": {batch_size}}}]}}"#
    )
}

/// The one policy statement granting `principal`, or a panic listing what is there.
fn statement_for<'a>(
    statements: &'a [serde_json::Value],
    principal: &str,
) -> &'a serde_json::Value {
    statements
        .iter()
        .find(|s| s["Principal"]["Service"] == principal)
        .unwrap_or_else(|| panic!("no statement for {principal}: {statements:#?}"))
}

#[tokio::test]
async fn sqs_mapping_is_made_on_the_alias_updated_and_removed_in_place() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let (_, queue_arn) = create_queue(&emulator.endpoint(), "e2e-orders");
    let mut deployment = Deployment::new("e2e-sqs").event_sources(&sqs_sources(&queue_arn, 5));
    let ws = create(&emulator, "sqs", &deployment);
    let on_alias = alias_arn("e2e-sqs");

    assert_eq!(
        mappings(&lambda, &on_alias).await,
        vec![(queue_arn.clone(), Some(5))],
        "the mapping invokes the alias"
    );
    assert_eq!(
        deployment_state(&ws.state_json())["alias_arn"],
        on_alias.as_str()
    );

    // A change of event sources alone is applied in place and publishes nothing.
    deployment.event_sources = Some(sqs_sources(&queue_arn, 8));
    deployment.write(&ws, &emulator.endpoint());
    ws.tf(&["plan", "-out=sources.tfplan"]).assert_success();
    let plan = ws.tf_json(&["show", "-json", "sources.tfplan"]);
    let change = &plan["resource_changes"][0]["change"];
    assert_eq!(
        change["actions"],
        serde_json::json!(["update"]),
        "{change:#}"
    );
    assert_ne!(
        change["after_unknown"]["version"], true,
        "an event-source change is not a release: {change:#}"
    );
    ws.tf(&["apply", "-auto-approve", "sources.tfplan"])
        .assert_success();
    assert_eq!(
        mappings(&lambda, &on_alias).await,
        vec![(queue_arn.clone(), Some(8))],
        "the mapping is updated in place"
    );

    // Dropped from the JSON: the mapping goes, still without a release.
    deployment.event_sources = Some(r#"{"PullEventSources": []}"#.to_string());
    deployment.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();

    assert_eq!(mappings(&lambda, &on_alias).await, vec![]);
    assert_eq!(versions(&lambda, "e2e-sqs").await, vec!["1"]);
    assert!(crate::fixtures::alias(&lambda, "e2e-sqs", "live")
        .await
        .serves_only("1"));
    let plan = ws.tf(&["plan", "-detailed-exitcode"]);
    assert_eq!(
        plan.code(),
        Some(0),
        "the plan afterwards is empty:\n{plan}"
    );
}

#[tokio::test]
async fn api_gateway_source_gets_a_permission_on_the_alias_and_the_stage_variable() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let apigw = emulator.apigatewayv2_client();
    let api = apigw
        .create_api()
        .name("e2e-http")
        .protocol_type(aws_sdk_apigatewayv2::types::ProtocolType::Http)
        .send()
        .await
        .expect("CreateApi");
    let api_id = api.api_id().expect("an api id").to_string();
    apigw
        .create_stage()
        .api_id(&api_id)
        .stage_name("prod")
        .send()
        .await
        .expect("CreateStage");
    let sources = format!(
        r#"{{"PushEventSources": [{{"Service": "apigateway.amazonaws.com", "ApiId": "{api_id}", "Stage": "prod", "AliasStageVariableName": "lambdaAlias"}}]}}"#
    );
    let deployment = Deployment::new("e2e-apigw").event_sources(&sources);

    let _ws = create(&emulator, "apigw", &deployment);

    let statements = policy_statements(&lambda, "e2e-apigw", "live").await;
    let grant = statement_for(&statements, "apigateway.amazonaws.com");
    assert_eq!(grant["Action"], "lambda:InvokeFunction", "{grant:#}");
    assert_eq!(
        grant["Resource"],
        alias_arn("e2e-apigw").as_str(),
        "{grant:#}"
    );
    assert_eq!(
        grant["Condition"]["ArnLike"]["AWS:SourceArn"],
        format!("arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api_id}/*/*").as_str(),
        "the permission is scoped to the API: {grant:#}"
    );
    // ministack's unqualified GetPolicy returns every statement of the function, the alias's
    // included; what matters is that none of them is on the unqualified function.
    let unqualified_arn = format!("arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:e2e-apigw");
    let on_function: Vec<_> = policy_statements(&lambda, "e2e-apigw", "")
        .await
        .into_iter()
        .filter(|s| s["Resource"] == unqualified_arn.as_str())
        .collect();
    assert!(
        on_function.is_empty(),
        "the permission is on the alias, not the function: {on_function:#?}"
    );
    let stage = apigw
        .get_stage()
        .api_id(&api_id)
        .stage_name("prod")
        .send()
        .await
        .expect("GetStage");
    assert_eq!(
        stage
            .stage_variables()
            .and_then(|v| v.get("lambdaAlias"))
            .map(String::as_str),
        Some("live"),
        "the stage carries the alias name: {stage:?}"
    );
}

#[tokio::test]
async fn target_group_gets_the_alias_registered_and_loses_it_with_its_entry_and_on_destroy() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let elb = emulator.elbv2_client();
    let group = elb
        .create_target_group()
        .name("e2e-tg")
        .target_type(TargetTypeEnum::Lambda)
        .send()
        .await
        .expect("CreateTargetGroup");
    let group_arn = group.target_groups()[0]
        .target_group_arn()
        .expect("a target group ARN")
        .to_string();
    let sources = format!(
        r#"{{"PushEventSources": [{{"Service": "elasticloadbalancing.amazonaws.com", "TargetGroupArn": "{group_arn}"}}]}}"#
    );
    let deployment = Deployment::new("e2e-elb").event_sources(&sources);

    let ws = create(&emulator, "elb", &deployment);

    let registered = registered_targets(&elb, &group_arn).await;
    assert_eq!(registered, vec![alias_arn("e2e-elb")]);
    let statements = policy_statements(&lambda, "e2e-elb", "live").await;
    let grant = statement_for(&statements, "elasticloadbalancing.amazonaws.com");
    assert_eq!(
        grant["Condition"]["ArnLike"]["AWS:SourceArn"],
        group_arn.as_str(),
        "the permission is scoped to the target group: {grant:#}"
    );

    // Removing the entry deregisters the alias; so does destroy, once it is back.
    let mut without = deployment.clone();
    without.event_sources = None;
    without.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    assert!(registered_targets(&elb, &group_arn).await.is_empty());
    deployment.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    assert_eq!(registered_targets(&elb, &group_arn).await.len(), 1);

    ws.tf(&["destroy", "-auto-approve"]).assert_success();
    assert_eq!(
        registered_targets(&elb, &group_arn).await,
        Vec::<String>::new(),
        "destroy deregisters the alias"
    );
}

async fn registered_targets(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    group_arn: &str,
) -> Vec<String> {
    elb.describe_target_health()
        .target_group_arn(group_arn)
        .send()
        .await
        .expect("DescribeTargetHealth")
        .target_health_descriptions()
        .iter()
        .filter_map(|d| d.target().and_then(|t| t.id()).map(str::to_string))
        .collect()
}
