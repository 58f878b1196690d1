//! A Gitmoxi-shaped repository applied through `modules/gitmoxi-repo`, and the
//! `provider::gitmoxi::render` function it uses, through the real Terraform CLI (1.8+ for
//! provider functions; the harness's 1.15.5). Two layouts: a flat folder of prefixes, and
//! Gitmoxi's demo repository (one folder per function, every file prefixed `test`).

use std::time::Duration;

use crate::fixtures::{
    alias, boto3, function_names, versions, wait_for_alias, write_handler_zip, ROLE_ARN,
};
use crate::harness::{
    provider_block, repo_root, Emulator, TfOutput, Workspace, ACCOUNT_ID, REGION,
};

/// The root module: the emulator's provider block, the module over `lambdas/`, its output.
fn main_tf(endpoint: &str) -> String {
    let module = repo_root().join("modules/gitmoxi-repo");
    format!(
        r#"{provider}
module "lambdas" {{
  source = "{module}"
  path   = "${{path.module}}/lambdas"
  defaults = {{
    definition      = {{ Role = "{ROLE_ARN}" }}
    readiness_check = {{ wait_interval = "1s", max_retries = 20 }}
  }}
}}

output "deployments" {{
  value = module.lambdas.deployments
}}
"#,
        provider = provider_block(endpoint),
        module = module.display(),
    )
}

const DEFINITION: &str = r#"{
  "FunctionName": "{{ app }}-{{ name }}",
  "Runtime": "python3.12",
  "Handler": "app.handler",
  "MemorySize": {{ memory }},
  "Timeout": 5,
  "Environment": {"Variables": {"GREETING": {{ greeting | tojson }}, "TABLE": "{{ shared['table'] }}"}}
}
"#;

fn input(name: &str, greeting: &str, extra: &str) -> String {
    format!(
        r#"{{
  "ref": {{"file": ["config/common.json"], "type": "JSON"}},
  "name": "{name}",
  "greeting": "{greeting}"{extra}
}}
"#
    )
}

fn deployment_file(percent: u32) -> String {
    format!(
        r#"{{
  "alias": "live",
  "trafficShiftingConfig": {{"type": "LINEAR", "percent": {percent}, "waitInterval": 1}},
  "readinessCheck": {{"waitInterval": 1, "maxRetries": 20}}
}}
"#
    )
}

/// Two prefixes (`api`, `worker`) whose inputs `ref` a shared JSON file, each with its package.
fn write_repository(ws: &Workspace, endpoint: &str) {
    ws.write("main.tf", &main_tf(endpoint));
    ws.write(
        "config/common.json",
        r#"{"app": "shop", "memory": 128, "name": "from-ref", "shared": {"table": "orders"}}"#,
    );
    for prefix in ["api", "worker"] {
        ws.write(&format!("lambdas/{prefix}_lambdadef.json"), DEFINITION);
        write_handler_zip(ws, &format!("lambdas/{prefix}.zip"), prefix);
    }
    ws.write("lambdas/api_lambdainput.json", &input("api", "hello", ""));
    ws.write("lambdas/api_lambdadepdef.json", &deployment_file(50));
    // The other spellings Gitmoxi accepts.
    ws.write("lambdas/worker_input.json", &input("worker", "hi", ""));
    ws.write(
        "lambdas/worker_depdef.json",
        r#"{"alias": "live", "trafficShiftingEnabled": false, "environment": "dev"}"#,
    );
}

fn apply(ws: &Workspace) -> TfOutput {
    let out = ws.tf(&["apply", "-auto-approve"]);
    out.assert_success();
    out
}

