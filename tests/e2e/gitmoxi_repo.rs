//! A Gitmoxi-shaped repository applied through `modules/gitmoxi-repo` (issue 5), and the
//! `provider::gitmoxi::render` function it uses, through the real Terraform CLI (1.8+ for
//! provider functions; the harness's 1.15.5).

use crate::fixtures::{alias, function_names, versions, write_handler_zip, ROLE_ARN};
use crate::harness::{provider_block, repo_root, Emulator, TfOutput, Workspace};

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
