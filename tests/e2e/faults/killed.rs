//! SIGKILL of Terraform and the provider at seeded random moments: before
//! the update, between publish and the first shift, mid-shift or during the bake. The existing
//! `deployment::killed_apply_leaves_weights_that_the_next_apply_repairs` covers a kill at the
//! canary weight with `retain_versions = 0`; these add the other moments and
//! `retain_versions = 1`, where an orphaned version must not take the retained slot's place
//! unnoticed.

use std::time::{Duration, Instant};

use super::rng::XorShift;
use super::{assert_clean, assert_truthful, plan, report, secs_f, seed};
use crate::fixtures::{alias, versions, write_handler_zip, Deployment};
use crate::harness::{Emulator, Workspace};

pub async fn kills_at_random_moments(runs: usize, label: &str) {
    let seed = seed(8002);
    let mut rng = XorShift::new(seed);
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let function = format!("faults-kill-{label}");
    let ws = Workspace::new(&function);
    write_handler_zip(&ws, "v1.zip", "v1");
    let mut deployment = Deployment::new(&function).canary(50, "3s");
    deployment.retain_versions = Some(1);
    deployment.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();

    let mut left_weighted = 0;
    let mut repair_times = Vec::new();
    let mut notes = Vec::new();
    let started = Instant::now();
    for run in 0..runs {
        deployment.greeting = format!("release-{run}");
        deployment.write(&ws, &emulator.endpoint());
        let at = Duration::from_millis(rng.between(1_000, 8_000));
        let context = format!("seed {seed}, run {run}, SIGKILL at {at:?}");
        let apply = ws.tf_spawn(&["apply", "-auto-approve"]);
        std::thread::sleep(at);
        drop(apply); // SIGKILL to Terraform's process group: Terraform and the provider
        let left = alias(&lambda, &function, "live").await;
        let versions_left = versions(&lambda, &function).await;
        if !left.weights.is_empty() {
            left_weighted += 1;
        }

        // The next plan tells the truth about what the kill left, and the next apply repairs it.
        let (code, out) = plan(&ws);
        assert!(
            matches!(code, Some(0 | 2)),
            "{context}: plan after the kill failed:\n{out}"
        );
        let repair = Instant::now();
        ws.tf(&["apply", "-auto-approve"]).assert_success();
        repair_times.push(repair.elapsed());
        let live = assert_clean(&lambda, &function, 1, &context).await;
        let kept = versions(&lambda, &function).await;
        notes.push(format!(
            "run {run}: kill at {at:?} left {left:?} with versions {versions_left:?}; \
             repaired to {} with versions {kept:?}",
            live.version
        ));
        let state = ws.state_json();
        assert_eq!(
            crate::fixtures::deployment_state(&state)["version"],
            live.version.as_str(),
            "{context}"
        );
        assert_eq!(
            assert_truthful(&ws, &lambda, &function, &deployment.greeting, &context).await,
            Some(0),
            "{context}: the repair converged"
        );
    }
    repair_times.sort();
    report(
        &format!("kills ({label})"),
        &format!(
            "seed {seed}; runs {runs}: left weighted {left_weighted}; every next apply \
             converged; repair apply median {} max {}; total {}\n{}",
            secs_f(repair_times[repair_times.len() / 2]),
            secs_f(*repair_times.last().unwrap()),
            secs_f(started.elapsed()),
            notes.join("\n")
        ),
    );
}

#[tokio::test]
async fn two_kills_at_random_moments_then_the_next_apply_converges() {
    kills_at_random_moments(2, "short").await;
}
