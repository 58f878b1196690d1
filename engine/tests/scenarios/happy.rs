//! Rollouts that succeed, including the resumed and degenerate ones.

use gitmoxi_engine::{ShiftKind, Status, Target};
use gitmoxi_fake_aws::FakeAws;

use crate::common::*;

#[tokio::test(start_paused = true)]
async fn canary_shifts_10_then_100_in_exactly_the_configured_waits() {
    let fake = fake();
    let d = deployment(plan(ShiftKind::Canary, 10, 300, 0));
    let run = deploy(&fake, &d).await;

    assert_eq!(
        run.outcome.status,
        Status::Succeeded,
        "{:?}",
        run.outcome.reason
    );
    assert_eq!(
        fake.mutations(),
        [
            "update_code",
            "update_configuration",
            "publish",
            "shift live 2 + 3@10%",
            "shift live 3",
            "delete 2"
        ]
    );
    assert_eq!(fake.traffic_to("3"), [10, 100]);
    assert_eq!(run.elapsed, RELEASE + d.plan.configured_waits());
    assert_eq!(weights(&run.outcome), [10, 100]);
    let at = |i: usize| run.outcome.steps[i].at;
    assert_eq!(at(1).duration_since(at(0)).unwrap(), secs(300));
    assert_eq!(run.outcome.from_version.as_deref(), Some("2"));
    assert_eq!(run.outcome.to_version.as_deref(), Some("3"));
    assert_eq!(run.outcome.serving_version(), Some("3"));
    assert!(run.outcome.published);
    assert_eq!(run.outcome.deleted_versions, strings(&["2"]));
    assert_serves(&fake, "live", "3");
    assert!(
        run.events
            .iter()
            .any(|e| e == "shifted alias live to 3 at 10% (2 at 90%)"),
        "{:#?}",
        run.events
    );
}

#[tokio::test(start_paused = true)]
async fn linear_walks_every_weight_and_watches_alarms_throughout() {
    let fake = fake();
    let d = deployment(plan(ShiftKind::Linear, 20, 60, 30));
    let run = deploy(&fake, &d).await;

    assert_eq!(
        run.outcome.status,
        Status::Succeeded,
        "{:?}",
        run.outcome.reason
    );
    assert_eq!(fake.traffic_to("3"), [20, 40, 60, 80, 100]);
    assert_eq!(weights(&run.outcome), [20, 40, 60, 80, 100]);
    assert_eq!(run.elapsed, at(4 * 60 + 30));
    // Alarms are read every check_interval during each wait, not only at its end.
    let checks: Vec<_> = fake
        .calls()
        .iter()
        .filter(|c| c.call.operation() == "alarm_states")
        .map(|c| c.at)
        .collect();
    for t in [at(3), at(30), at(57), at(63), at(243), at(270)] {
        assert!(checks.contains(&t), "no alarm check at {t:?}: {checks:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn all_at_once_bakes_with_checks_running() {
    let fake = fake();
    let mut d = deployment(gitmoxi_engine::RolloutPlan::all_at_once(secs(120)));
    d.check_interval = secs(10);
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::Succeeded);
    assert_eq!(fake.traffic_to("3"), [100]);
    assert_eq!(run.elapsed, at(120));
    let during_bake = fake
        .calls()
        .iter()
        .filter(|c| c.call.operation() == "alarm_states" && c.at > secs(0))
        .count();
    assert!(
        during_bake >= 12,
        "{during_bake} checks during a 120s bake every 10s"
    );
}

#[tokio::test(start_paused = true)]
async fn a_version_ready_after_one_second_is_seen_after_about_one_second() {
    let fake = fake();
    fake.versions_pending_for(secs(1));
    let d = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::Succeeded);
    let first_shift = fake
        .calls()
        .into_iter()
        .find(|c| c.call.operation() == "shift_alias")
        .unwrap();
    assert!(
        first_shift.at >= at(1) && first_shift.at <= RELEASE + millis(1500),
        "{:?}",
        first_shift.at
    );
}

