//! Interoperability with the real hashicorp/aws 3.39.0 provider: in one configuration
//! and one apply, hashicorp/aws creates an IAM role, an SQS queue and a CloudWatch alarm, and
//! `gitmoxi_lambda_deployment` uses them while their values are still unknown at plan time (the
//! role ARN and the queue ARN inside `jsonencode`, the alarm name in `alarms`). hashicorp/aws comes
//! from the filesystem mirror `setup-tools.sh` fills, so this workspace needs `terraform init`;
//! gitmoxi stays dev-overridden (Terraform 1.15.5 only: 1.0.3's init cannot skip an overridden
//! provider, see `harness`).

use std::process::Command;
use std::time::Duration;

use crate::fixtures::{
    alias, deployment_state, function_names, wait_for_alias, write_handler_zip, Deployment,
};
use crate::harness::{iam_override, repo_root, Emulator, Workspace, REGION};

const FUNCTION: &str = "e2e-interop";

/// hashicorp/aws pointed at the emulator, and the three resources it makes (its
/// `required_providers` entry goes into the one block [`main_tf`] writes).
fn aws_hcl(endpoint: &str) -> String {
    format!(
        r#"provider "aws" {{
  region                      = "{REGION}"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_get_ec2_platforms      = true
  skip_region_validation      = true

  endpoints {{
    iam        = "{endpoint}"
    sts        = "{endpoint}"
    sqs        = "{endpoint}"
    cloudwatch = "{endpoint}"
    lambda     = "{endpoint}"
  }}
}}

resource "aws_iam_role" "fn" {{
  name = "{FUNCTION}-role"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "lambda.amazonaws.com" }} }}]
  }})
}}

resource "aws_sqs_queue" "dlq" {{
  name = "{FUNCTION}-dlq"
}}

resource "aws_cloudwatch_metric_alarm" "errors" {{
  alarm_name          = "{FUNCTION}-errors"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = {{ FunctionName = "{FUNCTION}" }}
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"

  # ministack's query-protocol DescribeAlarms (what hashicorp/aws 3.39.0 reads) leaves these out
  # (the action lists and tags come back null, planned as empty: an update showing no diff).
  lifecycle {{
    ignore_changes = [
      period, statistic, actions_enabled, treat_missing_data, dimensions,
      alarm_actions, ok_actions, insufficient_data_actions, tags,
    ]
  }}
}}

output "role_arn" {{
  value = aws_iam_role.fn.arn
}}

output "queue_arn" {{
  value = aws_sqs_queue.dlq.arn
}}
"#
    )
}

fn deployment() -> Deployment {
    let mut deployment = Deployment::new(FUNCTION).canary(50, "3s");
    deployment.definition = Some(format!(
        r#"jsonencode({{
    FunctionName     = "{FUNCTION}"
    Role             = aws_iam_role.fn.arn
    Runtime          = "python3.12"
    Handler          = "app.handler"
    Timeout          = 5
    DeadLetterConfig = {{ TargetArn = aws_sqs_queue.dlq.arn }}
  }})"#
    ));
    deployment.extra = "  alarms = [aws_cloudwatch_metric_alarm.errors.alarm_name]".to_string();
    deployment
}

fn write_config(ws: &Workspace, emulator: &Emulator, deployment: &Deployment) {
    ws.write("aws.tf", &aws_hcl(&emulator.endpoint()));
    ws.write("main.tf", &main_tf(&emulator.endpoint(), deployment));
    // The role made in the same apply passes the provider's IAM check.
    ws.write("override.tf", &iam_override(&emulator.endpoint()));
}

/// The gitmoxi provider block and resource, with hashicorp/aws added to `required_providers`
/// (a module has one such block).
fn main_tf(endpoint: &str, deployment: &Deployment) -> String {
    let main = deployment.main_tf(endpoint);
    let with_aws = main.replacen(
        "  required_providers {\n",
        "  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \"3.39.0\"\n    }\n",
        1,
    );
    assert_ne!(
        with_aws, main,
        "provider_block has a required_providers block"
    );
    with_aws
}

/// Asks the emulator with boto3 (the venv's) whether the role and the queue still exist.
fn iam_role_and_queue_exist(emulator: &Emulator) -> (bool, bool) {
    let script = r#"
import sys, boto3
kw = dict(endpoint_url=sys.argv[1], region_name=sys.argv[2],
          aws_access_key_id="test", aws_secret_access_key="test")
roles = [r["RoleName"] for r in boto3.client("iam", **kw).list_roles()["Roles"]]
queues = boto3.client("sqs", **kw).list_queues().get("QueueUrls", [])
print(sys.argv[3] + "-role" in roles, any(q.endswith("/" + sys.argv[3] + "-dlq") for q in queues))
"#;
    let out = Command::new(repo_root().join(".venv/bin/python"))
        .args(["-c", script, &emulator.endpoint(), REGION, FUNCTION])
        .env_remove("AWS_PROFILE")
        .output()
        .expect("running the venv's python");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "boto3 check failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut answers = text.split_whitespace().map(|w| w == "True");
    (
        answers.next().unwrap_or(false),
        answers.next().unwrap_or(false),
    )
}

