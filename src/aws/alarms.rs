//! CloudWatch alarms for the engine: one DescribeAlarms call per check, metric and composite.
//!
//! Alarms are polled, so an alarm that went to ALARM and back between two polls would be missed.
//! An alarm whose state changed since the last poll gets one DescribeAlarmHistory call: any
//! transition to ALARM in between counts as ALARM (an ALARM seen is a rollback).

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{AlarmType, HistoryItemType, StateValue};
use gitmoxi_engine::ports::{AlarmState, Alarms, AwsError};

use super::errors::classify;

pub struct CloudWatchAlarms {
    client: aws_sdk_cloudwatch::Client,
    /// When the previous poll started: transitions after it are looked at in the history.
    last_poll: Mutex<Option<SystemTime>>,
}

impl CloudWatchAlarms {
    pub fn new(client: aws_sdk_cloudwatch::Client) -> Self {
        CloudWatchAlarms {
            client,
            last_poll: Mutex::new(None),
        }
    }

    /// Whether `alarm` went into ALARM at some point since `since`.
    async fn was_in_alarm_since(&self, alarm: &str, since: SystemTime) -> bool {
        let history = self
            .client
            .describe_alarm_history()
            .alarm_name(alarm)
            .history_item_type(HistoryItemType::StateUpdate)
            .start_date(DateTime::from(
                since.checked_sub(Duration::from_secs(2)).unwrap_or(since),
            ))
            .send()
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

impl Alarms for CloudWatchAlarms {
    async fn states(&self, names: &[String]) -> Result<Vec<(String, AlarmState)>, AwsError> {
        let polled_at = SystemTime::now();
        let previous = self
            .last_poll
            .lock()
            .map(|mut p| p.replace(polled_at))
            .unwrap_or(None);
        let mut changed: Vec<String> = Vec::new();
        let mut out = Vec::with_capacity(names.len());
        // DescribeAlarms takes at most 100 names a call; the resource allows at most 100.
        for chunk in names.chunks(100) {
            let resp = self
                .client
                .describe_alarms()
                .set_alarm_names(Some(chunk.to_vec()))
                .alarm_types(AlarmType::MetricAlarm)
                .alarm_types(AlarmType::CompositeAlarm)
                .max_records(100)
                .send()
                .await
                .map_err(|e| classify("describing CloudWatch alarms", e))?;
            for a in resp.metric_alarms() {
                if let Some(n) = a.alarm_name() {
                    let s = state(a.state_value());
                    if s != AlarmState::Alarm
                        && previous.is_some_and(|p| {
                            changed_since(
                                a.state_transitioned_timestamp()
                                    .or(a.state_updated_timestamp()),
                                p,
                            )
                        })
                    {
                        changed.push(n.to_string());
                    }
                    out.push((n.to_string(), s));
                }
            }
            for a in resp.composite_alarms() {
                if let Some(n) = a.alarm_name() {
                    let s = state(a.state_value());
                    if s != AlarmState::Alarm
                        && previous.is_some_and(|p| {
                            changed_since(
                                a.state_transitioned_timestamp()
                                    .or(a.state_updated_timestamp()),
                                p,
                            )
                        })
                    {
                        changed.push(n.to_string());
                    }
                    out.push((n.to_string(), s));
                }
            }
        }
        if let Some(since) = previous {
            for name in changed {
                if self.was_in_alarm_since(&name, since).await {
                    if let Some(entry) = out.iter_mut().find(|(n, _)| *n == name) {
                        entry.1 = AlarmState::Alarm;
                    }
                }
            }
        }
        Ok(out)
    }
}
