//! A served mapping read back into the model: absent keys stay absent (they mean the AWS
//! default, which `PullSource::is_served_by` knows).

use aws_sdk_lambda::types::{self as api, EventSourceMappingConfiguration};

use crate::model::event_sources::pull::{self as model, PullSource};
use crate::model::event_sources::Timestamp;

/// A served mapping as a `PullSource` (`Enabled` from its state; tags are not in it).
pub fn flatten(m: &EventSourceMappingConfiguration) -> PullSource {
    let strings = |v: &[String]| Some(v.to_vec());
    PullSource {
        adopt: None,
        event_source_arn: m.event_source_arn.clone(),
        enabled: m
            .state
            .as_deref()
            .map(|s| !matches!(s, "Disabled" | "Disabling")),
        batch_size: m.batch_size,
        filter_criteria: m.filter_criteria.as_ref().map(flatten_filter_criteria),
        kms_key_arn: m.kms_key_arn.clone(),
        metrics_config: m.metrics_config.as_ref().map(|c| model::MetricsConfig {
            metrics: c
                .metrics
                .as_ref()
                .map(|ms| ms.iter().map(|x| x.as_str().to_string()).collect()),
        }),
        logging_config: m.logging_config.as_ref().map(|c| model::LoggingConfig {
            system_log_level: c.system_log_level.as_ref().map(|l| l.as_str().to_string()),
        }),
        scaling_config: m.scaling_config.as_ref().map(|c| model::ScalingConfig {
            maximum_concurrency: c.maximum_concurrency,
        }),
        maximum_batching_window_in_seconds: m.maximum_batching_window_in_seconds,
        parallelization_factor: m.parallelization_factor,
        starting_position: m.starting_position.as_ref().map(|p| p.as_str().to_string()),
        starting_position_timestamp: m
            .starting_position_timestamp
            .map(|t| Timestamp(t.as_secs_f64())),
        destination_config: m
            .destination_config
            .as_ref()
            .map(flatten_destination_config),
        maximum_record_age_in_seconds: m.maximum_record_age_in_seconds,
        bisect_batch_on_function_error: m.bisect_batch_on_function_error,
        maximum_retry_attempts: m.maximum_retry_attempts,
        tags: None,
        tumbling_window_in_seconds: m.tumbling_window_in_seconds,
        topics: m.topics.as_deref().and_then(strings),
        queues: m.queues.as_deref().and_then(strings),
        source_access_configurations: m
            .source_access_configurations
            .as_ref()
            .map(|v| v.iter().map(flatten_source_access).collect()),
        self_managed_event_source: m
            .self_managed_event_source
            .as_ref()
            .map(flatten_self_managed_source),
        function_response_types: m
            .function_response_types
            .as_ref()
            .map(|v| v.iter().map(|t| t.as_str().to_string()).collect()),
        amazon_managed_kafka_event_source_config: m
            .amazon_managed_kafka_event_source_config
            .as_ref()
            .map(flatten_amazon_managed_kafka),
        self_managed_kafka_event_source_config: m
            .self_managed_kafka_event_source_config
            .as_ref()
            .map(flatten_self_managed_kafka),
        document_db_event_source_config: m
            .document_db_event_source_config
            .as_ref()
            .map(flatten_document_db),
        provisioned_poller_config: m.provisioned_poller_config.as_ref().map(|c| {
            model::ProvisionedPollerConfig {
                minimum_pollers: c.minimum_pollers,
                maximum_pollers: c.maximum_pollers,
                poller_group_name: c.poller_group_name.clone(),
            }
        }),
    }
}

fn flatten_filter_criteria(c: &api::FilterCriteria) -> model::FilterCriteria {
    model::FilterCriteria {
        filters: c.filters.as_ref().map(|fs| {
            fs.iter()
                .map(|f| model::Filter {
                    pattern: f.pattern.clone(),
                })
                .collect()
        }),
    }
}

fn flatten_destination_config(d: &api::DestinationConfig) -> model::DestinationConfig {
    model::DestinationConfig {
        on_success: d.on_success.as_ref().map(|o| model::Destination {
            destination: o.destination.clone(),
        }),
        on_failure: d.on_failure.as_ref().map(|o| model::Destination {
            destination: o.destination.clone(),
        }),
    }
}

fn flatten_source_access(c: &api::SourceAccessConfiguration) -> model::SourceAccessConfiguration {
    model::SourceAccessConfiguration {
        kind: c.r#type.as_ref().map(|t| t.as_str().to_string()),
        uri: c.uri.clone(),
    }
}

fn flatten_self_managed_source(s: &api::SelfManagedEventSource) -> model::SelfManagedEventSource {
    model::SelfManagedEventSource {
        endpoints: s.endpoints.as_ref().map(|e| {
            e.iter()
                .map(|(k, v)| (k.as_str().to_string(), v.clone()))
                .collect()
        }),
    }
}

fn flatten_amazon_managed_kafka(
    c: &api::AmazonManagedKafkaEventSourceConfig,
) -> model::AmazonManagedKafkaConfig {
    model::AmazonManagedKafkaConfig {
        consumer_group_id: c.consumer_group_id.clone(),
        schema_registry_config: c.schema_registry_config.as_ref().map(flatten_registry),
    }
}

fn flatten_self_managed_kafka(
    c: &api::SelfManagedKafkaEventSourceConfig,
) -> model::SelfManagedKafkaConfig {
    model::SelfManagedKafkaConfig {
        consumer_group_id: c.consumer_group_id.clone(),
        schema_registry_config: c.schema_registry_config.as_ref().map(flatten_registry),
        consumption_mode: c.consumption_mode.as_ref().map(|m| m.as_str().to_string()),
    }
}

fn flatten_document_db(c: &api::DocumentDbEventSourceConfig) -> model::DocumentDbConfig {
    model::DocumentDbConfig {
        database_name: c.database_name.clone(),
        collection_name: c.collection_name.clone(),
        full_document: c.full_document.as_ref().map(|f| f.as_str().to_string()),
    }
}

fn flatten_registry(r: &api::KafkaSchemaRegistryConfig) -> model::SchemaRegistryConfig {
    model::SchemaRegistryConfig {
        schema_registry_uri: r.schema_registry_uri.clone(),
        event_record_format: r
            .event_record_format
            .as_ref()
            .map(|f| f.as_str().to_string()),
        access_configs: r.access_configs.as_ref().map(|v| {
            v.iter()
                .map(|a| model::SourceAccessConfiguration {
                    kind: a.r#type.as_ref().map(|t| t.as_str().to_string()),
                    uri: a.uri.clone(),
                })
                .collect()
        }),
        schema_validation_configs: r.schema_validation_configs.as_ref().map(|v| {
            v.iter()
                .map(|c| model::SchemaValidationConfig {
                    attribute: c.attribute.as_ref().map(|a| a.as_str().to_string()),
                })
                .collect()
        }),
    }
}
