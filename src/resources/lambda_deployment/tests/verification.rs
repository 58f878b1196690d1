//! What the plan shows is what AWS serves: unfinished creates kept pending, releases verified
//! before traffic, code signing applied, the rollout shown at plan and held to it at apply.

use super::*;

#[tokio::test(start_paused = true)]
async fn an_adopting_create_whose_tags_fail_keeps_them_pending_untainted() {
    let (aws, tf) = setup();
    let file = package("v1");
    let _lost = created(&tf, "v1").await;
    let tagged = json!({"function_definition": definition(json!({"Tags": {"team": "b"}}))});
    aws.fail_next("tag", 1, gitmoxi_engine::AwsErrorKind::Other);
    let adopted = tf
        .apply(&Instance::default(), &config(&tf, &file, tagged.clone()))
        .await;

    assert!(
        adopted.error_summaries().is_empty(),
        "{:?}",
        adopted.diagnostics
    );
    let pending = adopted.state.get("pending").elements();
    assert!(
        pending[0].as_str().unwrap().starts_with("tags: "),
        "{pending:?}"
    );
    assert!(aws
        .get_function("orders", "$LATEST")
        .unwrap()
        .tags
        .is_empty());

    let next = tf
        .apply(&adopted.instance(), &config(&tf, &file, tagged))
        .await;
    assert!(next.diagnostics.is_empty(), "{:?}", next.diagnostics);
    assert_eq!(
        aws.get_function("orders", "$LATEST").unwrap().tags["team"],
        "b"
    );
    assert!(next.state.get("pending").is_null());
}

#[tokio::test(start_paused = true)]
async fn a_version_that_is_not_the_release_is_never_served() {
    let (aws, tf) = setup();
    let file = package("v1");
    let first = tf
        .apply(&Instance::default(), &config(&tf, &file, json!({})))
        .await;
    // Lambda answers success but keeps the old MemorySize: only reading the version back shows.
    aws.ignore_on_next_update("MemorySize");
    let bigger = json!({"function_definition": definition(json!({"MemorySize": 512}))});
    let applied = tf
        .apply(&first.instance(), &config(&tf, &file, bigger))
        .await;

    // $LATEST kept the old configuration, so Lambda answered with version 1: not the release.
    let errors = applied.error_summaries();
    assert_eq!(
        errors,
        [
            "Deployment of orders failed: version 1 is not the release: MemorySize: the release \
          asks 512, AWS holds (absent); nothing was shifted to it"
        ]
    );
    assert_eq!(s(&applied.state, "version"), "1");
    let last = applied.state.get("last_deployment");
    assert_eq!(last.get("failed_check").as_str(), Some("verify"));
    assert_eq!(aws.alias_of("orders", "live").unwrap().version, "1");
    assert_eq!(
        aws.versions_of("orders"),
        ["1"],
        "the serving version is kept"
    );
}

#[tokio::test(start_paused = true)]
async fn a_code_signing_change_is_applied_and_verified() {
    let (aws, tf) = setup();
    let file = package("v1");
    let first = tf
        .apply(&Instance::default(), &config(&tf, &file, json!({})))
        .await;
    let csc = "arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-1";
    let signed = json!({"function_definition": definition(json!({"CodeSigningConfigArn": csc}))});
    let applied = tf
        .apply(&first.instance(), &config(&tf, &file, signed))
        .await;

    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    let view = aws.get_function("orders", "$LATEST").unwrap();
    assert_eq!(view.code_signing_config_arn.as_deref(), Some(csc));
    let unsigned = tf
        .apply(&applied.instance(), &config(&tf, &file, json!({})))
        .await;
    assert!(
        unsigned.diagnostics.is_empty(),
        "{:?}",
        unsigned.diagnostics
    );
    let view = aws.get_function("orders", "$LATEST").unwrap();
    assert_eq!(view.code_signing_config_arn, None);
}

#[tokio::test(start_paused = true)]
async fn the_plan_shows_where_a_rollout_starts_what_it_does_and_how_long_it_waits() {
    let (aws, tf) = setup();
    let file = package("v1");
    let cfg = config(&tf, &file, json!({}));
    let (planned, _) = tf.plan(&Instance::default(), &cfg).await;
    let last = planned.get("last_deployment");
    assert!(last.get("from_version").is_null(), "nothing serves yet");
    assert_eq!(
        last.get("schedule"),
        &Value::List(vec![Value::string(
            "100% at once (first release: nothing to shift from)"
        )])
    );
    assert_eq!(last.get("configured_duration").as_str(), Some("0s"));
    assert!(last.get("status").is_unknown());
    let first = tf.apply(&Instance::default(), &cfg).await;
    assert!(first.diagnostics.is_empty(), "{:?}", first.diagnostics);

    let (planned, _) = tf
        .plan(&first.instance(), &config(&tf, &package("v2"), json!({})))
        .await;
    let last = planned.get("last_deployment");
    assert_eq!(last.get("from_version").as_str(), Some("1"));
    let schedule = Value::List(vec![Value::string("10% for 5m0s"), Value::string("100%")]);
    assert_eq!(last.get("schedule"), &schedule);
    assert_eq!(last.get("configured_duration").as_str(), Some("5m0s"));
    let _ = aws;
}

#[tokio::test(start_paused = true)]
async fn an_alias_changed_between_plan_and_apply_stops_the_rollout_before_any_change() {
    let (aws, tf) = setup();
    let first = tf
        .apply(
            &Instance::default(),
            &config(&tf, &package("v1"), json!({"retain_versions": 5})),
        )
        .await;
    let cfg = config(&tf, &package("v2"), json!({"retain_versions": 5}));
    let second = tf.apply(&first.instance(), &cfg).await;
    let cfg = config(&tf, &package("v3"), json!({"retain_versions": 5}));
    let (planned, _) = tf.plan(&second.instance(), &cfg).await;
    // Someone puts the alias back on version 1 after the plan.
    aws.set_alias_of("orders", "live", "1", None);
    let applied = tf.apply_planned(&second.instance(), &cfg, &planned).await;

    let errors = applied.error_summaries();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].contains("serves version 1 now, not version 2 as when this rollout was prepared")
    );
    assert_eq!(
        aws.alias_of("orders", "live").unwrap().version,
        "1",
        "left as they set it"
    );
    assert_eq!(aws.versions_of("orders"), ["1", "2"], "nothing published");
}

#[tokio::test(start_paused = true)]
async fn a_code_release_reads_only_what_it_cannot_know() {
    let (aws, tf) = setup();
    let first = created(&tf, "v1").await;
    let before = aws.calls().len();
    let applied = tf
        .apply(&first, &config(&tf, &package("v2"), json!({})))
        .await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    let ops: Vec<_> = aws.calls()[before..]
        .iter()
        .map(|c| c.call.operation())
        .collect();
    // `$LATEST` before the update, and the new version once to verify it; what serves after is
    // known from those (no third read); the replaced version is deleted without listing.
    assert_eq!(
        ops.iter().filter(|o| **o == "get_function").count(),
        2,
        "{ops:?}"
    );
    assert!(
        !ops.contains(&"list_versions") && !ops.contains(&"list_aliases"),
        "{ops:?}"
    );
    assert_eq!(aws.versions_of("orders"), ["2"]);
    assert_eq!(s(&applied.state, "code_sha256"), package_hash(b"v2"));
}
