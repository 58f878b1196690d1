//! Secrets: `sensitive_environment` values never appear in plan or apply output, in
//! `TF_LOG=trace` logs (Terraform's and the provider's), in error messages, or anywhere in the
//! state file outside the `sensitive_environment` attribute (private state included);
//! `sensitive_environment_wo` values appear nowhere at all, the state included.

use base64::Engine as _;

use crate::fixtures::{write_handler_zip, Deployment};
use crate::harness::{Emulator, TfOutput, Workspace};

const SECRET: &str = "s3cr3t-Zq8vX2-do-not-leak";
const SECRET_2: &str = "an0ther-s3cr3t-Wm4pK7";

fn assert_hidden(what: &str, text: &str) {
    for secret in [SECRET, SECRET_2] {
        if let Some(at) = text.find(secret) {
            let from = at.saturating_sub(300);
            panic!(
                "a sensitive_environment value appears in {what}:\n…{}…",
                &text[from..(at + secret.len() + 100).min(text.len())]
            );
        }
    }
}

fn assert_output_hidden(out: &TfOutput) {
    assert_hidden(&format!("the stdout of {}", out.command), &out.stdout);
    assert_hidden(&format!("the stderr of {}", out.command), &out.stderr);
}

/// Every attribute of every resource instance but `sensitive_environment`, and the decoded
/// private state, as text.
fn state_outside_the_attribute(tfstate: &str) -> String {
    let mut state: serde_json::Value = serde_json::from_str(tfstate).expect("terraform.tfstate");
    let mut private = String::new();
    if let Some(resources) = state["resources"].as_array_mut() {
        for resource in resources {
            if let Some(instances) = resource["instances"].as_array_mut() {
                for instance in instances {
                    if let Some(attrs) = instance["attributes"].as_object_mut() {
                        attrs.remove("sensitive_environment");
                    }
                    if let Some(p) = instance["private"].as_str() {
                        let bytes = base64::engine::general_purpose::STANDARD
                            .decode(p)
                            .unwrap_or_default();
                        private.push_str(&String::from_utf8_lossy(&bytes));
                    }
                }
            }
        }
    }
    format!("{state}\n{private}")
}

#[tokio::test]
async fn sensitive_environment_never_leaves_its_attribute() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let mut ws = Workspace::new("faults-secrets");
    ws.set_env("TF_LOG", "trace");
    ws.set_env("TF_LOG_PATH", &ws.path("trace.log").display().to_string());
    write_handler_zip(&ws, "v1.zip", "v1");
    // The values come from sensitive variables, as real configurations pass them: a literal
    // written in main.tf would be shown by Terraform itself in the source snippet of any
    // diagnostic on that line, which no provider can prevent.
    ws.write(
        "variables.tf",
        "variable \"db_password\" {\n  type      = string\n  sensitive = true\n}\n\
         variable \"other\" {\n  type      = string\n  sensitive = true\n}\n",
    );
    ws.set_env("TF_VAR_db_password", SECRET);
    ws.set_env("TF_VAR_other", SECRET_2);
    let mut deployment = Deployment::new("faults-secrets").canary(50, "1s");
    deployment.extra = "  sensitive_environment = { DB_PASSWORD = var.db_password }\n".into();
    deployment.write(&ws, &emulator.endpoint());

    let plan = ws.tf(&["plan"]);
    plan.assert_success();
    assert_output_hidden(&plan);
    assert!(
        plan.contains("sensitive"),
        "the plan marks it sensitive:\n{plan}"
    );
    let apply = ws.tf(&["apply", "-auto-approve"]);
    apply.assert_success();
    assert_output_hidden(&apply);

    // The secret reached Lambda: the test would prove nothing otherwise.
    let config = lambda
        .get_function_configuration()
        .function_name("faults-secrets")
        .qualifier("live")
        .send()
        .await
        .expect("GetFunctionConfiguration");
    let vars = config.environment().and_then(|e| e.variables()).cloned();
    assert_eq!(
        vars.as_ref()
            .and_then(|v| v.get("DB_PASSWORD"))
            .map(String::as_str),
        Some(SECRET)
    );

    // A new secret, rolled out; then an apply that fails (a missing alarm) after reading it.
    deployment.extra = "  sensitive_environment = { DB_PASSWORD = var.other }\n".into();
    deployment.write(&ws, &emulator.endpoint());
    let out = ws.tf(&["plan", "-detailed-exitcode"]);
    assert_eq!(out.code(), Some(2), "a new secret is a deployment:\n{out}");
    assert_output_hidden(&out);
    deployment.alarms = vec!["no-such-alarm".into()];
    deployment.write(&ws, &emulator.endpoint());
    let failed = ws.tf(&["apply", "-auto-approve"]);
    failed.assert_failure_contains("no-such-alarm");
    assert_output_hidden(&failed);
    deployment.alarms.clear();
    deployment.write(&ws, &emulator.endpoint());
    let apply = ws.tf(&["apply", "-auto-approve"]);
    apply.assert_success();
    assert_output_hidden(&apply);

    // A key in both Environment.Variables and sensitive_environment: a plan-time error that
    // must name the key, not the value.
    deployment.extra =
        "  sensitive_environment = { GREETING = var.db_password, DB_PASSWORD = var.other }\n"
            .into();
    deployment.write(&ws, &emulator.endpoint());
    let clash = ws.tf(&["plan"]);
    clash.assert_failure_contains("GREETING");
    assert_output_hidden(&clash);

    let trace = ws.read("trace.log");
    assert!(
        trace.contains("provider.terraform-provider-gitmoxi: shifted alias live"),
        "the trace log holds the provider's own lines (its stderr, through Terraform's log)"
    );
    assert_hidden("the TF_LOG=trace log", &trace);
    let tfstate = ws.read("terraform.tfstate");
    assert!(
        tfstate.contains(SECRET_2),
        "the attribute itself holds the value"
    );
    assert_hidden(
        "terraform.tfstate outside sensitive_environment",
        &state_outside_the_attribute(&tfstate),
    );
    if let Ok(backup) = std::fs::read_to_string(ws.path("terraform.tfstate.backup")) {
        assert_hidden(
            "terraform.tfstate.backup outside sensitive_environment",
            &state_outside_the_attribute(&backup),
        );
    }
}

