//! Every operation of `gitmoxi_lambda_deployment` against the in-memory AWS account, driven the
//! way Terraform drives it, on paused time.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use gitmoxi_engine::AlarmState;
use gitmoxi_fake_aws::FakeAws;
use serde_json::{json, Value as Json};

use super::LambdaDeployment;
use crate::model::release::package_hash;
use crate::protocol::value::Value;
use crate::resources::common::state::Drift;
use crate::testing::{on_fake, summaries, FakeCloud, Instance, Terraform};

const ROLE: &str = "arn:aws:iam::000000000000:role/orders";

type Tf = Terraform<LambdaDeployment<FakeCloud>>;

fn setup() -> (Arc<FakeAws>, Tf) {
    let (aws, tf) = on_fake(LambdaDeployment::new);
    aws.update_takes(Duration::from_secs(1));
    (aws, tf)
}

/// A package file of its own for each call.
fn package(content: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "gitmoxi-resource-tests-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("app.zip");
    std::fs::write(&path, content).unwrap();
    path.to_string_lossy().into_owned()
}

fn definition(extra: Json) -> String {
    let mut d = json!({"FunctionName": "orders", "Role": ROLE, "Runtime": "python3.12",
                       "Handler": "app.handler"});
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        d[k] = v;
    }
    d.to_string()
}

fn canary() -> Json {
    json!([{"type": "CANARY", "percent": 10, "wait_interval": "5m"}])
}

fn config(tf: &Tf, package_file: &str, extra: Json) -> Value {
    let mut c = json!({
        "function_definition": definition(json!({})),
        "package_file": package_file,
        "alias": "live",
        "traffic_shifting": canary(),
    });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        c[k] = v;
    }
    tf.config(c)
}

fn s(v: &Value, name: &str) -> String {
    v.get(name).as_str().unwrap_or_default().to_string()
}

/// Creates the function from `content` and returns its instance.
async fn created(tf: &Tf, content: &str) -> Instance {
    let applied = tf
        .apply(
            &Instance::default(),
            &config(tf, &package(content), json!({})),
        )
        .await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert!(
        !applied.plan_diagnostics.has_errors(),
        "{:?}",
        applied.plan_diagnostics
    );
    applied.instance()
}

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
    // Environment values stay out of the definition text: they are in the sensitive attribute.
    assert!(!s(&st, "function_definition").contains("s3cret"));
    let sensitive = st.get("sensitive_environment");
    let api_key = sensitive.entries().and_then(|e| e.get("API_KEY"));
    assert_eq!(api_key.and_then(Value::as_str), Some("s3cret"));
    let instance = Instance {
        state: st,
        private: imported.private,
    };
    let applied = tf.apply(&instance, &cfg).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert!(
        !applied.planned.get("version").is_unknown(),
        "no deployment after an import"
    );
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

#[tokio::test(start_paused = true)]
async fn a_role_iam_has_not_propagated_is_waited_for() {
    let (aws, tf) = setup();
    aws.role_propagates_at(ROLE, Duration::from_secs(40));
    let applied = tf
        .apply(
            &Instance::default(),
            &config(&tf, &package("v1"), json!({})),
        )
        .await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(s(&applied.state, "version"), "1");
    let refused = aws
        .calls()
        .iter()
        .filter(|c| c.call.operation() == "create_function" && c.error.is_some())
        .count();
    assert!(refused >= 7, "refused while IAM propagates: {refused}");
}

#[tokio::test(start_paused = true)]
async fn a_new_role_iam_has_not_propagated_is_waited_for_on_update_too() {
    let (aws, tf) = setup();
    let v1 = created(&tf, "v1").await;
    let new_role = "arn:aws:iam::000000000000:role/orders-v2";
    aws.role_propagates_at(new_role, aws.elapsed() + Duration::from_secs(40));
    let definition = definition(json!({"Role": new_role}));
    let cfg = config(
        &tf,
        &package("v1"),
        json!({"function_definition": definition}),
    );
    let applied = tf.apply(&v1, &cfg).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(s(&applied.state, "version"), "2");
    let refused = aws
        .calls()
        .iter()
        .filter(|c| c.call.operation() == "update_configuration" && c.error.is_some())
        .count();
    assert!(refused >= 7, "refused while IAM propagates: {refused}");
}

#[tokio::test(start_paused = true)]
async fn a_role_iam_does_not_know_stops_a_create_before_any_change() {
    let (aws, tf) = setup();
    aws.role_missing(ROLE);
    let applied = tf
        .apply(
            &Instance::default(),
            &config(&tf, &package("v1"), json!({})),
        )
        .await;
    assert_eq!(
        applied.error_summaries(),
        [format!(
            "Deployment not started: execution role {ROLE} does not exist"
        )]
    );
    assert!(applied.state.is_null());
    assert!(aws.function_names().is_empty());
    assert_eq!(aws.count("create_function"), 0, "Lambda was not asked");
}

#[tokio::test(start_paused = true)]
async fn a_change_to_a_role_iam_does_not_know_leaves_latest_untouched() {
    let (aws, tf) = setup();
    let v1 = created(&tf, "v1").await;
    let before = aws.mutations().len();
    let gone = "arn:aws:iam::000000000000:role/deleted";
    aws.role_missing(gone);
    let definition = definition(json!({"Role": gone}));
    let cfg = config(
        &tf,
        &package("v1"),
        json!({"function_definition": definition}),
    );
    let applied = tf.apply(&v1, &cfg).await;
    assert_eq!(
        applied.error_summaries(),
        [format!(
            "Deployment not started: execution role {gone} does not exist"
        )]
    );
    assert_eq!(aws.mutations().len(), before, "nothing changed in AWS");
    assert_eq!(s(&applied.state, "version"), "1");
    assert_eq!(applied.state, v1.state, "the state still says what serves");
}

