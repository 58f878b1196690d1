//! `PullSource` → the nested API shapes of CreateEventSourceMapping / UpdateEventSourceMapping.

use std::collections::HashMap;

use aws_sdk_lambda::primitives::DateTime;
use aws_sdk_lambda::types::{
    self as api, EndPointType, EventSourceMappingMetric, EventSourceMappingSystemLogLevel,
    EventSourcePosition, FullDocument, FunctionResponseType,
    KafkaEventSourceMappingConsumptionMode, KafkaSchemaRegistryAuthType,
    KafkaSchemaValidationAttribute, SchemaRegistryEventRecordFormat, SourceAccessType,
};

use crate::model::event_sources::pull::{self as model, PullSource};

/// The nested API shapes of a `PullSource`, shared by create and update.
pub(super) struct Expanded {
    pub(super) filter_criteria: Option<api::FilterCriteria>,
    pub(super) metrics_config: Option<api::EventSourceMappingMetricsConfig>,
    pub(super) logging_config: Option<api::EventSourceMappingLoggingConfig>,
    pub(super) scaling_config: Option<api::ScalingConfig>,
    pub(super) starting_position: Option<EventSourcePosition>,
    pub(super) starting_position_timestamp: Option<DateTime>,
    pub(super) destination_config: Option<api::DestinationConfig>,
    pub(super) source_access_configurations: Option<Vec<api::SourceAccessConfiguration>>,
    pub(super) self_managed_event_source: Option<api::SelfManagedEventSource>,
    pub(super) function_response_types: Option<Vec<FunctionResponseType>>,
    pub(super) amazon_managed_kafka: Option<api::AmazonManagedKafkaEventSourceConfig>,
    pub(super) self_managed_kafka: Option<api::SelfManagedKafkaEventSourceConfig>,
    pub(super) document_db: Option<api::DocumentDbEventSourceConfig>,
    pub(super) provisioned_poller_config: Option<api::ProvisionedPollerConfig>,
}

/// An enum value the SDK knows; anything else was let through validation by mistake.
fn known<T: for<'a> From<&'a str>>(key: &str, value: &str, values: &[&str]) -> Result<T, String> {
    if values.contains(&value) {
        Ok(T::from(value))
    } else {
        Err(format!(
            "{key} `{value}` is not one of {}",
            values.join(", ")
        ))
    }
}

