//! What the scenario files share: a Python handler packaged as a .zip, a
//! `gitmoxi_lambda_deployment` configuration builder, and short AWS read-backs (alias, versions).
//!
//! Waits are kept short (seconds) so the whole suite runs in about a minute; ministack makes a new
//! function Pending for about a second, so readiness polls every second.

#![allow(dead_code)] // shared by every scenario module; no single module uses all of it

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::harness::{provider_block, Workspace};

/// Execution role; ministack accepts any role ARN of its account.
pub const ROLE_ARN: &str = "arn:aws:iam::000000000000:role/gitmoxi-e2e";

/// The role Step Functions runs rollout state machines as; ministack accepts any role ARN too.
pub const ROLLOUT_ROLE_ARN: &str = "arn:aws:iam::000000000000:role/gitmoxi-rollouts";

/// Writes `file` (in the workspace) as a .zip holding `app.py`, whose `handler` returns `body`.
/// Built with Python's `zipfile` (python3 runs the emulator's handlers anyway): no zip crate.
pub fn write_handler_zip(ws: &Workspace, file: &str, body: &str) {
    let source = format!("def handler(event, context):\n    return {body:?}\n");
    write_zip(&ws.path(file), "app.py", &source);
}

/// The bytes of a .zip holding `app.py` returning `body`, for functions made with the SDK.
pub fn handler_zip_bytes(dir: &Path, body: &str) -> Vec<u8> {
    let path = dir.join(format!("sdk-{}.zip", body.len()));
    let source = format!("def handler(event, context):\n    return {body:?}\n");
    write_zip(&path, "app.py", &source);
    std::fs::read(&path).expect("reading the zip just written")
}

/// The bytes of a .zip holding `app.py` with `source` (a handler named `handler`), for functions
/// made with the SDK whose code does more than return a string (hooks).
pub fn python_zip_bytes(dir: &Path, file: &str, source: &str) -> Vec<u8> {
    let path = dir.join(file);
    write_zip(&path, "app.py", source);
    std::fs::read(&path).expect("reading the zip just written")
}

fn write_zip(path: &Path, name: &str, source: &str) {
    let status = Command::new("python3")
        .args([
            "-c",
            // A fixed timestamp keeps the package (and its hash) identical across runs.
            "import sys, zipfile\n\
             with zipfile.ZipFile(sys.argv[1], 'w') as z:\n    \
             z.writestr(zipfile.ZipInfo(sys.argv[2], (2020, 1, 1, 0, 0, 0)), sys.argv[3])\n",
        ])
        .arg(path)
        .arg(name)
        .arg(source)
        .status()
        .expect("running python3 to build a zip");
    assert!(
        status.success(),
        "python3 could not write {}",
        path.display()
    );
}

/// One `gitmoxi_lambda_deployment.fn` with a Python function, as the scenarios vary it.
#[derive(Clone, Debug)]
pub struct Deployment {
    pub function_name: String,
    pub alias: String,
    pub package_file: String,
    /// `Environment.Variables.GREETING`: changing it is a new release.
    pub greeting: String,
    /// The `traffic_shifting { ... }` block, or empty for none.
    pub traffic_shifting: String,
    pub alarms: Vec<String>,
    pub retain_versions: Option<u32>,
    /// The `readiness_check { ... }` block (polls every second by default).
    pub readiness_check: String,
    /// Anything else inside the resource block.
    pub extra: String,
    /// Replaces the generated `function_definition` value (HCL), for bad-input tests.
    pub definition: Option<String>,
    /// `event_sources` JSON, written as a heredoc.
    pub event_sources: Option<String>,
    /// The `hooks { ... }` block, or empty for none.
    pub hooks: String,
    /// The `analysis { ... }` block, or empty for none.
    pub analysis: String,
    pub notification_topic_arn: Option<String>,
    /// Other blocks written after the resource (e.g. alias deployments of the same function).
    pub also: String,
}