#[tokio::test(start_paused = true)]
async fn an_iam_that_cannot_be_read_leaves_the_role_to_lambda() {
    let (aws, tf) = setup();
    aws.fail_next("get_role", 10, gitmoxi_engine::ports::AwsErrorKind::Other);
    let applied = tf
        .apply(
            &Instance::default(),
            &config(&tf, &package("v1"), json!({})),
        )
        .await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    assert_eq!(aws.count("get_role"), 1, "asked once, not retried");
    assert_eq!(s(&applied.state, "version"), "1");
}

#[tokio::test(start_paused = true)]
async fn a_missing_hook_function_stops_the_deployment_before_any_change() {
    let (aws, tf) = setup();
    let hooks = json!({"hooks": [{"before_allow_traffic": "smoke-test"}]});
    let applied = tf
        .apply(&Instance::default(), &config(&tf, &package("v1"), hooks))
        .await;
    let errors = applied.error_summaries();
    assert_eq!(
        errors,
        ["Deployment not started: hook function smoke-test does not exist"]
    );
    assert!(aws.function_names().is_empty());
}

#[tokio::test(start_paused = true)]
async fn packages_are_staged_in_s3_once() {
    let (aws, tf) = setup();
    aws.define_bucket("artifacts");
    let file = package("v1");
    let staged = json!({"package_s3_bucket": "artifacts"});
    let first = tf
        .apply(&Instance::default(), &config(&tf, &file, staged.clone()))
        .await;
    assert!(first.diagnostics.is_empty(), "{:?}", first.diagnostics);
    let keys = aws.object_keys("artifacts");
    assert_eq!(keys.len(), 1);
    assert!(keys[0].starts_with("gitmoxi/orders/"), "{keys:?}");

    let touched = json!({"package_s3_bucket": "artifacts", "function_definition": definition(json!({"Timeout": 5}))});
    let second = tf
        .apply(&first.instance(), &config(&tf, &file, touched))
        .await;
    assert!(second.diagnostics.is_empty(), "{:?}", second.diagnostics);
    assert_eq!(
        aws.count("put_object"),
        1,
        "the same package is uploaded once"
    );
}

#[tokio::test(start_paused = true)]
async fn a_staging_bucket_of_another_account_is_refused_before_any_change() {
    let (aws, tf) = setup();
    aws.define_bucket_owned_by("artifacts", "111122223333");
    let staged = json!({"package_s3_bucket": "artifacts"});
    let applied = tf
        .apply(&Instance::default(), &config(&tf, &package("v1"), staged))
        .await;
    let text = format!("{:?}", applied.diagnostics);
    assert!(text.contains("AccessDenied"), "{text}");
    assert!(text.contains("package_s3_bucket"), "{text}");
    assert!(aws.object_keys("artifacts").is_empty());
    assert!(aws.function_names().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_staged_object_whose_checksum_differs_is_uploaded_again() {
    let (aws, tf) = setup();
    aws.define_bucket("artifacts");
    let file = package("v1");
    let key = crate::model::release::staging_key("orders", b"v1");
    let tampered = gitmoxi_fake_aws::ObjectInfo {
        length: 2,
        checksum_sha256: Some(package_hash(b"v2")),
    };
    aws.put_object("artifacts", &key, gitmoxi_fake_aws::ACCOUNT, tampered)
        .unwrap();
    let staged = json!({"package_s3_bucket": "artifacts"});
    let applied = tf
        .apply(&Instance::default(), &config(&tf, &file, staged))
        .await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    let head = aws
        .head_object("artifacts", &key, gitmoxi_fake_aws::ACCOUNT)
        .unwrap();
    assert_eq!(head.checksum_sha256, Some(package_hash(b"v1")));
    assert_eq!(aws.count("put_object"), 2, "ours replaced the other one");
}

mod capacity;
mod secrets;
mod sources;

#[tokio::test(start_paused = true)]
async fn an_environment_over_4_kb_is_a_plan_error_that_shows_no_value() {
    let (aws, tf) = setup();
    let big = "x".repeat(3000);
    let secrets = json!({"sensitive_environment": {"TOKEN": big, "OTHER": "y".repeat(1200)}});
    let applied = tf
        .apply(&Instance::default(), &config(&tf, &package("v1"), secrets))
        .await;
    let errors = summaries(&applied.plan_diagnostics, true);
    assert_eq!(
        errors,
        ["The environment is larger than Lambda's 4 KB (4210 bytes)"]
    );
    let text = format!("{:?}", applied.plan_diagnostics);
    assert!(!text.contains("xxxx") && !text.contains("yyyy"), "{text}");
    assert!(aws.function_names().is_empty(), "no AWS call");
}

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
        errors[0].contains("serves version 1 now, but the plan was made for it serving version 2")
    );
    assert_eq!(
        aws.alias_of("orders", "live").unwrap().version,
        "1",
        "left as they set it"
    );
    assert_eq!(aws.versions_of("orders"), ["1", "2"], "nothing published");
}
