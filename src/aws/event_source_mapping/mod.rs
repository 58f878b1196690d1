//! Pull event sources ⇄ aws-sdk-lambda 1.156: this file builds the Create/UpdateEventSourceMapping
//! requests, `expand.rs` the nested API shapes of a `PullSource` they carry, and [`flatten`] reads
//! a served mapping back into one.
//!
//! Updates send every updatable key, with the AWS default (`PullSource::with_update_defaults`)
//! where the declaration leaves one out, so removing a key resets it on AWS. The defaults depend
//! on the source: BatchSize is 10 for SQS and 100 for every other source; the batching window is
//! 0 for SQS, Kinesis and DynamoDB (Kafka, MQ and DocumentDB keep theirs); the stream-only
//! settings (ParallelizationFactor 1, MaximumRecordAgeInSeconds -1, MaximumRetryAttempts -1,
//! BisectBatchOnFunctionError false, TumblingWindowInSeconds 0) are sent for Kinesis and DynamoDB
//! only. Tags are set at creation only (UpdateEventSourceMapping takes none).

use aws_sdk_lambda::operation::create_event_source_mapping::builders::CreateEventSourceMappingFluentBuilder;
use aws_sdk_lambda::operation::update_event_source_mapping::builders::UpdateEventSourceMappingFluentBuilder;
use aws_sdk_lambda::types as api;
use aws_sdk_lambda::Client;

use crate::model::event_sources::pull::PullSource;

mod expand;
mod flatten;

use expand::Expanded;
pub use flatten::flatten;

/// CreateEventSourceMapping for `s` on `function` (`NAME:ALIAS`).
pub fn create_mapping(
    client: &Client,
    function: &str,
    s: &PullSource,
) -> Result<CreateEventSourceMappingFluentBuilder, String> {
    let e = Expanded::of(s)?;
    Ok(client
        .create_event_source_mapping()
        .function_name(function)
        .set_event_source_arn(s.event_source_arn.clone())
        .set_enabled(s.enabled)
        .set_batch_size(s.batch_size)
        .set_filter_criteria(e.filter_criteria)
        .set_kms_key_arn(s.kms_key_arn.clone())
        .set_metrics_config(e.metrics_config)
        .set_logging_config(e.logging_config)
        .set_scaling_config(e.scaling_config)
        .set_maximum_batching_window_in_seconds(s.maximum_batching_window_in_seconds)
        .set_parallelization_factor(s.parallelization_factor)
        .set_starting_position(e.starting_position)
        .set_starting_position_timestamp(e.starting_position_timestamp)
        .set_destination_config(e.destination_config)
        .set_maximum_record_age_in_seconds(s.maximum_record_age_in_seconds)
        .set_bisect_batch_on_function_error(s.bisect_batch_on_function_error)
        .set_maximum_retry_attempts(s.maximum_retry_attempts)
        .set_tags(s.tags.clone().map(|t| t.into_iter().collect()))
        .set_tumbling_window_in_seconds(s.tumbling_window_in_seconds)
        .set_topics(s.topics.clone())
        .set_queues(s.queues.clone())
        .set_source_access_configurations(e.source_access_configurations)
        .set_self_managed_event_source(e.self_managed_event_source)
        .set_function_response_types(e.function_response_types)
        .set_amazon_managed_kafka_event_source_config(e.amazon_managed_kafka)
        .set_self_managed_kafka_event_source_config(e.self_managed_kafka)
        .set_document_db_event_source_config(e.document_db)
        .set_provisioned_poller_config(e.provisioned_poller_config))
}

/// UpdateEventSourceMapping of mapping `uuid` to what `s` declares, defaults for what it leaves
/// out. The Kafka consumer group is not sent: AWS cannot change it (`needs_recreate` says so).
pub fn update_mapping(
    client: &Client,
    uuid: &str,
    function: &str,
    s: &PullSource,
) -> Result<UpdateEventSourceMappingFluentBuilder, String> {
    let s = s.with_update_defaults();
    let e = Expanded::of(&s)?;
    let without_group = |c: api::AmazonManagedKafkaEventSourceConfig| {
        c.schema_registry_config.map(|r| {
            api::AmazonManagedKafkaEventSourceConfig::builder()
                .schema_registry_config(r)
                .build()
        })
    };
    let self_managed_without_group = |c: api::SelfManagedKafkaEventSourceConfig| {
        (c.schema_registry_config.is_some() || c.consumption_mode.is_some()).then(|| {
            api::SelfManagedKafkaEventSourceConfig::builder()
                .set_schema_registry_config(c.schema_registry_config)
                .set_consumption_mode(c.consumption_mode)
                .build()
        })
    };
    Ok(client
        .update_event_source_mapping()
        .uuid(uuid)
        .function_name(function)
        .set_enabled(s.enabled)
        .set_batch_size(s.batch_size)
        .set_filter_criteria(e.filter_criteria)
        .set_kms_key_arn(s.kms_key_arn.clone())
        .set_metrics_config(e.metrics_config)
        .set_logging_config(e.logging_config)
        .set_scaling_config(e.scaling_config)
        .set_maximum_batching_window_in_seconds(s.maximum_batching_window_in_seconds)
        .set_parallelization_factor(s.parallelization_factor)
        .set_destination_config(e.destination_config)
        .set_maximum_record_age_in_seconds(s.maximum_record_age_in_seconds)
        .set_bisect_batch_on_function_error(s.bisect_batch_on_function_error)
        .set_maximum_retry_attempts(s.maximum_retry_attempts)
        .set_tumbling_window_in_seconds(s.tumbling_window_in_seconds)
        .set_source_access_configurations(e.source_access_configurations)
        .set_function_response_types(e.function_response_types)
        .set_amazon_managed_kafka_event_source_config(
            e.amazon_managed_kafka.and_then(without_group),
        )
        .set_self_managed_kafka_event_source_config(
            e.self_managed_kafka.and_then(self_managed_without_group),
        )
        .set_document_db_event_source_config(e.document_db)
        .set_provisioned_poller_config(e.provisioned_poller_config))
}

#[cfg(test)]
mod tests;
