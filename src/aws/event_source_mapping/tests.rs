use aws_sdk_lambda::config::{BehaviorVersion, Region};
use aws_sdk_lambda::types::EventSourceMappingConfiguration as Served;
use serde_json::{json, Value};

use super::*;
use crate::model::event_sources::{self, parse, MappingKey};
use aws_sdk_lambda::types::{
    EndPointType, EventSourceMappingMetric, EventSourceMappingSystemLogLevel, EventSourcePosition,
    FullDocument, FunctionResponseType, KafkaEventSourceMappingConsumptionMode,
    KafkaSchemaRegistryAuthType, KafkaSchemaValidationAttribute, SchemaRegistryEventRecordFormat,
    SourceAccessType,
};

const SQS: &str = "arn:aws:sqs:eu-west-1:123456789012:orders";
const KINESIS: &str = "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks";
const MSK: &str = "arn:aws:kafka:eu-west-1:123456789012:cluster/c/abc";
const FUNCTION: &str = "orders-api:live";

fn client() -> Client {
    let config = aws_sdk_lambda::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .build();
    Client::from_conf(config)
}

fn source(entry: Value) -> PullSource {
    parse(&json!({ "PullEventSources": [entry] }).to_string())
        .expect("valid event_sources")
        .0
        .pull
        .remove(0)
}

#[test]
fn known_enum_values_match_the_sdk() {
    let sorted = |v: &[&str]| {
        let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    };
    let pairs: [(&[&str], &[&str]); 11] = [
        (
            event_sources::STARTING_POSITIONS,
            EventSourcePosition::values(),
        ),
        (event_sources::METRICS, EventSourceMappingMetric::values()),
        (
            event_sources::SYSTEM_LOG_LEVELS,
            EventSourceMappingSystemLogLevel::values(),
        ),
        (
            event_sources::SOURCE_ACCESS_TYPES,
            SourceAccessType::values(),
        ),
        (event_sources::ENDPOINT_TYPES, EndPointType::values()),
        (
            event_sources::FUNCTION_RESPONSE_TYPES,
            FunctionResponseType::values(),
        ),
        (event_sources::FULL_DOCUMENT, FullDocument::values()),
        (
            event_sources::CONSUMPTION_MODES,
            KafkaEventSourceMappingConsumptionMode::values(),
        ),
        (
            event_sources::EVENT_RECORD_FORMATS,
            SchemaRegistryEventRecordFormat::values(),
        ),
        (
            event_sources::SCHEMA_REGISTRY_AUTH_TYPES,
            KafkaSchemaRegistryAuthType::values(),
        ),
        (
            event_sources::SCHEMA_VALIDATION_ATTRIBUTES,
            KafkaSchemaValidationAttribute::values(),
        ),
    ];
    for (ours, sdk) in pairs {
        assert_eq!(sorted(ours), sorted(sdk));
    }
}

