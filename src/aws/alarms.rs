//! CloudWatch alarms for the engine: one DescribeAlarms call per check, metric and composite.
//!
//! Alarms are polled, so an alarm that went to ALARM and back between two polls would be missed.
//! An alarm whose state changed since it was last polled gets one DescribeAlarmHistory call: any
//! transition to ALARM in between counts as ALARM (an ALARM seen is a rollback).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{AlarmType, HistoryItemType, StateValue};
use gitmoxi_engine::ports::{AlarmState, Alarms, AwsError};

use std::sync::Arc;

use super::ops;
use super::retry::Calls;

pub struct CloudWatchAlarms {
    client: aws_sdk_cloudwatch::Client,
    calls: Arc<Calls>,
    /// Per alarm, when the previous poll of it started: transitions after it are looked at in
    /// the history. Shared by every rollout of the provider process.
    last_polls: Mutex<HashMap<String, SystemTime>>,
}

impl CloudWatchAlarms {
    pub fn new(client: aws_sdk_cloudwatch::Client, calls: Arc<Calls>) -> Self {
        CloudWatchAlarms {
            client,
            calls,
            last_polls: Mutex::new(HashMap::new()),
        }
    }

    /// Records this poll of `names`; returns when each was polled before, if it was.
    fn note_poll(&self, names: &[String], at: SystemTime) -> HashMap<String, SystemTime> {
        let mut polls = self.last_polls.lock().unwrap_or_else(|e| e.into_inner());
        names
            .iter()
            .filter_map(|n| Some((n.clone(), polls.insert(n.clone(), at)?)))
            .collect()
    }

    /// Whether `alarm` went into ALARM at some point since `since`.
    async fn was_in_alarm_since(&self, alarm: &str, since: SystemTime) -> bool {
        let start = DateTime::from(since.checked_sub(Duration::from_secs(2)).unwrap_or(since));
        let history = self
            .calls
            .send(ops::ALARM_HISTORY, || {
                self.client
                    .describe_alarm_history()
                    .alarm_name(alarm)
                    .history_item_type(HistoryItemType::StateUpdate)
                    .start_date(start)
                    .send()
            })
            .await;
        // Without a history (an emulator that lacks it, a transient error) the current state is
        // all there is to go on.
        let Ok(history) = history else { return false };
        history.alarm_history_items().iter().any(|item| {
            let summary = item.history_summary().unwrap_or_default();
            let to_alarm_in_summary = summary.ends_with("to ALARM");
            let to_alarm_in_data = item
                .history_data()
                .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
                .and_then(|d| {
                    d.pointer("/newState/stateValue")
                        .and_then(|v| v.as_str())
                        .map(|s| s == "ALARM")
                })
                .unwrap_or(false);
            to_alarm_in_summary || to_alarm_in_data
        })
    }
}

fn changed_since(transitioned: Option<&DateTime>, since: SystemTime) -> bool {
    let Some(t) = transitioned.and_then(|t| SystemTime::try_from(*t).ok()) else {
        return false;
    };
    // A second of slack for clocks that disagree.
    t + Duration::from_secs(1) >= since
}

fn state(v: Option<&StateValue>) -> AlarmState {
    match v {
        Some(StateValue::Alarm) => AlarmState::Alarm,
        Some(StateValue::Ok) => AlarmState::Ok,
        _ => AlarmState::InsufficientData,
    }
}

/// The name, state and last transition of a metric or composite alarm.
macro_rules! alarm_summary {
    ($a:expr) => {{
        let a = $a;
        a.alarm_name().map(|n| {
            let changed = a
                .state_transitioned_timestamp()
                .or(a.state_updated_timestamp());
            (n.to_string(), state(a.state_value()), changed.copied())
        })
    }};
}

impl Alarms for CloudWatchAlarms {
    async fn states(&self, names: &[String]) -> Result<Vec<(String, AlarmState)>, AwsError> {
        let previous = self.note_poll(names, SystemTime::now());
        let mut out = Vec::with_capacity(names.len());
        let mut changed: Vec<(String, SystemTime)> = Vec::new();
        // DescribeAlarms takes at most 100 names a call; the resources allow at most 100.
        for chunk in names.chunks(100) {
            let resp = self
                .calls
                .send(ops::DESCRIBE_ALARMS, || {
                    self.client
                        .describe_alarms()
                        .set_alarm_names(Some(chunk.to_vec()))
                        .alarm_types(AlarmType::MetricAlarm)
                        .alarm_types(AlarmType::CompositeAlarm)
                        .max_records(100)
                        .send()
                })
                .await?;
            let metric = resp
                .metric_alarms()
                .iter()
                .filter_map(|a| alarm_summary!(a));
            let composite = resp
                .composite_alarms()
                .iter()
                .filter_map(|a| alarm_summary!(a));
            for (name, s, transitioned) in metric.chain(composite) {
                if let Some(since) = previous.get(&name) {
                    if s != AlarmState::Alarm && changed_since(transitioned.as_ref(), *since) {
                        changed.push((name.clone(), *since));
                    }
                }
                out.push((name, s));
            }
        }
        for (name, since) in changed {
            if self.was_in_alarm_since(&name, since).await {
                if let Some(entry) = out.iter_mut().find(|(n, _)| *n == name) {
                    entry.1 = AlarmState::Alarm;
                }
            }
        }
        Ok(out)
    }
}
