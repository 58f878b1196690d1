//! Create, release, roll back, adopt, refresh, import and destroy: the life-cycle of one
//! deployment.

use super::*;

#[tokio::test(start_paused = true)]
async fn create_publishes_version_1_on_the_alias_and_the_next_plan_is_empty() {
    let (aws, tf) = setup();
    let file = package("v1");
    let cfg = config(&tf, &file, json!({}));
    let applied = tf.apply(&Instance::default(), &cfg).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    let st = &applied.state;
    assert_eq!(s(st, "version"), "1");
    assert_eq!(s(st, "id"), "orders");
    assert_eq!(s(st, "function_arn"), FakeAws::function_arn("orders"));
    assert_eq!(
        s(st, "alias_arn"),
        format!("{}:live", FakeAws::function_arn("orders"))
    );
    assert_eq!(s(st, "code_sha256"), package_hash(b"v1"));
    assert_eq!(s(st, "source_code_hash"), package_hash(b"v1"));
    assert_eq!(
        st.get("last_deployment").get("status").as_str(),
        Some("SUCCEEDED")
    );
    assert_eq!(aws.alias_of("orders", "live").unwrap().version, "1");
    assert_eq!(aws.versions_of("orders"), ["1"]);

    let (planned, diags) = tf.plan(&applied.instance(), &cfg).await;
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(&planned, st, "no changes after create");
}