#[tokio::test(start_paused = true)]
async fn first_release_creates_the_alias_on_the_new_version() {
    let fake = FakeAws::new();
    fake.define_alarm("errors");
    let d = deployment(plan(ShiftKind::Canary, 10, 300, 0));
    let run = deploy(&fake, &d).await;

    assert_eq!(
        run.outcome.status,
        Status::Succeeded,
        "{:?}",
        run.outcome.reason
    );
    assert_eq!(
        fake.mutations(),
        [
            "update_code",
            "update_configuration",
            "publish",
            "create live 1"
        ]
    );
    assert_eq!(run.outcome.from_version, None);
    assert_eq!(run.outcome.to_version.as_deref(), Some("1"));
    assert_eq!(weights(&run.outcome), [100]);
    assert!(
        run.elapsed < secs(10),
        "no previous version to shift from, so no waits"
    );
    assert_serves(&fake, "live", "1");
}

#[tokio::test(start_paused = true)]
async fn publishing_the_serving_version_again_shifts_nothing() {
    let fake = fake();
    // The release equals version 2 (code-2, config-0), so Lambda hands version 2 back.
    fake.set_release("code-2", "config-0");
    let d = deployment(plan(ShiftKind::Canary, 10, 300, 0));
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::Succeeded);
    assert_eq!(
        fake.mutations(),
        ["update_code", "update_configuration", "publish"],
        "nothing was replaced, so nothing is deleted"
    );
    assert!(!run.outcome.published);
    assert!(run.outcome.steps.is_empty());
    assert_eq!(run.outcome.to_version.as_deref(), Some("2"));
    assert_eq!(fake.versions(), ["1", "2"]);
    assert!(
        run.events.iter().any(|e| e.contains("nothing to shift")),
        "{:#?}",
        run.events
    );
}

#[tokio::test(start_paused = true)]
async fn an_existing_version_rolls_out_without_publishing() {
    let fake = fake();
    fake.seed_versions(3).set_alias("live", "2", None);
    let mut d = deployment(plan(ShiftKind::Canary, 25, 60, 0));
    d.target = Target::Existing("3".into());
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::Succeeded);
    assert_eq!(
        fake.mutations(),
        ["shift live 2 + 3@25%", "shift live 3", "delete 2"]
    );
    assert!(!run.outcome.published);
    assert_eq!(fake.latest_code(), "code-3", "$LATEST untouched");
}

#[tokio::test(start_paused = true)]
async fn resumes_a_killed_rollout_from_the_weight_it_reached() {
    let fake = fake();
    // A killed apply had published version 3 (the release) and shifted 40% to it.
    fake.seed_versions(3)
        .set_alias("live", "2", Some(("3", 0.4)));
    fake.set_release("code-3", "config-0");
    let d = deployment(plan(ShiftKind::Linear, 20, 60, 0));
    let run = deploy(&fake, &d).await;

    assert_eq!(
        run.outcome.status,
        Status::Succeeded,
        "{:?}",
        run.outcome.reason
    );
    assert_eq!(fake.traffic_to("3"), [40, 60, 80, 100]);
    assert_eq!(run.elapsed, at(180));
    assert_eq!(run.outcome.from_version.as_deref(), Some("2"));
    assert_serves(&fake, "live", "3");
    assert!(
        run.events.iter().any(|e| e.contains("resuming")),
        "{:#?}",
        run.events
    );
}

#[tokio::test(start_paused = true)]
async fn normalizes_leftover_weights_when_the_target_already_serves_most() {
    let fake = fake();
    fake.seed_versions(3)
        .set_alias("live", "3", Some(("2", 0.3)));
    let mut d = deployment(plan(ShiftKind::Linear, 20, 60, 0));
    d.target = Target::Existing("3".into());
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::Succeeded);
    assert_eq!(fake.mutations(), ["shift live 3"]);
    assert!(run.elapsed < secs(1));
}

