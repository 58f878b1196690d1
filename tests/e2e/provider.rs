//! The plugin protocol as Terraform sees it: the schema it reads, validate and plan with
//! the provider configured for the emulator, provider-block validation, and the oldest Terraform.

use crate::fixtures::{function_names, write_handler_zip, Deployment};
use crate::harness::{
    provider_block, terraform_1_0, Emulator, Workspace, PROVIDER_ADDRESS, PROVIDER_BINARY,
};

const RESOURCE: &str = "gitmoxi_lambda_deployment";

/// Checks what every Terraform version must find in `providers schema -json`.
fn assert_schema_describes_the_resource(schema: &serde_json::Value) {
    let provider = &schema["provider_schemas"][PROVIDER_ADDRESS];
    assert!(
        provider.is_object(),
        "providers schema -json does not name {PROVIDER_ADDRESS}: {schema:#}"
    );
    let resource = &provider["resource_schemas"][RESOURCE];
    let block = &resource["block"];
    assert!(
        block.is_object(),
        "no {RESOURCE} in the schema: {provider:#}"
    );
    assert_eq!(
        block["description_kind"], "markdown",
        "the resource description is markdown"
    );
    let description = block["description"].as_str().unwrap_or_default();
    assert!(
        description.contains("Lambda"),
        "the resource has a description: {description:?}"
    );
    for name in ["function_definition", "alias", "version", "alias_arn"] {
        let attribute = &block["attributes"][name];
        assert!(attribute.is_object(), "{RESOURCE} has no {name}: {block:#}");
        assert_eq!(
            attribute["description_kind"], "markdown",
            "{name} is described in markdown"
        );
        assert!(
            !attribute["description"]
                .as_str()
                .unwrap_or_default()
                .is_empty(),
            "{name} has a description"
        );
    }
    for name in ["traffic_shifting", "readiness_check", "timeouts"] {
        assert!(
            block["block_types"][name].is_object(),
            "{RESOURCE} has no {name} block: {block:#}"
        );
    }
}

#[test]
fn schema_lists_the_resource_with_markdown_descriptions() {
    let ws = Workspace::new("schema-resource");
    ws.write("main.tf", &provider_block("http://127.0.0.1:9"));

    let schema = ws.tf_json(&["providers", "schema", "-json"]);

    assert_schema_describes_the_resource(&schema);
    let provider_block = &schema["provider_schemas"][PROVIDER_ADDRESS]["provider"]["block"];
    for name in ["region", "max_retries"] {
        assert!(
            provider_block["attributes"][name].is_object(),
            "the provider block has no {name}: {provider_block:#}"
        );
    }
    assert!(
        provider_block["block_types"]["endpoints"].is_object(),
        "the provider block has no endpoints block: {provider_block:#}"
    );
}

#[test]
fn terraform_1_0_reads_the_schema() {
    let ws = Workspace::new("schema-tf10").with_terraform(terraform_1_0());
    ws.write("main.tf", &provider_block("http://127.0.0.1:9"));

    let schema = ws.tf_json(&["providers", "schema", "-json"]);

    assert_schema_describes_the_resource(&schema);
}

#[tokio::test]
async fn validate_and_plan_succeed_against_the_emulator_without_calling_lambda() {
    let emulator = Emulator::start();
    let ws = Workspace::new("validate-plan");
    write_handler_zip(&ws, "v1.zip", "v1");
    Deployment::new("e2e-plan-only")
        .canary(20, "3s")
        .write(&ws, &emulator.endpoint());

    ws.tf(&["validate"])
        .assert_success()
        .assert_contains("The configuration is valid");
    let plan = ws.tf(&["plan"]);
    plan.assert_success()
        .assert_contains("gitmoxi_lambda_deployment.fn will be created")
        .assert_contains("1 to add, 0 to change, 0 to destroy")
        .assert_contains("20% for 3s");

    assert!(
        function_names(&emulator.lambda_client()).await.is_empty(),
        "a plan created a function"
    );
}

#[test]
fn negative_max_retries_fails_validate_naming_it() {
    let ws = Workspace::new("max-retries");
    write_handler_zip(&ws, "v1.zip", "v1");
    // Terraform validates only providers that something uses (an unused provider block is
    // pruned from the graph), so the configuration has a resource.
    let config = Deployment::new("e2e-max-retries")
        .main_tf("http://127.0.0.1:9")
        .replace(
            "region = \"us-east-1\"",
            "region = \"us-east-1\"\n  max_retries = -1",
        );
    assert!(config.contains("max_retries = -1"), "the block was edited");
    ws.write("main.tf", &config);

    ws.tf(&["validate"])
        .assert_failure_contains("Invalid max_retries -1")
        .assert_contains("max_retries = -1") // the source line Terraform quotes for the path
        .assert_contains("whole number from 0");
}

/// Started like Terraform starts it but with no client certificate, the provider refuses to
/// serve plain gRPC that any local process could drive, unless told to for debugging.
#[test]
fn without_a_client_certificate_the_provider_serves_only_when_told_to() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let launch = || {
        let mut c = Command::new(PROVIDER_BINARY);
        c.env_clear()
            .env(
                "TF_PLUGIN_MAGIC_COOKIE",
                "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
            )
            .env("PLUGIN_PROTOCOL_VERSIONS", "6")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    };
    let refused = launch().output().expect("running the provider");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("PLUGIN_CLIENT_CERT is not set")
            && stderr.contains("GITMOXI_PLUGIN_PLAINTEXT=1"),
        "{stderr}"
    );
    assert!(refused.stdout.is_empty(), "no handshake line was printed");

    let mut allowed = launch()
        .env("GITMOXI_PLUGIN_PLAINTEXT", "1")
        .spawn()
        .expect("running the provider");
    let mut line = String::new();
    let stdout = allowed.stdout.take().expect("stdout");
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("a handshake line");
    let _ = allowed.kill();
    let _ = allowed.wait();
    assert!(
        line.starts_with("1|6|tcp|127.0.0.1:") && line.trim_end().ends_with("|grpc"),
        "plain handshake: {line}"
    );
}