impl Deployment {
    pub fn new(function_name: &str) -> Deployment {
        Deployment {
            function_name: function_name.to_string(),
            alias: "live".to_string(),
            package_file: "v1.zip".to_string(),
            greeting: "hello".to_string(),
            traffic_shifting: String::new(),
            alarms: Vec::new(),
            retain_versions: None,
            readiness_check: readiness_check("1s", 20),
            extra: String::new(),
            definition: None,
            event_sources: None,
            hooks: String::new(),
            analysis: String::new(),
            notification_topic_arn: None,
            also: String::new(),
        }
    }

    pub fn event_sources(mut self, json: &str) -> Deployment {
        self.event_sources = Some(json.to_string());
        self
    }

    /// `hooks { ... }` with the given lines (`before_allow_traffic = "smoke"`, ...).
    pub fn hooks(mut self, body: &str) -> Deployment {
        self.hooks = block("hooks", body);
        self
    }

    /// `analysis { ... }` with the given lines (`max_error_rate = 5`, ...).
    pub fn analysis(mut self, body: &str) -> Deployment {
        self.analysis = block("analysis", body);
        self
    }

    pub fn notification_topic_arn(mut self, arn: &str) -> Deployment {
        self.notification_topic_arn = Some(arn.to_string());
        self
    }

    pub fn linear(mut self, percent: u32, wait: &str) -> Deployment {
        self.traffic_shifting = shifting("LINEAR", percent, wait);
        self
    }

    pub fn canary(mut self, percent: u32, wait: &str) -> Deployment {
        self.traffic_shifting = shifting("CANARY", percent, wait);
        self
    }

    /// Rollouts run by AWS Step Functions as [`ROLLOUT_ROLE_ARN`]: the resource's `orchestrator`
    /// block, added to `extra`. The provider also needs a `stepfunctions` endpoint
    /// (`harness::stepfunctions_override`).
    pub fn step_functions(mut self) -> Deployment {
        let body = format!("type     = \"step_functions\"\nrole_arn = {ROLLOUT_ROLE_ARN:?}");
        self.extra
            .push_str(&format!("  {}\n", block("orchestrator", &body)));
        self
    }

    /// `wait_for_rollout = <wait>`, added to `extra` (unset, the provider's default is true).
    pub fn wait_for_rollout(mut self, wait: bool) -> Deployment {
        self.extra
            .push_str(&format!("  wait_for_rollout = {wait}\n"));
        self
    }

    /// The `function_definition` value, as HCL.
    pub fn definition_hcl(&self) -> String {
        if let Some(definition) = &self.definition {
            return definition.clone();
        }
        format!(
            r#"jsonencode({{
    FunctionName = "{}"
    Role         = "{ROLE_ARN}"
    Runtime      = "python3.12"
    Handler      = "app.handler"
    Timeout      = 5
    Environment  = {{ Variables = {{ GREETING = "{}" }} }}
  }})"#,
            self.function_name, self.greeting
        )
    }

    /// The resource block alone.
    pub fn resource_hcl(&self) -> String {
        let alarms = if self.alarms.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = self.alarms.iter().map(|a| format!("{a:?}")).collect();
            format!("  alarms = [{}]\n", quoted.join(", "))
        };
        let retain = self
            .retain_versions
            .map(|n| format!("  retain_versions = {n}\n"))
            .unwrap_or_default();
        format!(
            r#"resource "gitmoxi_lambda_deployment" "fn" {{
  function_definition = {definition}
  package_file        = "{package}"
  alias               = "{alias}"
{alarms}{retain}{checks}
  {shifting}
  {readiness}
{extra}
}}
{also}"#,
            definition = self.definition_hcl(),
            package = self.package_file,
            alias = self.alias,
            checks = checks_hcl(
                self.event_sources.as_deref(),
                &self.hooks,
                &self.analysis,
                self.notification_topic_arn.as_deref()
            ),
            shifting = self.traffic_shifting,
            readiness = self.readiness_check,
            extra = self.extra,
            also = self.also,
        )
    }

    /// The whole `main.tf`: provider block pointed at `endpoint` plus the resource.
    pub fn main_tf(&self, endpoint: &str) -> String {
        format!("{}\n{}", provider_block(endpoint), self.resource_hcl())
    }

    /// Writes `main.tf` (the package is written separately with [`write_handler_zip`]).
    pub fn write(&self, ws: &Workspace, endpoint: &str) {
        ws.write("main.tf", &self.main_tf(endpoint));
    }
}

