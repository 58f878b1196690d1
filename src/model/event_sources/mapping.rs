//! What a pull source is to AWS: its identity (`MappingKey`), its kind, what AWS cannot update,
//! and the AWS defaults used to reset a removed key and to compare with a served mapping.

use std::fmt;

use super::pull::{
    DestinationConfig, Filter, FilterCriteria, MetricsConfig, PullSource, ScalingConfig,
};

/// What identifies a mapping on the alias: its source plus `Topics` / `Queues`.
///
/// A self-managed Kafka source has no ARN: its key is its bootstrap servers and topics.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MappingKey {
    pub event_source_arn: Option<String>,
    /// Sorted.
    pub topics: Vec<String>,
    /// Sorted.
    pub queues: Vec<String>,
    /// A self-managed Kafka cluster's `KAFKA_BOOTSTRAP_SERVERS`, sorted.
    pub bootstrap_servers: Vec<String>,
}

impl fmt::Display for MappingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.event_source_arn {
            Some(arn) => write!(f, "{arn}")?,
            None if self.bootstrap_servers.is_empty() => write!(f, "self-managed Kafka")?,
            None => write!(f, "self-managed Kafka {}", self.bootstrap_servers.join(","))?,
        }
        if !self.topics.is_empty() {
            write!(f, " (topics {})", self.topics.join(", "))?;
        }
        if !self.queues.is_empty() {
            write!(f, " (queues {})", self.queues.join(", "))?;
        }
        Ok(())
    }
}

/// Which service the mapping reads from, from the ARN's service segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    Sqs,
    Kinesis,
    DynamoDb,
    /// Amazon MSK (`arn:aws:kafka:...`).
    Msk,
    SelfManagedKafka,
    /// Amazon MQ (ActiveMQ, RabbitMQ).
    Mq,
    /// Amazon DocumentDB change streams (`arn:aws:rds:...:cluster:...`).
    DocumentDb,
    Unknown,
}

impl SourceKind {
    pub fn of_arn(arn: &str) -> SourceKind {
        match arn.split(':').nth(2) {
            Some("sqs") => SourceKind::Sqs,
            Some("kinesis") => SourceKind::Kinesis,
            Some("dynamodb") => SourceKind::DynamoDb,
            Some("kafka") => SourceKind::Msk,
            Some("mq") => SourceKind::Mq,
            Some("rds") => SourceKind::DocumentDb,
            _ => SourceKind::Unknown,
        }
    }

    /// Sources read from a position in a log (and so restart from it when recreated). Amazon MQ
    /// is a queue broker: messages not yet consumed wait in the queue.
    pub fn is_stream(self) -> bool {
        matches!(
            self,
            SourceKind::Kinesis
                | SourceKind::DynamoDb
                | SourceKind::Msk
                | SourceKind::SelfManagedKafka
                | SourceKind::DocumentDb
        )
    }

    /// Kinesis and DynamoDB streams: the only sources with ParallelizationFactor, retries,
    /// record age, bisect and tumbling windows.
    pub fn is_shard_stream(self) -> bool {
        matches!(self, SourceKind::Kinesis | SourceKind::DynamoDb)
    }

    pub fn is_kafka(self) -> bool {
        matches!(self, SourceKind::Msk | SourceKind::SelfManagedKafka)
    }

    /// Sources that take an on-failure / on-success `DestinationConfig`.
    pub fn takes_destinations(self) -> bool {
        self.is_shard_stream() || self.is_kafka()
    }
}

/// AWS defaults for a key left out (CreateEventSourceMapping documentation).
pub mod aws_default {
    use super::SourceKind;

    /// 10 for SQS, 100 for every other source.
    pub fn batch_size(kind: SourceKind) -> i32 {
        match kind {
            SourceKind::Sqs => 10,
            _ => 100,
        }
    }

    /// 0 for SQS, Kinesis and DynamoDB. Kafka, MQ and DocumentDB batch for 500 ms by default,
    /// which the API cannot express: `None` there, so a removed key is left as it is.
    pub fn maximum_batching_window_in_seconds(kind: SourceKind) -> Option<i32> {
        matches!(
            kind,
            SourceKind::Sqs | SourceKind::Kinesis | SourceKind::DynamoDb
        )
        .then_some(0)
    }