#[tokio::test(start_paused = true)]
async fn new_code_rolls_out_as_a_canary_and_cleans_up_the_old_version() {
    let (aws, tf) = setup();
    let first = created(&tf, "v1").await;
    let applied = tf
        .apply(&first, &config(&tf, &package("v2"), json!({})))
        .await;

    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(s(&applied.state, "version"), "2");
    assert_eq!(s(&applied.state, "previous_version"), "1");
    // The alias's creation sent version 2 nothing; then the canary.
    assert_eq!(aws.traffic_to("2"), [0, 10, 100]);
    assert_eq!(
        aws.versions_of("orders"),
        ["2"],
        "retain_versions 0 deletes version 1"
    );
    let mutations = aws.mutations();
    assert!(
        mutations.contains(&"update_code".to_string()),
        "{mutations:?}"
    );
    assert!(
        !mutations.contains(&"update_configuration".to_string()),
        "{mutations:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn an_alias_update_whose_answer_was_lost_is_recognised_when_retried() {
    let (aws, tf) = setup();
    let first = created(&tf, "v1").await;
    // The first shift goes through but its answer is lost; the retry carries the revision the
    // alias had before, so AWS refuses it as a conflict.
    aws.lose_answers("shift_alias", 1);
    let applied = tf
        .apply(&first, &config(&tf, &package("v2"), json!({})))
        .await;

    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(s(&applied.state, "version"), "2");
    let shifts: Vec<String> = aws
        .mutations()
        .into_iter()
        .filter(|m| m.starts_with("shift"))
        .collect();
    assert_eq!(
        shifts,
        [
            "shift live 1 + 2@10% !Throttled",
            "shift live 1 + 2@10% !Conflict",
            "shift live 2"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_configuration_change_updates_only_the_configuration() {
    let (aws, tf) = setup();
    let file = package("v1");
    let first = tf
        .apply(&Instance::default(), &config(&tf, &file, json!({})))
        .await;
    let changed = json!({"function_definition": definition(json!({"Timeout": 30}))});
    let applied = tf
        .apply(&first.instance(), &config(&tf, &file, changed))
        .await;

    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(s(&applied.state, "version"), "2");
    let updates: Vec<String> = aws
        .mutations()
        .into_iter()
        .filter(|m| m.starts_with("update_"))
        .collect();
    assert_eq!(updates, ["update_configuration"]);
    let served = aws.get_function("orders", "2").unwrap();
    assert_eq!(served.configuration.get("Timeout"), Some("30"));
}

#[tokio::test(start_paused = true)]
async fn an_architectures_change_alone_is_sent_with_the_code() {
    let (aws, tf) = setup();
    let file = package("v1");
    let first = tf
        .apply(&Instance::default(), &config(&tf, &file, json!({})))
        .await;
    let arm = json!({"function_definition": definition(json!({"Architectures": ["arm64"]}))});
    let applied = tf.apply(&first.instance(), &config(&tf, &file, arm)).await;

    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(s(&applied.state, "version"), "2");
    let served = aws.get_function("orders", "2").unwrap();
    assert_eq!(
        served.configuration.get("Architectures"),
        Some(r#"["arm64"]"#)
    );
}

#[tokio::test(start_paused = true)]
async fn a_definition_written_differently_is_no_change() {
    let (aws, tf) = setup();
    let file = package("v1");
    let first = tf
        .apply(&Instance::default(), &config(&tf, &file, json!({})))
        .await;
    let pretty: Json = serde_json::from_str(&definition(json!({}))).unwrap();
    let same = json!({"function_definition": serde_json::to_string_pretty(&pretty).unwrap()});
    let (planned, _) = tf.plan(&first.instance(), &config(&tf, &file, same)).await;
    assert_eq!(planned, first.state);
    assert_eq!(aws.versions_of("orders"), ["1"]);
}

#[tokio::test(start_paused = true)]
async fn an_alarm_rolls_back_and_the_state_keeps_the_previous_release() {
    let (aws, tf) = setup();
    aws.define_alarm("errors");
    let with_alarm = json!({"alarms": ["errors"]});
    let first = tf
        .apply(
            &Instance::default(),
            &config(&tf, &package("v1"), with_alarm.clone()),
        )
        .await;
    let started = aws.elapsed();
    aws.alarm_at(
        "errors",
        started + Duration::from_secs(60),
        AlarmState::Alarm,
    );
    let cfg = config(&tf, &package("v2"), with_alarm);
    let applied = tf.apply(&first.instance(), &cfg).await;

    let errors = applied.error_summaries();
    assert!(
        errors.iter().any(|e| e.contains("rolled back")),
        "{errors:?}"
    );
    assert_eq!(s(&applied.state, "version"), "1");
    assert_eq!(s(&applied.state, "code_sha256"), package_hash(b"v1"));
    let last = applied.state.get("last_deployment");
    assert_eq!(last.get("status").as_str(), Some("ROLLED_BACK"));
    assert_eq!(last.get("failed_check").as_str(), Some("alarm:errors"));
    assert_eq!(aws.alias_of("orders", "live").unwrap().version, "1");
    assert_eq!(
        aws.versions_of("orders"),
        ["1"],
        "the failed version is deleted"
    );
    let (planned, _) = tf.plan(&applied.instance(), &cfg).await;
    assert!(
        planned.get("version").is_unknown(),
        "the next plan deploys again"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_create_deletes_the_function_it_made_and_keeps_no_state() {
    let (aws, tf) = setup();
    aws.fail_new_versions("InitError: boom");
    let applied = tf
        .apply(
            &Instance::default(),
            &config(&tf, &package("v1"), json!({})),
        )
        .await;

    let errors = applied.error_summaries();
    assert!(errors.iter().any(|e| e.contains("failed")), "{errors:?}");
    assert!(applied.state.is_null());
    assert!(
        aws.function_names().is_empty(),
        "{:?}",
        aws.function_names()
    );
}

#[tokio::test(start_paused = true)]
async fn create_adopts_an_existing_function_and_rolls_out_from_what_its_alias_serves() {
    let (aws, tf) = setup();
    let first = created(&tf, "v1").await;
    // The state is lost; the function and its alias stay.
    let _ = first;
    let applied = tf
        .apply(
            &Instance::default(),
            &config(&tf, &package("v2"), json!({})),
        )
        .await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(s(&applied.state, "version"), "2");
    assert_eq!(s(&applied.state, "previous_version"), "1");
    assert_eq!(aws.traffic_to("2"), [0, 10, 100]);
}

#[tokio::test(start_paused = true)]
async fn tags_change_in_place_without_a_new_version() {
    let (aws, tf) = setup();
    let file = package("v1");
    let tagged =
        |team: &str| json!({"function_definition": definition(json!({"Tags": {"team": team}}))});
    let first = tf
        .apply(&Instance::default(), &config(&tf, &file, tagged("a")))
        .await;
    assert_eq!(
        aws.get_function("orders", "$LATEST").unwrap().tags["team"],
        "a"
    );
    let applied = tf
        .apply(&first.instance(), &config(&tf, &file, tagged("b")))
        .await;

    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert!(!applied.planned.get("version").is_unknown());
    assert_eq!(
        aws.get_function("orders", "$LATEST").unwrap().tags["team"],
        "b"
    );
    assert_eq!(aws.versions_of("orders"), ["1"]);
}

#[tokio::test(start_paused = true)]
async fn refresh_notes_drift_and_the_repair_puts_the_deployed_version_back() {
    let (aws, tf) = setup();
    let file = package("v1");
    let keep_one = |timeout: u32| {
        json!({"retain_versions": 1,
               "function_definition": definition(json!({"Timeout": timeout}))})
    };
    let first = tf
        .apply(&Instance::default(), &config(&tf, &file, keep_one(8)))
        .await;
    let second = tf
        .apply(&first.instance(), &config(&tf, &file, keep_one(9)))
        .await;
    assert_eq!(s(&second.state, "version"), "2");
    aws.set_alias_of("orders", "live", "1", None);

    let read = tf.refresh(&second.instance()).await;
    let drift = Drift::from_private(&read.private).expect("drift noted");
    assert!(
        drift.description.contains("100% to version 1"),
        "{}",
        drift.description
    );
    let drifted = Instance {
        state: read.new_state,
        private: read.private,
    };
    let publishes_before = aws.count("publish_version");
    let repaired = tf.apply(&drifted, &config(&tf, &file, keep_one(9))).await;
    assert!(
        repaired.diagnostics.is_empty(),
        "{:?}",
        repaired.diagnostics
    );
    assert!(summaries(&repaired.plan_diagnostics, false)
        .contains(&"The alias does not serve the deployed release".to_string()));
    assert_eq!(aws.alias_of("orders", "live").unwrap().version, "2");
    assert_eq!(
        aws.count("publish_version"),
        publishes_before,
        "a repair publishes nothing"
    );
    assert_eq!(s(&repaired.state, "version"), "2");
}

#[tokio::test(start_paused = true)]
async fn refresh_of_a_deleted_function_drops_it_from_the_state() {
    let (aws, tf) = setup();
    let first = created(&tf, "v1").await;
    aws.delete_function("orders").unwrap();
    let read = tf.refresh(&first).await;
    assert!(read.new_state.is_null());
    assert!(read.diagnostics.is_empty());
}

#[tokio::test(start_paused = true)]
async fn refresh_rides_out_throttling_and_reports_a_storm_that_outlasts_the_retries() {
    let (aws, tf) = setup();
    let first = created(&tf, "v1").await;
    aws.throttle("get_alias", 3);
    let read = tf.refresh(&first).await;
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    assert_eq!(read.new_state, first.state);

    aws.throttle("get_alias", 1000);
    let read = tf.refresh(&first).await;
    assert_eq!(read.new_state, first.state);
    let errors = summaries(&read.diagnostics, true);
    assert_eq!(errors, ["Error reading Lambda alias (orders:live)"]);
}

#[tokio::test(start_paused = true)]
async fn import_reads_the_served_definition_and_the_first_plan_publishes_nothing() {
    let (aws, tf) = setup();
    let file = package("v1");
    let cfg = config(
        &tf,
        &file,
        json!({"function_definition": definition(json!({"MemorySize": 256, "Tags": {"team": "a"},
            "Environment": {"Variables": {"STAGE": "prod", "API_KEY": "s3cret"}}}))}),
    );
    let _ = tf.apply(&Instance::default(), &cfg).await;

    let imported = tf.import("orders:live").await;
    assert!(
        imported.diagnostics.is_empty(),
        "{:?}",
        imported.diagnostics
    );
    let st = imported.state.expect("imported");
    assert_eq!(s(&st, "version"), "1");
    let def: Json = serde_json::from_str(&s(&st, "function_definition")).unwrap();
    assert_eq!(def["MemorySize"], 256);
    assert_eq!(def["Tags"]["team"], "a");
    // Environment values stay in AWS: the state keeps the variables by name only.
    assert!(!format!("{st:?}").contains("s3cret"));
    assert_eq!(st.get("keep_environment").elements().len(), 2);
    let instance = Instance {
        state: st,
        private: imported.private,
    };
    // Declaring the kept variables: the plan compares the declared values with the served ones
    // (read for the plan, never stored) and finds nothing to deploy.
    let applied = tf.apply(&instance, &cfg).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert!(
        !applied.planned.get("version").is_unknown(),
        "no deployment after an import"
    );
    assert_eq!(s(&applied.state, "version"), "1");
    assert!(applied.state.get("keep_environment").is_null());
    // A declared value that differs from the served one is a release.
    let changed = config(
        &tf,
        &file,
        json!({"function_definition": definition(json!({"MemorySize": 256, "Tags": {"team": "a"},
            "Environment": {"Variables": {"STAGE": "prod", "API_KEY": "rotated"}}}))}),
    );
    let (planned, _) = tf.plan(&instance, &changed).await;
    assert!(planned.get("version").is_unknown(), "a new value deploys");
    assert_eq!(
        aws.versions_of("orders"),
        ["1"],
        "nothing new was published"
    );

    let bad = tf.import("orders").await;
    assert_eq!(
        summaries(&bad.diagnostics, true),
        ["Invalid import ID \"orders\""]
    );
}

#[tokio::test(start_paused = true)]
async fn destroy_removes_the_function_unless_skip_destroy() {
    let (aws, tf) = setup();
    let first = created(&tf, "v1").await;
    let gone = tf.destroy(&first).await;
    assert!(gone.diagnostics.is_empty(), "{:?}", gone.diagnostics);
    assert!(gone.state.is_null());
    assert!(aws.function_names().is_empty());

    let kept = tf
        .apply(
            &Instance::default(),
            &config(&tf, &package("v1"), json!({"skip_destroy": true})),
        )
        .await;
    let gone = tf.destroy(&kept.instance()).await;
    assert!(gone.state.is_null());
    assert_eq!(aws.function_names(), ["orders"]);
}