/// One `gitmoxi_lambda_alias_deployment.<name>`: an existing version rolled out on an alias.
#[derive(Clone, Debug)]
pub struct AliasDeployment {
    pub name: String,
    /// HCL expression, e.g. `gitmoxi_lambda_deployment.fn.id` (orders it after the function).
    pub function_name: String,
    pub alias: String,
    /// HCL expression, e.g. `"1"`.
    pub version: String,
    /// The `traffic_shifting { ... }` block, or empty for none.
    pub traffic_shifting: String,
    pub event_sources: Option<String>,
    pub hooks: String,
    pub analysis: String,
    pub notification_topic_arn: Option<String>,
}

impl AliasDeployment {
    /// `name` on the function of `gitmoxi_lambda_deployment.fn`, serving `version` (a number).
    pub fn new(name: &str, alias: &str, version: &str) -> AliasDeployment {
        AliasDeployment {
            name: name.to_string(),
            function_name: "gitmoxi_lambda_deployment.fn.id".to_string(),
            alias: alias.to_string(),
            version: format!("{version:?}"),
            traffic_shifting: String::new(),
            event_sources: None,
            hooks: String::new(),
            analysis: String::new(),
            notification_topic_arn: None,
        }
    }

    pub fn canary(mut self, percent: u32, wait: &str) -> AliasDeployment {
        self.traffic_shifting = shifting("CANARY", percent, wait);
        self
    }

    pub fn resource_hcl(&self) -> String {
        format!(
            r#"resource "gitmoxi_lambda_alias_deployment" "{name}" {{
  function_name = {function}
  alias         = "{alias}"
  version       = {version}
{checks}
  {shifting}
}}
"#,
            name = self.name,
            function = self.function_name,
            alias = self.alias,
            version = self.version,
            checks = checks_hcl(
                self.event_sources.as_deref(),
                &self.hooks,
                &self.analysis,
                self.notification_topic_arn.as_deref()
            ),
            shifting = self.traffic_shifting,
        )
    }
}

/// The check and event-source arguments both rollout resources share, as HCL lines.
fn checks_hcl(
    event_sources: Option<&str>,
    hooks: &str,
    analysis: &str,
    topic: Option<&str>,
) -> String {
    let mut out = String::new();
    if let Some(json) = event_sources {
        out.push_str(&format!("  event_sources = <<-EOT\n{json}\n  EOT\n"));
    }
    if let Some(arn) = topic {
        out.push_str(&format!("  notification_topic_arn = {arn:?}\n"));
    }
    for b in [hooks, analysis] {
        if !b.is_empty() {
            out.push_str(&format!("  {b}\n"));
        }
    }
    out
}

fn block(name: &str, body: &str) -> String {
    let lines: Vec<String> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| format!("    {l}\n"))
        .collect();
    format!("{name} {{\n{}  }}", lines.concat())
}

pub fn shifting(kind: &str, percent: u32, wait: &str) -> String {
    format!(
        "traffic_shifting {{\n    type          = \"{kind}\"\n    percent       = {percent}\n    wait_interval = \"{wait}\"\n  }}"
    )
}

pub fn readiness_check(wait: &str, max_retries: i64) -> String {
    format!(
        "readiness_check {{\n    wait_interval = \"{wait}\"\n    max_retries   = {max_retries}\n  }}"
    )
}

// ---------------------------------------------------------------------------------------------
// Reading AWS back
// ---------------------------------------------------------------------------------------------

/// What an alias routes to: its primary version and any weighted extra versions.
#[derive(Clone, Debug, PartialEq)]
pub struct AliasView {
    pub version: String,
    pub weights: Vec<(String, f64)>,
}

impl AliasView {
    /// The alias serves `version` alone (no routing weights).
    pub fn serves_only(&self, version: &str) -> bool {
        self.version == version && self.weights.is_empty()
    }
}

