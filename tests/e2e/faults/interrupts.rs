//! SIGINT to `terraform apply` at seeded random moments of a rollout: every
//! run ends with the alias at 100% on one version, no orphaned version, and a truthful plan.

use std::time::{Duration, Instant};

use super::rng::XorShift;
use super::{assert_clean, assert_truthful, report, secs_f, seed};
use crate::fixtures::{write_handler_zip, Deployment};
use crate::harness::{Emulator, Workspace};

pub async fn interrupts_at_random_moments(runs: usize, label: &str) {
    let seed = seed(8001);
    let mut rng = XorShift::new(seed);
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    let function = format!("faults-int-{label}");
    let ws = Workspace::new(&function);
    write_handler_zip(&ws, "v1.zip", "v1");
    let mut deployment = Deployment::new(&function).canary(50, "3s");
    deployment.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();

    let (mut succeeded, mut failed, mut plans_pending) = (0, 0, 0);
    let mut stop_times = Vec::new();
    let mut outcomes = Vec::new();
    let started = Instant::now();
    for run in 0..runs {
        deployment.greeting = format!("release-{run}");
        deployment.write(&ws, &emulator.endpoint());
        // Terraform needs ~1.5 s to reach the provider's apply; the rollout then takes ~6 s.
        let at = Duration::from_millis(rng.between(300, 9_000));
        let context = format!("seed {seed}, run {run}, SIGINT at {at:?}");
        let apply = ws.tf_spawn(&["apply", "-auto-approve"]);
        std::thread::sleep(at);
        let interrupted = Instant::now();
        if run % 2 == 0 {
            apply.interrupt();
        } else {
            apply.interrupt_like_ctrl_c();
        }
        let out = apply.wait_timeout(Duration::from_secs(90));
        stop_times.push(interrupted.elapsed());
        assert!(
            !out.contains("Plugin did not respond") && !out.contains("panicked"),
            "{context}: the provider died:\n{out}"
        );
        if out.success() {
            succeeded += 1;
        } else {
            failed += 1;
        }
        let state = ws.state_json();
        let status = crate::fixtures::deployment_state(&state)["last_deployment"]["status"]
            .as_str()
            .unwrap_or("")
            .to_string();
        outcomes.push(format!(
            "run {run}: SIGINT at {at:?}: exit {:?} after {}, \"Interrupt received\" {}, \
             last_deployment {status}",
            out.code(),
            secs_f(*stop_times.last().unwrap()),
            out.contains("Interrupt received"),
        ));
        assert_clean(&lambda, &function, 0, &context).await;
        let code = assert_truthful(&ws, &lambda, &function, &deployment.greeting, &context).await;
        if code == Some(2) {
            plans_pending += 1;
        }
    }
    stop_times.sort();
    let figures = format!(
        "seed {seed}; runs {runs}: apply exited 0 {succeeded}, interrupted {failed}; \
         plans pending after the run {plans_pending}, empty {}; \
         interrupt-to-exit median {} max {}; total {}\n{}",
        runs - plans_pending,
        secs_f(stop_times[stop_times.len() / 2]),
        secs_f(*stop_times.last().unwrap()),
        secs_f(started.elapsed()),
        outcomes.join("\n"),
    );
    report(&format!("interrupts ({label})"), &figures);
    assert!(
        *stop_times.last().unwrap() < Duration::from_secs(15),
        "an interrupted apply took too long to stop: {figures}"
    );
}

#[tokio::test]
async fn three_interrupts_at_random_moments() {
    interrupts_at_random_moments(3, "short").await;
}
