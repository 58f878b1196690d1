//! Rollouts on Step Functions: the walk compiled to ASL and run by the account's interpreter of
//! it, followed by the apply or left running (then read back by refresh).

use super::*;
use crate::resources::common::state::Private;
use crate::resources::lambda_deployment::state::is_deployment;

const MACHINE_ROLE: &str = "arn:aws:iam::000000000000:role/gitmoxi-rollouts";

fn on_step_functions(wait: bool, extra: Json) -> Json {
    let mut c = json!({
        "orchestrator": [{"type": "step_functions", "role_arn": MACHINE_ROLE}],
        "wait_for_rollout": wait,
    });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        c[k] = v;
    }
    c
}

fn last(v: &Value, name: &str) -> String {
    s(v.get("last_deployment"), name)
}

fn running(aws: &FakeAws) -> Vec<String> {
    aws.running_executions("gitmoxi-orders.live")
}

#[tokio::test(start_paused = true)]
async fn a_followed_canary_runs_in_the_state_machine_and_records_each_weight() {
    let (aws, tf) = setup();
    let first = created(&tf, "v1").await;
    let cfg = config(&tf, &package("v2"), on_step_functions(true, json!({})));
    let started = tokio::time::Instant::now();
    let applied = tf.apply(&first, &cfg).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert!(
        started.elapsed() >= Duration::from_secs(300),
        "the 5m wait ran"
    );
    let st = &applied.state;
    assert_eq!(s(st, "version"), "2");
    assert_eq!(last(st, "status"), "SUCCEEDED");
    let arn = last(st, "execution_arn");
    assert!(
        arn.starts_with("arn:aws:states:us-east-1:000000000000:execution:gitmoxi-orders.live:"),
        "{arn}"
    );
    assert_eq!(
        aws.describe_execution(&arn).unwrap(),
        gitmoxi_engine::WalkState::Succeeded
    );
    let steps = st.get("last_deployment").get("steps").elements().to_vec();
    let weights: Vec<f64> = steps
        .iter()
        .filter_map(|s| s.get("weight_percent").as_f64())
        .collect();
    assert_eq!(weights, [10.0, 100.0]);
    // The alias's writes were the machine's: 10%, then 100%; the provider cleaned up after.
    assert_eq!(aws.traffic_to("2"), [0, 10, 100]);
    assert_eq!(aws.versions_of("orders"), ["2"]);
    let (planned, diags) = tf.plan(&applied.instance(), &cfg).await;
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(&planned, st, "no changes after the rollout");
}

#[tokio::test(start_paused = true)]
async fn without_waiting_the_apply_ends_at_the_first_shift_and_refresh_reads_the_end() {
    let (aws, tf) = setup();
    let first = created(&tf, "v1").await;
    let cfg = config(&tf, &package("v2"), on_step_functions(false, json!({})));
    let started = tokio::time::Instant::now();
    let applied = tf.apply(&first, &cfg).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "returned before the wait ended"
    );
    let st = &applied.state;
    assert_eq!(
        (s(st, "version"), last(st, "status")),
        ("2".into(), "IN_PROGRESS".into())
    );
    let live = aws.alias_of("orders", "live").unwrap();
    assert_eq!(
        (live.version.as_str(), live.extra),
        ("1", Some(("2".to_string(), 0.1)))
    );
    assert_eq!(running(&aws).len(), 1);

    // While it runs: the plan warns and changes nothing; the split is not drift.
    let read = tf.refresh(&applied.instance()).await;
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let now = Instance {
        state: read.new_state,
        private: read.private,
    };
    let (planned, diags) = tf.plan(&now, &cfg).await;
    assert_eq!(
        summaries(&diags, false),
        ["Rollout still running on orders:live"]
    );
    assert!(!is_deployment(&planned), "no second rollout is planned");

    tokio::time::sleep(Duration::from_secs(301)).await;
    assert!(running(&aws).is_empty());
    let read = tf.refresh(&now).await;
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    assert_eq!(last(&read.new_state, "status"), "SUCCEEDED");
    assert_eq!(s(&read.new_state, "version"), "2");
    assert_eq!(
        Private::read(&read.private).leftover,
        ["1"],
        "version 1 is owed a clean-up"
    );
    let now = Instance {
        state: read.new_state,
        private: read.private,
    };
    let (planned, diags) = tf.plan(&now, &cfg).await;
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(planned, now.state);

    // The next release deletes what the last one replaced, besides its own.
    let cfg3 = config(&tf, &package("v3"), on_step_functions(true, json!({})));
    let third = tf.apply(&now, &cfg3).await;
    assert!(third.diagnostics.is_empty(), "{:?}", third.diagnostics);
    assert_eq!(aws.versions_of("orders"), ["3"]);
    assert!(Private::read(&third.private).leftover.is_empty());

    // Destroy takes the alias's state machine too.
    assert!(aws.has_state_machine("gitmoxi-orders.live"));
    let gone = tf.destroy(&third.instance()).await;
    assert!(gone.diagnostics.is_empty(), "{:?}", gone.diagnostics);
    assert!(!aws.has_state_machine("gitmoxi-orders.live"));
}

