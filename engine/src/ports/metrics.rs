//! Version-scoped metrics for `analysis`: what the new version itself did, read from
//! CloudWatch `AWS/Lambda` with the `ExecutedVersion` dimension.

use std::future::Future;
use std::time::{Duration, SystemTime};

use super::{AwsError, AwsErrorKind};

/// Sums since the version first received traffic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VersionMetrics {
    pub invocations: u64,
    pub errors: u64,
    pub throttles: u64,
}

pub trait Metrics: Send + Sync {
    /// `Invocations`, `Errors` and `Throttles` of `version` reached through `alias`, summed from
    /// `since` to now in buckets of `period`.
    fn version_metrics(
        &self,
        alias: &str,
        version: &str,
        since: SystemTime,
        period: Duration,
    ) -> impl Future<Output = Result<VersionMetrics, AwsError>> + Send;
}

/// For deployments without analysis: any read fails, naming the missing port.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMetrics;

impl Metrics for NoMetrics {
    async fn version_metrics(
        &self,
        _alias: &str,
        _version: &str,
        _since: SystemTime,
        _period: Duration,
    ) -> Result<VersionMetrics, AwsError> {
        Err(AwsError::new(
            AwsErrorKind::Other,
            "analysis is configured but the engine was run without a Metrics port",
        ))
    }
}