    pub const ENABLED: bool = true;
    pub const PARALLELIZATION_FACTOR: i32 = 1;
    /// -1: infinite (until the record expires from the stream).
    pub const MAXIMUM_RECORD_AGE_IN_SECONDS: i32 = -1;
    /// -1: infinite.
    pub const MAXIMUM_RETRY_ATTEMPTS: i32 = -1;
    pub const BISECT_BATCH_ON_FUNCTION_ERROR: bool = false;
    pub const TUMBLING_WINDOW_IN_SECONDS: i32 = 0;
}

impl PullSource {
    pub fn key(&self) -> MappingKey {
        let servers = self
            .self_managed_event_source
            .as_ref()
            .and_then(|s| s.endpoints.as_ref())
            .and_then(|e| e.get("KAFKA_BOOTSTRAP_SERVERS"));
        MappingKey {
            event_source_arn: self.event_source_arn.clone(),
            topics: sorted(self.topics.as_deref()),
            queues: sorted(self.queues.as_deref()),
            bootstrap_servers: sorted(servers.map(Vec::as_slice)),
        }
    }

    pub fn event_source_arn(&self) -> Option<&str> {
        self.event_source_arn.as_deref()
    }

    pub fn kind(&self) -> SourceKind {
        match (&self.event_source_arn, &self.self_managed_event_source) {
            (Some(arn), _) => SourceKind::of_arn(arn),
            (None, Some(_)) => SourceKind::SelfManagedKafka,
            (None, None) => SourceKind::Unknown,
        }
    }

    /// Reads from a position (Kinesis, DynamoDB streams, Kafka, DocumentDB, or any source given a
    /// `StartingPosition`): recreating it restarts from that position.
    pub fn is_stream(&self) -> bool {
        self.kind().is_stream() || self.starting_position.is_some()
    }

    /// True when going from `self` to `other` needs a new mapping: AWS cannot update the starting
    /// position, the topics or queues, the source, or a Kafka consumer group.
    pub fn needs_recreate(&self, other: &PullSource) -> bool {
        let group_a = |s: &PullSource| {
            s.amazon_managed_kafka_event_source_config
                .as_ref()
                .and_then(|c| c.consumer_group_id.clone())
        };
        let group_s = |s: &PullSource| {
            s.self_managed_kafka_event_source_config
                .as_ref()
                .and_then(|c| c.consumer_group_id.clone())
        };
        self.starting_position != other.starting_position
            || self.starting_position_timestamp != other.starting_position_timestamp
            || self.key() != other.key()
            || self.self_managed_event_source != other.self_managed_event_source
            || group_a(self) != group_a(other)
            || group_s(self) != group_s(other)
    }

    /// The values an UpdateEventSourceMapping sends: what is declared, and for every updatable
    /// key left out the AWS default (or an empty value that clears it), so removing a key resets
    /// it. Keys AWS gives no way to reset (`LoggingConfig`, `ProvisionedPollerConfig`,
    /// `SourceAccessConfigurations`, `DocumentDBEventSourceConfig`, Kafka schema registries, the
    /// batching window of Kafka, MQ and DocumentDB) stay as declared, absent when not.
    pub fn with_update_defaults(&self) -> PullSource {
        use aws_default as d;
        let kind = self.kind();
        let mut s = self.clone();
        s.enabled.get_or_insert(d::ENABLED);
        s.batch_size.get_or_insert(d::batch_size(kind));
        if s.maximum_batching_window_in_seconds.is_none() {
            s.maximum_batching_window_in_seconds = d::maximum_batching_window_in_seconds(kind);
        }
        if kind.is_shard_stream() {
            s.parallelization_factor
                .get_or_insert(d::PARALLELIZATION_FACTOR);
            s.maximum_record_age_in_seconds
                .get_or_insert(d::MAXIMUM_RECORD_AGE_IN_SECONDS);
            s.maximum_retry_attempts
                .get_or_insert(d::MAXIMUM_RETRY_ATTEMPTS);
            s.bisect_batch_on_function_error
                .get_or_insert(d::BISECT_BATCH_ON_FUNCTION_ERROR);
            s.tumbling_window_in_seconds
                .get_or_insert(d::TUMBLING_WINDOW_IN_SECONDS);
        }
        s.filter_criteria.get_or_insert_with(|| FilterCriteria {
            filters: Some(Vec::new()),
        });
        s.kms_key_arn.get_or_insert_with(String::new);
        s.metrics_config.get_or_insert_with(|| MetricsConfig {
            metrics: Some(Vec::new()),
        });
        if kind == SourceKind::Sqs {
            s.scaling_config.get_or_insert_with(ScalingConfig::default);
        }
        if kind.takes_destinations() {
            s.destination_config
                .get_or_insert_with(DestinationConfig::default);
        }
        if kind != SourceKind::Mq {
            s.function_response_types.get_or_insert_with(Vec::new);
        }
        s
    }

