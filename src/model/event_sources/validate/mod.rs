//! Plan-time checks of a pull source: documented limits and enum values of
//! CreateEventSourceMapping that are cheap to know without calling AWS.
//!
//! This file holds the known enum values and the checks of how a source is read (batching,
//! retries, pollers, filters, monitoring, results, tags); `source.rs` checks where it reads from.

mod source;

use super::errors::{arn, one_of, range, Check, EventSourceError};
use super::mapping::SourceKind;
use super::pull::PullSource;
use source::{access, position, source, source_configs, topics_and_queues};

// Known values of aws-sdk-lambda 1.156's enums; a test in `crate::aws::event_source_mapping`
// keeps them equal to the SDK's.
pub const STARTING_POSITIONS: &[&str] = &["AT_TIMESTAMP", "LATEST", "TRIM_HORIZON"];
pub const METRICS: &[&str] = &["ErrorCount", "EventCount", "KafkaMetrics"];
pub const SYSTEM_LOG_LEVELS: &[&str] = &["DEBUG", "INFO", "WARN"];
pub const SOURCE_ACCESS_TYPES: &[&str] = &[
    "BASIC_AUTH",
    "CLIENT_CERTIFICATE_TLS_AUTH",
    "IAM_AUTH",
    "IAM_OAUTHBEARER_AUTH",
    "OAUTHBEARER_AUDIENCE",
    "OAUTHBEARER_AUTH",
    "OAUTHBEARER_IDENTITY_POOL",
    "OAUTHBEARER_LOGICAL_CLUSTER",
    "OAUTHBEARER_SCOPE",
    "SASL_SCRAM_256_AUTH",
    "SASL_SCRAM_512_AUTH",
    "SERVER_ROOT_CA_CERTIFICATE",
    "VIRTUAL_HOST",
    "VPC_SECURITY_GROUP",
    "VPC_SUBNET",
];
pub const ENDPOINT_TYPES: &[&str] = &["KAFKA_BOOTSTRAP_SERVERS"];
pub const FUNCTION_RESPONSE_TYPES: &[&str] = &["ReportBatchItemFailures"];
pub const FULL_DOCUMENT: &[&str] = &["Default", "UpdateLookup"];
pub const CONSUMPTION_MODES: &[&str] = &["Queue", "Stream"];
pub const EVENT_RECORD_FORMATS: &[&str] = &["JSON", "SOURCE"];
pub const SCHEMA_REGISTRY_AUTH_TYPES: &[&str] = &[
    "BASIC_AUTH",
    "CLIENT_CERTIFICATE_TLS_AUTH",
    "OAUTHBEARER_AUTH",
    "SERVER_ROOT_CA_CERTIFICATE",
];
pub const SCHEMA_VALIDATION_ATTRIBUTES: &[&str] = &["KEY", "VALUE"];

const PULL_SERVICES: &[&str] = &["sqs", "kinesis", "dynamodb", "kafka", "mq", "rds"];

/// Every check of one pull source at key path `p`; the first failing one is the error.
pub(crate) fn pull(p: &str, s: &PullSource) -> Check {
    source(p, s)?;
    let kind = s.kind();
    batching(p, s, kind)?;
    retries_and_windows(p, s)?;
    pollers(p, s)?;
    position(p, s, kind)?;
    filters(p, s)?;
    monitoring(p, s)?;
    results(p, s)?;
    access(p, s)?;
    source_configs(p, s)?;
    tags(p, s)?;
    topics_and_queues(p, s, kind)
}

/// BatchSize and MaximumBatchingWindowInSeconds, with SQS's own limits.
fn batching(p: &str, s: &PullSource, kind: SourceKind) -> Check {
    let at = |key: &str| format!("{p}.{key}");
    range(&at("BatchSize"), s.batch_size, 1, 10_000, "")?;
    let fifo = s.event_source_arn().is_some_and(|a| a.ends_with(".fifo"));
    if kind == SourceKind::Sqs && fifo {
        range(&at("BatchSize"), s.batch_size, 1, 10, " for a FIFO queue")?;
    }
    range(
        &at("MaximumBatchingWindowInSeconds"),
        s.maximum_batching_window_in_seconds,
        0,
        300,
        " seconds",
    )?;
    if kind == SourceKind::Sqs
        && s.batch_size.unwrap_or(10) > 10
        && s.maximum_batching_window_in_seconds.unwrap_or(0) < 1
    {
        return Err(EventSourceError::at(
            &at("BatchSize"),
            "An SQS BatchSize above 10 needs a batching window",
            "Lambda refuses a BatchSize greater than 10 for SQS unless MaximumBatchingWindowInSeconds \
             is at least 1. Add MaximumBatchingWindowInSeconds, or lower BatchSize to 10.",
        ));
    }
    Ok(())
}