/// Write-only values (Terraform 1.11+) from an ephemeral variable: they reach Lambda and are in
/// no output, log line or state; a new version deploys new values.
#[tokio::test]
async fn write_only_secrets_reach_lambda_and_nothing_else() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let mut ws = Workspace::new("faults-secrets-wo");
    ws.set_env("TF_LOG", "trace");
    ws.set_env("TF_LOG_PATH", &ws.path("trace.log").display().to_string());
    write_handler_zip(&ws, "v1.zip", "v1");
    ws.write(
        "variables.tf",
        "variable \"db_password\" {\n  type      = string\n  ephemeral = true\n}\n\
         variable \"password_version\" {\n  type = number\n}\n",
    );
    ws.set_env("TF_VAR_db_password", SECRET);
    ws.set_env("TF_VAR_password_version", "1");
    let mut deployment = Deployment::new("faults-secrets-wo").canary(50, "1s");
    deployment.extra = "  sensitive_environment_wo         = { DB_PASSWORD = var.db_password }\n\
                        sensitive_environment_wo_version = var.password_version\n"
        .into();
    deployment.write(&ws, &emulator.endpoint());

    let apply = ws.tf(&["apply", "-auto-approve"]);
    apply.assert_success();
    assert_output_hidden(&apply);
    assert_eq!(served_password(&lambda).await.as_deref(), Some(SECRET));
    let plan = ws.tf(&["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code(), Some(0), "nothing to do:\n{plan}");

    ws.set_env("TF_VAR_db_password", SECRET_2);
    ws.set_env("TF_VAR_password_version", "2");
    let apply = ws.tf(&["apply", "-auto-approve"]);
    apply.assert_success();
    assert_output_hidden(&apply);
    assert_eq!(served_password(&lambda).await.as_deref(), Some(SECRET_2));

    assert_hidden("the TF_LOG=trace log", &ws.read("trace.log"));
    assert_hidden("terraform.tfstate", &ws.read("terraform.tfstate"));
    if let Ok(backup) = std::fs::read_to_string(ws.path("terraform.tfstate.backup")) {
        assert_hidden("terraform.tfstate.backup", &backup);
    }
}

async fn served_password(lambda: &aws_sdk_lambda::Client) -> Option<String> {
    let config = lambda
        .get_function_configuration()
        .function_name("faults-secrets-wo")
        .qualifier("live")
        .send()
        .await
        .expect("GetFunctionConfiguration");
    let vars = config.environment().and_then(|e| e.variables())?;
    vars.get("DB_PASSWORD").cloned()
}
