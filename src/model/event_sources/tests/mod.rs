//! Pull sources, destinations and the document as a whole; push sources are in `push.rs`.

mod push;

use serde_json::{json, Value};

use super::*;

const SQS: &str = "arn:aws:sqs:eu-west-1:123456789012:orders";
const KINESIS: &str = "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks";
const MSK: &str = "arn:aws:kafka:eu-west-1:123456789012:cluster/c/abc";
const MQ: &str = "arn:aws:mq:eu-west-1:123456789012:broker:b:b-1";

pub(super) fn ok(v: Value) -> EventSources {
    parse(&v.to_string()).expect("valid event_sources").0
}

pub(super) fn err(v: Value) -> EventSourceError {
    parse(&v.to_string()).expect_err("invalid event_sources")
}

fn pull(entry: Value) -> PullSource {
    ok(json!({ "PullEventSources": [entry] })).pull.remove(0)
}

fn pull_err(entry: Value) -> EventSourceError {
    err(json!({ "PullEventSources": [entry] }))
}

pub(super) fn path(e: &EventSourceError) -> &str {
    e.key_path.as_deref().unwrap_or("")
}

/// Every CreateEventSourceMapping parameter but FunctionName.
pub(crate) fn every_pull_key() -> Value {
    json!({
        "EventSourceArn": MSK,
        "Enabled": false,
        "BatchSize": 500,
        "FilterCriteria": { "Filters": [{ "Pattern": "{\"value\": {\"ok\": [true]}}" }] },
        "KMSKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/k",
        "MetricsConfig": { "Metrics": ["EventCount", "ErrorCount"] },
        "LoggingConfig": { "SystemLogLevel": "WARN" },
        "ScalingConfig": { "MaximumConcurrency": 5 },
        "MaximumBatchingWindowInSeconds": 5,
        "ParallelizationFactor": 2,
        "StartingPosition": "AT_TIMESTAMP",
        "StartingPositionTimestamp": "2024-05-01T12:00:00Z",
        "DestinationConfig": { "OnFailure": { "Destination": "arn:aws:sqs:eu-west-1:123456789012:dlq" },
                               "OnSuccess": { "Destination": "arn:aws:sns:eu-west-1:123456789012:ok" } },
        "MaximumRecordAgeInSeconds": 3600,
        "BisectBatchOnFunctionError": true,
        "MaximumRetryAttempts": 3,
        "Tags": { "team": "orders" },
        "TumblingWindowInSeconds": 60,
        "Topics": ["orders"],
        "SourceAccessConfigurations": [{ "Type": "VPC_SUBNET", "URI": "subnet:subnet-1" }],
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "AmazonManagedKafkaEventSourceConfig": {
            "ConsumerGroupId": "orders-consumer",
            "SchemaRegistryConfig": {
                "SchemaRegistryURI": "arn:aws:glue:eu-west-1:123456789012:registry/r",
                "EventRecordFormat": "JSON",
                "AccessConfigs": [{ "Type": "BASIC_AUTH", "URI": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:s" }],
                "SchemaValidationConfigs": [{ "Attribute": "VALUE" }]
            }
        },
        "DocumentDBEventSourceConfig": { "DatabaseName": "db", "CollectionName": "c", "FullDocument": "UpdateLookup" },
        "ProvisionedPollerConfig": { "MinimumPollers": 1, "MaximumPollers": 3, "PollerGroupName": "g" }
    })
}

#[test]
fn reads_every_create_event_source_mapping_parameter() {
    let s = pull(every_pull_key());
    assert_eq!(s.batch_size, Some(500));
    assert_eq!(
        s.starting_position_timestamp,
        Some(Timestamp(1_714_564_800.0))
    );
    assert_eq!(
        s.metrics_config.unwrap().metrics.unwrap(),
        ["ErrorCount", "EventCount"]
    );
    assert_eq!(
        s.document_db_event_source_config
            .unwrap()
            .full_document
            .as_deref(),
        Some("UpdateLookup")
    );
}

#[test]
fn accepts_gitmoxis_event_source_mapping_wrapper() {
    let plain = ok(json!({ "PullEventSources": [{ "EventSourceArn": SQS, "BatchSize": 5 }] }));
    let wrapped = ok(
        json!({ "PullEventSources": [{ "EventSourceMapping": { "EventSourceArn": SQS, "BatchSize": 5 } }] }),
    );
    assert_eq!(plain, wrapped);
    let e = pull_err(json!({ "EventSourceMapping": { "EventSourceArn": SQS, "BatchSize": 0 } }));
    assert_eq!(path(&e), "PullEventSources[0].EventSourceMapping.BatchSize");
    let e = pull_err(json!({ "EventSourceMapping": { "EventSourceArn": SQS }, "BatchSize": 1 }));
    assert_eq!(path(&e), "PullEventSources[0].EventSourceMapping");
}

#[test]
fn function_names_in_mappings_are_kept_aside_for_the_resource_to_judge() {
    let doc = parse_document(
        &json!({ "PullEventSources": [{ "EventSourceArn": SQS, "FunctionName": "orders" }] })
            .to_string(),
    )
    .unwrap();
    assert_eq!(
        doc.function_names,
        [(
            "PullEventSources[0].FunctionName".to_string(),
            "orders".to_string()
        )]
    );
    assert_eq!(
        doc.sources,
        ok(json!({ "PullEventSources": [{ "EventSourceArn": SQS }] }))
    );
    let e = pull_err(json!({ "EventSourceArn": SQS, "FunctionName": 7 }));
    assert_eq!(path(&e), "PullEventSources[0].FunctionName");
}

#[test]
fn gitmoxis_published_form_is_one_mapping_object() {
    let published = json!({ "PullEventSources": { "EventSourceMapping": {
        "EventSourceArn": SQS, "BatchSize": 5, "FunctionName": "orders" } } });
    let doc = parse_document(&published.to_string()).unwrap();
    let plain = ok(json!({ "PullEventSources": [{ "EventSourceArn": SQS, "BatchSize": 5 }] }));
    assert_eq!(doc.sources, plain);
    assert_eq!(
        doc.function_names[0].0,
        "PullEventSources.EventSourceMapping.FunctionName"
    );
}

#[test]
fn errors_name_the_key_path() {
    let cases = [
        (
            json!({ "EventSourceArn": SQS, "BatchSize": 0 }),
            "PullEventSources[0].BatchSize",
        ),
        (
            json!({ "EventSourceArn": SQS, "BatchSize": "ten" }),
            "PullEventSources[0].BatchSize",
        ),
        (
            json!({ "EventSourceArn": SQS, "Batchsize": 10 }),
            "PullEventSources[0].Batchsize",
        ),
        (
            json!({ "EventSourceArn": SQS, "ScalingConfig": { "MaximumConcurrency": 1 } }),
            "PullEventSources[0].ScalingConfig.MaximumConcurrency",
        ),
        (
            json!({ "EventSourceArn": SQS, "ScalingConfig": { "Max": 1 } }),
            "PullEventSources[0].ScalingConfig.Max",
        ),
        (
            json!({ "EventSourceArn": SQS, "ScalingConfig": [2] }),
            "PullEventSources[0].ScalingConfig",
        ),
        (
            json!({ "EventSourceArn": SQS, "FilterCriteria": { "Filters": [{ "Pattern": "nope" }] } }),
            "PullEventSources[0].FilterCriteria.Filters[0].Pattern",
        ),
        (
            json!({ "EventSourceArn": SQS, "FunctionResponseTypes": ["Partial"] }),
            "PullEventSources[0].FunctionResponseTypes[0]",
        ),
        (
            json!({ "EventSourceArn": "orders" }),
            "PullEventSources[0].EventSourceArn",
        ),
        (
            json!({ "EventSourceArn": "arn:aws:sns:eu-west-1:123456789012:t" }),
            "PullEventSources[0].EventSourceArn",
        ),
        (
            json!({ "BatchSize": 10 }),
            "PullEventSources[0].EventSourceArn",
        ),
        (
            json!({ "EventSourceArn": KINESIS }),
            "PullEventSources[0].StartingPosition",
        ),
        (
            json!({ "EventSourceArn": SQS, "StartingPosition": "LATEST" }),
            "PullEventSources[0].StartingPosition",
        ),
        (
            json!({ "EventSourceArn": KINESIS, "StartingPosition": "AT_TIMESTAMP" }),
            "PullEventSources[0].StartingPositionTimestamp",
        ),
        (
            // A multi-byte character where a hand-written parser would slice the text.
            json!({ "EventSourceArn": KINESIS, "StartingPosition": "AT_TIMESTAMP",
                    "StartingPositionTimestamp": "2024-05-01T12:00:00+1\u{e9}00" }),
            "PullEventSources[0].StartingPositionTimestamp",
        ),
        (
            json!({ "EventSourceArn": KINESIS, "StartingPosition": "LATEST", "ParallelizationFactor": 11 }),
            "PullEventSources[0].ParallelizationFactor",
        ),
        (
            json!({ "EventSourceArn": KINESIS, "StartingPosition": "LATEST", "MaximumRecordAgeInSeconds": 30 }),
            "PullEventSources[0].MaximumRecordAgeInSeconds",
        ),
        (
            json!({ "EventSourceArn": SQS, "BatchSize": 100 }),
            "PullEventSources[0].BatchSize",
        ),
        (
            json!({ "EventSourceArn": format!("{SQS}.fifo"), "BatchSize": 20, "MaximumBatchingWindowInSeconds": 1 }),
            "PullEventSources[0].BatchSize",
        ),
        (
            json!({ "EventSourceArn": MSK, "StartingPosition": "LATEST" }),
            "PullEventSources[0].Topics",
        ),
        (
            json!({ "EventSourceArn": MSK, "StartingPosition": "LATEST", "Topics": ["a", "b"] }),
            "PullEventSources[0].Topics",
        ),
        (
            json!({ "EventSourceArn": MQ }),
            "PullEventSources[0].Queues",
        ),
        (
            json!({ "EventSourceArn": SQS, "Queues": ["q"] }),
            "PullEventSources[0].Queues",
        ),
        (
            json!({ "SelfManagedEventSource": { "Endpoints": {} }, "Topics": ["t"] }),
            "PullEventSources[0].SelfManagedEventSource.Endpoints",
        ),
        (
            json!({ "EventSourceArn": SQS, "ProvisionedPollerConfig": { "MinimumPollers": 5, "MaximumPollers": 2 } }),
            "PullEventSources[0].ProvisionedPollerConfig",
        ),
    ];
    for (entry, want) in cases {
        let e = pull_err(entry.clone());
        assert_eq!(path(&e), want, "{entry} gave {e:?}");
        assert!(!e.detail.is_empty());
    }
}

#[test]
fn a_big_sqs_batch_needs_a_batching_window() {
    assert!(parse(&json!({ "PullEventSources": [{ "EventSourceArn": SQS, "BatchSize": 100, "MaximumBatchingWindowInSeconds": 1 }] }).to_string()).is_ok());
}

#[test]
fn refuses_bad_documents() {
    assert_eq!(err(json!([])).key_path, None);
    assert!(parse("{").unwrap_err().summary.contains("not valid JSON"));
    assert_eq!(path(&err(json!({ "PullSources": [] }))), "PullSources");
    assert_eq!(
        path(&err(json!({ "PullEventSources": {} }))),
        "PullEventSources.EventSourceArn"
    );
    assert_eq!(
        path(&err(json!({ "PullEventSources": "sqs" }))),
        "PullEventSources"
    );
    assert_eq!(
        path(&err(json!({ "PullEventSources": [1] }))),
        "PullEventSources[0]"
    );
}

#[test]
fn two_mappings_with_the_same_key_are_an_error() {
    let e = err(json!({ "PullEventSources": [
        { "EventSourceArn": SQS }, { "EventSourceArn": KINESIS, "StartingPosition": "LATEST" }, { "EventSourceArn": SQS, "BatchSize": 5 }
    ]}));
    assert_eq!(path(&e), "PullEventSources[2]");
    assert!(e.detail.contains("PullEventSources[0]"));
    // Same cluster, different topics: two mappings.
    let two = ok(json!({ "PullEventSources": [
        { "EventSourceArn": MSK, "StartingPosition": "LATEST", "Topics": ["a"] },
        { "EventSourceArn": MSK, "StartingPosition": "LATEST", "Topics": ["b"] }
    ]}));
    assert_eq!(two.pull.len(), 2);
}

#[test]
fn mapping_key_is_the_source_plus_topics_and_queues() {
    let s = pull(json!({ "EventSourceArn": MQ, "Queues": ["jobs"] }));
    assert_eq!(
        s.key(),
        MappingKey {
            event_source_arn: Some(MQ.into()),
            topics: vec![],
            queues: vec!["jobs".into()],
            bootstrap_servers: vec![],
        }
    );
    assert_eq!(s.key().to_string(), format!("{MQ} (queues jobs)"));
    let kafka = |servers: serde_json::Value| {
        pull(json!({
            "SelfManagedEventSource": {"Endpoints": {"KAFKA_BOOTSTRAP_SERVERS": servers}},
            "Topics": ["orders"],
            "StartingPosition": "LATEST",
        }))
        .key()
    };
    // Two self-managed clusters with the same topic are two sources.
    assert_ne!(kafka(json!(["a:9092"])), kafka(json!(["b:9092"])));
    assert_eq!(
        kafka(json!(["b:9092", "a:9092"])),
        kafka(json!(["a:9092", "b:9092"]))
    );
    assert_eq!(
        kafka(json!(["a:9092"])).to_string(),
        "self-managed Kafka a:9092 (topics orders)"
    );
    assert_eq!(s.event_source_arn(), Some(MQ));
    let k = pull(
        json!({ "SelfManagedEventSource": { "Endpoints": { "KAFKA_BOOTSTRAP_SERVERS": ["b:9092"] } }, "Topics": ["t"], "StartingPosition": "LATEST" }),
    );
    assert_eq!(k.key().to_string(), "self-managed Kafka b:9092 (topics t)");
    assert_eq!(k.kind(), SourceKind::SelfManagedKafka);
}

#[test]
fn streams_are_the_sources_read_from_a_position() {
    assert!(!pull(json!({ "EventSourceArn": SQS })).is_stream());
    assert!(!pull(json!({ "EventSourceArn": MQ, "Queues": ["q"] })).is_stream());
    assert!(pull(json!({ "EventSourceArn": KINESIS, "StartingPosition": "LATEST" })).is_stream());
    assert!(pull(json!({ "EventSourceArn": MSK, "Topics": ["t"] })).is_stream());
}

#[test]
fn recreated_when_aws_cannot_update_the_change() {
    let base = json!({ "EventSourceArn": MSK, "StartingPosition": "LATEST", "Topics": ["t"], "BatchSize": 10,
                       "AmazonManagedKafkaEventSourceConfig": { "ConsumerGroupId": "g1" } });
    let with = |key: &str, v: Value| {
        let mut e = base.clone();
        e[key] = v;
        pull(e)
    };
    let a = pull(base.clone());
    assert!(!a.needs_recreate(&with("BatchSize", json!(20))));
    assert!(!a.needs_recreate(&with("Enabled", json!(false))));
    assert!(a.needs_recreate(&with("StartingPosition", json!("TRIM_HORIZON"))));
    assert!(a.needs_recreate(&with("Topics", json!(["u"]))));
    assert!(a.needs_recreate(&with(
        "EventSourceArn",
        json!("arn:aws:kafka:eu-west-1:123456789012:cluster/d/x")
    )));
    assert!(a.needs_recreate(&with(
        "AmazonManagedKafkaEventSourceConfig",
        json!({ "ConsumerGroupId": "g2" })
    )));
    let k = KINESIS;
    let at = pull(
        json!({ "EventSourceArn": k, "StartingPosition": "AT_TIMESTAMP", "StartingPositionTimestamp": 1000 }),
    );
    let later = pull(
        json!({ "EventSourceArn": k, "StartingPosition": "AT_TIMESTAMP", "StartingPositionTimestamp": 2000 }),
    );
    assert!(at.needs_recreate(&later));
}

#[test]
fn canonical_json_ignores_order_spacing_and_wrapping() {
    let a = r#"{"PullEventSources":[{"BatchSize":5,"EventSourceArn":"arn:aws:sqs:eu-west-1:123456789012:orders",
        "FilterCriteria":{"Filters":[{"Pattern":"{\"b\": 1, \"a\": [2]}"},{"Pattern":"{\"a\":1}"}]}},
        {"EventSourceArn":"arn:aws:kinesis:eu-west-1:123456789012:stream/clicks","StartingPosition":"LATEST"}],
        "Destinations":{"OnFailure":"arn:aws:sqs:eu-west-1:123456789012:dlq","MaximumRetryAttempts":1}}"#;
    let b = r#"{ "Destinations": { "MaximumRetryAttempts": 1, "OnFailure": "arn:aws:sqs:eu-west-1:123456789012:dlq" },
        "PullEventSources": [
          { "EventSourceMapping": { "StartingPosition": "LATEST", "EventSourceArn": "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks" } },
          { "FilterCriteria": { "Filters": [ { "Pattern": "{\"a\":1}" }, { "Pattern": "{\"a\":[2],\"b\":1}" } ] },
            "EventSourceArn": "arn:aws:sqs:eu-west-1:123456789012:orders", "BatchSize": 5 } ] }"#;
    let (a, b) = (parse(a).unwrap().0, parse(b).unwrap().0);
    assert_eq!(a, b);
    assert_eq!(a.canonical_json(), b.canonical_json());
    assert!(a
        .canonical_json()
        .starts_with(r#"{"Destinations":{"MaximumRetryAttempts":1,"#));
    // The canonical form parses back to the same value.
    assert_eq!(parse(&a.canonical_json()).unwrap().0, a);
    let every = ok(json!({ "PullEventSources": [every_pull_key()] }));
    assert_eq!(parse(&every.canonical_json()).unwrap().0, every);
}

#[test]
fn empty_documents() {
    assert!(ok(json!({})).is_empty());
    assert!(ok(json!({ "PullEventSources": [], "Destinations": {} })).is_empty());
    assert_eq!(ok(json!({})).canonical_json(), "{}");
    assert!(!ok(json!({ "Destinations": { "MaximumRetryAttempts": 0 } })).is_empty());
}

#[test]
fn update_defaults_depend_on_the_source() {
    let sqs = pull(json!({ "EventSourceArn": SQS })).with_update_defaults();
    assert_eq!(sqs.batch_size, Some(10));
    assert_eq!(sqs.maximum_batching_window_in_seconds, Some(0));
    assert_eq!(sqs.parallelization_factor, None);
    assert!(sqs.scaling_config.is_some() && sqs.destination_config.is_none());
    let kinesis = pull(json!({ "EventSourceArn": KINESIS, "StartingPosition": "LATEST" }))
        .with_update_defaults();
    assert_eq!(kinesis.batch_size, Some(100));
    assert_eq!(kinesis.parallelization_factor, Some(1));
    assert_eq!(kinesis.maximum_retry_attempts, Some(-1));
    assert!(kinesis.destination_config.is_some());
    let msk = pull(json!({ "EventSourceArn": MSK, "Topics": ["t"], "StartingPosition": "LATEST" }))
        .with_update_defaults();
    assert_eq!(msk.maximum_batching_window_in_seconds, None);
}

#[test]
fn served_with_defaults_matches_a_declaration_without_them() {
    let declared = pull(
        json!({ "EventSourceArn": SQS, "FilterCriteria": { "Filters": [{ "Pattern": "{\"a\":1,\"b\":2}" }] } }),
    );
    let mut served = declared.clone();
    served.batch_size = Some(10);
    served.enabled = Some(true);
    served.maximum_batching_window_in_seconds = Some(0);
    served.filter_criteria = Some(pull::FilterCriteria {
        filters: Some(vec![pull::Filter {
            pattern: Some("{\"b\": 2, \"a\": 1}".into()),
        }]),
    });
    assert!(declared.is_served_by(&served));
    served.batch_size = Some(5);
    assert!(!declared.is_served_by(&served));
    served.batch_size = Some(10);
    served.filter_criteria = None;
    assert!(
        !declared.is_served_by(&served),
        "a removed filter is a difference"
    );
}