#[test]
fn create_carries_every_parameter_and_targets_the_alias() {
    let s = source(crate::model::event_sources::tests_every_pull_key());
    let b = create_mapping(&client(), FUNCTION, &s).unwrap();
    let i = b.as_input();
    assert_eq!(i.get_function_name().as_deref(), Some(FUNCTION));
    assert_eq!(i.get_event_source_arn().as_deref(), Some(MSK));
    assert_eq!(i.get_enabled(), &Some(false));
    assert_eq!(i.get_batch_size(), &Some(500));
    assert_eq!(
        i.get_starting_position(),
        &Some(EventSourcePosition::AtTimestamp)
    );
    assert_eq!(
        i.get_starting_position_timestamp().map(|t| t.secs()),
        Some(1_714_564_800)
    );
    assert_eq!(i.get_topics().as_deref(), Some(&["orders".to_string()][..]));
    assert_eq!(i.get_tags().as_ref().unwrap()["team"], "orders");
    let filters = i.get_filter_criteria().as_ref().unwrap().filters();
    assert_eq!(filters[0].pattern(), Some(r#"{"value":{"ok":[true]}}"#));
    assert_eq!(
        i.get_metrics_config().as_ref().unwrap().metrics(),
        [
            EventSourceMappingMetric::ErrorCount,
            EventSourceMappingMetric::EventCount
        ]
    );
    let kafka = i
        .get_amazon_managed_kafka_event_source_config()
        .as_ref()
        .unwrap();
    assert_eq!(kafka.consumer_group_id(), Some("orders-consumer"));
    let registry = kafka.schema_registry_config().unwrap();
    assert_eq!(
        registry.event_record_format(),
        Some(&SchemaRegistryEventRecordFormat::Json)
    );
    assert_eq!(
        registry.access_configs()[0].r#type(),
        Some(&KafkaSchemaRegistryAuthType::BasicAuth)
    );
    assert_eq!(
        i.get_destination_config()
            .as_ref()
            .unwrap()
            .on_failure()
            .unwrap()
            .destination(),
        Some("arn:aws:sqs:eu-west-1:123456789012:dlq")
    );
    assert_eq!(
        i.get_source_access_configurations().as_ref().unwrap()[0].r#type(),
        Some(&SourceAccessType::VpcSubnet)
    );
    assert_eq!(
        i.get_document_db_event_source_config()
            .as_ref()
            .unwrap()
            .full_document(),
        Some(&FullDocument::UpdateLookup)
    );
    assert_eq!(
        i.get_provisioned_poller_config()
            .as_ref()
            .unwrap()
            .maximum_pollers(),
        Some(3)
    );
    assert_eq!(
        i.get_logging_config().as_ref().unwrap().system_log_level(),
        Some(&EventSourceMappingSystemLogLevel::Warn)
    );
}

#[test]
fn create_sends_only_what_is_declared() {
    let b = create_mapping(
        &client(),
        FUNCTION,
        &source(json!({ "EventSourceArn": SQS })),
    )
    .unwrap();
    let i = b.as_input();
    assert_eq!(i.get_batch_size(), &None);
    assert_eq!(i.get_filter_criteria(), &None);
    assert_eq!(i.get_starting_position(), &None);
}

#[test]
fn update_resets_what_the_declaration_leaves_out() {
    let s = source(json!({ "EventSourceArn": SQS }));
    let b = update_mapping(&client(), "uuid-1", FUNCTION, &s).unwrap();
    let i = b.as_input();
    assert_eq!(i.get_uuid().as_deref(), Some("uuid-1"));
    assert_eq!(i.get_function_name().as_deref(), Some(FUNCTION));
    assert_eq!(i.get_enabled(), &Some(true));
    assert_eq!(i.get_batch_size(), &Some(10));
    assert_eq!(i.get_maximum_batching_window_in_seconds(), &Some(0));
    assert!(i
        .get_filter_criteria()
        .as_ref()
        .unwrap()
        .filters()
        .is_empty());
    assert_eq!(i.get_kms_key_arn().as_deref(), Some(""));
    assert_eq!(
        i.get_scaling_config()
            .as_ref()
            .unwrap()
            .maximum_concurrency(),
        None
    );
    assert_eq!(i.get_function_response_types().as_deref(), Some(&[][..]));
    // SQS has no stream settings and no destination config.
    assert_eq!(i.get_parallelization_factor(), &None);
    assert_eq!(i.get_destination_config(), &None);

    let k = source(json!({ "EventSourceArn": KINESIS, "StartingPosition": "LATEST" }));
    let b = update_mapping(&client(), "uuid-2", FUNCTION, &k).unwrap();
    let i = b.as_input();
    assert_eq!(i.get_batch_size(), &Some(100));
    assert_eq!(i.get_parallelization_factor(), &Some(1));
    assert_eq!(i.get_maximum_retry_attempts(), &Some(-1));
    assert_eq!(i.get_maximum_record_age_in_seconds(), &Some(-1));
    assert_eq!(i.get_bisect_batch_on_function_error(), &Some(false));
    assert_eq!(i.get_tumbling_window_in_seconds(), &Some(0));
    let d = i.get_destination_config().as_ref().unwrap();
    assert!(d.on_failure().is_none() && d.on_success().is_none());
}

#[test]
fn update_leaves_the_consumer_group_alone() {
    let s = source(
        json!({ "EventSourceArn": MSK, "Topics": ["t"], "StartingPosition": "LATEST",
        "AmazonManagedKafkaEventSourceConfig": { "ConsumerGroupId": "g" } }),
    );
    let b = update_mapping(&client(), "u", FUNCTION, &s).unwrap();
    assert_eq!(
        b.as_input().get_amazon_managed_kafka_event_source_config(),
        &None
    );
    assert_eq!(b.as_input().get_maximum_batching_window_in_seconds(), &None);
}

/// True when AWS already serves what `s` declares: nothing to update.
fn s_matches(m: &aws_sdk_lambda::types::EventSourceMappingConfiguration, s: &PullSource) -> bool {
    s.is_served_by(&flatten(m))
}

fn served_sqs() -> aws_sdk_lambda::types::builders::EventSourceMappingConfigurationBuilder {
    Served::builder()
        .uuid("u")
        .event_source_arn(SQS)
        .state("Enabled")
        .batch_size(10)
        .maximum_batching_window_in_seconds(0)
        .function_response_types(FunctionResponseType::ReportBatchItemFailures)
}

#[test]
fn matches_what_aws_serves_with_defaults() {
    let s = source(
        json!({ "EventSourceArn": SQS, "FunctionResponseTypes": ["ReportBatchItemFailures"] }),
    );
    assert!(s_matches(&served_sqs().build(), &s));
    assert!(!s_matches(&served_sqs().batch_size(20).build(), &s));
    assert!(!s_matches(&served_sqs().state("Disabled").build(), &s));
    let scaled = served_sqs()
        .scaling_config(api::ScalingConfig::builder().maximum_concurrency(5).build())
        .build();
    assert!(!s_matches(&scaled, &s), "a removed ScalingConfig is reset");
    let filtered = served_sqs()
        .filter_criteria(
            api::FilterCriteria::builder()
                .filters(
                    api::Filter::builder()
                        .pattern("{ \"b\": 1, \"a\": 2 }")
                        .build(),
                )
                .build(),
        )
        .build();
    let wants_filter = source(
        json!({ "EventSourceArn": SQS, "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "FilterCriteria": { "Filters": [{ "Pattern": "{\"a\":2,\"b\":1}" }] } }),
    );
    assert!(s_matches(&filtered, &wants_filter));
    assert!(!s_matches(&filtered, &s));
}

