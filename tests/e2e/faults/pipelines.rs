//! Two pipelines deploying the same function at once: two workspaces with
//! their own state. Pipeline A is mid-rollout when pipeline B (a create, which adopts the
//! function) starts its own. Publish conflicts are covered against the engine's fake
//! (`engine/tests/pipelines.rs`): ministack ignores PublishVersion's RevisionId, so here B starts
//! once A has published and the race is on the alias.

use std::time::Duration;

use super::{assert_clean, greeting, plan};
use crate::fixtures::{alias, deployment_state, wait_for_alias, write_handler_zip, Deployment};
use crate::harness::{Emulator, Workspace};

#[tokio::test]
async fn two_pipelines_on_one_function_one_wins_the_other_names_the_conflict() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let function = "faults-pipelines";
    let ws_a = Workspace::new("pipeline-a");
    let ws_b = Workspace::new("pipeline-b");
    write_handler_zip(&ws_a, "v1.zip", "v1");
    write_handler_zip(&ws_b, "v1.zip", "v1");
    let mut a = Deployment::new(function).linear(50, "4s");
    a.write(&ws_a, &emulator.endpoint());
    ws_a.tf(&["apply", "-auto-approve"]).assert_success();

    a.greeting = "from-a".into();
    a.write(&ws_a, &emulator.endpoint());
    let mut b = Deployment::new(function).linear(50, "4s");
    b.greeting = "from-b".into();
    b.write(&ws_b, &emulator.endpoint());

    let apply_a = ws_a.tf_spawn(&["apply", "-auto-approve"]);
    let weighted = wait_for_alias(&lambda, function, "live", Duration::from_secs(60), |v| {
        !v.weights.is_empty()
    })
    .await;
    assert!(
        weighted.is_some(),
        "pipeline A never reached its first step"
    );
    let apply_b = ws_b.tf_spawn(&["apply", "-auto-approve"]);
    let out_a = apply_a.wait_timeout(Duration::from_secs(120));
    let out_b = apply_b.wait_timeout(Duration::from_secs(120));

    let live = assert_clean(&lambda, function, 0, "after both pipelines").await;
    let serving = greeting(&lambda, function, &live.version).await;
    let (winner, loser, out_w, out_l, ws_w, ws_l) = if serving == "from-a" {
        ("A", "B", &out_a, &out_b, &ws_a, &ws_b)
    } else {
        assert_eq!(serving, "from-b", "the alias serves one pipeline's release");
        ("B", "A", &out_b, &out_a, &ws_b, &ws_a)
    };
    out_w.assert_success();
    if !out_l.success() {
        assert!(
            out_l.stdout.to_lowercase().contains("conflict")
                || out_l.stderr.to_lowercase().contains("conflict"),
            "pipeline {loser}'s failure names the conflict:\n{out_l}"
        );
    }
    // The winner's state is what serves; the loser's plan shows its release still pending.
    let state = ws_w.state_json();
    assert_eq!(
        deployment_state(&state)["version"],
        live.version.as_str(),
        "{winner}'s state"
    );
    let (code, out) = plan(ws_w);
    assert_eq!(code, Some(0), "{winner}'s plan is empty:\n{out}");
    let (code, out) = plan(ws_l);
    assert_eq!(
        code,
        Some(2),
        "{loser}'s release does not serve; its plan says so:\n{out}"
    );
    eprintln!(
        "pipelines: {winner} won (alias {:?}); {loser} {}",
        alias(&lambda, function, "live").await,
        if out_l.success() {
            "succeeded first, then was superseded"
        } else {
            "stopped on the conflict"
        }
    );
}
