//! An in-memory AWS account for tests: Lambda functions with their versions, aliases, tags and
//! code-signing configuration, CloudWatch alarms and version metrics, hook functions, an SNS
//! topic, event source mappings, resource policies, function URLs, asynchronous-invocation
//! configs, load balancer target groups, API Gateway stages and S3 objects.
//!
//! It behaves like the real one where a deployment can tell, and refuses what real AWS refuses:
//! every update changes the RevisionId and a stale RevisionId is a conflict (on publish and on
//! alias updates); `$LATEST` stays InProgress for a while after each update and a second update
//! meanwhile is refused; new versions can stay Pending; publishing an unchanged `$LATEST` returns
//! the existing version; an aliased version cannot be deleted; UpdateFunctionConfiguration cannot
//! carry Architectures (UpdateFunctionCode does); a role just created cannot be assumed for a
//! while; a second mapping of the same source, statement id or function URL is a conflict.
//! Any operation can be throttled or failed on demand ([`FakeAws::fail_next`]).
//!
//! Time is `tokio::time`, so with a paused clock scripted events ("alarm X fires at 90s") happen
//! in virtual time. Everything asked of it is recorded in order ([`FakeAws::calls`]).
//!
//! The engine's scenario tests use one function ([`DEFAULT_FUNCTION`]) through the engine's ports
//! implemented on [`FakeAws`] itself; the provider's resource tests reach any function through
//! [`FakeAws::lambda`] and the account-level operations below.

mod calls;
mod functions;
mod guards;
mod lambda;
mod s3;
mod sources;
mod states;

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use gitmoxi_engine::ports::{AlarmState, AliasRouting, AwsError, AwsErrorKind};
use tokio::time::Instant;

pub use calls::{Call, Recorded};
use functions::World;
pub use functions::{Code, Configuration, FunctionView, NewFunction, Release};
pub use lambda::FakeLambda;
pub use s3::ObjectInfo;
pub use sources::{Mapping, Statement, UrlConfig};

/// The function the engine's ports act on when called on [`FakeAws`] itself.
pub const DEFAULT_FUNCTION: &str = "orders";
pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "000000000000";

/// A change someone else makes while a deployment runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Outside {
    /// Points the alias of the default function elsewhere (a console click, another pipeline);
    /// changes its RevisionId.
    Alias {
        alias: String,
        version: String,
        extra: Option<(String, f64)>,
    },
    /// Updates the default function's `$LATEST` (another apply): changes its RevisionId, and
    /// the update stays InProgress for the configured update time.
    TouchLatest,
}

/// The account, held in memory.
pub struct FakeAws {
    world: Mutex<World>,
    epoch: Instant,
    /// Step Functions executions by ARN (see `states.rs`).
    executions: Mutex<std::collections::BTreeMap<String, states::Execution>>,
}

impl Default for FakeAws {
    fn default() -> FakeAws {
        FakeAws::new()
    }
}

impl FakeAws {
    /// An account with one function, [`DEFAULT_FUNCTION`], whose `$LATEST` is settled, with no
    /// versions and no aliases. The release the engine's ports push is code `code-new`,
    /// configuration `config-new`.
    pub fn new() -> FakeAws {
        let fake = FakeAws::empty();
        fake.world().add_function(
            DEFAULT_FUNCTION,
            Code::zip("code-0"),
            Configuration::opaque("config-0"),
        );
        fake
    }

