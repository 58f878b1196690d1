//! Bulk adoption through Terraform 1.15: `terraform query` lists functions made outside
//! Terraform, `-generate-config-out` turns them into import blocks and resources, and the plan of
//! that configuration only imports. Environment values never appear in the generated file or the
//! state, and a later release keeps the code and values the alias serves.

use crate::fixtures::{alias, function_made_outside, plan_exit_code, versions};
use crate::harness::{provider_block, Emulator, Workspace};

const QUERY: &str = r#"list "gitmoxi_lambda_deployment" "teams" {
  provider = gitmoxi
  config {
    name_prefix = "e2e-query-"
    alias       = "live"
  }
}
"#;

#[tokio::test]
async fn a_query_adopts_functions_made_outside_with_a_plan_that_only_imports() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let ws = Workspace::new("query");
    let mut served = Vec::new();
    for name in ["e2e-query-orders", "e2e-query-billing", "e2e-other"] {
        served.push(function_made_outside(&lambda, &ws, name).await);
    }
    ws.write("main.tf", &provider_block(&emulator.endpoint()));
    ws.write("adopt.tfquery.hcl", QUERY);

    let listed = ws.tf(&["query"]);
    listed.assert_success();
    for name in ["e2e-query-orders:live", "e2e-query-billing:live"] {
        assert!(listed.stdout.contains(name), "{name} listed:\n{listed}");
    }
    assert!(
        !listed.stdout.contains("e2e-other"),
        "filtered by prefix:\n{listed}"
    );

    ws.tf(&["query", "-generate-config-out=generated.tf"])
        .assert_success();
    let generated = ws.read("generated.tf");
    assert!(generated.contains("keep_code"), "{generated}");
    assert!(
        generated.contains("GREETING"),
        "the name is kept: {generated}"
    );
    assert!(
        !generated.contains("hello"),
        "no value in clear: {generated}"
    );
    assert_eq!(generated.matches("import {").count(), 2, "{generated}");

    let plan = ws.tf(&["plan"]);
    plan.assert_success();
    assert!(
        plan.stdout
            .contains("2 to import, 0 to add, 0 to change, 0 to destroy"),
        "{plan}"
    );
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    let (code, out) = plan_exit_code(&ws);
    assert_eq!(code, Some(0), "the plan after adoption is empty:\n{out}");
    let state = ws.state_json();
    assert!(
        !state.to_string().contains("hello"),
        "no value in the state"
    );
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .cloned();
    assert_eq!(resources.unwrap_or_default().len(), 2, "{state:#}");
    assert_eq!(
        versions(&lambda, "e2e-query-orders").await,
        [served[0].clone()]
    );

    // A release of the adopted configuration keeps the served code and values.
    let bigger = ws
        .read("generated.tf")
        .replace("Timeout      = 5", "Timeout      = 9");
    assert_ne!(
        bigger, generated,
        "the timeout is in the generated definition"
    );
    ws.write("generated.tf", &bigger);
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    let live = alias(&lambda, "e2e-query-orders", "live").await;
    assert_ne!(live.version, served[0], "a new version serves");
    let config = lambda
        .get_function_configuration()
        .function_name("e2e-query-orders")
        .qualifier(&live.version)
        .send()
        .await
        .expect("GetFunctionConfiguration");
    assert_eq!(config.timeout(), Some(9));
    let vars = config.environment().and_then(|e| e.variables()).cloned();
    assert_eq!(
        vars.unwrap_or_default().get("GREETING").map(String::as_str),
        Some("hello"),
        "the kept value is served again"
    );
}