pub async fn alias(lambda: &aws_sdk_lambda::Client, function: &str, alias: &str) -> AliasView {
    let out = lambda
        .get_alias()
        .function_name(function)
        .name(alias)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetAlias {function}:{alias}: {e:?}"));
    let mut weights: Vec<(String, f64)> = out
        .routing_config()
        .and_then(|r| r.additional_version_weights())
        .map(|m| m.iter().map(|(k, v)| (k.clone(), *v)).collect())
        .unwrap_or_default();
    weights.sort_by(|a, b| a.0.cmp(&b.0));
    AliasView {
        version: out.function_version().unwrap_or_default().to_string(),
        weights,
    }
}

/// Points `live` of `function` at version 1 with 30% on version 2, as a hand-made change in the
/// console would.
pub async fn split_live_by_hand(lambda: &aws_sdk_lambda::Client, function: &str) {
    use aws_sdk_lambda::types::AliasRoutingConfiguration;
    lambda
        .update_alias()
        .function_name(function)
        .name("live")
        .function_version("1")
        .routing_config(
            AliasRoutingConfiguration::builder()
                .additional_version_weights("2", 0.3)
                .build(),
        )
        .send()
        .await
        .expect("UpdateAlias");
}

/// Published versions of a function, `$LATEST` left out, in number order.
pub async fn versions(lambda: &aws_sdk_lambda::Client, function: &str) -> Vec<String> {
    let out = lambda
        .list_versions_by_function()
        .function_name(function)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListVersionsByFunction {function}: {e:?}"));
    let mut list: Vec<String> = out
        .versions()
        .iter()
        .filter_map(|v| v.version().map(str::to_string))
        .filter(|v| v != "$LATEST")
        .collect();
    list.sort_by_key(|v| v.parse::<u64>().unwrap_or(u64::MAX));
    list
}

pub async fn function_names(lambda: &aws_sdk_lambda::Client) -> Vec<String> {
    lambda
        .list_functions()
        .send()
        .await
        .expect("ListFunctions")
        .functions()
        .iter()
        .filter_map(|f| f.function_name().map(str::to_string))
        .collect()
}

/// Polls the alias every 100 ms until `seen` accepts it; returns it, or None after `timeout`.
pub async fn wait_for_alias(
    lambda: &aws_sdk_lambda::Client,
    function: &str,
    alias_name: &str,
    timeout: Duration,
    seen: impl Fn(&AliasView) -> bool,
) -> Option<AliasView> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        let lookup = lambda
            .get_alias()
            .function_name(function)
            .name(alias_name)
            .send()
            .await;
        if lookup.is_ok() {
            let view = alias(lambda, function, alias_name).await;
            if seen(&view) {
                return Some(view);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

/// The one `gitmoxi_lambda_deployment` in `terraform show -json` output.
pub fn deployment_state(state: &serde_json::Value) -> &serde_json::Value {
    state["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["type"] == "gitmoxi_lambda_deployment"))
        .map(|r| &r["values"])
        .unwrap_or_else(|| panic!("no gitmoxi_lambda_deployment in the state: {state:#}"))
}

/// The `gitmoxi_lambda_alias_deployment.<name>` in `terraform show -json` output.
pub fn alias_deployment_state<'a>(
    state: &'a serde_json::Value,
    name: &str,
) -> &'a serde_json::Value {
    state["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|r| {
            r.iter()
                .find(|r| r["type"] == "gitmoxi_lambda_alias_deployment" && r["name"] == name)
        })
        .map(|r| &r["values"])
        .unwrap_or_else(|| {
            panic!("no gitmoxi_lambda_alias_deployment.{name} in the state: {state:#}")
        })
}