    /// An account with no functions at all.
    pub fn empty() -> FakeAws {
        let epoch = Instant::now();
        FakeAws {
            world: Mutex::new(World::new(epoch)),
            epoch,
            executions: Mutex::default(),
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

    /// `arn:aws:lambda:us-east-1:000000000000:function:NAME`
    pub fn function_arn(name: &str) -> String {
        format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
    }

    // ---- setup --------------------------------------------------------------------------

    /// Publishes versions of the default function up to n, each with its own code (`code-N`);
    /// `$LATEST` ends equal to version n.
    pub fn seed_versions(&self, n: u32) -> &FakeAws {
        self.world().seed_versions(DEFAULT_FUNCTION, n);
        self
    }

    /// Points an alias of the default function at a version directly, as an earlier apply or
    /// someone else would.
    pub fn set_alias(&self, alias: &str, version: &str, extra: Option<(&str, f64)>) -> &FakeAws {
        self.set_alias_of(DEFAULT_FUNCTION, alias, version, extra)
    }

    /// Points an alias of `function` at a version directly (creating it when missing).
    pub fn set_alias_of(
        &self,
        function: &str,
        alias: &str,
        version: &str,
        extra: Option<(&str, f64)>,
    ) -> &FakeAws {
        self.world().set_alias(function, alias, version, extra);
        self
    }

    /// What the default function's release pushes with `update_code` / `update_configuration`.
    pub fn set_release(&self, code: &str, config: &str) -> &FakeAws {
        self.world().release = Release {
            code: Code::zip(code),
            architectures: None,
            configuration: Configuration::opaque(config),
        };
        self
    }

    /// How long `$LATEST` stays InProgress after each update.
    pub fn update_takes(&self, d: Duration) -> &FakeAws {
        self.world().timing.update_takes = d;
        self
    }

    /// How long a newly published version (or a newly created function) stays Pending.
    pub fn versions_pending_for(&self, d: Duration) -> &FakeAws {
        self.world().timing.version_pending = d;
        self
    }

    /// How long a PublishVersion call takes to answer.
    pub fn publish_takes(&self, d: Duration) -> &FakeAws {
        self.world().timing.publish_takes = d;
        self
    }

    /// The next update settles with LastUpdateStatus Failed and this reason.
    pub fn fail_next_update(&self, reason: &str) -> &FakeAws {
        self.world().fail_next_update = Some(reason.into());
        self
    }

    /// The next configuration update answers success but leaves `field` as it was: a service
    /// that silently drops a setting, which only reading the version back shows.
    pub fn ignore_on_next_update(&self, field: &str) -> &FakeAws {
        self.world().ignore_fields.push(field.into());
        self
    }

    /// Versions published from now on end in State Failed with this reason.
    pub fn fail_new_versions(&self, reason: &str) -> &FakeAws {
        self.world().fail_new_versions = Some(reason.into());
        self
    }

    /// Lambda cannot assume `role` until `after` has passed since the fake was made, as with a
    /// role IAM has not propagated yet.
    pub fn role_propagates_at(&self, role: &str, after: Duration) -> &FakeAws {
        self.world().roles_ready_at.insert(role.into(), after);
        self
    }

    /// Every version of `function` (and `$LATEST`) answers with an error instead of its
    /// environment variables, as Lambda does for a caller that may not decrypt them.
    pub fn environment_unreadable(&self, function: &str) -> &FakeAws {
        let error = r#"{"Error":{"ErrorCode":"AccessDeniedException","Message":"KMS denied"}}"#;
        if let Some(f) = self.world().functions.get_mut(function) {
            let configs = f.versions.values_mut().map(|v| &mut v.configuration);
            for c in configs.chain(std::iter::once(&mut f.latest.configuration)) {
                c.0.insert("Environment".into(), error.into());
            }
        }
        self
    }

    /// Lambda's limit on the environment (4096 bytes of JSON), lowered to provoke its answer,
    /// which echoes every variable.
    pub fn environment_limit(&self, bytes: usize) -> &FakeAws {
        self.world().environment_limit = bytes;
        self
    }

    /// Provisioned concurrency takes `d` to become READY after it is asked for.
    pub fn capacity_takes(&self, d: Duration) -> &FakeAws {
        self.world().capacity_script.takes = d;
        self
    }

    /// The next provisioned concurrency asked for fails with `reason` (Lambda's StatusReason).
    pub fn fail_next_capacity(&self, reason: &str) -> &FakeAws {
        self.world().capacity_script.fail_next = Some(reason.into());
        self
    }

    /// Provisioned concurrency asked for from now on never becomes READY.
    pub fn capacity_stuck(&self) -> &FakeAws {
        self.world().capacity_script.stuck = true;
        self
    }

    /// The account's unreserved concurrency (1000 unless set).
    pub fn unreserved_concurrency_is(&self, n: u32) -> &FakeAws {
        self.world().unreserved_concurrency = n;
        self
    }

    /// The provisioned concurrency asked for on `qualifier` of `function`, if any.
    pub fn capacity_of(&self, function: &str, qualifier: &str) -> Option<u32> {
        let w = self.world();
        let f = w.functions.get(function)?;
        f.capacity.get(qualifier).map(|a| a.requested)
    }

    /// IAM has no role `role`: GetRole answers NotFound and Lambda refuses it (with the same
    /// answer as for a role not propagated yet, as the real one does).
    pub fn role_missing(&self, role: &str) -> &FakeAws {
        self.world().missing_roles.insert(role.into());
        self
    }

    /// IAM GetRole, by role ARN.
    pub fn get_role(&self, role: &str) -> Result<(), AwsError> {
        self.call(Call::GetRole(role.into()), |w, _| {
            match w.missing_roles.contains(role) {
                true => Err(error(
                    AwsErrorKind::NotFound,
                    format!("The role with name {role} cannot be found."),
                )),
                false => Ok(()),
            }
        })
    }

    /// The next `n` calls of `operation` (a [`Call::operation`] name) are throttled.
    pub fn throttle(&self, operation: &'static str, n: u32) -> &FakeAws {
        self.fail_next(operation, n, AwsErrorKind::Throttled)
    }

    /// The next `n` calls of `operation` (a [`Call::operation`] name) fail with `kind`.
    pub fn fail_next(&self, operation: &'static str, n: u32, kind: AwsErrorKind) -> &FakeAws {
        self.world().injected.insert(operation, (n, kind, false));
        self
    }

    /// The next `n` calls of `operation` take effect, but their answer is lost (a timeout after
    /// AWS acted): the caller sees a Throttled error.
    pub fn lose_answers(&self, operation: &'static str, n: u32) -> &FakeAws {
        self.world()
            .injected
            .insert(operation, (n, AwsErrorKind::Throttled, true));
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

    /// How many calls of `operation` (a [`Call::operation`] name) were made.
    pub fn count(&self, operation: &str) -> usize {
        self.world()
            .calls
            .iter()
            .filter(|r| r.call.operation() == operation)
            .count()
    }

    /// After each successful alias write, the percent `version` received.
    pub fn traffic_to(&self, version: &str) -> Vec<u8> {
        self.calls()
            .iter()
            .filter(|r| r.error.is_none())
            .filter_map(|r| r.call.traffic_to(version))
            .collect()
    }

    /// An alias of the default function.
    pub fn alias(&self, name: &str) -> Option<AliasRouting> {
        self.alias_of(DEFAULT_FUNCTION, name)
    }

    pub fn alias_of(&self, function: &str, name: &str) -> Option<AliasRouting> {
        let mut w = self.world();
        w.catch_up(Instant::now());
        w.functions.get(function)?.aliases.get(name).cloned()
    }

    /// The default function's versions.
    pub fn versions(&self) -> Vec<String> {
        self.versions_of(DEFAULT_FUNCTION)
    }

    pub fn versions_of(&self, function: &str) -> Vec<String> {
        self.world()
            .functions
            .get(function)
            .map(|f| f.versions.keys().map(u64::to_string).collect())
            .unwrap_or_default()
    }

    /// The code the default function's `$LATEST` holds.
    pub fn latest_code(&self) -> String {
        self.world()
            .functions
            .get(DEFAULT_FUNCTION)
            .map(|f| f.latest.code.sha256.clone())
            .unwrap_or_default()
    }

    /// The names of the functions that exist.
    pub fn function_names(&self) -> Vec<String> {
        self.world().functions.keys().cloned().collect()
    }

    /// Runs `op` against the world and records it as `call`; an injected failure for the call's
    /// operation answers instead (or, for a lost answer, after `op` took effect).
    fn call<T>(
        &self,
        call: Call,
        op: impl FnOnce(&mut World, Instant) -> Result<T, AwsError>,
    ) -> Result<T, AwsError> {
        let now = Instant::now();
        let mut w = self.world();
        w.catch_up(now);
        let injected = match w.injected.get_mut(call.operation()) {
            Some((n, kind, lost)) if *n > 0 => {
                *n -= 1;
                Some((*kind, *lost))
            }
            _ => None,
        };
        let result = match injected {
            Some((kind, false)) => Err(AwsError::new(kind, format!("injected {kind}"))),
            Some((kind, true)) => op(&mut w, now)
                .and_then(|_| Err(AwsError::new(kind, "injected: the answer was lost"))),
            None => op(&mut w, now),
        };
        let at = now.saturating_duration_since(self.epoch);
        let error = result.as_ref().err().map(|e| e.kind);
        w.calls.push(Recorded { at, call, error });
        result
    }
}

fn error(kind: AwsErrorKind, message: impl Into<String>) -> AwsError {
    AwsError::new(kind, message)
}
