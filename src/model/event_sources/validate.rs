//! Plan-time checks of a pull source: documented limits and enum values of
//! CreateEventSourceMapping that are cheap to know without calling AWS.

use super::errors::{arn, one_of, range, Check, EventSourceError};
use super::mapping::SourceKind;
use super::pull::{PullSource, SchemaRegistryConfig};

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

pub(crate) fn pull(p: &str, s: &PullSource) -> Check {
    source(p, s)?;
    let kind = s.kind();
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
    if let Some(age) = s.maximum_record_age_in_seconds {
        if age != -1 {
            range(
                &at("MaximumRecordAgeInSeconds"),
                Some(age),
                60,
                604_800,
                " seconds, or -1 for no limit",
            )?;
        }
    }
    range(
        &at("TumblingWindowInSeconds"),
        s.tumbling_window_in_seconds,
        0,
        900,
        " seconds",
    )?;
    if let Some(c) = &s.scaling_config {
        range(
            &at("ScalingConfig.MaximumConcurrency"),
            c.maximum_concurrency,
            2,
            1000,
            "",
        )?;
    }
    if let Some(p) = &s.provisioned_poller_config {
        range(
            &at("ProvisionedPollerConfig.MinimumPollers"),
            p.minimum_pollers,
            1,
            200,
            "",
        )?;
        range(
            &at("ProvisionedPollerConfig.MaximumPollers"),
            p.maximum_pollers,
            1,
            2000,
            "",
        )?;
        if let (Some(min), Some(max)) = (p.minimum_pollers, p.maximum_pollers) {
            if min > max {
                return Err(EventSourceError::at(
                    &at("ProvisionedPollerConfig"),
                    "MinimumPollers is greater than MaximumPollers",
                    format!("Set MinimumPollers ({min}) at most MaximumPollers ({max})."),
                ));
            }
        }
    }
    position(p, s, kind)?;
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
    for (i, t) in s.function_response_types.iter().flatten().enumerate() {
        one_of(
            &at(&format!("FunctionResponseTypes[{i}]")),
            Some(t),
            FUNCTION_RESPONSE_TYPES,
        )?;
    }
    if let Some(d) = &s.destination_config {
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
    }
    for (i, c) in s.source_access_configurations.iter().flatten().enumerate() {
        let path = at(&format!("SourceAccessConfigurations[{i}]"));
        required(&format!("{path}.Type"), c.kind.as_deref())?;
        one_of(
            &format!("{path}.Type"),
            c.kind.as_deref(),
            SOURCE_ACCESS_TYPES,
        )?;
        required(&format!("{path}.URI"), c.uri.as_deref())?;
    }
    if let Some(c) = &s.amazon_managed_kafka_event_source_config {
        schema_registry(
            &at("AmazonManagedKafkaEventSourceConfig.SchemaRegistryConfig"),
            c.schema_registry_config.as_ref(),
        )?;
    }
    if let Some(c) = &s.self_managed_kafka_event_source_config {
        let path = at("SelfManagedKafkaEventSourceConfig");
        one_of(
            &format!("{path}.ConsumptionMode"),
            c.consumption_mode.as_deref(),
            CONSUMPTION_MODES,
        )?;
        schema_registry(
            &format!("{path}.SchemaRegistryConfig"),
            c.schema_registry_config.as_ref(),
        )?;
    }
    if let Some(c) = &s.document_db_event_source_config {
        one_of(
            &at("DocumentDBEventSourceConfig.FullDocument"),
            c.full_document.as_deref(),
            FULL_DOCUMENT,
        )?;
    }
    for key in s.tags.iter().flat_map(|t| t.keys()) {
        if key.is_empty() {
            return Err(EventSourceError::at(
                &at("Tags"),
                "A tag key is empty",
                "Give every tag a key of 1 to 128 characters.",
            ));
        }
    }
    topics_and_queues(p, s, kind)
}

fn required(path: &str, value: Option<&str>) -> Check {
    match value {
        Some(v) if !v.is_empty() => Ok(()),
        _ => Err(EventSourceError::at(
            path,
            format!("Missing `{path}` in event_sources"),
            format!("Add `{path}`: the Lambda API requires it."),
        )),
    }
}