/// How a stream is read: parallelization, retries, record age and tumbling window.
fn retries_and_windows(p: &str, s: &PullSource) -> Check {
    let at = |key: &str| format!("{p}.{key}");
    range(
        &at("ParallelizationFactor"),
        s.parallelization_factor,
        1,
        10,
        "",
    )?;
    range(
        &at("MaximumRetryAttempts"),
        s.maximum_retry_attempts,
        -1,
        10_000,
        " (-1: retry until the record expires)",
    )?;
    if let Some(age) = s.maximum_record_age_in_seconds.filter(|age| *age != -1) {
        range(
            &at("MaximumRecordAgeInSeconds"),
            Some(age),
            60,
            604_800,
            " seconds, or -1 for no limit",
        )?;
    }
    range(
        &at("TumblingWindowInSeconds"),
        s.tumbling_window_in_seconds,
        0,
        900,
        " seconds",
    )
}

/// ScalingConfig and ProvisionedPollerConfig: how many concurrent invocations or pollers.
fn pollers(p: &str, s: &PullSource) -> Check {
    let at = |key: &str| format!("{p}.{key}");
    if let Some(c) = &s.scaling_config {
        range(
            &at("ScalingConfig.MaximumConcurrency"),
            c.maximum_concurrency,
            2,
            1000,
            "",
        )?;
    }
    let Some(c) = &s.provisioned_poller_config else {
        return Ok(());
    };
    range(
        &at("ProvisionedPollerConfig.MinimumPollers"),
        c.minimum_pollers,
        1,
        200,
        "",
    )?;
    range(
        &at("ProvisionedPollerConfig.MaximumPollers"),
        c.maximum_pollers,
        1,
        2000,
        "",
    )?;
    match (c.minimum_pollers, c.maximum_pollers) {
        (Some(min), Some(max)) if min > max => Err(EventSourceError::at(
            &at("ProvisionedPollerConfig"),
            "MinimumPollers is greater than MaximumPollers",
            format!("Set MinimumPollers ({min}) at most MaximumPollers ({max})."),
        )),
        _ => Ok(()),
    }
}

/// FilterCriteria and the KMS key that encrypts it: every pattern must be a JSON object.
fn filters(p: &str, s: &PullSource) -> Check {
    let at = |key: &str| format!("{p}.{key}");
    if let Some(k) = &s.kms_key_arn {
        arn(
            &at("KMSKeyArn"),
            k,
            &["kms"],
            "arn:aws:kms:eu-west-1:123456789012:key/...",
        )?;
    }
    for (i, f) in s
        .filter_criteria
        .iter()
        .flat_map(|c| c.filters.iter().flatten())
        .enumerate()
    {
        let path = at(&format!("FilterCriteria.Filters[{i}].Pattern"));
        let pattern = f.pattern.as_deref().unwrap_or_default();
        if !serde_json::from_str::<serde_json::Value>(pattern).is_ok_and(|v| v.is_object()) {
            return Err(EventSourceError::at(
                &path,
                "A filter pattern is not a JSON object",
                "Pattern is a JSON object written as a string, e.g. \
                 jsonencode({ body = { status = [\"ok\"] } }).",
            ));
        }
    }
    Ok(())
}

/// MetricsConfig and LoggingConfig.
fn monitoring(p: &str, s: &PullSource) -> Check {
    let at = |key: &str| format!("{p}.{key}");
    for (i, m) in s
        .metrics_config
        .iter()
        .flat_map(|c| c.metrics.iter().flatten())
        .enumerate()
    {
        one_of(
            &at(&format!("MetricsConfig.Metrics[{i}]")),
            Some(m),
            METRICS,
        )?;
    }
    if let Some(l) = &s.logging_config {
        one_of(
            &at("LoggingConfig.SystemLogLevel"),
            l.system_log_level.as_deref(),
            SYSTEM_LOG_LEVELS,
        )?;
    }
    Ok(())
}

/// What happens to a batch's results: FunctionResponseTypes and DestinationConfig.
fn results(p: &str, s: &PullSource) -> Check {
    let at = |key: &str| format!("{p}.{key}");
    for (i, t) in s.function_response_types.iter().flatten().enumerate() {
        one_of(
            &at(&format!("FunctionResponseTypes[{i}]")),
            Some(t),
            FUNCTION_RESPONSE_TYPES,
        )?;
    }
    let Some(d) = &s.destination_config else {
        return Ok(());
    };
    for (key, dest) in [("OnSuccess", &d.on_success), ("OnFailure", &d.on_failure)] {
        if let Some(a) = dest.as_ref().and_then(|d| d.destination.as_deref()) {
            arn(
                &at(&format!("DestinationConfig.{key}.Destination")),
                a,
                &[],
                "arn:aws:sqs:eu-west-1:123456789012:failed",
            )?;
        }
    }
    Ok(())
}

fn tags(p: &str, s: &PullSource) -> Check {
    if s.tags.iter().flat_map(|t| t.keys()).any(String::is_empty) {
        return Err(EventSourceError::at(
            &format!("{p}.Tags"),
            "A tag key is empty",
            "Give every tag a key of 1 to 128 characters.",
        ));
    }
    Ok(())
}
