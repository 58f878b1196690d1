//! An in-memory AWS for tests (Lambda, alarms, hook functions, version metrics and a
//! notification topic), behaving like the real one where a rollout can tell: every update
//! changes the RevisionId, a stale RevisionId is a conflict, `$LATEST` stays InProgress for a
//! while after each update, new versions can stay Pending, an aliased version cannot be deleted,
//! and publishing an unchanged `$LATEST` returns the existing version. Time is `tokio::time`, so
//! with a paused clock scripted events ("alarm X fires at 90s") happen in virtual time.
//!
//! Everything the engine calls is recorded in order ([`FakeAws::calls`]).

mod calls;
mod guards;
mod world;

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::{sleep, Instant};

use crate::ports::{
    AlarmState, Alarms, AliasRouting, AwsError, AwsErrorKind, FunctionStatus, Lambda,
    PublishedVersion,
};

pub use calls::{Call, Recorded};
pub use world::Outside;
use world::World;

/// One function (and its alarms, hooks, metrics and topic) held in memory; implements
/// [`Lambda`], [`Alarms`] and, in `guards.rs`, [`Hooks`](crate::Hooks),
/// [`Metrics`](crate::Metrics) and [`Notifier`](crate::Notifier).
pub struct FakeAws {
    world: Mutex<World>,
    epoch: Instant,
}

impl Default for FakeAws {
    fn default() -> FakeAws {
        FakeAws::new()
    }
}

impl FakeAws {
    /// A function whose `$LATEST` is settled, with no versions and no aliases. The release the
    /// engine pushes is code `code-new`, configuration `config-new`.
    pub fn new() -> FakeAws {
        let epoch = Instant::now();
        FakeAws {
            world: Mutex::new(World::new(epoch)),
            epoch,
        }
    }

    fn world(&self) -> MutexGuard<'_, World> {
        // A panicking test thread poisons the lock; the data is still fine to read.
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Time since the fake was made, as scripts and records count it.
    pub fn elapsed(&self) -> Duration {
        self.epoch.elapsed()
    }

    // ---- setup --------------------------------------------------------------------------

    /// Publishes versions up to n, each with its own code (`code-N`); `$LATEST` ends equal to
    /// version n.
    pub fn seed_versions(&self, n: u32) -> &FakeAws {
        let mut w = self.world();
        let have = w.versions.len() as u32;
        for i in have + 1..=n {
            w.latest.code = format!("code-{i}");
            w.latest.revision = w.next_revision();
            w.publish_now(Instant::now());
        }
        drop(w);
        self
    }

    /// Points an alias at a version directly, as an earlier apply or someone else would.
    pub fn set_alias(&self, alias: &str, version: &str, extra: Option<(&str, f64)>) -> &FakeAws {
        self.world().set_alias(alias, version, extra);
        self
    }

    /// What the release pushes with `update_code` / `update_configuration`.
    pub fn set_release(&self, code: &str, config: &str) -> &FakeAws {
        let mut w = self.world();
        w.release = (code.into(), config.into());
        drop(w);
        self
    }

    /// How long `$LATEST` stays InProgress after each update.
    pub fn update_takes(&self, d: Duration) -> &FakeAws {
        self.world().update_takes = d;
        self
    }

    /// How long a newly published version stays Pending.
    pub fn versions_pending_for(&self, d: Duration) -> &FakeAws {
        self.world().version_pending = d;
        self
    }

    /// How long a PublishVersion call takes to answer.
    pub fn publish_takes(&self, d: Duration) -> &FakeAws {
        self.world().publish_takes = d;
        self
    }

    /// The next update settles with LastUpdateStatus Failed and this reason.
    pub fn fail_next_update(&self, reason: &str) -> &FakeAws {
        self.world().fail_next_update = Some(reason.into());
        self
    }

    /// Versions published from now on end in State Failed with this reason.
    pub fn fail_new_versions(&self, reason: &str) -> &FakeAws {
        self.world().fail_new_versions = Some(reason.into());
        self
    }

    /// The next `n` calls of `operation` (a [`Call::operation`] name) are throttled.
    pub fn throttle(&self, operation: &'static str, n: u32) -> &FakeAws {
        self.fail_next(operation, n, AwsErrorKind::Throttled)
    }

    /// The next `n` calls of `operation` (a [`Call::operation`] name) fail with `kind`.
    pub fn fail_next(&self, operation: &'static str, n: u32, kind: AwsErrorKind) -> &FakeAws {
        self.world().injected.insert(operation, (n, kind));
        self
    }

    /// An alarm that exists, OK until scripted otherwise.
    pub fn define_alarm(&self, name: &str) -> &FakeAws {
        self.world().alarms.entry(name.into()).or_default();
        self
    }

    /// From `at` (since the fake was made) on, the alarm is in `state`.
    pub fn alarm_at(&self, name: &str, at: Duration, state: AlarmState) -> &FakeAws {
        let mut w = self.world();
        let script = w.alarms.entry(name.into()).or_default();
        script.push((at, state));
        script.sort_by_key(|(t, _)| *t);
        drop(w);
        self
    }

