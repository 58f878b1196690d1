//! Version-scoped metrics for `analysis`: the new version's own `Invocations`, `Errors` and
//! `Throttles`, read in one GetMetricData call per check.

use std::time::{Duration, SystemTime};

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use gitmoxi_engine::ports::{AwsError, VersionMetrics};

use super::ops;
use super::Aws;

const METRICS: [(&str, &str); 3] = [
    ("invocations", "Invocations"),
    ("errors", "Errors"),
    ("throttles", "Throttles"),
];

impl Aws {
    pub(super) async fn version_metrics(
        &self,
        function: &str,
        alias: &str,
        version: &str,
        since: SystemTime,
        period: Duration,
    ) -> Result<VersionMetrics, AwsError> {
        let period_secs = i32::try_from(period.as_secs().max(1)).unwrap_or(i32::MAX);
        // Start a period early so the bucket the first request fell in is counted.
        let start = since.checked_sub(period).unwrap_or(since);
        let dimensions = [
            ("FunctionName", function.to_string()),
            ("Resource", format!("{function}:{alias}")),
            ("ExecutedVersion", version.to_string()),
        ];
        let mut req = self
            .cloudwatch
            .get_metric_data()
            .start_time(DateTime::from(start))
            .end_time(DateTime::from(SystemTime::now() + Duration::from_secs(60)));
        for (id, name) in METRICS {
            let mut metric = Metric::builder().namespace("AWS/Lambda").metric_name(name);
            for (k, v) in &dimensions {
                metric = metric.dimensions(Dimension::builder().name(*k).value(v).build());
            }
            req = req.metric_data_queries(
                MetricDataQuery::builder()
                    .id(id)
                    .metric_stat(
                        MetricStat::builder()
                            .metric(metric.build())
                            .period(period_secs)
                            .stat("Sum")
                            .build(),
                    )
                    .return_data(true)
                    .build(),
            );
        }
        let mut figures = VersionMetrics::default();
        let mut next = None;
        loop {
            let resp = self
                .calls
                .send(ops::GET_METRIC_DATA, || {
                    req.clone().set_next_token(next.clone()).send()
                })
                .await?;
            for r in resp.metric_data_results() {
                let sum: f64 = r.values().iter().sum();
                let n = sum.max(0.0).round() as u64;
                match r.id() {
                    Some("invocations") => figures.invocations += n,
                    Some("errors") => figures.errors += n,
                    Some("throttles") => figures.throttles += n,
                    _ => {}
                }
            }
            next = resp.next_token().map(str::to_string);
            if next.is_none() {
                return Ok(figures);
            }
        }
    }
}
