//! Environment aliases on one function and promotion between them through the real Terraform
//! CLI: `gitmoxi_lambda_deployment` publishes and serves DEV,
//! `gitmoxi_lambda_alias_deployment` rolls existing versions out on QA and PROD.

use std::time::Duration;

use crate::fixtures::{
    alias, alias_deployment_state, function_names, versions, wait_for_alias, write_handler_zip,
    AliasDeployment, Deployment,
};
use crate::harness::{Emulator, Workspace};

const FUNCTION: &str = "e2e-promo";

/// What an alias is, down to its revision: an untouched alias keeps its RevisionId.
async fn alias_revision(lambda: &aws_sdk_lambda::Client, name: &str) -> (String, String) {
    let out = lambda
        .get_alias()
        .function_name(FUNCTION)
        .name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetAlias {FUNCTION}:{name}: {e:?}"));
    (
        out.function_version().unwrap_or_default().to_string(),
        out.revision_id().unwrap_or_default().to_string(),
    )
}

/// DEV (the function's own alias, ALL_AT_ONCE) with `package`, and the given environments.
fn write(ws: &Workspace, emulator: &Emulator, package: &str, environments: &[AliasDeployment]) {
    let mut dev = Deployment::new(FUNCTION);
    dev.alias = "dev".to_string();
    dev.package_file = package.to_string();
    dev.also = environments
        .iter()
        .map(AliasDeployment::resource_hcl)
        .collect::<Vec<_>>()
        .join("\n");
    dev.write(ws, &emulator.endpoint());
}

#[tokio::test]
async fn promotion_rolls_prod_forward_with_a_canary_and_leaves_dev_and_qa_alone() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let ws = Workspace::new("promotion");
    write_handler_zip(&ws, "v1.zip", "v1");
    write_handler_zip(&ws, "v2.zip", "v2");
    let qa = AliasDeployment::new("qa", "qa", "1");
    let prod = AliasDeployment::new("prod", "prod", "1").canary(50, "4s");

    // Version 1 everywhere, then version 2 on DEV: the versions QA and PROD use stay.
    write(&ws, &emulator, "v1.zip", &[qa.clone(), prod.clone()]);
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    for env in ["dev", "qa", "prod"] {
        assert!(
            alias(&lambda, FUNCTION, env).await.serves_only("1"),
            "{env} after the first apply"
        );
    }
    write(&ws, &emulator, "v2.zip", &[qa.clone(), prod.clone()]);
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    assert!(alias(&lambda, FUNCTION, "dev").await.serves_only("2"));
    assert_eq!(
        versions(&lambda, FUNCTION).await,
        vec!["1", "2"],
        "version 1 is kept while QA and PROD use it"
    );
    let dev_before = alias_revision(&lambda, "dev").await;
    let qa_before = alias_revision(&lambda, "qa").await;

    // Promote PROD to version 2 with a canary.
    let promoted = AliasDeployment {
        version: "\"2\"".to_string(),
        ..prod.clone()
    };
    write(&ws, &emulator, "v2.zip", &[qa.clone(), promoted]);
    let apply = ws.tf_spawn(&["apply", "-auto-approve"]);
    let canary = wait_for_alias(&lambda, FUNCTION, "prod", Duration::from_secs(60), |a| {
        !a.weights.is_empty()
    })
    .await;
    let out = apply.wait_timeout(Duration::from_secs(120));

    out.assert_success();
    let canary = canary.unwrap_or_else(|| panic!("no canary weight on prod during:\n{out}"));
    assert_eq!(canary.version, "1", "the old version stays primary");
    assert_eq!(canary.weights, vec![("2".to_string(), 0.5)]);
    assert!(alias(&lambda, FUNCTION, "prod").await.serves_only("2"));
    assert_eq!(
        alias_revision(&lambda, "dev").await,
        dev_before,
        "DEV untouched"
    );
    assert_eq!(
        alias_revision(&lambda, "qa").await,
        qa_before,
        "QA untouched"
    );
    assert_eq!(versions(&lambda, FUNCTION).await, vec!["1", "2"]);
    let state = ws.state_json();
    let values = alias_deployment_state(&state, "prod");
    assert_eq!(values["version"], "2", "{values:#}");
    assert_eq!(values["previous_version"], "1", "{values:#}");
    assert_eq!(
        values["last_deployment"]["status"], "SUCCEEDED",
        "{values:#}"
    );
    let plan = ws.tf(&["plan", "-detailed-exitcode"]);
    assert_eq!(
        plan.code(),
        Some(0),
        "the plan after the promotion is empty:\n{plan}"
    );

    // Removing the PROD promotion removes its alias only.
    write(&ws, &emulator, "v2.zip", std::slice::from_ref(&qa));
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    let prod_lookup = lambda
        .get_alias()
        .function_name(FUNCTION)
        .name("prod")
        .send()
        .await;
    assert!(prod_lookup.is_err(), "prod alias left: {prod_lookup:?}");
    assert_eq!(function_names(&lambda).await, vec![FUNCTION]);
    assert_eq!(versions(&lambda, FUNCTION).await, vec!["1", "2"]);
    assert_eq!(alias_revision(&lambda, "dev").await, dev_before);
    assert_eq!(alias_revision(&lambda, "qa").await, qa_before);
}
