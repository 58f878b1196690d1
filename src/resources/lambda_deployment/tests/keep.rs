//! Keeping the serving version's code and environment values: what import and generated
//! configuration rely on, so an adopted function is managed without its package or secrets.

use super::*;
use crate::model::ports::Cloud;

/// `orders` created with a package and two secret variables, then imported: the imported state,
/// and the configuration `terraform query -generate-config-out` writes from it.
async fn adopted(tf: &Tf) -> (Instance, Value) {
    let secrets = json!({"sensitive_environment": {"API_KEY": "s3cret", "STAGE": "prod"}});
    let made = tf
        .apply(&Instance::default(), &config(tf, &package("v1"), secrets))
        .await;
    assert!(made.diagnostics.is_empty(), "{:?}", made.diagnostics);
    let imported = tf.import("orders:live").await;
    let state = imported.state.expect("imported");
    let generated = tf.config(json!({
        "function_definition": s(&state, "function_definition"),
        "alias": "live",
        "keep_code": true,
        "keep_environment": ["API_KEY", "STAGE"],
    }));
    let instance = Instance {
        state,
        private: imported.private,
    };
    (instance, generated)
}

/// `generated` with `changes` applied to its attributes (null removes one).
fn edited(tf: &Tf, generated: &Value, changes: Json) -> Value {
    let mut json = json!({
        "function_definition": s(generated, "function_definition"),
        "alias": "live",
        "keep_code": true,
        "keep_environment": ["API_KEY", "STAGE"],
    });
    for (k, v) in changes.as_object().cloned().unwrap_or_default() {
        json[k] = v;
    }
    tf.config(json)
}

/// The generated definition with `key` set to `value`.
fn definition_with(generated: &Value, key: &str, value: Json) -> String {
    let mut def: Json = serde_json::from_str(&s(generated, "function_definition")).unwrap();
    def[key] = value;
    def.to_string()
}

#[tokio::test(start_paused = true)]
async fn import_keeps_code_and_values_by_name_and_the_generated_configuration_plans_nothing() {
    let (aws, tf) = setup();
    let (imported, generated) = adopted(&tf).await;
    let st = &imported.state;
    assert_eq!(st.get("keep_code").as_bool(), Some(true));
    let kept: Vec<_> = st.get("keep_environment").elements().to_vec();
    assert_eq!(kept, [Value::string("API_KEY"), Value::string("STAGE")]);
    assert!(st.get("sensitive_environment").is_null());
    let everything = format!("{st:?}");
    assert!(!everything.contains("s3cret"), "no value in the state");

    let (planned, diags) = tf.plan(&imported, &generated).await;
    assert!(!diags.has_errors(), "{diags:?}");
    // Terraform writes absent blocks as empty lists; every attribute is as imported.
    let Value::Object(attrs) = st else { panic!() };
    for (name, value) in attrs.iter().filter(|(_, v)| !v.is_null()) {
        assert_eq!(planned.get(name), value, "{name} plans no change");
    }
    let applied = tf.apply(&imported, &generated).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(aws.versions_of("orders"), ["1"]);
}

#[tokio::test(start_paused = true)]
async fn a_release_that_keeps_publishes_the_serving_code_and_values_again() {
    let (aws, tf) = setup();
    let (imported, generated) = adopted(&tf).await;
    let bigger = definition_with(&generated, "MemorySize", json!(512));
    let bigger = edited(&tf, &generated, json!({"function_definition": bigger}));
    let applied = tf.apply(&imported, &bigger).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(s(&applied.state, "version"), "2");
    assert_eq!(s(&applied.state, "code_sha256"), package_hash(b"v1"));

    let cloud = FakeCloud::new(aws.clone());
    let served = cloud.find_function("orders", "2").await.unwrap().unwrap();
    let vars = served.definition.env_vars().into_map();
    assert_eq!(vars.get("API_KEY").map(String::as_str), Some("s3cret"));
    assert_eq!(vars.get("STAGE").map(String::as_str), Some("prod"));
    assert_eq!(served.definition.fields().memory_size, Some(512));
    assert!(!format!("{:?}", applied.state).contains("s3cret"));
}

#[tokio::test(start_paused = true)]
async fn a_kept_name_the_serving_version_lacks_fails_before_any_change() {
    let (aws, tf) = setup();
    let (imported, mut generated) = adopted(&tf).await;
    let names = ["API_KEY", "STAGE", "MISSING"].map(Value::string).to_vec();
    generated.set_attr("keep_environment", Value::Set(names));
    let applied = tf.apply(&imported, &generated).await;
    assert_eq!(
        applied.error_summaries(),
        ["Version 1 does not set `MISSING`, which keep_environment keeps"]
    );
    assert_eq!(aws.versions_of("orders"), ["1"]);
    assert_eq!(applied.state, imported.state, "the state is left as it was");
}

