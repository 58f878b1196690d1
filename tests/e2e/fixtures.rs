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
        }
    }

    pub fn linear(mut self, percent: u32, wait: &str) -> Deployment {
        self.traffic_shifting = shifting("LINEAR", percent, wait);
        self
    }

    pub fn canary(mut self, percent: u32, wait: &str) -> Deployment {
        self.traffic_shifting = shifting("CANARY", percent, wait);
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
{alarms}{retain}
  {shifting}
  {readiness}
{extra}
}}
"#,
            definition = self.definition_hcl(),
            package = self.package_file,
            alias = self.alias,
            shifting = self.traffic_shifting,
            readiness = self.readiness_check,
            extra = self.extra,
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
