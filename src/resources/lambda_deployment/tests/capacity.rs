//! `provisioned_concurrency`: warm capacity on every release before traffic, on the old version
//! until success, and a number-only change applied in place.

use super::*;

const CAPACITY: &str = "5 provisioned concurrency on the new version, READY before traffic";

fn warm(n: u32) -> Json {
    json!({"provisioned_concurrency": n})
}

#[tokio::test(start_paused = true)]
async fn a_release_is_warm_before_traffic_and_the_plan_says_so() {
    let (aws, tf) = setup();
    let file1 = package("v1");
    let v1 = tf
        .apply(&Instance::default(), &config(&tf, &file1, warm(5)))
        .await;
    assert!(v1.diagnostics.is_empty(), "{:?}", v1.diagnostics);
    assert_eq!(aws.capacity_of("orders", "1"), Some(5));

    let cfg = config(&tf, &package("v2"), warm(5));
    let (planned, _) = tf.plan(&v1.instance(), &cfg).await;
    let schedule = planned.get("last_deployment").get("schedule").elements();
    let lines: Vec<&str> = schedule.iter().filter_map(Value::as_str).collect();
    assert_eq!(
        lines,
        [
            CAPACITY,
            "10% for 5m0s",
            "100%",
            "release the previous version's provisioned concurrency"
        ]
    );

    let v2 = tf.apply(&v1.instance(), &cfg).await;
    assert!(v2.diagnostics.is_empty(), "{:?}", v2.diagnostics);
    assert_eq!(aws.capacity_of("orders", "2"), Some(5));
    assert_eq!(
        aws.capacity_of("orders", "1"),
        None,
        "released after success"
    );
    let mutations = aws.mutations();
    let provisioned = mutations.iter().position(|m| m == "provision 2 5");
    let shifted = mutations
        .iter()
        .position(|m| m.starts_with("shift live 1 + 2@"));
    assert!(
        provisioned.is_some() && provisioned < shifted,
        "{mutations:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_number_only_change_is_applied_in_place_on_the_serving_version() {
    let (aws, tf) = setup();
    let file = package("v1");
    let v1 = tf
        .apply(&Instance::default(), &config(&tf, &file, warm(5)))
        .await;
    let more = tf.apply(&v1.instance(), &config(&tf, &file, warm(8))).await;
    assert!(more.diagnostics.is_empty(), "{:?}", more.diagnostics);
    assert_eq!(aws.versions_of("orders"), ["1"], "nothing published");
    assert_eq!(aws.capacity_of("orders", "1"), Some(8));
    assert_eq!(s(&more.state, "version"), "1");

    let none = tf
        .apply(&more.instance(), &config(&tf, &file, warm(0)))
        .await;
    assert!(none.diagnostics.is_empty(), "{:?}", none.diagnostics);
    assert_eq!(aws.capacity_of("orders", "1"), None);
}

#[tokio::test(start_paused = true)]
async fn capacity_that_does_not_fit_the_account_stops_the_release_before_any_change() {
    let (aws, tf) = setup();
    let v1 = tf
        .apply(&Instance::default(), &config(&tf, &package("v1"), warm(30)))
        .await;
    aws.unreserved_concurrency_is(150);
    let before = aws.mutations().len();
    let applied = tf
        .apply(&v1.instance(), &config(&tf, &package("v2"), warm(30)))
        .await;
    assert_eq!(
        applied.error_summaries(),
        ["Deployment not started: provisioned concurrency does not fit the account"]
    );
    let text = format!("{:?}", applied.diagnostics);
    assert!(
        text.contains("60 at once") && text.contains("150 unreserved"),
        "{text}"
    );
    assert_eq!(aws.mutations().len(), before, "nothing changed");
}

#[tokio::test(start_paused = true)]
async fn a_version_lambda_cannot_warm_fails_before_traffic_and_the_state_keeps_the_old_one() {
    let (aws, tf) = setup();
    let v1 = tf
        .apply(&Instance::default(), &config(&tf, &package("v1"), warm(5)))
        .await;
    aws.fail_next_capacity("FUNCTION_ERROR_INIT_FAILURE");
    let applied = tf
        .apply(&v1.instance(), &config(&tf, &package("v2"), warm(5)))
        .await;
    assert!(applied.diagnostics.has_errors());
    let last = applied.state.get("last_deployment");
    assert_eq!(
        last.get("failed_check").as_str(),
        Some("provisioned_concurrency")
    );
    assert_eq!(s(&applied.state, "version"), "1");
    assert_eq!(aws.capacity_of("orders", "1"), Some(5));
    assert_eq!(aws.alias_of("orders", "live").unwrap().version, "1");
}
