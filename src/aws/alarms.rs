//! CloudWatch alarms for the engine: one DescribeAlarms call per check, metric and composite.

use aws_sdk_cloudwatch::types::{AlarmType, StateValue};
use gitmoxi_engine::ports::{AlarmState, Alarms, AwsError};

use super::errors::classify;

pub struct CloudWatchAlarms {
    pub client: aws_sdk_cloudwatch::Client,
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
                    out.push((n.to_string(), state(a.state_value())));
                }
            }
            for a in resp.composite_alarms() {
                if let Some(n) = a.alarm_name() {
                    out.push((n.to_string(), state(a.state_value())));
                }
            }
        }
        Ok(out)
    }
}
