//! Two pipelines deploying the same function at once (the concurrency rules: revisions on every write), both engines against
//! one fake AWS with a paused clock. Emulators ignore PublishVersion's RevisionId, so the publish
//! race is proven here: whichever pipeline's expected revision is stale stops with a conflict and
//! clobbers nothing; the other proceeds.

#[path = "common/mod.rs"]
mod common;

use common::{assert_serves, deploy, deployment, fake, plan, secs};
use gitmoxi_engine::{ShiftKind, Status};

/// Pipeline B updates `$LATEST` while A's PublishVersion is in flight: A's publish carries a
/// stale RevisionId and is refused, so A stops before any traffic moves; B publishes its own
/// release and rolls it out.
#[tokio::test(start_paused = true)]
async fn second_pipeline_updating_latest_makes_the_first_publish_conflict() {
    let fake = fake();
    fake.publish_takes(secs(5))
        .set_release("code-a", "config-a");
    let mut a = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    a.id = "pipeline-a".into();
    let mut b = deployment(plan(ShiftKind::Canary, 10, 60, 0));
    b.id = "pipeline-b".into();

    let (run_a, run_b) = tokio::join!(deploy(&fake, &a), async {
        tokio::time::sleep(secs(2)).await;
        fake.set_release("code-b", "config-b");
        deploy(&fake, &b).await
    });

    let (oa, ob) = (&run_a.outcome, &run_b.outcome);
    assert_eq!(oa.status, Status::Failed, "{:?}", oa.reason);
    assert_eq!(oa.failed_check.as_deref(), Some("conflict"));
    assert_eq!(oa.to_version, None, "A published nothing");
    assert!(oa.steps.is_empty(), "A moved no traffic");
    assert_eq!(ob.status, Status::Succeeded, "{:?}", ob.reason);
    let winner = ob.to_version.clone().expect("B published");
    assert_serves(&fake, "live", &winner);
    assert_eq!(fake.latest_code(), "code-b");
    // Every alias write moved traffic to B's version; none was refused (A never reached it).
    let shifts: Vec<String> = fake
        .mutations()
        .into_iter()
        .filter(|m| m.starts_with("shift"))
        .collect();
    assert!(
        shifts
            .iter()
            .all(|s| s.contains(&winner) && !s.contains('!')),
        "{shifts:?}"
    );
    assert_eq!(
        fake.mutations()
            .iter()
            .filter(|m| m.starts_with("publish"))
            .map(String::as_str)
            .collect::<Vec<_>>(),
        ["publish !Conflict", "publish"]
    );
}

/// A is at 40% when B publishes its own release and starts shifting: A's next alias update
/// carries a stale RevisionId, is refused, and A stops without writing the alias again (B's
/// change wins). B rolls out to 100%.
#[tokio::test(start_paused = true)]
async fn second_pipeline_shifting_the_alias_stops_the_first_with_a_conflict() {
    let fake = fake();
    fake.set_release("code-a", "config-a");
    let mut a = deployment(plan(ShiftKind::Linear, 20, 60, 0));
    a.id = "pipeline-a".into();
    let mut b = deployment(plan(ShiftKind::Linear, 20, 60, 0));
    b.id = "pipeline-b".into();

    let (run_a, run_b) = tokio::join!(deploy(&fake, &a), async {
        tokio::time::sleep(secs(90)).await;
        fake.set_release("code-b", "config-b");
        deploy(&fake, &b).await
    });

    let (oa, ob) = (&run_a.outcome, &run_b.outcome);
    assert_eq!(oa.status, Status::Failed, "{:?}", oa.reason);
    assert_eq!(oa.failed_check.as_deref(), Some("conflict"));
    assert!(
        oa.reason
            .as_deref()
            .unwrap_or("")
            .to_lowercase()
            .contains("conflict")
            || oa.reason.as_deref().unwrap_or("").contains("someone else"),
        "A's error names the conflict: {:?}",
        oa.reason
    );
    assert_eq!(ob.status, Status::Succeeded, "{:?}", ob.reason);
    let a_version = oa.to_version.clone().expect("A published");
    let b_version = ob.to_version.clone().expect("B published");
    assert_ne!(a_version, b_version);
    assert_serves(&fake, "live", &b_version);

    // A's alias writes end with the refused one: it never wrote again after the conflict.
    let mutations = fake.mutations();
    let a_shifts: Vec<&String> = mutations
        .iter()
        .filter(|m| m.starts_with("shift") && m.contains(&format!("{a_version}@")))
        .collect();
    assert!(
        a_shifts.last().is_some_and(|m| m.ends_with("!Conflict")),
        "{mutations:?}"
    );
    assert_eq!(
        a_shifts.iter().filter(|m| m.ends_with("!Conflict")).count(),
        1,
        "{mutations:?}"
    );
    // A's record of what serves is what it re-read: B's routing, not its own.
    let serving = oa.serving.as_ref().expect("A re-read the alias");
    assert!(
        serving.extra.as_ref().is_none_or(|(v, _)| *v == b_version) || serving.version == b_version,
        "A's state records B's routing: {serving:?}"
    );
}
