//! Cleanup after success: `retain_versions`, and versions that are never deleted.

use gitmoxi_engine::{AwsErrorKind, Retention, ShiftKind, Status, Target};
use gitmoxi_fake_aws::FakeAws;

use crate::common::*;

/// Versions 1..=6, `live` on 6, `dev` pinned to 2, `qa` on 4 with 10% to 1. The release is 7.
fn crowded() -> FakeAws {
    let fake = FakeAws::new();
    fake.seed_versions(6)
        .set_alias("live", "6", None)
        .set_alias("dev", "2", None)
        .set_alias("qa", "4", Some(("1", 0.1)))
        .define_alarm("errors");
    fake
}

async fn deploy_retaining(retain: u32) -> (FakeAws, Vec<String>) {
    let fake = crowded();
    let mut d = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    d.retention = Retention::KeepNewest(retain);
    let run = deploy(&fake, &d).await;
    assert_eq!(
        run.outcome.status,
        Status::Succeeded,
        "{:?}",
        run.outcome.reason
    );
    assert_eq!(
        run.outcome.deleted_versions,
        fake.mutations()
            .iter()
            .filter_map(|m| m.strip_prefix("delete ").map(String::from))
            .collect::<Vec<_>>()
    );
    (fake, run.outcome.deleted_versions)
}

#[tokio::test(start_paused = true)]
async fn retains_no_older_versions_but_never_aliased_ones() {
    let (fake, deleted) = deploy_retaining(0).await;
    assert_eq!(deleted, ["3", "5", "6"]);
    assert_eq!(fake.versions(), ["1", "2", "4", "7"]);
}

#[tokio::test(start_paused = true)]
async fn retains_one_older_version() {
    let (fake, deleted) = deploy_retaining(1).await;
    assert_eq!(deleted, ["3", "5"]);
    assert_eq!(fake.versions(), ["1", "2", "4", "6", "7"]);
}

#[tokio::test(start_paused = true)]
async fn retains_two_older_versions() {
    let (fake, deleted) = deploy_retaining(2).await;
    assert_eq!(deleted, ["3"]);
    assert_eq!(fake.versions(), ["1", "2", "4", "5", "6", "7"]);
}

#[tokio::test(start_paused = true)]
async fn keeps_versions_newer_than_the_serving_one() {
    let fake = crowded();
    let mut d = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    d.alias = "dev".into();
    d.target = Target::Existing("3".into());
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::Succeeded);
    // 1 is routed by qa; 2 was dev's and is no longer routed; 4..=6 are newer than 3.
    assert_eq!(run.outcome.deleted_versions, ["2"]);
    assert_eq!(fake.versions(), ["1", "3", "4", "5", "6"]);
}

#[tokio::test(start_paused = true)]
async fn a_refused_delete_never_fails_a_successful_deployment() {
    let fake = crowded();
    // AWS refuses the first delete (an alias was pointed at it after we listed them).
    fake.fail_next("delete_version", 1, AwsErrorKind::InUse);
    let mut d = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    d.retention = Retention::KeepNewest(0);
    let run = deploy(&fake, &d).await;

    assert_eq!(run.outcome.status, Status::Succeeded);
    assert_eq!(
        fake.mutations()[fake.mutations().len() - 3..],
        ["delete 3 !InUse", "delete 5", "delete 6"]
    );
    assert_eq!(run.outcome.deleted_versions, ["5", "6"]);
    assert!(
        run.events.iter().any(|e| e.starts_with("kept version 3")),
        "{:#?}",
        run.events
    );
}

#[tokio::test(start_paused = true)]
async fn by_default_only_the_replaced_version_goes_and_nothing_is_listed() {
    let fake = crowded();
    let run = deploy(&fake, &deployment(plan(ShiftKind::Canary, 10, 60, 0))).await;

    assert_eq!(run.outcome.status, Status::Succeeded);
    assert_eq!(run.outcome.deleted_versions, ["6"]);
    assert_eq!(fake.versions(), ["1", "2", "3", "4", "5", "7"]);
    assert_eq!(fake.count("list_versions") + fake.count("list_aliases"), 0);
}

#[tokio::test(start_paused = true)]
async fn a_replaced_version_an_alias_routes_to_is_kept_by_lambdas_refusal() {
    let fake = crowded();
    // `dev` follows `live` onto 6 by weight: Lambda refuses to delete a version an alias uses.
    fake.set_alias("dev", "2", Some(("6", 0.5)));
    let run = deploy(&fake, &deployment(plan(ShiftKind::Canary, 10, 60, 0))).await;

    assert_eq!(run.outcome.status, Status::Succeeded);
    assert!(run.outcome.deleted_versions.is_empty());
    assert!(fake.versions().contains(&"6".to_string()));
    assert!(
        run.events
            .iter()
            .any(|e| e.starts_with("kept version 6") && e.contains("an alias routes to it")),
        "{:#?}",
        run.events
    );
}