#[tokio::test]
async fn hashicorp_aws_role_queue_and_alarm_feed_a_deployment_in_one_apply() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let ws = Workspace::new("interop");
    write_handler_zip(&ws, "v1.zip", "v1");
    write_handler_zip(&ws, "v2.zip", "v2");
    let mut deployment = deployment();
    write_config(&ws, &emulator, &deployment);
    ws.init().assert_contains("hashicorp/aws v3.39.0");

    // One plan: the gitmoxi resource's definition depends on values known only after apply.
    ws.tf(&["plan", "-out=create.tfplan"]).assert_success();
    let plan = ws.tf_json(&["show", "-json", "create.tfplan"]);
    let gitmoxi = plan["resource_changes"]
        .as_array()
        .and_then(|changes| {
            changes
                .iter()
                .find(|c| c["type"] == "gitmoxi_lambda_deployment")
        })
        .unwrap_or_else(|| panic!("no gitmoxi change in the plan: {plan:#}"));
    assert_eq!(
        gitmoxi["change"]["after_unknown"]["function_definition"], true,
        "the definition is unknown at plan time: {gitmoxi:#}"
    );
    ws.tf(&["apply", "-auto-approve", "create.tfplan"])
        .assert_success();

    let outputs = ws.tf_json(&["output", "-json"]);
    let role_arn = outputs["role_arn"]["value"].as_str().unwrap_or_default();
    let queue_arn = outputs["queue_arn"]["value"].as_str().unwrap_or_default();
    assert!(role_arn.ends_with(":role/e2e-interop-role"), "{outputs:#}");
    let config = lambda
        .get_function_configuration()
        .function_name(FUNCTION)
        .qualifier("live")
        .send()
        .await
        .expect("GetFunctionConfiguration");
    assert_eq!(
        config.role(),
        Some(role_arn),
        "the function runs with the role"
    );
    assert_eq!(
        config.dead_letter_config().and_then(|d| d.target_arn()),
        Some(queue_arn),
        "the queue is the dead-letter target"
    );
    assert!(alias(&lambda, FUNCTION, "live").await.serves_only("1"));
    let state = ws.state_json();
    assert_eq!(deployment_state(&state)["version"], "1");
    let again = ws.tf(&["plan", "-detailed-exitcode", "-out=again.tfplan"]);
    if again.code() != Some(0) {
        let plan = ws.tf_json(&["show", "-json", "again.tfplan"]);
        let changes: Vec<_> = plan["resource_changes"]
            .as_array()
            .map(|c| {
                c.iter()
                    .filter(|c| c["change"]["actions"] != serde_json::json!(["no-op"]))
                    .collect()
            })
            .unwrap_or_default();
        panic!("the plan after the apply is empty:\n{again}\n{changes:#?}");
    }

    // New code: a CANARY rollout guarded by the alarm hashicorp/aws made.
    deployment.package_file = "v2.zip".to_string();
    write_config(&ws, &emulator, &deployment);
    let apply = ws.tf_spawn(&["apply", "-auto-approve"]);
    let canary = wait_for_alias(&lambda, FUNCTION, "live", Duration::from_secs(60), |a| {
        !a.weights.is_empty()
    })
    .await;
    let out = apply.wait();
    out.assert_success();
    assert!(canary.is_some(), "no canary weight seen during:\n{out}");
    assert!(alias(&lambda, FUNCTION, "live").await.serves_only("2"));
    let state = ws.state_json();
    assert_eq!(deployment_state(&state)["version"], "2");
    assert_eq!(
        deployment_state(&state)["last_deployment"]["status"],
        "SUCCEEDED"
    );

    // Destroy removes everything both providers made.
    ws.tf(&["destroy", "-auto-approve"]).assert_success();
    assert!(function_names(&lambda).await.is_empty(), "function left");
    let alarms = emulator
        .cloudwatch_client()
        .describe_alarms()
        .send()
        .await
        .expect("DescribeAlarms");
    assert!(alarms.metric_alarms().is_empty(), "alarm left: {alarms:?}");
    assert_eq!(
        iam_role_and_queue_exist(&emulator),
        (false, false),
        "role or queue left"
    );
}