#[tokio::test(start_paused = true)]
async fn rolls_out_from_whatever_the_alias_drifted_to() {
    let fake = fake();
    fake.seed_versions(3).set_alias("live", "1", None);
    let mut d = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    d.target = Target::Existing("3".into());
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::Succeeded);
    assert_eq!(run.outcome.from_version.as_deref(), Some("1"));
    assert_eq!(
        fake.mutations()[..2],
        ["shift live 1 + 3@10%", "shift live 3"]
    );
}

#[test]
fn the_rollout_future_is_send() {
    fn assert_send<T: Send>(_: T) {}
    let fake = FakeAws::new();
    let d = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    let progress = |_: &gitmoxi_engine::Event| {};
    assert_send(gitmoxi_engine::run(
        &fake,
        &fake,
        &d,
        Default::default(),
        &progress,
    ));
    let ports = gitmoxi_engine::Ports {
        lambda: &fake,
        alarms: &fake,
        hooks: &fake,
        metrics: &fake,
        notifier: &fake,
        conductor: &gitmoxi_engine::NoConductor,
    };
    assert_send(gitmoxi_engine::run_with(
        ports,
        &d,
        Default::default(),
        &progress,
    ));
}

#[tokio::test(start_paused = true)]
async fn run_with_lambda_and_alarms_only_still_rolls_out() {
    let fake = fake();
    let d = deployment(plan(ShiftKind::Linear, 50, 60, 30));
    let progress = |_: &gitmoxi_engine::Event| {};
    let cancel = tokio_util::sync::CancellationToken::new();
    let outcome = gitmoxi_engine::run(&fake, &fake, &d, cancel, &progress).await;

    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.reason);
    assert_eq!(fake.traffic_to("3"), [50, 100]);
    assert!(outcome.warnings.is_empty());
    assert_eq!(d.configured_waits(), secs(90));
    let guards = ["invoke_hook", "version_metrics", "notify"];
    assert!(fake
        .calls()
        .iter()
        .all(|c| !guards.contains(&c.call.operation())));
}

#[tokio::test(start_paused = true)]
async fn a_publish_answered_with_an_existing_version_is_not_reported_as_new() {
    let fake = fake();
    // Version 2 holds exactly what $LATEST holds; the alias serves 1.
    fake.set_alias("live", "1", None);
    fake.set_release("code-2", "config-0");
    let mut d = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    d.target = Target::Publish {
        update_code: false,
        update_configuration: false,
    };
    let run = deploy(&fake, &d).await;

    assert_eq!(
        run.outcome.status,
        Status::Succeeded,
        "{:?}",
        run.outcome.reason
    );
    assert!(!run.outcome.published);
    assert!(run
        .events
        .iter()
        .any(|e| e == "Lambda returned version 2: nothing changed since it was published"));
    assert_eq!(fake.versions(), ["2"]);
    assert_serves(&fake, "live", "2");
}

#[tokio::test(start_paused = true)]
async fn a_release_reads_lambda_only_where_an_answer_is_needed() {
    let fake = fake();
    fake.update_takes(millis(500));
    let d = deployment(plan(ShiftKind::Linear, 50, 2, 0));
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::Succeeded);
    let lambda: Vec<_> = fake
        .calls()
        .iter()
        .map(|c| c.call.operation())
        .filter(|op| *op != "alarm_states")
        .collect();
    // No status read before an update (Lambda refuses an update while another runs); each
    // update read one poll after it was made, again until it settled (500 ms: at 200 and 600);
    // the version's readiness taken from the read that verified it; the replaced version deleted
    // without listing versions or aliases.
    assert_eq!(
        lambda,
        [
            "get_alias",
            "update_code",
            "status",
            "status",
            "update_configuration",
            "status",
            "status",
            "publish_version",
            "get_function",
            "shift_alias",
            "shift_alias",
            "delete_version",
        ]
    );
}