/// Every distinct view of the alias seen (polling every 100 ms) until `apply` ends; returns them
/// with the command's output.
pub async fn watch_alias_during(
    lambda: &aws_sdk_lambda::Client,
    function: &str,
    alias_name: &str,
    mut apply: crate::harness::TfChild,
    timeout: Duration,
) -> (Vec<AliasView>, crate::harness::TfOutput) {
    let deadline = Instant::now() + timeout;
    let mut seen: Vec<AliasView> = Vec::new();
    while !apply.is_finished() && Instant::now() < deadline {
        let lookup = lambda
            .get_alias()
            .function_name(function)
            .name(alias_name)
            .send()
            .await;
        if lookup.is_ok() {
            let view = alias(lambda, function, alias_name).await;
            if seen.last() != Some(&view) {
                seen.push(view);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let out = apply
        .wait_timeout(deadline.saturating_duration_since(Instant::now()) + Duration::from_secs(5));
    (seen, out)
}

/// The statements of the alias's resource-based policy (empty when it has none); an empty
/// `qualifier` reads the unqualified function's policy.
pub async fn policy_statements(
    lambda: &aws_sdk_lambda::Client,
    function: &str,
    qualifier: &str,
) -> Vec<serde_json::Value> {
    match lambda
        .get_policy()
        .function_name(function)
        .set_qualifier((!qualifier.is_empty()).then(|| qualifier.to_string()))
        .send()
        .await
    {
        Ok(out) => {
            let policy: serde_json::Value =
                serde_json::from_str(out.policy().unwrap_or("{}")).expect("the policy is JSON");
            policy["Statement"].as_array().cloned().unwrap_or_default()
        }
        Err(e) if format!("{e:?}").contains("ResourceNotFound") => Vec::new(),
        Err(e) => panic!("GetPolicy {function}:{qualifier}: {e:?}"),
    }
}

/// `(EventSourceArn, BatchSize)` of the mappings whose function is `function_arn`.
pub async fn mappings(
    lambda: &aws_sdk_lambda::Client,
    function_arn: &str,
) -> Vec<(String, Option<i32>)> {
    lambda
        .list_event_source_mappings()
        .function_name(function_arn)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListEventSourceMappings {function_arn}: {e:?}"))
        .event_source_mappings()
        .iter()
        .map(|m| {
            (
                m.event_source_arn().unwrap_or_default().to_string(),
                m.batch_size(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Services the crate has no SDK for (SQS): the venv's boto3
// ---------------------------------------------------------------------------------------------

/// Runs `script` with the venv's Python, where `client(name)` gives a boto3 client pointed at
/// `endpoint`, and returns the JSON value the script leaves in `result`.
pub fn boto3(endpoint: &str, script: &str) -> serde_json::Value {
    let python = crate::harness::repo_root().join(".venv/bin/python");
    let prelude = format!(
        "import json, boto3\n\
         def client(name):\n    \
         return boto3.client(name, endpoint_url={endpoint:?}, region_name={region:?}, \
         aws_access_key_id='test', aws_secret_access_key='test')\n\
         result = None\n",
        region = crate::harness::REGION,
    );
    let output = Command::new(&python)
        .arg("-c")
        .arg(format!(
            "{prelude}{script}\nprint(json.dumps(result, default=str))\n"
        ))
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", python.display()));
    assert!(
        output.status.success(),
        "boto3 script failed:\n{script}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("boto3 script printed no JSON ({e}): {stdout}"))
}

/// Creates an SQS queue; returns `(url, arn)`.
pub fn create_queue(endpoint: &str, name: &str) -> (String, String) {
    let out = boto3(
        endpoint,
        &format!(
            "sqs = client('sqs')\n\
             url = sqs.create_queue(QueueName={name:?})['QueueUrl']\n\
             arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['QueueArn'])['Attributes']['QueueArn']\n\
             result = [url, arn]\n"
        ),
    );
    (
        out[0].as_str().unwrap_or_default().to_string(),
        out[1].as_str().unwrap_or_default().to_string(),
    )
}

/// Receives (and deletes) every message waiting in the queue; returns their bodies.
pub fn drain_queue(endpoint: &str, url: &str) -> Vec<String> {
    let out = boto3(
        endpoint,
        &format!(
            "sqs = client('sqs')\n\
             result = []\n\
             while True:\n    \
             got = sqs.receive_message(QueueUrl={url:?}, MaxNumberOfMessages=10, WaitTimeSeconds=1).get('Messages', [])\n    \
             if not got:\n        break\n    \
             for m in got:\n        \
             result.append(m['Body'])\n        \
             sqs.delete_message(QueueUrl={url:?}, ReceiptHandle=m['ReceiptHandle'])\n"
        ),
    );
    out.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|b| b.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Creates a Python 3.12 function `name` whose `app.py` is `source` (handler `app.handler`), and
/// waits until it is Active. For hook functions and functions another resource promotes.
pub async fn create_python_function(
    lambda: &aws_sdk_lambda::Client,
    dir: &Path,
    name: &str,
    source: &str,
) {
    use aws_sdk_lambda::primitives::Blob;
    use aws_sdk_lambda::types::{FunctionCode, Runtime};
    let zip = python_zip_bytes(dir, &format!("{name}.zip"), source);
    lambda
        .create_function()
        .function_name(name)
        .role(ROLE_ARN)
        .runtime(Runtime::Python312)
        .handler("app.handler")
        .timeout(5)
        .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateFunction {name}: {e:?}"));
    for _ in 0..100 {
        let config = lambda
            .get_function_configuration()
            .function_name(name)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GetFunctionConfiguration {name}: {e:?}"));
        if config.state().map(|s| s.as_str()) == Some("Active") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{name} did not become Active");
}

/// A CloudWatch alarm on the function errors metric, as a team's hashicorp/aws code would make
/// it; OK until a test sets it otherwise.
pub async fn errors_alarm(cloudwatch: &aws_sdk_cloudwatch::Client, name: &str) {
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Statistic};
    cloudwatch
        .put_metric_alarm()
        .alarm_name(name)
        .namespace("AWS/Lambda")
        .metric_name("Errors")
        .statistic(Statistic::Sum)
        .period(60)
        .evaluation_periods(1)
        .threshold(1.0)
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        .send()
        .await
        .expect("PutMetricAlarm");
}

/// Sets an alarm's state, as CloudWatch would when the metric crosses the threshold.
pub async fn set_alarm(
    cloudwatch: &aws_sdk_cloudwatch::Client,
    name: &str,
    state: aws_sdk_cloudwatch::types::StateValue,
) {
    cloudwatch
        .set_alarm_state()
        .alarm_name(name)
        .state_value(state)
        .state_reason("set by the end-to-end test")
        .send()
        .await
        .expect("SetAlarmState");
}

/// `terraform plan -detailed-exitcode`: 2 means changes are pending.
pub fn plan_exit_code(ws: &Workspace) -> (Option<i32>, crate::harness::TfOutput) {
    let out = ws.tf(&["plan", "-detailed-exitcode"]);
    (out.code(), out)
}

/// A function a team made before adopting the provider, with the SDK: `ws`'s `v1.zip` (written
/// here), python3.12, `GREETING=hello`, one published version and `live` on it. Returns the
/// version.
pub async fn function_made_outside(
    lambda: &aws_sdk_lambda::Client,
    ws: &Workspace,
    name: &str,
) -> String {
    use aws_sdk_lambda::primitives::Blob;
    use aws_sdk_lambda::types::{Environment, FunctionCode, Runtime};

    write_handler_zip(ws, "v1.zip", "v1");
    let zip = std::fs::read(ws.path("v1.zip")).expect("reading v1.zip");
    lambda
        .create_function()
        .function_name(name)
        .role(ROLE_ARN)
        .runtime(Runtime::Python312)
        .handler("app.handler")
        .timeout(5)
        .environment(
            Environment::builder()
                .variables("GREETING", "hello")
                .build(),
        )
        .code(FunctionCode::builder().zip_file(Blob::new(zip)).build())
        .send()
        .await
        .expect("CreateFunction");
    wait_until_active(lambda, name).await;
    let published = lambda
        .publish_version()
        .function_name(name)
        .send()
        .await
        .expect("PublishVersion");
    let version = published.version().unwrap_or_default().to_string();
    lambda
        .create_alias()
        .function_name(name)
        .name("live")
        .function_version(&version)
        .send()
        .await
        .expect("CreateAlias");
    version
}

pub async fn wait_until_active(lambda: &aws_sdk_lambda::Client, function: &str) {
    for _ in 0..100 {
        let config = lambda
            .get_function_configuration()
            .function_name(function)
            .send()
            .await
            .expect("GetFunctionConfiguration");
        if config.state().map(|s| s.as_str()) == Some("Active") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{function} did not become Active");
}
