//! What the resource owns and puts back: mappings made elsewhere refused until adopted, tags
//! that follow their entry, a stage variable given back its earlier value.

use super::*;

fn their_mapping(aws: &FakeAws) -> String {
    let theirs = gitmoxi_fake_aws::Mapping {
        uuid: String::new(),
        function_arn: alias_arn("live"),
        source_key: QUEUE.into(),
        settings: json!({"EventSourceArn": QUEUE, "BatchSize": 3}).to_string(),
        tags: [("team".to_string(), "payments".to_string())].into(),
    };
    aws.create_mapping(theirs).unwrap().uuid
}

#[tokio::test(start_paused = true)]
async fn a_mapping_made_elsewhere_is_refused_until_the_entry_adopts_it() {
    let (aws, tf) = setup();
    let file = package("v1");
    let first = tf
        .apply(&Instance::default(), &config(&tf, &file, json!({})))
        .await;
    let uuid = their_mapping(&aws);

    let refused = tf
        .apply(&first.instance(), &config(&tf, &file, sqs(5)))
        .await;
    let text = format!("{:?}", refused.diagnostics);
    assert!(
        text.contains(&uuid) && text.contains("\\\"adopt\\\": true"),
        "{text}"
    );
    assert_eq!(
        batch_sizes(&aws),
        [(alias_arn("live"), 3)],
        "left as it was"
    );
    assert!(refused.state.get("event_sources").is_null());

    let adopting = sources(json!({"PullEventSources": [
        {"EventSourceArn": QUEUE, "BatchSize": 5, "adopt": true}]}));
    let adopted = tf
        .apply(&refused.instance(), &config(&tf, &file, adopting))
        .await;
    assert!(adopted.diagnostics.is_empty(), "{:?}", adopted.diagnostics);
    assert_eq!(batch_sizes(&aws), [(alias_arn("live"), 5)]);
    let tags = aws.mapping_tags(&FakeAws::mapping_arn(&uuid)).unwrap();
    assert_eq!(tags.get("gitmoxi:alias"), Some(&alias_arn("live")));
    assert!(
        !tags.contains_key("team"),
        "its tags follow the entry now: {tags:?}"
    );

    let removed = tf
        .apply(&adopted.instance(), &config(&tf, &file, json!({})))
        .await;
    assert!(removed.diagnostics.is_empty(), "{:?}", removed.diagnostics);
    assert!(
        aws.mappings().is_empty(),
        "an adopted mapping goes with its entry"
    );
}

#[tokio::test(start_paused = true)]
async fn a_mapping_an_unfinished_apply_made_is_recognised_by_its_tag() {
    let (aws, tf) = setup();
    let file = package("v1");
    let first = tf
        .apply(&Instance::default(), &config(&tf, &file, json!({})))
        .await;
    // An earlier apply created the mapping, then died before recording it.
    let uuid = their_mapping(&aws);
    let owner = [("gitmoxi:alias".to_string(), alias_arn("live"))].into();
    aws.tag_mapping(&FakeAws::mapping_arn(&uuid), &owner)
        .unwrap();

    let applied = tf
        .apply(&first.instance(), &config(&tf, &file, sqs(5)))
        .await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(batch_sizes(&aws), [(alias_arn("live"), 5)]);
}

#[tokio::test(start_paused = true)]
async fn mapping_tags_follow_the_entry_after_create() {
    let (aws, tf) = setup();
    let file = package("v1");
    let tagged = |tags: Json| {
        sources(json!({"PullEventSources": [
            {"EventSourceArn": QUEUE, "BatchSize": 5, "Tags": tags}]}))
    };
    let first = tf
        .apply(
            &Instance::default(),
            &config(&tf, &file, tagged(json!({"team": "a", "tier": "1"}))),
        )
        .await;
    assert!(first.diagnostics.is_empty(), "{:?}", first.diagnostics);
    let arn = FakeAws::mapping_arn(&aws.mappings()[0].uuid);
    let retagged = tf
        .apply(
            &first.instance(),
            &config(&tf, &file, tagged(json!({"team": "b"}))),
        )
        .await;
    assert!(
        retagged.diagnostics.is_empty(),
        "{:?}",
        retagged.diagnostics
    );
    let tags = aws.mapping_tags(&arn).unwrap();
    let expected: std::collections::BTreeMap<String, String> = [
        ("gitmoxi:alias".to_string(), alias_arn("live")),
        ("team".to_string(), "b".to_string()),
    ]
    .into();
    assert_eq!(tags, expected);
    assert_eq!(aws.count("create_mapping"), 1, "tags change in place");
}

