//! CloudWatch alarms for the engine: [`poller`] shares one poll among every rollout of the
//! provider process; this file is its source, DescribeAlarms (metric and composite alarms) and
//! DescribeAlarmHistory through the SDK.

mod poller;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{AlarmType, HistoryItemType, StateValue};
use gitmoxi_engine::ports::{AlarmState, AwsError};

pub use poller::{AlarmPoller, AlarmSource, AlarmView, Observed};

use super::ops;
use super::retry::Calls;

pub struct CloudWatchAlarms {
    client: aws_sdk_cloudwatch::Client,
    calls: Arc<Calls>,
}

impl CloudWatchAlarms {
    pub fn new(client: aws_sdk_cloudwatch::Client, calls: Arc<Calls>) -> Self {
        CloudWatchAlarms { client, calls }
    }
}

fn state(v: Option<&StateValue>) -> AlarmState {
    match v {
        Some(StateValue::Alarm) => AlarmState::Alarm,
        Some(StateValue::Ok) => AlarmState::Ok,
        _ => AlarmState::InsufficientData,
    }
}

/// The name, state and last transition of a metric or composite alarm.
macro_rules! observed {
    ($a:expr) => {{
        let a = $a;
        a.alarm_name().map(|n| {
            let changed = a
                .state_transitioned_timestamp()
                .or(a.state_updated_timestamp());
            Observed {
                name: n.to_string(),
                state: state(a.state_value()),
                changed: changed.and_then(|t| SystemTime::try_from(*t).ok()),
            }
        })
    }};
}

impl AlarmSource for CloudWatchAlarms {
    async fn describe(&self, names: &[String]) -> Result<Vec<Observed>, AwsError> {
        let resp = self
            .calls
            .send(ops::DESCRIBE_ALARMS, || {
                self.client
                    .describe_alarms()
                    .set_alarm_names(Some(names.to_vec()))
                    .alarm_types(AlarmType::MetricAlarm)
                    .alarm_types(AlarmType::CompositeAlarm)
                    .max_records(100)
                    .send()
            })
            .await?;
        let metric = resp.metric_alarms().iter().filter_map(|a| observed!(a));
        let composite = resp.composite_alarms().iter().filter_map(|a| observed!(a));
        Ok(metric.chain(composite).collect())
    }

    async fn went_to_alarm_since(&self, alarm: &str, since: SystemTime) -> bool {
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