    /// True when a mapping AWS serves (read back into a `PullSource`, absent keys meaning the AWS
    /// default) already has every updatable value `self` declares, defaults included: then there
    /// is nothing to update. Tags are not compared (UpdateEventSourceMapping does not take them).
    pub fn is_served_by(&self, served: &PullSource) -> bool {
        let (want, have) = (self.with_update_defaults(), served.with_update_defaults());
        // Keys that cannot be reset count only when declared.
        fn declared<T: PartialEq>(want: &Option<T>, have: &Option<T>) -> bool {
            want.is_none() || want == have
        }
        want.enabled == have.enabled
            && want.batch_size == have.batch_size
            && declared(
                &want.maximum_batching_window_in_seconds,
                &have.maximum_batching_window_in_seconds,
            )
            && want.parallelization_factor == have.parallelization_factor
            && want.maximum_record_age_in_seconds == have.maximum_record_age_in_seconds
            && want.maximum_retry_attempts == have.maximum_retry_attempts
            && want.bisect_batch_on_function_error == have.bisect_batch_on_function_error
            && want.tumbling_window_in_seconds == have.tumbling_window_in_seconds
            && patterns(&want.filter_criteria) == patterns(&have.filter_criteria)
            && want.kms_key_arn == have.kms_key_arn
            && sorted(
                want.metrics_config
                    .as_ref()
                    .and_then(|m| m.metrics.as_deref()),
            ) == sorted(
                have.metrics_config
                    .as_ref()
                    .and_then(|m| m.metrics.as_deref()),
            )
            && want
                .scaling_config
                .as_ref()
                .and_then(|c| c.maximum_concurrency)
                == have
                    .scaling_config
                    .as_ref()
                    .and_then(|c| c.maximum_concurrency)
            && destinations(&want.destination_config) == destinations(&have.destination_config)
            && sorted(want.function_response_types.as_deref())
                == sorted(have.function_response_types.as_deref())
            && declared(&want.logging_config, &have.logging_config)
            && declared(
                &want.provisioned_poller_config,
                &have.provisioned_poller_config,
            )
            && declared(
                &want.document_db_event_source_config,
                &have.document_db_event_source_config,
            )
            && (want.source_access_configurations.is_none()
                || sorted(want.source_access_configurations.as_deref())
                    == sorted(have.source_access_configurations.as_deref()))
            && declared(
                &want
                    .amazon_managed_kafka_event_source_config
                    .as_ref()
                    .and_then(|c| c.schema_registry_config.clone()),
                &have
                    .amazon_managed_kafka_event_source_config
                    .as_ref()
                    .and_then(|c| c.schema_registry_config.clone()),
            )
            && declared(
                &want
                    .self_managed_kafka_event_source_config
                    .as_ref()
                    .map(|c| (c.schema_registry_config.clone(), c.consumption_mode.clone())),
                &have
                    .self_managed_kafka_event_source_config
                    .as_ref()
                    .map(|c| (c.schema_registry_config.clone(), c.consumption_mode.clone())),
            )
    }
}

fn sorted<T: Clone + Ord>(items: Option<&[T]>) -> Vec<T> {
    let mut v = items.unwrap_or_default().to_vec();
    v.sort();
    v.dedup();
    v
}

/// Filter patterns as JSON values, sorted: spacing and key order inside a pattern do not matter.
fn patterns(criteria: &Option<FilterCriteria>) -> Vec<String> {
    let filters: &[Filter] = criteria
        .as_ref()
        .and_then(|c| c.filters.as_deref())
        .unwrap_or_default();
    let mut v: Vec<String> = filters
        .iter()
        .filter_map(|f| f.pattern.as_deref())
        .map(super::normal_pattern)
        .collect();
    v.sort();
    v
}

/// On-failure and on-success destinations, an empty one counting as none.
fn destinations(config: &Option<DestinationConfig>) -> (Option<String>, Option<String>) {
    let arn = |d: Option<&super::pull::Destination>| {
        d.and_then(|d| d.destination.clone())
            .filter(|a| !a.is_empty())
    };
    let c = config.as_ref();
    (
        arn(c.and_then(|c| c.on_failure.as_ref())),
        arn(c.and_then(|c| c.on_success.as_ref())),
    )
}
