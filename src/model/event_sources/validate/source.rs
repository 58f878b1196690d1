//! Checks of where a pull source reads from: exactly one source, its starting position, the
//! topic or queue it names, the credentials it reaches the source with and the settings of each
//! kind of source (Amazon MSK, self-managed Kafka, DocumentDB).

use super::{
    CONSUMPTION_MODES, ENDPOINT_TYPES, EVENT_RECORD_FORMATS, FULL_DOCUMENT, PULL_SERVICES,
    SCHEMA_REGISTRY_AUTH_TYPES, SCHEMA_VALIDATION_ATTRIBUTES, SOURCE_ACCESS_TYPES,
    STARTING_POSITIONS,
};
use crate::model::event_sources::errors::{arn, one_of, Check, EventSourceError};
use crate::model::event_sources::mapping::SourceKind;
use crate::model::event_sources::pull::{PullSource, SchemaRegistryConfig};

/// Exactly one source: an ARN, or a self-managed Kafka cluster.
pub(super) fn source(p: &str, s: &PullSource) -> Check {
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

pub(super) fn position(p: &str, s: &PullSource, kind: SourceKind) -> Check {
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

pub(super) fn topics_and_queues(p: &str, s: &PullSource, kind: SourceKind) -> Check {
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

/// SourceAccessConfigurations: each has a known Type and a URI.
pub(super) fn access(p: &str, s: &PullSource) -> Check {
    for (i, c) in s.source_access_configurations.iter().flatten().enumerate() {
        let path = format!("{p}.SourceAccessConfigurations[{i}]");
        required(&format!("{path}.Type"), c.kind.as_deref())?;
        one_of(
            &format!("{path}.Type"),
            c.kind.as_deref(),
            SOURCE_ACCESS_TYPES,
        )?;
        required(&format!("{path}.URI"), c.uri.as_deref())?;
    }
    Ok(())
}

/// The settings of one kind of source: Amazon MSK, self-managed Kafka, DocumentDB.
pub(super) fn source_configs(p: &str, s: &PullSource) -> Check {
    let at = |key: &str| format!("{p}.{key}");
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
    Ok(())
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