#[tokio::test(start_paused = true)]
async fn kept_code_is_refused_when_latest_holds_a_rolled_back_release() {
    let (aws, tf) = setup();
    aws.define_alarm("errors");
    let alarm = json!({"alarms": ["errors"]});
    let first = tf
        .apply(
            &Instance::default(),
            &config(&tf, &package("v1"), alarm.clone()),
        )
        .await;
    aws.alarm_at(
        "errors",
        aws.elapsed() + Duration::from_secs(60),
        AlarmState::Alarm,
    );
    let rolled_back = tf
        .apply(&first.instance(), &config(&tf, &package("v2"), alarm))
        .await;
    assert_eq!(aws.latest_code(), package_hash(b"v2"), "$LATEST keeps v2");
    let keeping = tf.config(json!({
        "function_definition": definition(json!({"MemorySize": 1024})),
        "alias": "live",
        "keep_code": true,
    }));
    let applied = tf.apply(&rolled_back.instance(), &keeping).await;
    assert_eq!(
        applied.error_summaries(),
        ["keep_code cannot keep the serving code"]
    );
    assert_eq!(aws.versions_of("orders"), ["1"]);
}

#[tokio::test(start_paused = true)]
async fn keep_arguments_are_checked_at_validate_and_plan() {
    let (_aws, tf) = setup();
    let both = config(&tf, &package("v1"), json!({"keep_code": true}));
    assert_eq!(
        summaries(&tf.validate(&both).await, true),
        ["keep_code conflicts with `package_file`"]
    );
    let clash = config(
        &tf,
        &package("v1"),
        json!({"sensitive_environment": {"TOKEN": "x"}, "keep_environment": ["TOKEN"]}),
    );
    assert_eq!(
        summaries(&tf.validate(&clash).await, true),
        ["Environment variable `TOKEN` is set in both sensitive_environment or sensitive_environment_wo and keep_environment"]
    );
    let none = tf.config(json!({"function_definition": definition(json!({})), "alias": "live"}));
    let hint = tf.validate(&none).await;
    assert_eq!(summaries(&hint, true), ["No code for the function"]);
    // A new function (a first release, or a replacement) has nothing to keep: the plan says so,
    // before any change (a replacement would delete the only copy first).
    let keeping = tf.config(json!({"function_definition": definition(json!({})),
                                   "alias": "live", "keep_code": true}));
    let (_, diags) = tf.plan(&Instance::default(), &keeping).await;
    assert_eq!(
        summaries(&diags, true),
        ["keep_code needs a deployment that already serves"]
    );
}

#[tokio::test(start_paused = true)]
async fn taking_over_the_code_or_the_values_deploys_only_what_differs() {
    let (aws, tf) = setup();
    let (imported, generated) = adopted(&tf).await;
    // The same package as served, the same values declared: applied in place, nothing published.
    let same = edited(
        &tf,
        &generated,
        json!({"keep_code": null, "package_file": package("v1"), "keep_environment": null,
               "sensitive_environment": {"API_KEY": "s3cret", "STAGE": "prod"}}),
    );
    let applied = tf.apply(&imported, &same).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert!(!applied.planned.get("version").is_unknown(), "no release");
    assert!(applied.state.get("keep_environment").is_null());
    assert_eq!(aws.versions_of("orders"), ["1"]);

    // A new package: a release of it, with the values still kept.
    let (aws, tf) = setup();
    let (imported, generated) = adopted(&tf).await;
    let new_code = edited(
        &tf,
        &generated,
        json!({"keep_code": null, "package_file": package("v2")}),
    );
    let applied = tf.apply(&imported, &new_code).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(s(&applied.state, "version"), "2");
    assert_eq!(s(&applied.state, "code_sha256"), package_hash(b"v2"));
    let cloud = FakeCloud::new(aws.clone());
    let served = cloud.find_function("orders", "2").await.unwrap().unwrap();
    let vars = served.definition.env_vars().into_map();
    assert_eq!(vars.get("API_KEY").map(String::as_str), Some("s3cret"));
}

