//! The shared poller against a scripted alarm source, on paused time.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use gitmoxi_engine::ports::{AlarmState, Alarms, AwsError};
use tokio::time::Instant;

use super::poller::{AlarmPoller, AlarmSource, AlarmView, Observed};

/// Alarms whose state follows a script over (tokio) time since the source was made.
struct Script {
    epoch: Instant,
    wall: SystemTime,
    alarms: HashMap<String, Vec<(Duration, AlarmState)>>,
    describes: AtomicUsize,
    histories: AtomicUsize,
}

impl Script {
    fn new(alarms: &[(&str, Vec<(u64, AlarmState)>)]) -> Script {
        Script {
            epoch: Instant::now(),
            wall: SystemTime::now(),
            alarms: alarms
                .iter()
                .map(|(n, s)| {
                    let script = s
                        .iter()
                        .map(|(t, st)| (Duration::from_secs(*t), *st))
                        .collect();
                    (n.to_string(), script)
                })
                .collect(),
            describes: AtomicUsize::new(0),
            histories: AtomicUsize::new(0),
        }
    }

    fn at(&self, name: &str, elapsed: Duration) -> Option<(AlarmState, Duration)> {
        let script = self.alarms.get(name)?;
        let (t, s) = script.iter().rev().find(|(t, _)| *t <= elapsed).copied()?;
        Some((s, t))
    }
}

impl AlarmSource for Arc<Script> {
    async fn describe(&self, names: &[String]) -> Result<Vec<Observed>, AwsError> {
        self.describes.fetch_add(1, Ordering::SeqCst);
        let elapsed = self.epoch.elapsed();
        Ok(names
            .iter()
            .filter_map(|n| {
                let (state, since) = self.at(n, elapsed)?;
                Some(Observed {
                    name: n.clone(),
                    state,
                    changed: Some(self.wall + since),
                })
            })
            .collect())
    }

    async fn went_to_alarm_since(&self, name: &str, since: SystemTime) -> bool {
        self.histories.fetch_add(1, Ordering::SeqCst);
        let from = since.duration_since(self.wall).unwrap_or_default();
        let script = &self.alarms[name];
        script
            .iter()
            .any(|(t, s)| *t + Duration::from_secs(1) >= from && *s == AlarmState::Alarm)
    }
}

fn names(n: &[&str]) -> Vec<String> {
    n.iter().map(|s| s.to_string()).collect()
}

#[tokio::test(start_paused = true)]
async fn a_hundred_rollouts_polling_every_3s_cost_about_one_call_a_second() {
    let alarms: Vec<(String, Vec<(u64, AlarmState)>)> = (0..100)
        .map(|i| (format!("a{i}"), vec![(0, AlarmState::Ok)]))
        .collect();
    let borrowed: Vec<(&str, Vec<(u64, AlarmState)>)> = alarms
        .iter()
        .map(|(n, s)| (n.as_str(), s.clone()))
        .collect();
    let script = Arc::new(Script::new(&borrowed));
    let poller = Arc::new(AlarmPoller::new(script.clone()));
    let counter = script.clone();
    let steady = tokio::spawn(async move {
        // Once every rollout has started, count what a minute of checks costs.
        tokio::time::sleep(Duration::from_secs(4)).await;
        let before = counter.describes.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(54)).await;
        counter.describes.load(Ordering::SeqCst) - before
    });
    let mut tasks = Vec::new();
    for i in 0..100u64 {
        let poller = poller.clone();
        tasks.push(tokio::spawn(async move {
            // Each rollout starts at its own moment and checks every 3s for a minute.
            tokio::time::sleep(Duration::from_millis(i * 30)).await;
            let view = AlarmView::new(&poller);
            for _ in 0..20 {
                let got = view.states(&[format!("a{i}")]).await.unwrap();
                assert_eq!(got, [(format!("a{i}"), AlarmState::Ok)]);
                tokio::time::sleep(Duration::from_secs(3)).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let calls = steady.await.unwrap();
    // About 1,800 checks in those 54 s; one call a second serves them all.
    assert!(calls <= 55, "{calls} DescribeAlarms calls in 54 s");
}

#[tokio::test(start_paused = true)]
async fn an_alarm_another_rollouts_poll_found_between_polls_still_reaches_this_rollout() {
    // `errors` goes to ALARM at 4 s and back to OK at 5 s.
    let script = Arc::new(Script::new(&[(
        "errors",
        vec![
            (0, AlarmState::Ok),
            (4, AlarmState::Alarm),
            (5, AlarmState::Ok),
        ],
    )]));
    let poller = AlarmPoller::new(script.clone());
    let mine = AlarmView::new(&poller);
    let theirs = AlarmView::new(&poller);
    assert_eq!(
        mine.states(&names(&["errors"])).await.unwrap()[0].1,
        AlarmState::Ok
    );
    tokio::time::sleep(Duration::from_millis(4500)).await;
    // Their poll sees the ALARM; mine comes after it went back to OK.
    assert_eq!(
        theirs.states(&names(&["errors"])).await.unwrap()[0].1,
        AlarmState::Alarm
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        mine.states(&names(&["errors"])).await.unwrap()[0].1,
        AlarmState::Alarm
    );
    // Reported once: the next look is OK again.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        mine.states(&names(&["errors"])).await.unwrap()[0].1,
        AlarmState::Ok
    );
}

#[tokio::test(start_paused = true)]
async fn a_blip_between_two_polls_is_found_in_the_history() {
    let script = Arc::new(Script::new(&[(
        "errors",
        vec![
            (0, AlarmState::Ok),
            (4, AlarmState::Alarm),
            (5, AlarmState::Ok),
        ],
    )]));
    let poller = AlarmPoller::new(script.clone());
    let view = AlarmView::new(&poller);
    assert_eq!(
        view.states(&names(&["errors"])).await.unwrap()[0].1,
        AlarmState::Ok
    );
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(
        view.states(&names(&["errors"])).await.unwrap()[0].1,
        AlarmState::Alarm
    );
    assert_eq!(script.histories.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn missing_alarms_are_absent_and_a_new_rollout_ignores_old_alarms() {
    let script = Arc::new(Script::new(&[(
        "errors",
        vec![(0, AlarmState::Alarm), (2, AlarmState::Ok)],
    )]));
    let poller = AlarmPoller::new(script.clone());
    let first = AlarmView::new(&poller);
    assert_eq!(
        first.states(&names(&["errors"])).await.unwrap()[0].1,
        AlarmState::Alarm
    );
    tokio::time::sleep(Duration::from_secs(10)).await;
    let later = AlarmView::new(&poller);
    let got = later.states(&names(&["errors", "nope"])).await.unwrap();
    assert_eq!(got, [("errors".to_string(), AlarmState::Ok)]);
}