#[tokio::test(start_paused = true)]
async fn an_alarm_after_the_apply_rolls_back_and_the_next_plan_shows_the_release_again() {
    let (aws, tf) = setup();
    aws.define_alarm("errors");
    let first = created(&tf, "v1").await;
    let prior_definition = s(&first.state, "function_definition");
    let extra = json!({"alarms": ["errors"],
                       "function_definition": definition(json!({"Timeout": 9}))});
    let cfg = config(&tf, &package("v2"), on_step_functions(false, extra));
    let applied = tf.apply(&first, &cfg).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    aws.alarm_at(
        "errors",
        aws.elapsed() + Duration::from_secs(60),
        AlarmState::Alarm,
    );
    tokio::time::sleep(Duration::from_secs(120)).await;
    let live = aws.alias_of("orders", "live").unwrap();
    assert_eq!(
        (live.version.as_str(), live.extra),
        ("1", None),
        "the machine restored 1"
    );

    let read = tf.refresh(&applied.instance()).await;
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let st = &read.new_state;
    assert_eq!(s(st, "version"), "1");
    assert_eq!(s(st, "function_definition"), prior_definition);
    assert_eq!(last(st, "status"), "ROLLED_BACK");
    assert!(
        last(st, "reason").contains("RolledBack"),
        "{}",
        last(st, "reason")
    );
    let now = Instance {
        state: read.new_state.clone(),
        private: read.private,
    };
    let (planned, diags) = tf.plan(&now, &cfg).await;
    assert!(!diags.has_errors(), "{diags:?}");
    assert!(is_deployment(&planned), "the release shows again");
}

#[tokio::test(start_paused = true)]
async fn an_interrupt_stops_the_execution_and_the_provider_restores_traffic() {
    let (aws, tf) = setup();
    let first = created(&tf, "v1").await;
    let cfg = config(&tf, &package("v2"), on_step_functions(true, json!({})));
    let (applied, ()) = tokio::join!(tf.apply(&first, &cfg), async {
        tokio::time::sleep(Duration::from_secs(120)).await;
        tf.stop.cancel();
    });
    assert_eq!(last(&applied.state, "status"), "INTERRUPTED");
    assert_eq!(s(&applied.state, "version"), "1");
    let live = aws.alias_of("orders", "live").unwrap();
    assert_eq!((live.version.as_str(), live.extra), ("1", None));
    let arn = last(&applied.state, "execution_arn");
    assert!(matches!(
        aws.describe_execution(&arn).unwrap(),
        gitmoxi_engine::WalkState::Failed { .. }
    ));
    assert!(running(&aws).is_empty());
    // Nothing moves the alias after the restore.
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert_eq!(aws.alias_of("orders", "live").unwrap().version, "1");
    assert_eq!(aws.traffic_to("2"), [0, 10, 0]);
}