#[tokio::test(start_paused = true)]
async fn what_keeping_cannot_do_is_a_plan_error() {
    let (aws, tf) = setup();
    let (imported, generated) = adopted(&tf).await;
    let arm = definition_with(&generated, "Architectures", json!(["arm64"]));
    let arm = edited(&tf, &generated, json!({"function_definition": arm}));
    let (_, diags) = tf.plan(&imported, &arm).await;
    assert_eq!(
        summaries(&diags, true),
        ["keep_code cannot change Architectures"]
    );

    // Comparing a newly declared value needs the served one: a failed read fails the plan
    // rather than guessing.
    let declared = edited(
        &tf,
        &generated,
        json!({"keep_environment": ["STAGE"], "sensitive_environment": {"API_KEY": "s3cret"}}),
    );
    aws.fail_next("get_function", 1, gitmoxi_engine::AwsErrorKind::Other);
    let (_, diags) = tf.plan(&imported, &declared).await;
    assert_eq!(
        summaries(&diags, true),
        ["Error reading Lambda function (orders)"]
    );
    let (planned, diags) = tf.plan(&imported, &declared).await;
    assert!(!diags.has_errors(), "{diags:?}");
    assert!(
        !planned.get("version").is_unknown(),
        "the same value: no release"
    );
}

#[tokio::test(start_paused = true)]
async fn an_environment_lambda_cannot_show_is_never_imported_as_none() {
    let (aws, tf) = setup();
    let secrets = json!({"sensitive_environment": {"API_KEY": "s3cret"}});
    let made = tf
        .apply(&Instance::default(), &config(&tf, &package("v1"), secrets))
        .await;
    assert!(made.diagnostics.is_empty(), "{:?}", made.diagnostics);
    aws.environment_unreadable("orders");
    let imported = tf.import("orders:live").await;
    assert!(imported.state.is_none());
    assert_eq!(
        summaries(&imported.diagnostics, true),
        ["Cannot read the environment variables of orders:live"]
    );
}

#[tokio::test(start_paused = true)]
async fn an_alias_rename_with_a_release_keeps_the_code_and_values() {
    let (aws, tf) = setup();
    let (imported, generated) = adopted(&tf).await;
    let bigger = definition_with(&generated, "MemorySize", json!(512));
    let renamed = edited(
        &tf,
        &generated,
        json!({"alias": "prod", "function_definition": bigger}),
    );
    let applied = tf.apply(&imported, &renamed).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(aws.alias_of("orders", "prod").unwrap().version, "2");
    assert!(
        aws.alias_of("orders", "live").is_none(),
        "the old alias goes last"
    );
    let cloud = FakeCloud::new(aws.clone());
    let served = cloud.find_function("orders", "2").await.unwrap().unwrap();
    assert_eq!(served.code_sha256, package_hash(b"v1"));
    let vars = served.definition.env_vars().into_map();
    assert_eq!(vars.get("STAGE").map(String::as_str), Some("prod"));
}

#[tokio::test(start_paused = true)]
async fn a_drift_repair_with_kept_code_needs_nothing_from_latest() {
    use gitmoxi_engine::Lambda as _;
    let (aws, tf) = setup();
    let keep_one = json!({"retain_versions": 1});
    let first = tf
        .apply(
            &Instance::default(),
            &config(&tf, &package("v1"), keep_one.clone()),
        )
        .await;
    let second = tf
        .apply(&first.instance(), &config(&tf, &package("v2"), keep_one))
        .await;
    assert_eq!(s(&second.state, "version"), "2");
    let imported = tf.import("orders:live").await;
    let state = imported.state.expect("imported");
    let generated = tf.config(json!({
        "function_definition": s(&state, "function_definition"),
        "alias": "live",
        "keep_code": true,
        "retain_versions": 1,
    }));
    // Outside Terraform: code uploaded to `$LATEST` without publishing, and the alias moved back.
    aws.set_release("console-edit", "config-0");
    aws.lambda("orders", None).update_code().await.unwrap();
    aws.set_alias_of("orders", "live", "1", None);
    let read = tf
        .refresh(&Instance {
            state,
            private: imported.private,
        })
        .await;
    let drifted = Instance {
        state: read.new_state,
        private: read.private,
    };
    let repaired = tf.apply(&drifted, &generated).await;
    assert!(
        repaired.diagnostics.is_empty(),
        "{:?}",
        repaired.diagnostics
    );
    assert_eq!(aws.alias_of("orders", "live").unwrap().version, "2");
    assert_eq!(
        aws.versions_of("orders"),
        ["1", "2"],
        "a repair publishes nothing"
    );
}
