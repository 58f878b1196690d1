//! Event sources following the alias: pull mappings, push sources and destinations, created
//! after the rollout, changed in place, moved with the alias, removed with the resource.

use serde_json::json;

use super::*;

const QUEUE: &str = "arn:aws:sqs:us-east-1:000000000000:orders";
const GROUP: &str = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/orders/1";

fn sources(doc: Json) -> Json {
    json!({ "event_sources": doc.to_string() })
}

fn sqs(batch: u32) -> Json {
    sources(json!({"PullEventSources": [{"EventSourceArn": QUEUE, "BatchSize": batch}]}))
}

fn alias_arn(alias: &str) -> String {
    format!("{}:{alias}", FakeAws::function_arn("orders"))
}

fn batch_sizes(aws: &FakeAws) -> Vec<(String, i64)> {
    aws.mappings()
        .into_iter()
        .map(|m| {
            let settings: Json = serde_json::from_str(&m.settings).unwrap();
            (m.function_arn, settings["BatchSize"].as_i64().unwrap_or(-1))
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_queue_mapping_is_made_on_the_alias_changed_in_place_and_removed() {
    let (aws, tf) = setup();
    let file = package("v1");
    let first = tf
        .apply(&Instance::default(), &config(&tf, &file, sqs(5)))
        .await;
    assert!(first.diagnostics.is_empty(), "{:?}", first.diagnostics);
    assert_eq!(batch_sizes(&aws), [(alias_arn("live"), 5)]);

    let resized = tf
        .apply(&first.instance(), &config(&tf, &file, sqs(7)))
        .await;
    assert!(resized.diagnostics.is_empty(), "{:?}", resized.diagnostics);
    assert!(
        !resized.planned.get("version").is_unknown(),
        "sources alone publish nothing"
    );
    assert_eq!(batch_sizes(&aws), [(alias_arn("live"), 7)]);
    assert_eq!(aws.count("update_mapping"), 1);

    let removed = tf
        .apply(&resized.instance(), &config(&tf, &file, json!({})))
        .await;
    assert!(removed.diagnostics.is_empty(), "{:?}", removed.diagnostics);
    assert!(aws.mappings().is_empty());
}

#[tokio::test(start_paused = true)]
async fn push_sources_get_permissions_targets_urls_stage_variables_and_destinations() {
    let (aws, tf) = setup();
    aws.define_target_group(GROUP)
        .define_route("api1", "r1", "GET /orders")
        .define_stage("api1", "$default");
    let doc = json!({
        "PushEventSources": [
            {"Service": "elasticloadbalancing.amazonaws.com", "TargetGroupArn": GROUP},
            {"Service": "lambda.url", "AuthType": "NONE"},
            {"Service": "apigateway.amazonaws.com", "ApiId": "api1", "RouteId": "r1",
             "AliasStageVariableName": "lambdaAlias"}
        ],
        "Destinations": {"OnFailure": "arn:aws:sqs:us-east-1:000000000000:failed"}
    });
    let applied = tf
        .apply(
            &Instance::default(),
            &config(&tf, &package("v1"), sources(doc)),
        )
        .await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);

    assert_eq!(aws.targets(GROUP), [alias_arn("live")]);
    assert_eq!(aws.url("orders", "live").unwrap().auth_type, "NONE");
    let policy = aws.policy("orders", "live");
    let by_principal = |p: &str| policy.iter().find(|s| s.principal == p).cloned().unwrap();
    assert_eq!(by_principal("*").action, "lambda:InvokeFunctionUrl");
    assert_eq!(
        by_principal("apigateway.amazonaws.com")
            .source_arn
            .as_deref(),
        Some("arn:aws:execute-api:us-east-1:000000000000:api1/*/GET/orders")
    );
    assert_eq!(
        by_principal("elasticloadbalancing.amazonaws.com")
            .source_arn
            .as_deref(),
        Some(GROUP)
    );
    assert_eq!(
        aws.stage_variables("api1", "$default")["lambdaAlias"],
        "live"
    );
    assert!(aws
        .invoke_config("orders", "live")
        .unwrap()
        .contains("failed"));

    let gone = tf
        .apply(&applied.instance(), &config(&tf, &package("v1"), json!({})))
        .await;
    assert!(gone.diagnostics.is_empty(), "{:?}", gone.diagnostics);
    assert!(aws.targets(GROUP).is_empty());
    assert!(aws.url("orders", "live").is_none());
    assert!(aws.policy("orders", "live").is_empty());
    assert!(aws.invoke_config("orders", "live").is_none());
}

#[tokio::test(start_paused = true)]
async fn renaming_the_alias_moves_its_sources_and_publishes_nothing() {
    let (aws, tf) = setup();
    let file = package("v1");
    let first = tf
        .apply(&Instance::default(), &config(&tf, &file, sqs(5)))
        .await;
    let mut renamed = sqs(5);
    renamed["alias"] = json!("prod");
    let applied = tf
        .apply(&first.instance(), &config(&tf, &file, renamed))
        .await;

    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert!(!applied.planned.get("version").is_unknown());
    assert_eq!(s(&applied.state, "alias_arn"), alias_arn("prod"));
    assert_eq!(aws.alias_of("orders", "prod").unwrap().version, "1");
    assert!(aws.alias_of("orders", "live").is_none());
    assert_eq!(batch_sizes(&aws), [(alias_arn("prod"), 5)]);
    assert_eq!(aws.versions_of("orders"), ["1"]);
}

#[tokio::test(start_paused = true)]
async fn mappings_made_by_someone_else_are_left_alone() {
    let (aws, tf) = setup();
    let file = package("v1");
    let first = tf
        .apply(&Instance::default(), &config(&tf, &file, sqs(5)))
        .await;
    let theirs = gitmoxi_fake_aws::Mapping {
        uuid: String::new(),
        function_arn: alias_arn("live"),
        source_key: "arn:aws:sqs:us-east-1:000000000000:theirs".into(),
        settings: json!({"EventSourceArn": "arn:aws:sqs:us-east-1:000000000000:theirs"})
            .to_string(),
        tags: Default::default(),
    };
    aws.create_mapping(theirs).unwrap();
    let removed = tf
        .apply(&first.instance(), &config(&tf, &file, json!({})))
        .await;
    assert!(removed.diagnostics.is_empty(), "{:?}", removed.diagnostics);
    let left: Vec<String> = aws.mappings().into_iter().map(|m| m.source_key).collect();
    assert_eq!(left, ["arn:aws:sqs:us-east-1:000000000000:theirs"]);
}

#[tokio::test(start_paused = true)]
async fn sources_that_fail_after_a_rollout_leave_the_release_recorded_and_the_sources_pending() {
    let (aws, tf) = setup();
    let file = package("v1");
    let first = tf
        .apply(&Instance::default(), &config(&tf, &file, json!({})))
        .await;
    // The target group does not exist: registering the alias fails after the rollout.
    let lb = sources(json!({"PushEventSources": [
        {"Service": "elasticloadbalancing.amazonaws.com", "TargetGroupArn": GROUP}]}));
    let mut changed = lb.clone();
    changed["function_definition"] = json!(definition(json!({"Timeout": 10})));
    let applied = tf
        .apply(&first.instance(), &config(&tf, &file, changed.clone()))
        .await;

    let errors = applied.error_summaries();
    assert_eq!(errors, ["Error reconciling event sources (orders)"]);
    assert_eq!(
        s(&applied.state, "version"),
        "2",
        "the release that serves is recorded"
    );
    assert!(
        applied.state.get("event_sources").is_null(),
        "the sources are still to do"
    );
    let (planned, _) = tf
        .plan(&applied.instance(), &config(&tf, &file, changed))
        .await;
    assert!(
        !planned.get("version").is_unknown(),
        "nothing to publish again"
    );
    assert!(
        planned.get("event_sources").as_str().is_some(),
        "the sources are planned again"
    );
    let _ = aws;
}

#[tokio::test(start_paused = true)]
async fn a_create_whose_sources_fail_is_kept_untainted_with_the_sources_pending() {
    let (aws, tf) = setup();
    let file = package("v1");
    let lb = sources(json!({"PushEventSources": [
        {"Service": "elasticloadbalancing.amazonaws.com", "TargetGroupArn": GROUP}]}));
    let applied = tf
        .apply(&Instance::default(), &config(&tf, &file, lb.clone()))
        .await;

    // An error would make Terraform taint the resource and destroy a serving function next.
    assert!(
        applied.error_summaries().is_empty(),
        "{:?}",
        applied.diagnostics
    );
    let warnings = summaries(&applied.diagnostics, false);
    assert_eq!(warnings, ["Error reconciling event sources (orders)"]);
    assert_eq!(s(&applied.state, "version"), "1");
    // The state matches the configuration (Terraform insists) and says what is left to do.
    let pending = applied.state.get("pending").elements();
    assert_eq!(pending.len(), 1);
    let first = pending[0].as_str().unwrap();
    assert!(first.starts_with("event_sources: "), "{first}");
    assert!(
        aws.policy("orders", "live").is_empty(),
        "what was made is taken off again"
    );

    aws.define_target_group(GROUP);
    let next = tf.apply(&applied.instance(), &config(&tf, &file, lb)).await;
    assert!(next.diagnostics.is_empty(), "{:?}", next.diagnostics);
    assert!(!next.planned.get("version").is_unknown(), "in place");
    assert!(
        next.planned.get("pending").is_null(),
        "the plan empties the list"
    );
    assert_eq!(aws.targets(GROUP), [alias_arn("live")]);
    assert_eq!(aws.policy("orders", "live").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn tags_that_fail_after_a_rollout_stay_pending_in_place() {
    let (aws, tf) = setup();
    let file = package("v1");
    let first = tf
        .apply(&Instance::default(), &config(&tf, &file, json!({})))
        .await;
    let tagged =
        json!({"function_definition": definition(json!({"Timeout": 7, "Tags": {"team": "a"}}))});
    aws.fail_next("tag", 1, gitmoxi_engine::AwsErrorKind::Other);
    let applied = tf
        .apply(&first.instance(), &config(&tf, &file, tagged.clone()))
        .await;

    assert_eq!(
        applied.error_summaries(),
        ["Error tagging Lambda function (orders)"]
    );
    assert_eq!(
        s(&applied.state, "version"),
        "2",
        "the release that serves is recorded"
    );
    let (planned, _) = tf
        .plan(&applied.instance(), &config(&tf, &file, tagged.clone()))
        .await;
    assert!(
        !planned.get("version").is_unknown(),
        "only the tags are left: in place"
    );
    let next = tf
        .apply(&applied.instance(), &config(&tf, &file, tagged))
        .await;
    assert!(next.diagnostics.is_empty(), "{:?}", next.diagnostics);
    assert_eq!(
        aws.get_function("orders", "$LATEST").unwrap().tags["team"],
        "a"
    );
    assert_eq!(aws.versions_of("orders"), ["2"]);
}

#[tokio::test(start_paused = true)]
async fn a_rename_with_a_release_rolls_out_on_the_new_alias_then_moves_the_sources() {
    let (aws, tf) = setup();
    let first = tf
        .apply(&Instance::default(), &config(&tf, &package("v1"), sqs(5)))
        .await;
    let mut renamed = sqs(5);
    renamed["alias"] = json!("prod");
    let applied = tf
        .apply(&first.instance(), &config(&tf, &package("v2"), renamed))
        .await;

    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    // The new alias started on version 1 and the release went out on it as a canary.
    let prod: Vec<String> = aws
        .mutations()
        .into_iter()
        .filter(|m| m.contains(" prod "))
        .collect();
    assert_eq!(
        prod,
        ["create prod 1", "shift prod 1 + 2@10%", "shift prod 2"]
    );
    assert!(
        aws.alias_of("orders", "live").is_none(),
        "the old alias went last"
    );
    assert_eq!(
        batch_sizes(&aws),
        [(alias_arn("prod"), 5)],
        "the queue moved"
    );
    assert_eq!(s(&applied.state, "alias_arn"), alias_arn("prod"));
    assert_eq!(s(&applied.state, "version"), "2");
}

#[tokio::test(start_paused = true)]
async fn a_rename_whose_release_rolls_back_leaves_the_old_alias_serving_with_its_sources() {
    let (aws, tf) = setup();
    aws.define_alarm("errors");
    let mut first_cfg = sqs(5);
    first_cfg["alarms"] = json!(["errors"]);
    let first = tf
        .apply(
            &Instance::default(),
            &config(&tf, &package("v1"), first_cfg.clone()),
        )
        .await;
    aws.alarm_at(
        "errors",
        aws.elapsed() + Duration::from_secs(60),
        AlarmState::Alarm,
    );
    let mut renamed = first_cfg;
    renamed["alias"] = json!("prod");
    let applied = tf
        .apply(&first.instance(), &config(&tf, &package("v2"), renamed))
        .await;

    assert!(applied
        .error_summaries()
        .iter()
        .any(|e| e.contains("rolled back")));
    assert_eq!(s(&applied.state, "alias"), "live");
    assert_eq!(aws.alias_of("orders", "live").unwrap().version, "1");
    assert!(
        aws.alias_of("orders", "prod").is_none(),
        "the new alias is gone again"
    );
    assert_eq!(batch_sizes(&aws), [(alias_arn("live"), 5)]);
}

#[tokio::test(start_paused = true)]
async fn gitmoxi_published_mappings_deploy_as_is() {
    let (aws, tf) = setup();
    let file = package("v1");
    let published = |function: &str| {
        sources(json!({"PullEventSources": {"EventSourceMapping": {
            "EventSourceArn": QUEUE, "BatchSize": 5, "FunctionName": function}}}))
    };
    let applied = tf
        .apply(
            &Instance::default(),
            &config(&tf, &file, published("orders")),
        )
        .await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    let mut notes = summaries(&applied.plan_diagnostics, false);
    notes.dedup(); // validate and plan both say it
    assert_eq!(
        notes,
        ["PullEventSources.EventSourceMapping.FunctionName is ignored"]
    );
    assert_eq!(batch_sizes(&aws), [(alias_arn("live"), 5)]);

    let arn = format!("{}:live", FakeAws::function_arn("orders"));
    let by_arn = tf
        .apply(&applied.instance(), &config(&tf, &file, published(&arn)))
        .await;
    assert!(by_arn.diagnostics.is_empty() && !by_arn.plan_diagnostics.has_errors());

    let other = tf
        .apply(
            &applied.instance(),
            &config(&tf, &file, published("payments")),
        )
        .await;
    let mut errors = summaries(&other.plan_diagnostics, true);
    errors.dedup();
    assert_eq!(
        errors,
        ["PullEventSources.EventSourceMapping.FunctionName names another function"]
    );
}

mod ownership;