#[tokio::test]
async fn a_gitmoxi_repository_deploys_through_the_module() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let ws = Workspace::new("gitmoxi-repo");
    write_repository(&ws, &emulator.endpoint());
    ws.init();

    // Adding definition files creates the functions.
    apply(&ws);
    let mut names = function_names(&lambda).await;
    names.sort();
    assert_eq!(names, vec!["shop-api", "shop-worker"]);
    for function in ["shop-api", "shop-worker"] {
        assert!(alias(&lambda, function, "live").await.serves_only("1"));
    }
    let config = lambda
        .get_function_configuration()
        .function_name("shop-api")
        .qualifier("live")
        .send()
        .await
        .expect("GetFunctionConfiguration shop-api:live");
    let variables = config
        .environment()
        .and_then(|e| e.variables())
        .cloned()
        .unwrap_or_default();
    assert_eq!(variables.get("GREETING").map(String::as_str), Some("hello"));
    assert_eq!(variables.get("TABLE").map(String::as_str), Some("orders"));
    assert_eq!(
        config.memory_size(),
        Some(128),
        "a whole number from the ref"
    );
    let outputs = ws.tf_json(&["output", "-json", "deployments"]);
    assert_eq!(outputs["api"]["function_name"], "shop-api", "{outputs:#}");
    assert_eq!(outputs["api"]["version"], "1", "{outputs:#}");
    assert!(
        outputs["worker"]["alias_arn"]
            .as_str()
            .unwrap_or_default()
            .ends_with(":function:shop-worker:live"),
        "{outputs:#}"
    );

    // A changed input value deploys a new version of that function alone.
    ws.write("lambdas/api_lambdainput.json", &input("api", "hola", ""));
    apply(&ws);
    let api = alias(&lambda, "shop-api", "live").await;
    assert!(api.serves_only("2"), "api after an input change: {api:?}");
    assert_eq!(versions(&lambda, "shop-worker").await, vec!["1"]);
    assert!(alias(&lambda, "shop-worker", "live").await.serves_only("1"));

    // A changed deployment file alone publishes nothing.
    let api_versions = versions(&lambda, "shop-api").await;
    ws.write("lambdas/api_lambdadepdef.json", &deployment_file(25));
    apply(&ws);
    assert_eq!(versions(&lambda, "shop-api").await, api_versions);
    assert!(alias(&lambda, "shop-api", "live").await.serves_only("2"));
    let state = ws.state_json();
    let api_state = state["values"]["root_module"]["child_modules"][0]["resources"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["index"] == "api"))
        .map(|r| r["values"].clone())
        .unwrap_or_else(|| panic!("no api deployment in the state: {state:#}"));
    assert_eq!(api_state["traffic_shifting"][0]["percent"], 25);

    // An input change that renders identically deploys nothing: the plan is empty.
    ws.write(
        "lambdas/api_lambdainput.json",
        &input(
            "api",
            "hola",
            ",\n  \"unused\": {\"note\": \"not in any template\"}",
        ),
    );
    let plan = ws.tf(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), Some(0), "expected an empty plan:\n{plan}");

    // A deleted definition file destroys its function, and only it.
    ws.remove("lambdas/worker_lambdadef.json");
    apply(&ws).assert_contains("module.lambdas.gitmoxi_lambda_deployment.this[\"worker\"]");
    assert_eq!(function_names(&lambda).await, vec!["shop-api"]);
    assert!(alias(&lambda, "shop-api", "live").await.serves_only("2"));
}

// ---------------------------------------------------------------------------------------------
// Gitmoxi's demo repository: lambda/<function folder>/test_*.json
// ---------------------------------------------------------------------------------------------