#[tokio::test(start_paused = true)]
async fn a_rollout_still_running_stops_the_next_apply_before_any_change() {
    let (aws, tf) = setup();
    let first = created(&tf, "v1").await;
    let cfg = config(&tf, &package("v2"), on_step_functions(false, json!({})));
    let applied = tf.apply(&first, &cfg).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    let versions = aws.versions_of("orders");
    let cfg3 = config(&tf, &package("v3"), on_step_functions(false, json!({})));
    let again = tf.apply(&applied.instance(), &cfg3).await;
    assert_eq!(
        again.error_summaries(),
        ["A rollout is still running on orders:live"]
    );
    assert_eq!(again.state, applied.state, "the state is as it was");
    assert_eq!(aws.versions_of("orders"), versions, "nothing published");
    assert_eq!(aws.count("update_code"), 1, "$LATEST untouched");
}

#[tokio::test(start_paused = true)]
async fn someone_elses_change_mid_walk_wins_and_the_rollout_fails() {
    let (aws, tf) = setup();
    let first = created(&tf, "v1").await;
    let moved = gitmoxi_fake_aws::Outside::Alias {
        alias: "live".into(),
        version: "1".into(),
        extra: Some(("2".into(), 0.5)),
    };
    let cfg = config(&tf, &package("v2"), on_step_functions(true, json!({})));
    aws.outside_at(aws.elapsed() + Duration::from_secs(100), moved);
    let applied = tf.apply(&first, &cfg).await;
    assert_eq!(last(&applied.state, "status"), "FAILED");
    assert_eq!(last(&applied.state, "failed_check"), "conflict");
    let live = aws.alias_of("orders", "live").unwrap();
    assert_eq!(
        live.extra,
        Some(("2".to_string(), 0.5)),
        "their weights stay"
    );
}

#[tokio::test(start_paused = true)]
async fn what_the_state_machine_cannot_run_is_refused_at_plan() {
    let (aws, tf) = setup();
    let first = created(&tf, "v1").await;
    let extra = json!({"hooks": [{"before_allow_traffic": "check"}],
                       "provisioned_concurrency": 2});
    let cfg = config(&tf, &package("v2"), on_step_functions(true, extra));
    let (_, diags) = tf.plan(&first, &cfg).await;
    let paths: Vec<String> = diags
        .0
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{:?}", d.path))
        .collect();
    assert_eq!(paths.len(), 2, "{diags:?}");
    assert!(
        paths[0].contains("hooks") && paths[1].contains("provisioned_concurrency"),
        "{paths:?}"
    );
    let no_role = json!({"orchestrator": [{"type": "step_functions"}]});
    let d = tf.validate(&config(&tf, &package("v2"), no_role)).await;
    assert_eq!(
        summaries(&d, true),
        ["The step_functions orchestrator needs role_arn"]
    );
    assert_eq!(aws.count("update_code"), 0);
}

#[tokio::test(start_paused = true)]
async fn a_followed_rollback_names_the_alarm_and_following_reads_the_alias_only_around_shifts() {
    let (aws, tf) = setup();
    aws.define_alarm("errors");
    let first = created(&tf, "v1").await;
    let reads_before = aws.count("get_alias");
    let extra = json!({"alarms": ["errors"]});
    let cfg = config(&tf, &package("v2"), on_step_functions(true, extra));
    aws.alarm_at(
        "errors",
        aws.elapsed() + Duration::from_secs(200),
        AlarmState::Alarm,
    );
    let applied = tf.apply(&first, &cfg).await;
    let st = &applied.state;
    assert_eq!(last(st, "status"), "ROLLED_BACK");
    assert_eq!(last(st, "failed_check"), "alarm:errors");
    assert_eq!(
        last(st, "reason"),
        "alarm errors is ALARM at step 1 of 2 (10% on version 2); traffic restored to version 1"
    );
    assert_eq!(s(st, "version"), "1");
    let live = aws.alias_of("orders", "live").unwrap();
    assert_eq!((live.version.as_str(), live.extra), ("1", None));
    // Some 200 seconds of following read the alias a handful of times, not once a second.
    let reads = aws.count("get_alias") - reads_before;
    assert!(reads <= 8, "{reads} alias reads");
}