    /// Someone else acts at `at` (since the fake was made).
    pub fn outside_at(&self, at: Duration, change: Outside) -> &FakeAws {
        self.world().outside.push((at, change));
        self
    }

    // ---- inspection ---------------------------------------------------------------------

    pub fn calls(&self) -> Vec<Recorded> {
        self.world().calls.clone()
    }

    /// The calls that change something, as short labels (`shift live 1 + 2@10%`), refused ones
    /// suffixed with the error kind: the sequence a scenario asserts exactly.
    pub fn mutations(&self) -> Vec<String> {
        self.calls()
            .iter()
            .filter(|r| r.call.mutates())
            .map(Recorded::label)
            .collect()
    }

    /// After each successful alias write by the engine, the percent `version` received.
    pub fn traffic_to(&self, version: &str) -> Vec<u8> {
        self.calls()
            .iter()
            .filter(|r| r.error.is_none())
            .filter_map(|r| r.call.traffic_to(version))
            .collect()
    }

    pub fn alias(&self, name: &str) -> Option<AliasRouting> {
        let mut w = self.world();
        w.catch_up(Instant::now());
        w.aliases.get(name).cloned()
    }

    pub fn versions(&self) -> Vec<String> {
        self.world().versions.keys().map(u64::to_string).collect()
    }

    /// The code `$LATEST` holds.
    pub fn latest_code(&self) -> String {
        self.world().latest.code.clone()
    }

    fn call<T>(
        &self,
        call: Call,
        act: impl FnOnce(&mut World, Instant) -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        let now = Instant::now();
        let mut w = self.world();
        w.catch_up(now);
        let result = match w.injected.get_mut(call.operation()) {
            Some((n, kind)) if *n > 0 => {
                *n -= 1;
                Err(AwsError::new(*kind, format!("injected {kind}")))
            }
            _ => act(&mut w, now),
        };
        let at = now.saturating_duration_since(self.epoch);
        let error = result.as_ref().err().map(|e| e.kind);
        w.calls.push(Recorded { at, call, error });
        result
    }
}

impl Lambda for FakeAws {
    async fn status(&self, qualifier: &str) -> Result<FunctionStatus, AwsError> {
        self.call(Call::Status(qualifier.into()), |w, now| {
            w.status(qualifier, now)
        })
    }

    async fn update_code(&self) -> Result<(), AwsError> {
        self.call(Call::UpdateCode, |w, now| w.update(now, true))
    }

    async fn update_configuration(&self) -> Result<(), AwsError> {
        self.call(Call::UpdateConfiguration, |w, now| w.update(now, false))
    }

    async fn publish_version(
        &self,
        revision_id: &str,
        _description: &str,
    ) -> Result<PublishedVersion, AwsError> {
        let latency = self.world().publish_takes;
        if !latency.is_zero() {
            sleep(latency).await;
        }
        let call = Call::Publish {
            revision_id: revision_id.into(),
        };
        self.call(call, |w, now| w.publish(revision_id, now))
    }

    async fn get_alias(&self, alias: &str) -> Result<Option<AliasRouting>, AwsError> {
        self.call(Call::GetAlias(alias.into()), |w, _| {
            Ok(w.aliases.get(alias).cloned())
        })
    }

    async fn create_alias(&self, alias: &str, version: &str) -> Result<AliasRouting, AwsError> {
        let call = Call::CreateAlias {
            alias: alias.into(),
            version: version.into(),
        };
        self.call(call, |w, _| w.create_alias(alias, version))
    }

    async fn shift_alias(
        &self,
        alias: &str,
        version: &str,
        extra: Option<(&str, f64)>,
        revision_id: &str,
    ) -> Result<AliasRouting, AwsError> {
        let call = Call::ShiftAlias {
            alias: alias.into(),
            version: version.into(),
            extra: extra.map(|(v, w)| (v.into(), w)),
            revision_id: revision_id.into(),
        };
        self.call(call, |w, _| {
            w.shift_alias(alias, version, extra, revision_id)
        })
    }

    async fn list_versions(&self) -> Result<Vec<String>, AwsError> {
        self.call(Call::ListVersions, |w, _| {
            Ok(w.versions.keys().map(u64::to_string).collect())
        })
    }

    async fn list_aliases(&self) -> Result<Vec<(String, AliasRouting)>, AwsError> {
        self.call(Call::ListAliases, |w, _| {
            Ok(w.aliases
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect())
        })
    }

    async fn delete_version(&self, version: &str) -> Result<(), AwsError> {
        self.call(Call::DeleteVersion(version.into()), |w, _| {
            w.delete_version(version)
        })
    }
}

impl Alarms for FakeAws {
    async fn states(&self, names: &[String]) -> Result<Vec<(String, AlarmState)>, AwsError> {
        let epoch = self.epoch;
        self.call(Call::AlarmStates(names.to_vec()), |w, now| {
            Ok(w.alarm_states(names, now.saturating_duration_since(epoch)))
        })
    }
}