/// The demo's files as the module's plan tests hold them (tests/fixtures/gm-demo/README.md).
fn demo_file(relative: &str) -> String {
    let path = repo_root()
        .join("modules/gitmoxi-repo/tests/fixtures/gm-demo/lambda")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

const DEMO_BUCKET: &str = "lambda-function-deployment-bucket-e2e";

/// What the demo's `lambda/core-infra/terraform` creates, made on the emulator: the bucket with
/// the blue, green and SQS packages (`lambda_function.lambda_handler` returning a greeting), the
/// HTTP API with its `GET /test` route and `$default` stage, the target group, the queue, and
/// the two alarms the SQS deployment file names. Returns `terraform output -json` of it.
fn demo_core_infrastructure(endpoint: &str) -> serde_json::Value {
    let made = boto3(
        endpoint,
        &format!(
            r#"import io, zipfile
s3 = client('s3')
s3.create_bucket(Bucket='{DEMO_BUCKET}')
for key, body in [('blue_function.zip', 'Blue from Lambda!'), ('green_function.zip', 'Green from Lambda!'), ('sqs_function.zip', 'Hello from SQS!')]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as z:
        z.writestr(zipfile.ZipInfo('lambda_function.py', (2020, 1, 1, 0, 0, 0)), 'def lambda_handler(event, context):\n    return %r\n' % body)
    s3.put_object(Bucket='{DEMO_BUCKET}', Key=key, Body=buf.getvalue())
api = client('apigatewayv2')
api_id = api.create_api(Name='example-api', ProtocolType='HTTP')['ApiId']
route_id = api.create_route(ApiId=api_id, RouteKey='GET /test')['RouteId']
api.create_stage(ApiId=api_id, StageName='$default')
tg = client('elbv2').create_target_group(Name='my-target-group', TargetType='lambda')['TargetGroups'][0]['TargetGroupArn']
sqs = client('sqs')
url = sqs.create_queue(QueueName='example-queue')['QueueUrl']
queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
for name in ['HighLatencyAlarm', 'ErrorRateAlarm']:
    client('cloudwatch').put_metric_alarm(AlarmName=name, Namespace='AWS/Lambda', MetricName='Errors', Statistic='Sum', Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator='GreaterThanOrEqualToThreshold')
result = {{'api_id': api_id, 'route_id': route_id, 'target_group_arn': tg, 'sqs_queue_arn': queue_arn}}
"#
        ),
    );
    let output = |value: &serde_json::Value| serde_json::json!({"sensitive": false, "type": "string", "value": value});
    serde_json::json!({
        "api_id": output(&made["api_id"]),
        "route_id": output(&made["route_id"]),
        "target_group_arn": output(&made["target_group_arn"]),
        "sqs_queue_arn": output(&made["sqs_queue_arn"]),
        "lambda_exec_role_arn": output(&ROLE_ARN.into()),
        "s3_bucket_name": output(&DEMO_BUCKET.into()),
        "s3_object_blue_key": output(&"blue_function.zip".into()),
        "s3_object_green_key": output(&"green_function.zip".into()),
        "s3_object_sqs_key": output(&"sqs_function.zip".into()),
    })
}

/// The demo's deployment files with the waits cut to seconds (canary 60 s → 3 s, readiness
/// 10 s × 5 → 1 s × 20); everything else as published.
fn demo_deployment_file(folder: &str) -> String {
    let text = demo_file(&format!("{folder}/test_lambdadepdef.json"));
    let text = text
        .replace("\"waitInterval\": 60", "\"waitInterval\": 3")
        .replace("\"waitInterval\": 10", "\"waitInterval\": 1")
        .replace("\"maxRetries\": 5", "\"maxRetries\": 20");
    assert!(
        text.contains("\"waitInterval\": 3") && text.contains("\"maxRetries\": 20"),
        "{folder}'s deployment file changed shape:\n{text}"
    );
    text
}

const DEMO_FOLDERS: [&str; 3] = ["lambda-api-gateway", "lambda-elb", "lambda-sqs"];

/// The repository root: `lambda/` as the demo lays it out (plus `lambda-staged/`, a function of
/// ours whose local package is staged in the demo's bucket), and a root module over `lambda/`.
fn write_demo_repository(ws: &Workspace, endpoint: &str) {
    let outputs = demo_core_infrastructure(endpoint);
    ws.write(
        "lambda/core-infra/terraform/terraform_output.json",
        &serde_json::to_string_pretty(&outputs).expect("outputs as JSON"),
    );
    for folder in DEMO_FOLDERS {
        for file in [
            "test_lambdadef.json",
            "test_lambdainput.json",
            "test_lambdaeventsourcedef.json",
        ] {
            ws.write(
                &format!("lambda/{folder}/{file}"),
                &demo_file(&format!("{folder}/{file}")),
            );
        }
        ws.write(
            &format!("lambda/{folder}/test_lambdadepdef.json"),
            &demo_deployment_file(folder),
        );
    }
    ws.write(
        "lambda/lambda-staged/test_lambdadef.json",
        r#"{"FunctionName": "LambdaFunction_Staged", "Role": "{{ lambda_exec_role_arn }}", "Runtime": "python3.12", "Handler": "app.handler"}"#,
    );
    ws.write(
        "lambda/lambda-staged/test_lambdainput.json",
        r#"{"ref": {"file": ["lambda/core-infra/terraform/terraform_output.json"], "type": "TERRAFORM"}}"#,
    );
    ws.write(
        "lambda/lambda-staged/test_lambdadepdef.json",
        r#"{"alias": "PROD", "trafficShiftingEnabled": false, "readinessCheck": {"waitInterval": 1, "maxRetries": 20}}"#,
    );
    write_handler_zip(ws, "lambda/lambda-staged/test.zip", "staged");
    ws.write(
        "main.tf",
        &format!(
            r#"{provider}
module "lambdas" {{
  source = "{module}"
  path   = "${{path.module}}/lambda"

  defaults = {{
    package_s3_bucket = "{DEMO_BUCKET}"
  }}
}}

output "deployments" {{
  value = module.lambdas.deployments
}}
"#,
            provider = provider_block(endpoint),
            module = repo_root().join("modules/gitmoxi-repo").display(),
        ),
    );
}

/// The values of `module.lambdas.gitmoxi_lambda_deployment.this[key]` in the state.
fn module_deployment(ws: &Workspace, key: &str) -> serde_json::Value {
    let state = ws.state_json();
    state["values"]["root_module"]["child_modules"][0]["resources"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["index"] == key))
        .map(|r| r["values"].clone())
        .unwrap_or_else(|| panic!("no deployment {key:?} in the state: {state:#}"))
}