fn each<T>(
    items: &Option<Vec<String>>,
    f: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<Vec<T>>, String> {
    items
        .as_ref()
        .map(|v| v.iter().map(|s| f(s)).collect())
        .transpose()
}

/// A value of an optional enum the SDK knows.
fn known_opt<T: for<'a> From<&'a str>>(
    key: &str,
    value: Option<&str>,
    values: &[&str],
) -> Result<Option<T>, String> {
    value.map(|v| known(key, v, values)).transpose()
}

impl Expanded {
    pub(super) fn of(s: &PullSource) -> Result<Expanded, String> {
        Ok(Expanded {
            filter_criteria: s.filter_criteria.as_ref().map(expand_filter_criteria),
            metrics_config: s
                .metrics_config
                .as_ref()
                .map(expand_metrics_config)
                .transpose()?,
            logging_config: s
                .logging_config
                .as_ref()
                .map(expand_logging_config)
                .transpose()?,
            scaling_config: s.scaling_config.as_ref().map(|c| {
                api::ScalingConfig::builder()
                    .set_maximum_concurrency(c.maximum_concurrency)
                    .build()
            }),
            starting_position: known_opt(
                "StartingPosition",
                s.starting_position.as_deref(),
                EventSourcePosition::values(),
            )?,
            starting_position_timestamp: s
                .starting_position_timestamp
                .map(|t| DateTime::from_secs_f64(t.0)),
            destination_config: s.destination_config.as_ref().map(expand_destination_config),
            source_access_configurations: s
                .source_access_configurations
                .as_ref()
                .map(|v| {
                    v.iter()
                        .map(expand_source_access)
                        .collect::<Result<Vec<_>, _>>()
                })
                .transpose()?,
            self_managed_event_source: s
                .self_managed_event_source
                .as_ref()
                .map(expand_self_managed_source)
                .transpose()?,
            function_response_types: each(&s.function_response_types, |t| {
                known("FunctionResponseTypes", t, FunctionResponseType::values())
            })?,
            amazon_managed_kafka: s
                .amazon_managed_kafka_event_source_config
                .as_ref()
                .map(expand_amazon_managed_kafka)
                .transpose()?,
            self_managed_kafka: s
                .self_managed_kafka_event_source_config
                .as_ref()
                .map(expand_self_managed_kafka)
                .transpose()?,
            document_db: s
                .document_db_event_source_config
                .as_ref()
                .map(expand_document_db)
                .transpose()?,
            provisioned_poller_config: s.provisioned_poller_config.as_ref().map(|c| {
                api::ProvisionedPollerConfig::builder()
                    .set_minimum_pollers(c.minimum_pollers)
                    .set_maximum_pollers(c.maximum_pollers)
                    .set_poller_group_name(c.poller_group_name.clone())
                    .build()
            }),
        })
    }
}

fn expand_filter_criteria(c: &model::FilterCriteria) -> api::FilterCriteria {
    api::FilterCriteria::builder()
        .set_filters(c.filters.as_ref().map(|fs| {
            fs.iter()
                .map(|f| {
                    api::Filter::builder()
                        .set_pattern(f.pattern.clone())
                        .build()
                })
                .collect()
        }))
        .build()
}

fn expand_metrics_config(
    c: &model::MetricsConfig,
) -> Result<api::EventSourceMappingMetricsConfig, String> {
    let metrics = each(&c.metrics, |m| {
        known::<EventSourceMappingMetric>("Metrics", m, EventSourceMappingMetric::values())
    })?;
    Ok(api::EventSourceMappingMetricsConfig::builder()
        .set_metrics(metrics)
        .build())
}

fn expand_logging_config(
    c: &model::LoggingConfig,
) -> Result<api::EventSourceMappingLoggingConfig, String> {
    let level = known_opt::<EventSourceMappingSystemLogLevel>(
        "SystemLogLevel",
        c.system_log_level.as_deref(),
        EventSourceMappingSystemLogLevel::values(),
    )?;
    Ok(api::EventSourceMappingLoggingConfig::builder()
        .set_system_log_level(level)
        .build())
}

fn expand_destination_config(d: &model::DestinationConfig) -> api::DestinationConfig {
    api::DestinationConfig::builder()
        .set_on_success(d.on_success.as_ref().map(|o| {
            api::OnSuccess::builder()
                .set_destination(o.destination.clone())
                .build()
        }))
        .set_on_failure(d.on_failure.as_ref().map(|o| {
            api::OnFailure::builder()
                .set_destination(o.destination.clone())
                .build()
        }))
        .build()
}

fn expand_source_access(
    c: &model::SourceAccessConfiguration,
) -> Result<api::SourceAccessConfiguration, String> {
    let kind =
        known_opt::<SourceAccessType>("Type", c.kind.as_deref(), SourceAccessType::values())?;
    Ok(api::SourceAccessConfiguration::builder()
        .set_type(kind)
        .set_uri(c.uri.clone())
        .build())
}

fn expand_self_managed_source(
    m: &model::SelfManagedEventSource,
) -> Result<api::SelfManagedEventSource, String> {
    let endpoints = m
        .endpoints
        .as_ref()
        .map(|e| {
            e.iter()
                .map(|(k, v)| {
                    let kind = known::<EndPointType>("Endpoints", k, EndPointType::values())?;
                    Ok((kind, v.clone()))
                })
                .collect::<Result<HashMap<_, _>, String>>()
        })
        .transpose()?;
    Ok(api::SelfManagedEventSource::builder()
        .set_endpoints(endpoints)
        .build())
}

fn expand_amazon_managed_kafka(
    c: &model::AmazonManagedKafkaConfig,
) -> Result<api::AmazonManagedKafkaEventSourceConfig, String> {
    Ok(api::AmazonManagedKafkaEventSourceConfig::builder()
        .set_consumer_group_id(c.consumer_group_id.clone())
        .set_schema_registry_config(expand_registry(c.schema_registry_config.as_ref())?)
        .build())
}

fn expand_self_managed_kafka(
    c: &model::SelfManagedKafkaConfig,
) -> Result<api::SelfManagedKafkaEventSourceConfig, String> {
    let mode = known_opt::<KafkaEventSourceMappingConsumptionMode>(
        "ConsumptionMode",
        c.consumption_mode.as_deref(),
        KafkaEventSourceMappingConsumptionMode::values(),
    )?;
    Ok(api::SelfManagedKafkaEventSourceConfig::builder()
        .set_consumer_group_id(c.consumer_group_id.clone())
        .set_schema_registry_config(expand_registry(c.schema_registry_config.as_ref())?)
        .set_consumption_mode(mode)
        .build())
}

fn expand_document_db(
    c: &model::DocumentDbConfig,
) -> Result<api::DocumentDbEventSourceConfig, String> {
    let full = known_opt::<FullDocument>(
        "FullDocument",
        c.full_document.as_deref(),
        FullDocument::values(),
    )?;
    Ok(api::DocumentDbEventSourceConfig::builder()
        .set_database_name(c.database_name.clone())
        .set_collection_name(c.collection_name.clone())
        .set_full_document(full)
        .build())
}

fn expand_registry(
    r: Option<&model::SchemaRegistryConfig>,
) -> Result<Option<api::KafkaSchemaRegistryConfig>, String> {
    let Some(r) = r else { return Ok(None) };
    let format = known_opt::<SchemaRegistryEventRecordFormat>(
        "EventRecordFormat",
        r.event_record_format.as_deref(),
        SchemaRegistryEventRecordFormat::values(),
    )?;
    let access = r
        .access_configs
        .as_ref()
        .map(|v| {
            v.iter()
                .map(|a| -> Result<_, String> {
                    let kind = known_opt::<KafkaSchemaRegistryAuthType>(
                        "Type",
                        a.kind.as_deref(),
                        KafkaSchemaRegistryAuthType::values(),
                    )?;
                    Ok(api::KafkaSchemaRegistryAccessConfig::builder()
                        .set_type(kind)
                        .set_uri(a.uri.clone())
                        .build())
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let validation = r
        .schema_validation_configs
        .as_ref()
        .map(|v| {
            v.iter()
                .map(|c| -> Result<_, String> {
                    let attribute = known_opt::<KafkaSchemaValidationAttribute>(
                        "Attribute",
                        c.attribute.as_deref(),
                        KafkaSchemaValidationAttribute::values(),
                    )?;
                    Ok(api::KafkaSchemaValidationConfig::builder()
                        .set_attribute(attribute)
                        .build())
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    Ok(Some(
        api::KafkaSchemaRegistryConfig::builder()
            .set_schema_registry_uri(r.schema_registry_uri.clone())
            .set_event_record_format(format)
            .set_access_configs(access)
            .set_schema_validation_configs(validation)
            .build(),
    ))
}
