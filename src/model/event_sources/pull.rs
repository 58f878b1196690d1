//! A pull source: the CreateEventSourceMapping request, typed, without `FunctionName`.
//!
//! One struct per shape of aws-sdk-lambda 1.156's `CreateEventSourceMappingInput`, with the
//! API's PascalCase names and `deny_unknown_fields` everywhere. Enum values stay strings here (the
//! `validate` module checks them; `crate::aws::event_source_mapping` maps them onto the SDK).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::timestamp::Timestamp;

/// One event source mapping on the alias.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct PullSource {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_source_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter_criteria: Option<FilterCriteria>,
    #[serde(rename = "KMSKeyArn", skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_config: Option<MetricsConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging_config: Option<LoggingConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scaling_config: Option<ScalingConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_batching_window_in_seconds: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallelization_factor: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_position: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_position_timestamp: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_config: Option<DestinationConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_record_age_in_seconds: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bisect_batch_on_function_error: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_retry_attempts: Option<i32>,
    /// Set at creation only: UpdateEventSourceMapping takes no tags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tumbling_window_in_seconds: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queues: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_access_configurations: Option<Vec<SourceAccessConfiguration>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_managed_event_source: Option<SelfManagedEventSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_response_types: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amazon_managed_kafka_event_source_config: Option<AmazonManagedKafkaConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_managed_kafka_event_source_config: Option<SelfManagedKafkaConfig>,
    #[serde(
        rename = "DocumentDBEventSourceConfig",
        skip_serializing_if = "Option::is_none"
    )]
    pub document_db_event_source_config: Option<DocumentDbConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provisioned_poller_config: Option<ProvisionedPollerConfig>,
    /// Not an AWS parameter: take over a mapping of this source that exists on the alias but was
    /// not made by this resource.
    #[serde(rename = "adopt", skip_serializing_if = "Option::is_none")]
    pub adopt: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct FilterCriteria {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<Filter>>,
}

/// `Pattern` is itself JSON (an EventBridge-style pattern) carried as a string.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct Filter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct MetricsConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct LoggingConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_log_level: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ScalingConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_concurrency: Option<i32>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct DestinationConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_success: Option<Destination>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<Destination>,
}

/// `OnSuccess` / `OnFailure`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct Destination {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceAccessConfiguration {
    #[serde(rename = "Type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(rename = "URI", skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
}

/// `Endpoints` is keyed by endpoint type; `KAFKA_BOOTSTRAP_SERVERS` is the only one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct SelfManagedEventSource {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<BTreeMap<String, Vec<String>>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct AmazonManagedKafkaConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer_group_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_registry_config: Option<SchemaRegistryConfig>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct SelfManagedKafkaConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer_group_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_registry_config: Option<SchemaRegistryConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumption_mode: Option<String>,
}

/// `KafkaSchemaRegistryConfig`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct SchemaRegistryConfig {
    #[serde(rename = "SchemaRegistryURI", skip_serializing_if = "Option::is_none")]
    pub schema_registry_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_record_format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_configs: Option<Vec<SourceAccessConfiguration>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_validation_configs: Option<Vec<SchemaValidationConfig>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct SchemaValidationConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
}

/// `DocumentDBEventSourceConfig`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct DocumentDbConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collection_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_document: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ProvisionedPollerConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_pollers: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_pollers: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poller_group_name: Option<String>,
}
