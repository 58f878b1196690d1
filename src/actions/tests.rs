//! The actions on the in-memory account: what is refused before any change, and the guard that
//! holds a run to the version the action saw the alias serve.

use std::sync::{Arc, Mutex};

use gitmoxi_fake_aws::FakeAws;
use serde_json::json;

use super::promote::Promote;
use super::rollback::Rollback;
use super::*;
use crate::testing::{summaries, FakeCloud};

fn on_fake(aws: &Arc<FakeAws>) -> Configured<FakeCloud> {
    Configured::ready(FakeCloud::new(aws.clone()))
}

fn config(action: &dyn Action, json: serde_json::Value) -> Value {
    Value::from_json_value(&json, &action.schema().value_type()).expect("fits the schema")
}

/// Invokes `action`, returning its diagnostics and its progress lines.
async fn invoked(action: &dyn Action, config: Value) -> (Diagnostics, Vec<String>) {
    let lines = Mutex::new(Vec::new());
    let progress = |line: String| lines.lock().unwrap().push(line);
    let ctx = RequestContext {
        stop: Default::default(),
    };
    let diags = action.invoke(&ctx, config, &progress).await;
    (diags, lines.into_inner().unwrap())
}

fn account() -> Arc<FakeAws> {
    let aws = Arc::new(FakeAws::new());
    aws.seed_versions(2)
        .set_alias("live", "1", Some(("2", 0.3)));
    aws
}

#[tokio::test(start_paused = true)]
async fn what_cannot_work_is_refused_at_validate_with_its_argument() {
    let aws = account();
    let rollback = Rollback::new(on_fake(&aws));
    let bad = json!({"function_name": "arn:aws:lambda:us-east-1:1:function:orders",
                     "alias": "live", "to_version": "07", "notification_topic_arn": "topic"});
    let diags = rollback.validate(&config(&rollback, bad)).await;
    let paths: Vec<_> = diags.0.iter().map(|d| format!("{:?}", d.path)).collect();
    assert_eq!(diags.0.len(), 3, "{diags:?}");
    for name in ["function_name", "to_version", "notification_topic_arn"] {
        assert!(paths.iter().any(|p| p.contains(name)), "{name}: {paths:?}");
    }
    let promote = Promote::new(on_fake(&aws));
    let bad = json!({"function_name": "orders", "alias": "$LATEST", "version": "0",
                     "alarms": null, "notification_topic_arn": null, "traffic_shifting": []});
    let diags = promote.validate(&config(&promote, bad)).await;
    assert_eq!(
        summaries(&diags, true),
        [
            "Invalid version \"0\"",
            "Alias \"$LATEST\" is not an alias name"
        ],
        "each reported once"
    );
}

#[tokio::test(start_paused = true)]
async fn promote_never_creates_an_alias() {
    let aws = account();
    let promote = Promote::new(on_fake(&aws));
    let misspelt = json!({"function_name": "orders", "alias": "lvie", "version": "2",
                          "alarms": null, "notification_topic_arn": null, "traffic_shifting": []});
    let (diags, _) = invoked(&promote, config(&promote, misspelt)).await;
    assert_eq!(summaries(&diags, true), ["orders has no alias lvie"]);
    assert!(format!("{:?}", diags.0[0].path).contains("alias"));
    assert_eq!(aws.count("create_alias"), 0);
    assert!(aws.alias("lvie").is_none());
}

#[tokio::test(start_paused = true)]
async fn a_run_is_held_to_the_version_the_action_saw() {
    let aws = account();
    let cloud = FakeCloud::new(aws.clone());
    let settings = crate::model::settings::Settings::default();
    let progress = |_: String| {};
    let ctx = RequestContext {
        stop: Default::default(),
    };
    // The action saw `live` serve 2; it serves 1 now (someone moved it in between).
    let on = ("orders", "live", "2");
    let diags = run_on_alias(
        &cloud,
        &ctx,
        &progress,
        on,
        (at_once(), Some("2")),
        &settings,
    )
    .await;
    let errors = summaries(&diags, true);
    assert_eq!(errors.len(), 1, "{diags:?}");
    assert!(
        errors[0].contains("serves version 1 now, not version 2"),
        "{errors:?}"
    );
    assert_eq!(aws.count("shift_alias"), 0, "nothing was changed");
    let live = aws.alias("live").unwrap();
    assert_eq!(
        (live.version.as_str(), live.extra),
        ("1", Some(("2".into(), 0.3)))
    );
}