#[tokio::test(start_paused = true)]
async fn a_rest_api_source_scopes_its_permission_and_puts_the_stage_variable_back() {
    let (aws, tf) = setup();
    aws.define_rest_resource("rest1", "res1", "/orders/{id}")
        .define_stage("rest1", "prod")
        .define_stage_variable("rest1", "prod", "lambdaAlias", "blue");
    let file = package("v1");
    let rest = |method: &str| {
        sources(json!({"PushEventSources": [{
            "Service": "apigateway.amazonaws.com", "RestApiId": "rest1", "ResourceId": "res1",
            "HttpMethod": method, "Stage": "prod", "AliasStageVariableName": "lambdaAlias"}]}))
    };
    let first = tf
        .apply(&Instance::default(), &config(&tf, &file, rest("GET")))
        .await;
    assert!(first.diagnostics.is_empty(), "{:?}", first.diagnostics);
    let arns = |aws: &FakeAws| -> Vec<Option<String>> {
        aws.policy("orders", "live")
            .into_iter()
            .map(|s| s.source_arn)
            .collect()
    };
    assert_eq!(
        arns(&aws),
        [Some(
            "arn:aws:execute-api:us-east-1:000000000000:rest1/*/GET/orders/{id}".into()
        )]
    );
    assert_eq!(aws.stage_variables("rest1", "prod")["lambdaAlias"], "live");

    let changed = tf
        .apply(&first.instance(), &config(&tf, &file, rest("POST")))
        .await;
    assert!(changed.diagnostics.is_empty(), "{:?}", changed.diagnostics);
    assert_eq!(
        arns(&aws),
        [Some(
            "arn:aws:execute-api:us-east-1:000000000000:rest1/*/POST/orders/{id}".into()
        )]
    );
    assert_eq!(aws.stage_variables("rest1", "prod")["lambdaAlias"], "live");

    // What it replaced is kept in the private state, across a refresh too.
    let refreshed = tf.refresh(&changed.instance()).await;
    let after_refresh = Instance {
        state: refreshed.new_state,
        private: refreshed.private,
    };
    let removed = tf
        .apply(&after_refresh, &config(&tf, &file, json!({})))
        .await;
    assert!(removed.diagnostics.is_empty(), "{:?}", removed.diagnostics);
    assert!(arns(&aws).is_empty());
    assert_eq!(
        aws.stage_variables("rest1", "prod")["lambdaAlias"],
        "blue",
        "the value it had before is back"
    );
}

#[tokio::test(start_paused = true)]
async fn a_stage_variable_that_did_not_exist_is_removed_with_its_source() {
    let (aws, tf) = setup();
    aws.define_route("api1", "r1", "GET /orders")
        .define_stage("api1", "$default");
    let file = package("v1");
    let http = sources(json!({"PushEventSources": [{
        "Service": "apigateway.amazonaws.com", "ApiId": "api1",
        "AliasStageVariableName": "lambdaAlias"}]}));
    let first = tf
        .apply(&Instance::default(), &config(&tf, &file, http))
        .await;
    assert_eq!(
        aws.stage_variables("api1", "$default")["lambdaAlias"],
        "live"
    );
    let removed = tf
        .apply(&first.instance(), &config(&tf, &file, json!({})))
        .await;
    assert!(removed.diagnostics.is_empty(), "{:?}", removed.diagnostics);
    assert!(!aws
        .stage_variables("api1", "$default")
        .contains_key("lambdaAlias"));
}
