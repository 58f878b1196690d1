//! One alarm poller for every rollout of the provider process. A rollout asking for its alarms
//! gets answers at most [`FRESH`] old; when they are older, one DescribeAlarms call (per 100
//! names) refreshes every alarm any rollout asked for lately, so hundreds of rollouts cost about
//! one call a second instead of one each per check. A state that changed since the last look and
//! is not ALARM now gets one DescribeAlarmHistory call, so an ALARM between two polls is not
//! missed; each rollout's [`AlarmView`] reports such an ALARM once to a rollout that had not seen
//! it, even when another rollout's poll found it.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use gitmoxi_engine::ports::{AlarmState, Alarms, AwsError};
use tokio::time::Instant;

/// How old an answer may be.
pub const FRESH: Duration = Duration::from_secs(1);
/// How long an alarm stays in every refresh after a rollout last asked for it.
const INTEREST: Duration = Duration::from_secs(30);
/// DescribeAlarms takes at most 100 names a call.
const NAMES_PER_CALL: usize = 100;

/// What DescribeAlarms says of one alarm.
#[derive(Clone, Debug, PartialEq)]
pub struct Observed {
    pub name: String,
    pub state: AlarmState,
    /// When its state last changed.
    pub changed: Option<SystemTime>,
}

/// Where alarm states come from: CloudWatch, or a script in tests.
pub trait AlarmSource: Send + Sync {
    /// The alarms among `names` (at most 100) that exist.
    fn describe(
        &self,
        names: &[String],
    ) -> impl Future<Output = Result<Vec<Observed>, AwsError>> + Send;

    /// Whether the alarm went into ALARM at some point since `since`.
    fn went_to_alarm_since(
        &self,
        name: &str,
        since: SystemTime,
    ) -> impl Future<Output = bool> + Send;
}

#[derive(Clone, Debug)]
struct Entry {
    /// None: no such alarm.
    state: Option<AlarmState>,
    fetched: Instant,
    fetched_wall: SystemTime,
    /// The start of the last window in which it was seen in ALARM: the refresh itself when it
    /// was in ALARM then, the refresh before when only its history showed the ALARM.
    alarm_window: Option<Instant>,
}

#[derive(Default)]
struct Known {
    entries: HashMap<String, Entry>,
    interest: HashMap<String, Instant>,
}

pub struct AlarmPoller<S> {
    source: S,
    /// The same moment on both clocks: wall times follow tokio's (possibly paused) clock.
    epoch: (Instant, SystemTime),
    known: Mutex<Known>,
    /// One refresh at a time: the others wait for it and read its answers.
    refreshing: tokio::sync::Mutex<()>,
}