async fn invoke(lambda: &aws_sdk_lambda::Client, function: &str, qualifier: &str) -> String {
    let out = lambda
        .invoke()
        .function_name(function)
        .qualifier(qualifier)
        .send()
        .await
        .unwrap_or_else(|e| panic!("invoke {function}:{qualifier}: {e:?}"));
    String::from_utf8_lossy(out.payload().map(|p| p.as_ref()).unwrap_or_default()).to_string()
}

#[tokio::test]
async fn gitmoxi_demo_repository_deploys_each_folder_and_releases_green_as_a_canary() {
    const API: &str = "LambdaFunction_APIGateway";
    const ELB: &str = "LambdaFunction_ELB";
    const SQS: &str = "LambdaFunction_SQS";
    const STAGED: &str = "LambdaFunction_Staged";
    let emulator = Emulator::start();
    let endpoint = emulator.endpoint();
    let lambda = emulator.lambda_client();
    let ws = Workspace::new("gitmoxi-demo");
    write_demo_repository(&ws, &endpoint);
    ws.init();

    // One module block: one function per folder, although every file is prefixed `test`.
    apply(&ws);
    let mut names = function_names(&lambda).await;
    names.sort();
    assert_eq!(names, vec![API, ELB, SQS, STAGED]);
    let outputs = ws.tf_json(&["output", "-json", "deployments"]);
    let mut keys: Vec<&String> = outputs
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    keys.sort();
    assert_eq!(
        keys,
        vec![
            "lambda-api-gateway/test",
            "lambda-elb/test",
            "lambda-sqs/test",
            "lambda-staged/test"
        ],
        "{outputs:#}"
    );
    assert_eq!(
        outputs["lambda-elb/test"]["function_name"], ELB,
        "{outputs:#}"
    );
    for function in [API, ELB, SQS, STAGED] {
        let prod = alias(&lambda, function, "PROD").await;
        assert!(
            prod.serves_only("1"),
            "{function}:PROD after create: {prod:?}"
        );
    }
    assert!(invoke(&lambda, API, "PROD")
        .await
        .contains("Blue from Lambda!"));

    // Each folder's event sources reached its own alias.
    let alias_arn = |f: &str| format!("arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{f}:PROD");
    let infra: serde_json::Value =
        serde_json::from_str(&ws.read("lambda/core-infra/terraform/terraform_output.json"))
            .expect("the outputs file is JSON");
    let seen = boto3(
        &endpoint,
        &format!(
            "stage = client('apigatewayv2').get_stage(ApiId={api:?}, StageName='$default')\n\
             targets = client('elbv2').describe_target_health(TargetGroupArn={tg:?})['TargetHealthDescriptions']\n\
             mappings = client('lambda').list_event_source_mappings(FunctionName={sqs:?})['EventSourceMappings']\n\
             staged = [o['Key'] for o in client('s3').list_objects_v2(Bucket={DEMO_BUCKET:?}).get('Contents', [])]\n\
             result = {{'stage': stage.get('StageVariables', {{}}), 'targets': [t['Target']['Id'] for t in targets], \
             'mappings': [[m['EventSourceArn'], m['FunctionArn']] for m in mappings], 'objects': staged}}\n",
            api = infra["api_id"]["value"].as_str().unwrap_or_default(),
            tg = infra["target_group_arn"]["value"].as_str().unwrap_or_default(),
            sqs = alias_arn(SQS),
        ),
    );
    assert_eq!(
        seen["stage"]["lambdaAlias"], "PROD",
        "the API's stage variable: {seen:#}"
    );
    assert_eq!(
        seen["targets"],
        serde_json::json!([alias_arn(ELB)]),
        "{seen:#}"
    );
    assert_eq!(
        seen["mappings"],
        serde_json::json!([[infra["sqs_queue_arn"]["value"], alias_arn(SQS)]]),
        "{seen:#}"
    );
    // defaults.package_s3_bucket staged the one local package in the demo's bucket.
    let staged: Vec<&str> = seen["objects"]
        .as_array()
        .map(|o| {
            o.iter()
                .filter_map(|k| k.as_str())
                .filter(|k| k.starts_with("gitmoxi/"))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(staged.len(), 1, "{seen:#}");
    assert!(
        staged[0].starts_with(&format!("gitmoxi/{STAGED}/")),
        "{seen:#}"
    );

    // The guide's blue → green step: both definitions point at the green package; each rolls
    // out as its deployment file says (50% canary), the other functions publish nothing.
    for folder in ["lambda-api-gateway", "lambda-elb"] {
        let file = format!("lambda/{folder}/test_lambdadef.json");
        let text = ws.read(&file);
        assert!(text.contains("{{ s3_object_blue_key }}"), "{file}: {text}");
        ws.write(
            &file,
            &text.replace("{{ s3_object_blue_key }}", "{{ s3_object_green_key }}"),
        );
    }
    let rollout = ws.tf_spawn(&["apply", "-auto-approve"]);
    let halfway = wait_for_alias(&lambda, API, "PROD", Duration::from_secs(120), |a| {
        !a.weights.is_empty()
    })
    .await;
    let out = rollout.wait();
    out.assert_success();
    let halfway = halfway.unwrap_or_else(|| panic!("no weighted alias seen during:\n{out}"));
    assert_eq!(halfway.version, "1", "blue stays primary during the canary");
    assert_eq!(halfway.weights, vec![("2".to_string(), 0.5)]);
    for function in [API, ELB] {
        let prod = alias(&lambda, function, "PROD").await;
        assert!(
            prod.serves_only("2"),
            "{function}:PROD after the rollout: {prod:?}"
        );
    }
    let elb = module_deployment(&ws, "lambda-elb/test");
    assert_eq!(elb["last_deployment"]["status"], "SUCCEEDED", "{elb:#}");
    let steps: Vec<_> = elb["last_deployment"]["steps"]
        .as_array()
        .map(|s| s.iter().map(|s| s["weight_percent"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(steps, vec![serde_json::json!(50), serde_json::json!(100)]);
    assert!(invoke(&lambda, API, "PROD")
        .await
        .contains("Green from Lambda!"));
    assert_eq!(versions(&lambda, SQS).await, vec!["1"]);
    assert_eq!(versions(&lambda, STAGED).await, vec!["1"]);

    // Moving a folder changes its key; a `moved` block carries the function along instead of
    // destroying and recreating it.
    for file in [
        "test_lambdadef.json",
        "test_lambdainput.json",
        "test_lambdadepdef.json",
    ] {
        let text = ws.read(&format!("lambda/lambda-staged/{file}"));
        ws.write(&format!("lambda/staged/{file}"), &text);
        ws.remove(&format!("lambda/lambda-staged/{file}"));
    }
    write_handler_zip(&ws, "lambda/staged/test.zip", "staged");
    ws.remove("lambda/lambda-staged/test.zip");
    let main_tf = ws.read("main.tf");
    ws.write(
        "main.tf",
        &format!(
            "{main_tf}\nmoved {{\n  from = module.lambdas.gitmoxi_lambda_deployment.this[\"lambda-staged/test\"]\n  to   = module.lambdas.gitmoxi_lambda_deployment.this[\"staged/test\"]\n}}\n"
        ),
    );
    let moved = apply(&ws);
    // Only package_file's path changed: an in-place update, "(moved from ...)" in the plan.
    moved.assert_contains(
        "(moved from module.lambdas.gitmoxi_lambda_deployment.this[\"lambda-staged/test\"])",
    );
    assert!(
        !moved.contains("Destroying") && !moved.contains("Creating"),
        "a moved folder destroys and creates nothing:\n{moved}"
    );
    assert_eq!(versions(&lambda, STAGED).await, vec!["1"]);

    // Deleting a folder's definition destroys that function alone.
    ws.remove("lambda/lambda-elb/test_lambdadef.json");
    apply(&ws)
        .assert_contains("module.lambdas.gitmoxi_lambda_deployment.this[\"lambda-elb/test\"]");
    let mut names = function_names(&lambda).await;
    names.sort();
    assert_eq!(names, vec![API, SQS, STAGED]);
    assert!(alias(&lambda, API, "PROD").await.serves_only("2"));
}

/// A workspace whose only content is an output calling the function (no AWS call is made).
fn render_workspace(name: &str, expression: &str) -> Workspace {
    let ws = Workspace::new(name);
    ws.write(
        "main.tf",
        &format!(
            "{}\noutput \"rendered\" {{\n  value = {expression}\n}}\n",
            provider_block("http://127.0.0.1:9")
        ),
    );
    ws
}

#[test]
fn render_fills_placeholders_and_escapes_json() {
    let ws = render_workspace(
        "render",
        r#"provider::gitmoxi::render("{\"A\": {{ a | tojson }}, \"N\": {{ n }}, \"K\": \"{{ m['k-1'] }}\"}", { a = "q\"\n", n = 3, m = { "k-1" = "v" } })"#,
    );
    ws.tf(&["apply", "-auto-approve"]).assert_success();

    let rendered = ws.tf_json(&["output", "-json", "rendered"]);
    let text = rendered.as_str().expect("a string");
    let parsed: serde_json::Value = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("rendered text is not JSON ({e}): {text}"));
    assert_eq!(parsed["A"], "q\"\n");
    assert_eq!(parsed["K"], "v");
    assert!(text.contains("\"N\": 3,"), "whole number: {text}");
}

#[test]
fn render_names_an_undefined_placeholder_and_its_line() {
    let ws = render_workspace(
        "render-undefined",
        r#"provider::gitmoxi::render("{\n  \"R\": \"{{ region }}\"\n}", { stage = "dev" })"#,
    );
    ws.tf(&["plan"])
        .assert_failure_contains("line 2 of the template: \"region\" is undefined");
}

#[test]
fn render_of_a_runaway_template_fails_naming_the_limit() {
    let ws = render_workspace(
        "render-runaway",
        r#"provider::gitmoxi::render("{\n{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", {})"#,
    );
    ws.tf(&["plan"])
        .assert_failure_contains("rendering stopped after 2000000 steps");
}