#[tokio::test(start_paused = true)]
async fn a_running_rollout_is_still_followed_after_applies_it_refused() {
    let (aws, tf) = setup();
    let first = created(&tf, "v1").await;
    let cfg = config(&tf, &package("v2"), on_step_functions(false, json!({})));
    let applied = tf.apply(&first, &cfg).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    // A tags-only change (in place) while it runs: refused, and the note stays.
    let tagged = json!({"function_definition": definition(json!({"Tags": {"team": "a"}}))});
    let cfg_tags = config(&tf, &package("v2"), on_step_functions(false, tagged));
    let refused = tf.apply(&applied.instance(), &cfg_tags).await;
    assert_eq!(
        refused.error_summaries(),
        ["A rollout is still running on orders:live"]
    );
    assert_eq!(
        Private::read(&refused.private).walk,
        Private::read(&applied.private).walk
    );
    let live = aws.alias_of("orders", "live").unwrap();
    assert!(live.extra.is_some(), "still rolling out");
    // Once it has ended, refresh reads it through the note that survived.
    tokio::time::sleep(Duration::from_secs(301)).await;
    let read = tf.refresh(&refused.instance()).await;
    assert_eq!(last(&read.new_state, "status"), "SUCCEEDED");
    let now = Instance {
        state: read.new_state,
        private: read.private,
    };
    let tagged = tf.apply(&now, &cfg_tags).await;
    assert!(tagged.diagnostics.is_empty(), "{:?}", tagged.diagnostics);
    assert_eq!(
        Private::read(&tagged.private).leftover,
        ["1"],
        "still owed to a release"
    );
}

#[tokio::test(start_paused = true)]
async fn a_stopped_execution_and_someone_elses_pin_are_left_as_they_are() {
    let (aws, tf) = setup();
    let first = created(&tf, "v1").await;
    let cfg = config(&tf, &package("v2"), on_step_functions(true, json!({})));
    let outside = async {
        tokio::time::sleep(Duration::from_secs(100)).await;
        for arn in running(&aws) {
            aws.stop_execution(&arn).unwrap();
        }
        // A hotfix, version 3, pinned by hand.
        aws.seed_versions(3).set_alias("live", "3", None);
    };
    let (applied, ()) = tokio::join!(tf.apply(&first, &cfg), outside);
    assert_eq!(last(&applied.state, "status"), "FAILED");
    assert_eq!(last(&applied.state, "failed_check"), "conflict");
    let live = aws.alias_of("orders", "live").unwrap();
    assert_eq!(
        (live.version.as_str(), live.extra),
        ("3", None),
        "the pin stays"
    );
}

#[tokio::test(start_paused = true)]
async fn creates_and_event_source_changes_are_followed_to_the_end() {
    let (_aws, tf) = setup();
    let cfg = config(&tf, &package("v1"), on_step_functions(false, json!({})));
    let created = tf.apply(&Instance::default(), &cfg).await;
    assert!(created.diagnostics.is_empty(), "{:?}", created.diagnostics);
    assert_eq!(last(&created.state, "status"), "SUCCEEDED");
    let sources = r#"{"PushEventSources": [{"Service": "lambda.url", "AuthType": "NONE"}]}"#;
    let both = config(
        &tf,
        &package("v2"),
        on_step_functions(false, json!({"event_sources": sources})),
    );
    let applied = tf.apply(&created.instance(), &both).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(
        last(&applied.state, "status"),
        "SUCCEEDED",
        "sources move at 100%: followed"
    );
    assert!(Private::read(&applied.private).walk.is_none());
}