#[test]
fn keys_of_served_mappings() {
    let m = Served::builder()
        .event_source_arn(MSK)
        .topics("b")
        .topics("a")
        .build();
    assert_eq!(
        flatten(&m).key(),
        MappingKey {
            event_source_arn: Some(MSK.into()),
            topics: vec!["a".into(), "b".into()],
            queues: vec![],
            bootstrap_servers: vec![],
        }
    );
    let s = source(json!({ "EventSourceArn": MSK, "Topics": ["a"], "StartingPosition": "LATEST" }));
    assert_eq!(
        flatten(&Served::builder().event_source_arn(MSK).topics("a").build()).key(),
        s.key()
    );
}

#[test]
fn a_served_mapping_reads_back_as_its_declaration() {
    let s = source(crate::model::event_sources::tests_every_pull_key());
    let i = create_mapping(&client(), FUNCTION, &s)
        .unwrap()
        .as_input()
        .clone();
    let served = Served::builder()
        .event_source_arn(i.get_event_source_arn().clone().unwrap())
        .state("Disabled")
        .set_batch_size(*i.get_batch_size())
        .set_filter_criteria(i.get_filter_criteria().clone())
        .set_kms_key_arn(i.get_kms_key_arn().clone())
        .set_metrics_config(i.get_metrics_config().clone())
        .set_logging_config(i.get_logging_config().clone())
        .set_scaling_config(i.get_scaling_config().clone())
        .set_maximum_batching_window_in_seconds(*i.get_maximum_batching_window_in_seconds())
        .set_parallelization_factor(*i.get_parallelization_factor())
        .set_starting_position(i.get_starting_position().clone())
        .set_starting_position_timestamp(*i.get_starting_position_timestamp())
        .set_destination_config(i.get_destination_config().clone())
        .set_maximum_record_age_in_seconds(*i.get_maximum_record_age_in_seconds())
        .set_bisect_batch_on_function_error(*i.get_bisect_batch_on_function_error())
        .set_maximum_retry_attempts(*i.get_maximum_retry_attempts())
        .set_tumbling_window_in_seconds(*i.get_tumbling_window_in_seconds())
        .set_topics(i.get_topics().clone())
        .set_source_access_configurations(i.get_source_access_configurations().clone())
        .set_function_response_types(i.get_function_response_types().clone())
        .set_amazon_managed_kafka_event_source_config(
            i.get_amazon_managed_kafka_event_source_config().clone(),
        )
        .set_document_db_event_source_config(i.get_document_db_event_source_config().clone())
        .set_provisioned_poller_config(i.get_provisioned_poller_config().clone())
        .build();
    let mut back = flatten(&served);
    assert!(s_matches(&served, &s));
    assert!(!back.needs_recreate(&s));
    back.tags = s.tags.clone();
    assert_eq!(back, s);
}
