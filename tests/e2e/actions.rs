//! Actions through Terraform 1.15 (`terraform apply -invoke`): during an incident an alias left
//! split by hand is rolled back without any configuration change to a resource, and a version is
//! promoted with a schedule; AWS is read back after each.

use aws_sdk_lambda::primitives::Blob;

use crate::fixtures::{
    alias, function_made_outside, handler_zip_bytes, split_live_by_hand, wait_until_active,
};
use crate::harness::{provider_block, Emulator, Workspace};

const FUNCTION: &str = "e2e-actions";

fn actions_tf(endpoint: &str, rollback_extra: &str) -> String {
    format!(
        r#"{provider}
action "gitmoxi_lambda_rollback" "live" {{
  config {{
    function_name = "{FUNCTION}"
    alias         = "live"
{rollback_extra}  }}
}}

action "gitmoxi_lambda_promote" "v2" {{
  config {{
    function_name = "{FUNCTION}"
    alias         = "live"
    version       = "2"
    traffic_shifting {{
      type          = "LINEAR"
      percent       = 50
      wait_interval = "1s"
    }}
  }}
}}
"#,
        provider = provider_block(endpoint)
    )
}

/// `terraform apply -invoke=action.ACTION`, run to its end.
fn invoke(ws: &Workspace, action: &str) -> crate::harness::TfOutput {
    ws.tf(&[
        "apply",
        "-auto-approve",
        &format!("-invoke=action.{action}"),
    ])
}

/// Publishes version 2 with new code and leaves `live` on 1 with 30% on 2, as a hand-made
/// change in the console would.
async fn split_by_hand(lambda: &aws_sdk_lambda::Client, ws: &Workspace) {
    let zip = handler_zip_bytes(ws.dir(), "v2-bad");
    lambda
        .update_function_code()
        .function_name(FUNCTION)
        .zip_file(Blob::new(zip))
        .send()
        .await
        .expect("UpdateFunctionCode");
    wait_until_active(lambda, FUNCTION).await;
    let mut published = None;
    for _ in 0..50 {
        match lambda
            .publish_version()
            .function_name(FUNCTION)
            .send()
            .await
        {
            Ok(p) => {
                published = p.version().map(str::to_string);
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
        }
    }
    assert_eq!(published.as_deref(), Some("2"), "version 2 published");
    split_live_by_hand(lambda, FUNCTION).await;
}

#[tokio::test]
async fn rollback_and_promote_actions_move_an_alias_mid_incident() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let ws = Workspace::new("actions");
    function_made_outside(&lambda, &ws, FUNCTION).await;
    split_by_hand(&lambda, &ws).await;
    assert!(!alias(&lambda, FUNCTION, "live").await.weights.is_empty());

    // A bad version number is refused before anything runs.
    ws.write(
        "main.tf",
        &actions_tf(&emulator.endpoint(), "    to_version    = \"latest\"\n"),
    );
    let refused = ws.tf(&["validate"]);
    assert!(!refused.success(), "{refused}");
    assert!(
        refused.stderr.contains("Invalid to_version \"latest\""),
        "{refused}"
    );

    // A version that does not exist: refused before any change, the split left as it was.
    ws.write(
        "main.tf",
        &actions_tf(&emulator.endpoint(), "    to_version    = \"9\"\n"),
    );
    let missing = invoke(&ws, "gitmoxi_lambda_rollback.live");
    assert!(!missing.success(), "{missing}");
    assert!(
        missing
            .stderr
            .contains("Version 9 of e2e-actions does not exist"),
        "{missing}"
    );
    assert!(!alias(&lambda, FUNCTION, "live").await.weights.is_empty());

    ws.write("main.tf", &actions_tf(&emulator.endpoint(), ""));
    let rolled = invoke(&ws, "gitmoxi_lambda_rollback.live");
    rolled.assert_success();
    assert!(
        rolled
            .stdout
            .contains("routes 70% to version 1 and 30% to version 2")
            && rolled
                .stdout
                .contains("rolling live back to version 1 at 100%"),
        "{rolled}"
    );
    assert!(alias(&lambda, FUNCTION, "live").await.serves_only("1"));
    // Invoked again, it finds nothing to do and changes nothing.
    let again = invoke(&ws, "gitmoxi_lambda_rollback.live");
    again.assert_success();
    assert!(again.stdout.contains("nothing to roll back"), "{again}");

    let promoted = invoke(&ws, "gitmoxi_lambda_promote.v2");
    promoted.assert_success();
    // The report says what the engine did: two shifts, not one.
    assert!(
        promoted
            .stdout
            .contains("SUCCEEDED from version 1 to 2 (steps 50%, 100%)"),
        "{promoted}"
    );
    assert!(alias(&lambda, FUNCTION, "live").await.serves_only("2"));
}
