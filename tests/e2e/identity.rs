//! Resource identity through Terraform 1.15: an `import` block that names a deployment by
//! function and alias instead of an id, the identity Terraform keeps in the state, and a region
//! the provider does not deploy to refused with what to do instead.

use crate::fixtures::{
    alias, deployment_state, function_made_outside, plan_exit_code, versions, write_handler_zip,
    Deployment,
};
use crate::harness::{Emulator, Workspace, REGION};

fn import_block(identity: &str) -> String {
    format!(
        "import {{\n  to       = gitmoxi_lambda_deployment.fn\n  identity = {{ {identity} }}\n}}\n"
    )
}

#[tokio::test]
async fn an_import_block_by_identity_adopts_a_function_and_keeps_its_identity() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let ws = Workspace::new("identity-import");
    let version = function_made_outside(&lambda, &ws, "e2e-identity").await;
    Deployment::new("e2e-identity")
        .canary(50, "3s")
        .write(&ws, &emulator.endpoint());

    // A region this provider configuration does not deploy to: refused at plan, nothing read.
    ws.write(
        "imports.tf",
        &import_block(r#"function_name = "e2e-identity", alias = "live", region = "eu-west-1""#),
    );
    let refused = ws.tf(&["plan"]);
    assert!(!refused.success(), "{refused}");
    assert!(
        refused.stderr.contains("names region eu-west-1")
            && refused.stderr.contains(r#"region = "eu-west-1""#),
        "{refused}"
    );

    ws.write(
        "imports.tf",
        &import_block(r#"function_name = "e2e-identity", alias = "live""#),
    );
    let plan = ws.tf(&["plan"]);
    plan.assert_success();
    assert!(plan.stdout.contains("1 to import"), "{plan}");
    ws.tf(&["apply", "-auto-approve"]).assert_success();

    let state = ws.state_json();
    let resource = &state["values"]["root_module"]["resources"][0];
    assert_eq!(
        resource["identity"],
        serde_json::json!({
            "function_name": "e2e-identity",
            "alias": "live",
            "region": REGION,
        }),
        "state: {resource:#}"
    );
    assert_eq!(deployment_state(&state)["version"], version.as_str());
    assert_eq!(
        versions(&lambda, "e2e-identity").await,
        vec![version.clone()],
        "adopting publishes nothing"
    );
    ws.remove("imports.tf");
    let (code, out) = plan_exit_code(&ws);
    assert_eq!(code, Some(0), "the plan after the import is empty:\n{out}");
}

#[tokio::test]
async fn renaming_the_alias_with_a_release_moves_the_identity_with_it() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let ws = Workspace::new("identity-rename");
    write_handler_zip(&ws, "v1.zip", "v1");
    write_handler_zip(&ws, "v2.zip", "v2");
    let mut deployment = Deployment::new("e2e-rename").canary(50, "1s");
    deployment.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    let identity = |state: &serde_json::Value| {
        state["values"]["root_module"]["resources"][0]["identity"].clone()
    };
    assert_eq!(identity(&ws.state_json())["alias"], "live");

    deployment.alias = "prod".into();
    deployment.package_file = "v2.zip".into();
    deployment.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();

    let state = ws.state_json();
    assert_eq!(
        identity(&state),
        serde_json::json!({"function_name": "e2e-rename", "alias": "prod", "region": REGION}),
        "state: {state:#}"
    );
    let version = deployment_state(&state)["version"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(alias(&lambda, "e2e-rename", "prod")
        .await
        .serves_only(&version));
    let (code, out) = plan_exit_code(&ws);
    assert_eq!(code, Some(0), "the plan after the rename is empty:\n{out}");
}