/// Exactly one source: an ARN, or a self-managed Kafka cluster.
fn source(p: &str, s: &PullSource) -> Check {
    match (&s.event_source_arn, &s.self_managed_event_source) {
        (Some(a), None) => arn(
            &format!("{p}.EventSourceArn"),
            a,
            PULL_SERVICES,
            "arn:aws:sqs:eu-west-1:123456789012:orders",
        ),
        (None, Some(m)) => {
            let path = format!("{p}.SelfManagedEventSource.Endpoints");
            let endpoints = m.endpoints.as_ref().filter(|e| !e.is_empty());
            let Some(endpoints) = endpoints else {
                return Err(EventSourceError::at(
                    &path,
                    "A self-managed Kafka source has no endpoints",
                    "Add Endpoints = { KAFKA_BOOTSTRAP_SERVERS = [\"broker1:9092\", ...] }.",
                ));
            };
            for (kind, servers) in endpoints {
                one_of(&format!("{path}.{kind}"), Some(kind), ENDPOINT_TYPES)?;
                if servers.is_empty() {
                    return Err(EventSourceError::at(
                        &format!("{path}.{kind}"),
                        "No bootstrap servers",
                        "List at least one broker as host:port.",
                    ));
                }
            }
            Ok(())
        }
        (Some(_), Some(_)) => Err(EventSourceError::at(
            &format!("{p}.SelfManagedEventSource"),
            "A mapping has both EventSourceArn and SelfManagedEventSource",
            "A mapping reads from one source: keep EventSourceArn for an AWS service, or \
             SelfManagedEventSource for your own Kafka cluster.",
        )),
        (None, None) => Err(EventSourceError::at(
            &format!("{p}.EventSourceArn"),
            "A pull event source has no source",
            "Add EventSourceArn (an SQS queue, Kinesis or DynamoDB stream, MSK cluster, MQ broker \
             or DocumentDB cluster), or SelfManagedEventSource for your own Kafka cluster.",
        )),
    }
}

fn position(p: &str, s: &PullSource, kind: SourceKind) -> Check {
    let path = format!("{p}.StartingPosition");
    one_of(&path, s.starting_position.as_deref(), STARTING_POSITIONS)?;
    let at_timestamp = s.starting_position.as_deref() == Some("AT_TIMESTAMP");
    match (&s.starting_position, kind) {
        (None, SourceKind::Kinesis | SourceKind::DynamoDb) => {
            return Err(EventSourceError::at(&path, "A stream source needs StartingPosition", "Kinesis and DynamoDB streams need StartingPosition: TRIM_HORIZON (oldest record), LATEST (new records only) or, for Kinesis, AT_TIMESTAMP with StartingPositionTimestamp."));
        }
        (Some(_), SourceKind::Sqs | SourceKind::Mq) => {
            return Err(EventSourceError::at(&path, "StartingPosition does not apply to a queue", "SQS and Amazon MQ sources read from a queue, not a position: remove StartingPosition."));
        }
        (Some(_), SourceKind::DynamoDb) if at_timestamp => {
            return Err(EventSourceError::at(
                &path,
                "DynamoDB streams do not support AT_TIMESTAMP",
                "Use TRIM_HORIZON or LATEST.",
            ));
        }
        _ => {}
    }
    if at_timestamp != s.starting_position_timestamp.is_some() {
        return Err(EventSourceError::at(
            &format!("{p}.StartingPositionTimestamp"),
            "StartingPositionTimestamp goes with StartingPosition AT_TIMESTAMP",
            "Give both StartingPosition = \"AT_TIMESTAMP\" and StartingPositionTimestamp (epoch seconds or an RFC 3339 date), or neither.",
        ));
    }
    Ok(())
}

fn topics_and_queues(p: &str, s: &PullSource, kind: SourceKind) -> Check {
    let one = |key: &str, list: &Option<Vec<String>>, needed: bool, what: &str| -> Check {
        let path = format!("{p}.{key}");
        match list {
            None if needed => Err(EventSourceError::at(
                &path,
                format!("A {what} source needs {key}"),
                format!("Add {key} with exactly one name."),
            )),
            Some(_) if !needed && kind != SourceKind::Unknown => Err(EventSourceError::at(
                &path,
                format!("{key} does not apply to this source"),
                format!("Only {what} sources take {key}: remove it."),
            )),
            Some(l) if l.len() != 1 || l[0].is_empty() => Err(EventSourceError::at(
                &path,
                format!("{key} must hold exactly one name"),
                format!(
                    "Lambda reads one {} per mapping; found {}. Declare one mapping per name.",
                    if key == "Topics" { "topic" } else { "queue" },
                    l.len()
                ),
            )),
            _ => Ok(()),
        }
    };
    one("Topics", &s.topics, kind.is_kafka(), "Kafka")?;
    one("Queues", &s.queues, kind == SourceKind::Mq, "Amazon MQ")
}

fn schema_registry(path: &str, c: Option<&SchemaRegistryConfig>) -> Check {
    let Some(c) = c else { return Ok(()) };
    one_of(
        &format!("{path}.EventRecordFormat"),
        c.event_record_format.as_deref(),
        EVENT_RECORD_FORMATS,
    )?;
    for (i, a) in c.access_configs.iter().flatten().enumerate() {
        one_of(
            &format!("{path}.AccessConfigs[{i}].Type"),
            a.kind.as_deref(),
            SCHEMA_REGISTRY_AUTH_TYPES,
        )?;
    }
    for (i, v) in c.schema_validation_configs.iter().flatten().enumerate() {
        one_of(
            &format!("{path}.SchemaValidationConfigs[{i}].Attribute"),
            v.attribute.as_deref(),
            SCHEMA_VALIDATION_ATTRIBUTES,
        )?;
    }
    Ok(())
}