impl<S: AlarmSource> AlarmPoller<S> {
    pub fn new(source: S) -> AlarmPoller<S> {
        AlarmPoller {
            source,
            epoch: (Instant::now(), SystemTime::now()),
            known: Mutex::new(Known::default()),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    fn known(&self) -> std::sync::MutexGuard<'_, Known> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The entries of `names` if every one is fresh.
    fn fresh(&self, names: &[String], now: Instant) -> Option<Vec<(String, Entry)>> {
        let known = self.known();
        names
            .iter()
            .map(|n| {
                let e = known.entries.get(n)?;
                (now.saturating_duration_since(e.fetched) <= FRESH).then(|| (n.clone(), e.clone()))
            })
            .collect()
    }

    async fn observe(&self, names: &[String]) -> Result<Vec<(String, Entry)>, AwsError> {
        let now = Instant::now();
        {
            let mut known = self.known();
            names.iter().for_each(|n| {
                known.interest.insert(n.clone(), now);
            });
        }
        if let Some(entries) = self.fresh(names, now) {
            return Ok(entries);
        }
        let _turn = self.refreshing.lock().await;
        if let Some(entries) = self.fresh(names, Instant::now()) {
            return Ok(entries);
        }
        self.refresh(names).await?;
        Ok(self.fresh(names, Instant::now()).unwrap_or_default())
    }

    /// Every stale alarm someone asked for lately, `names` first.
    fn targets(&self, names: &[String], now: Instant) -> Vec<String> {
        let mut known = self.known();
        known
            .interest
            .retain(|_, asked| now.saturating_duration_since(*asked) <= INTEREST);
        let stale = |n: &String| {
            known
                .entries
                .get(n)
                .is_none_or(|e| now.saturating_duration_since(e.fetched) > FRESH)
        };
        let mut targets: Vec<String> = names.to_vec();
        let others = known
            .interest
            .keys()
            .filter(|n| !names.contains(n) && stale(n));
        targets.extend(others.cloned());
        targets
    }

    async fn refresh(&self, names: &[String]) -> Result<(), AwsError> {
        let targets = self.targets(names, Instant::now());
        for chunk in targets.chunks(NAMES_PER_CALL) {
            let fetched = Instant::now();
            let fetched_wall = self.epoch.1 + fetched.saturating_duration_since(self.epoch.0);
            let observed = self.source.describe(chunk).await?;
            for name in chunk {
                let seen = observed.iter().find(|o| o.name == *name);
                let previous = self.known().entries.get(name).cloned();
                let mut window = previous.as_ref().and_then(|p| p.alarm_window);
                if seen.is_some_and(|o| o.state == AlarmState::Alarm) {
                    window = Some(fetched);
                } else if let (Some(o), Some(prev)) = (seen, &previous) {
                    let changed = changed_since(o.changed, prev.fetched_wall);
                    if changed
                        && self
                            .source
                            .went_to_alarm_since(name, prev.fetched_wall)
                            .await
                    {
                        window = Some(prev.fetched);
                    }
                }
                let entry = Entry {
                    state: seen.map(|o| o.state),
                    fetched,
                    fetched_wall,
                    alarm_window: window,
                };
                self.known().entries.insert(name.clone(), entry);
            }
        }
        Ok(())
    }
}

/// A state change at or after `since` (a second of slack for clocks that disagree).
fn changed_since(changed: Option<SystemTime>, since: SystemTime) -> bool {
    changed.is_some_and(|t| t + Duration::from_secs(1) >= since)
}

/// The current states (preflight).
impl<S: AlarmSource> Alarms for AlarmPoller<S> {
    async fn states(&self, names: &[String]) -> Result<Vec<(String, AlarmState)>, AwsError> {
        let entries = self.observe(names).await?;
        let found = entries.into_iter().filter_map(|(n, e)| Some((n, e.state?)));
        Ok(found.collect())
    }
}

/// One rollout's view: an ALARM any refresh saw since this rollout last looked counts as ALARM.
pub struct AlarmView<'a, S> {
    poller: &'a AlarmPoller<S>,
    /// What this rollout has seen: refreshes up to this moment (its start, at first). An ALARM
    /// whose window starts at or after it is news.
    last_look: Mutex<Instant>,
}

impl<'a, S> AlarmView<'a, S> {
    pub fn new(poller: &'a AlarmPoller<S>) -> AlarmView<'a, S> {
        AlarmView {
            poller,
            last_look: Mutex::new(Instant::now()),
        }
    }
}

impl<S: AlarmSource> Alarms for AlarmView<'_, S> {
    async fn states(&self, names: &[String]) -> Result<Vec<(String, AlarmState)>, AwsError> {
        let entries = self.poller.observe(names).await?;
        let mut last_look = self.last_look.lock().unwrap_or_else(|e| e.into_inner());
        let since = *last_look;
        if let Some(newest) = entries.iter().map(|(_, e)| e.fetched).max() {
            *last_look = newest.max(since);
        }
        let answer = entries.into_iter().filter_map(|(name, e)| {
            let state = e.state?;
            let missed = e.alarm_window.is_some_and(|start| start >= since);
            Some((name, if missed { AlarmState::Alarm } else { state }))
        });
        Ok(answer.collect())
    }
}
