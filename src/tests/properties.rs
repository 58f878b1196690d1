//! Parser robustness: property tests over the three parsers that read user or
//! Terraform input — `function_definition`, `event_sources` and the msgpack value decoder. Each
//! must return a value or an error for any input, never panic, and where a canonical form exists,
//! parsing it again gives the same thing.
//!
//! A unit-test module of the library (`cargo test --lib properties`): they need no tools and run
//! in a few seconds. `PROPTEST_CASES=N` runs more cases; `make fuzz` reuses the same generators
//! when cargo-fuzz cannot run.

use std::collections::BTreeMap;

use gitmoxi_engine::{parse_traffic_shifting, RolloutPlan};
use proptest::prelude::*;

use crate::model::definition;
use crate::model::event_sources;
use crate::protocol::diagnostics::{AttrPath, Diagnostics};
use crate::protocol::value::{Type, Value};
use crate::resources::common::values::{duration, MAX_DURATION};

/// A valid definition with most nested shapes the parser knows.
const VALID_DEFINITION: &str = r#"{
  "FunctionName": "orders",
  "Role": "arn:aws:iam::123456789012:role/orders",
  "Runtime": "python3.12",
  "Handler": "app.handler",
  "Timeout": 30,
  "MemorySize": 256,
  "Description": "orders api",
  "Environment": { "Variables": { "GREETING": "hello", "STAGE": "prod" } },
  "VpcConfig": { "SubnetIds": ["subnet-b", "subnet-a"], "SecurityGroupIds": ["sg-1"] },
  "TracingConfig": { "Mode": "Active" },
  "Architectures": ["arm64"],
  "EphemeralStorage": { "Size": 1024 },
  "LoggingConfig": { "LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "WARN" },
  "Layers": ["arn:aws:lambda:us-east-1:123456789012:layer:deps:3"],
  "Tags": { "team": "orders" },
  "DeadLetterConfig": { "TargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq" }
}"#;

const VALID_EVENT_SOURCES: &str = r#"{
  "PullEventSources": [
    { "EventSourceArn": "arn:aws:sqs:eu-west-1:123456789012:orders", "BatchSize": 5,
      "MaximumBatchingWindowInSeconds": 2, "FunctionResponseTypes": ["ReportBatchItemFailures"],
      "FilterCriteria": { "Filters": [{ "Pattern": "{\"a\": [1]}" }] } },
    { "EventSourceArn": "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks",
      "StartingPosition": "AT_TIMESTAMP", "StartingPositionTimestamp": "2024-05-01T12:00:00Z",
      "ParallelizationFactor": 2, "MaximumRetryAttempts": 3 }
  ],
  "Destinations": { "MaximumRetryAttempts": 1, "OnFailure": "arn:aws:sqs:eu-west-1:123456789012:dlq" }
}"#;

/// Arbitrary JSON documents, nested a few levels, with keys drawn partly from the names the
/// parsers know so that generated input gets past the first checks.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let known_keys = prop::sample::select(vec![
        "FunctionName",
        "Role",
        "Runtime",
        "Handler",
        "Code",
        "ZipFile",
        "S3Bucket",
        "ImageUri",
        "Environment",
        "Variables",
        "VpcConfig",
        "SubnetIds",
        "Timeout",
        "MemorySize",
        "PackageType",
        "Tags",
        "Layers",
        "Architectures",
        "SnapStart",
        "ApplyOn",
        "PullEventSources",
        "PushEventSources",
        "Destinations",
        "EventSourceArn",
        "BatchSize",
        "StartingPosition",
        "StartingPositionTimestamp",
        "Type",
        "OnFailure",
        "FilterCriteria",
        "Filters",
        "Pattern",
        "Publish",
    ])
    .prop_map(str::to_string);
    let key = prop_oneof![3 => known_keys, 1 => ".{0,12}"];
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        ".{0,20}".prop_map(serde_json::Value::String),
        Just(serde_json::json!("arn:aws:sqs:us-east-1:123456789012:q")),
        Just(serde_json::json!("python3.12")),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Text mutations of a valid document: a byte range cut, a character inserted or replaced, or
/// the document truncated. Mostly invalid JSON, sometimes valid JSON with odd values.
fn mutated(base: &'static str) -> impl Strategy<Value = String> {
    let len = base.len();
    (
        0..4u8,
        0..len,
        0..len,
        prop::sample::select(vec![
            "{", "}", "[", "]", ",", ":", "\"", "\\", "0", "-1", "1e999", "null", "true", "\u{0}",
            "é", "\"x\"", "[]", "{}",
        ]),
    )
        .prop_map(move |(op, a, b, insert)| {
            let (lo, hi) = (a.min(b), a.max(b));
            let mut s = base.as_bytes().to_vec();
            match op {
                0 => {
                    s.drain(lo..hi);
                }
                1 => {
                    s.splice(lo..lo, insert.bytes());
                }
                2 => {
                    s.splice(lo..(lo + 1).min(len), insert.bytes());
                }
                _ => s.truncate(lo),
            }
            String::from_utf8_lossy(&s).into_owned()
        })
}

/// Dates near RFC 3339: valid ones, mutated ones (multi-byte characters at the places a parser
/// slices), and anything.
fn timestamp_text() -> impl Strategy<Value = String> {
    prop_oneof![
        mutated("2024-05-01T12:00:00.250+02:00"),
        mutated("9999-12-31T23:59:59Z"),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}[T t][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,12})?(Z|[+-][0-9é]{2}:?[0-9é]{2})",
        ".{0,40}",
    ]
}

/// Go-style durations, huge ones included, and anything.
fn duration_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,25}(ns|us|ms|s|m|h|d|w|y)",
        "([0-9]{1,6}(h|m|s)){1,4}",
        ".{0,20}",
    ]
}

/// Traffic shifting types, CodeDeploy-style names with any numbers included.
fn schedule_type() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        prop::sample::select(vec!["CANARY", "LINEAR", "ALL_AT_ONCE", "canary"])
            .prop_map(str::to_string),
        "(CodeDeployDefault\\.)?(Lambda)?Canary[0-9]{1,25}Percent[0-9]{1,25}Minutes?",
        "(CodeDeployDefault\\.)?(Lambda)?Linear[0-9]{1,25}PercentEvery[0-9]{1,25}Minutes?",
        ".{0,30}",
    ])
}

/// Mutations of the valid definition's JSON tree: one key's value replaced by anything.
fn definition_with_one_value_replaced() -> impl Strategy<Value = String> {
    let base: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(VALID_DEFINITION).expect("valid JSON");
    let keys: Vec<String> = base.keys().cloned().collect();
    (prop::sample::select(keys), json_value()).prop_map(move |(key, value)| {
        let mut doc = base.clone();
        doc.insert(key, value);
        serde_json::Value::Object(doc).to_string()
    })
}

/// Terraform types, nested a few levels.
fn terraform_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![
        Just(Type::Bool),
        Just(Type::Number),
        Just(Type::String),
        Just(Type::Dynamic),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Type::Tuple),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4).prop_map(Type::Object),
        ]
    })
}

/// A value of type `ty` (possibly null or unknown), as Terraform would send it.
fn value_of(ty: Type) -> BoxedStrategy<Value> {
    let concrete: BoxedStrategy<Value> = match ty.clone() {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => prop_oneof![
            (-1_000_000_000_000i64..1_000_000_000_000).prop_map(|n| Value::Number(n as f64)),
            (-1.0e12f64..1.0e12).prop_map(Value::Number),
        ]
        .boxed(),
        Type::String => ".{0,16}".prop_map(Value::String).boxed(),
        Type::List(t) => prop::collection::vec(value_of(*t), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(t) => prop::collection::vec(value_of(*t), 0..4)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(t) => prop::collection::btree_map(".{0,6}", value_of(*t), 0..4)
            .prop_map(Value::Map)
            .boxed(),
        Type::Tuple(ts) => ts
            .into_iter()
            .map(value_of)
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        Type::Object(attrs) => attrs
            .into_iter()
            .map(|(k, t)| value_of(t).prop_map(move |v| (k.clone(), v)))
            .collect::<Vec<_>>()
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<BTreeMap<_, _>>()))
            .boxed(),
        // A dynamic attribute travels with its own concrete type.
        Type::Dynamic => prop_oneof![
            any::<bool>().prop_map(|b| Value::Typed(Type::Bool, Box::new(Value::Bool(b)))),
            ".{0,8}".prop_map(|s| Value::Typed(Type::String, Box::new(Value::String(s)))),
            prop::collection::vec(".{0,4}".prop_map(Value::String), 0..3)
                .prop_map(|v| { Value::Typed(Type::list(Type::String), Box::new(Value::List(v))) }),
        ]
        .boxed(),
    };
    prop_oneof![8 => concrete, 1 => Just(Value::Null), 1 => Just(Value::Unknown)].boxed()
}

fn typed_value() -> impl Strategy<Value = (Type, Value)> {
    terraform_type().prop_flat_map(|ty| (Just(ty.clone()), value_of(ty)))
}

/// Valid msgpack bytes that do not match the type they are decoded with: the encoding of one
/// generated value, read as another type.
fn msgpack_of_other_type() -> impl Strategy<Value = (Type, Vec<u8>)> {
    (typed_value(), terraform_type()).prop_map(|((_, v), other)| (other, v.to_msgpack()))
}

proptest! {
    #![proptest_config(ProptestConfig {
        // Small by default: the normal suite stays fast. PROPTEST_CASES overrides it.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn definition_parse_never_panics_on_any_text(text in ".{0,200}") {
        let _ = definition::parse(&text);
    }

    #[test]
    fn definition_parse_never_panics_on_json_documents(doc in json_value()) {
        let _ = definition::parse(&doc.to_string());
    }

    #[test]
    fn definition_parse_never_panics_on_mutated_definitions(text in mutated(VALID_DEFINITION)) {
        let _ = definition::parse(&text);
    }

    #[test]
    fn definition_canonical_form_parses_to_itself(text in definition_with_one_value_replaced()) {
        if let Ok((parsed, _)) = definition::parse(&text) {
            let canonical = parsed.canonical_json();
            let (again, _) = definition::parse(&canonical)
                .map_err(|e| TestCaseError::fail(format!("canonical form rejected: {e:?}\n{canonical}")))?;
            prop_assert_eq!(again.canonical_json(), canonical);
        }
    }

    #[test]
    fn event_sources_parse_never_panics_on_any_text(text in ".{0,200}") {
        let _ = event_sources::parse(&text);
    }

    #[test]
    fn event_sources_parse_never_panics_on_json_documents(doc in json_value()) {
        let _ = event_sources::parse(&doc.to_string());
        let wrapped = serde_json::json!({ "PullEventSources": [doc.clone()] });
        let _ = event_sources::parse(&wrapped.to_string());
        let wrapped = serde_json::json!({ "PushEventSources": [doc] });
        let _ = event_sources::parse(&wrapped.to_string());
    }

    #[test]
    fn event_sources_canonical_form_parses_to_itself(text in mutated(VALID_EVENT_SOURCES)) {
        if let Ok((parsed, _)) = event_sources::parse(&text) {
            let canonical = parsed.canonical_json();
            let (again, _) = event_sources::parse(&canonical)
                .map_err(|e| TestCaseError::fail(format!("canonical form rejected: {e:?}\n{canonical}")))?;
            prop_assert_eq!(again.canonical_json(), canonical);
        }
    }

    #[test]
    fn timestamps_never_panic_and_stay_within_1970_to_9999(text in timestamp_text()) {
        if let Some(t) = event_sources::parse_rfc3339(&text) {
            let json = serde_json::Value::String(text.clone()).to_string();
            if let Ok(kept) = serde_json::from_str::<event_sources::Timestamp>(&json) {
                prop_assert!((0.0..=253_402_300_799.0).contains(&kept.0), "{text}: {t}");
            }
        }
    }

    #[test]
    fn durations_never_panic_and_never_exceed_30_days(text in duration_text()) {
        let mut diags = Diagnostics::default();
        let parsed = duration(&Value::string(&text), AttrPath::root("wait_interval"), &mut diags);
        match parsed {
            Some(d) => prop_assert!(d <= MAX_DURATION, "{text}: {d:?}"),
            None => prop_assert!(diags.has_errors(), "{text}: refused without a diagnostic"),
        }
    }

    #[test]
    fn schedules_never_panic_and_total_at_most_100_waits_of_30_days(
        type_name in schedule_type(),
        percent in prop::option::of(any::<i64>()),
        wait in prop::option::of(0..=MAX_DURATION.as_secs()),
        bake in prop::option::of(0..=MAX_DURATION.as_secs()),
    ) {
        let secs = |s: Option<u64>| s.map(std::time::Duration::from_secs);
        let parsed = parse_traffic_shifting(type_name.as_deref(), percent, secs(wait), secs(bake));
        if let Ok(shifting) = parsed {
            let plan = RolloutPlan::new(&shifting);
            prop_assert!(plan.steps.len() <= 100);
            prop_assert!(plan.configured_waits() <= MAX_DURATION * 101);
            prop_assert_eq!(plan.steps.last().map(|s| s.weight_percent), Some(100));
        }
    }

    #[test]
    fn msgpack_decoder_never_panics_on_arbitrary_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..64),
        ty in terraform_type(),
    ) {
        let _ = Value::from_msgpack(&bytes, &ty);
    }

    #[test]
    fn msgpack_decoder_never_panics_on_values_of_another_type((ty, bytes) in msgpack_of_other_type()) {
        let _ = Value::from_msgpack(&bytes, &ty);
    }

    #[test]
    fn msgpack_round_trip_gives_the_value_back((ty, value) in typed_value()) {
        let bytes = value.to_msgpack();
        let back = Value::from_msgpack(&bytes, &ty)
            .map_err(|e| TestCaseError::fail(format!("{e} for {value:?} as {ty:?}")))?;
        prop_assert_eq!(back, with_absent_attributes_null(value, &ty));
    }
}

/// The decoder fills object attributes the encoding left out with null, so an object value
/// compares equal once its missing attributes are null too. Generated objects carry every
/// attribute, so this only recurses.
fn with_absent_attributes_null(value: Value, ty: &Type) -> Value {
    match (value, ty) {
        (Value::Object(mut m), Type::Object(attrs)) => {
            for (k, t) in attrs {
                let v = m.remove(k).unwrap_or(Value::Null);
                m.insert(k.clone(), with_absent_attributes_null(v, t));
            }
            Value::Object(m)
        }
        (Value::List(v), Type::List(t)) => Value::List(
            v.into_iter()
                .map(|x| with_absent_attributes_null(x, t))
                .collect(),
        ),
        (v, _) => v,
    }
}

#[test]
fn the_valid_seeds_parse() {
    definition::parse(VALID_DEFINITION).expect("the seed definition is valid");
    event_sources::parse(VALID_EVENT_SOURCES).expect("the seed event_sources are valid");
}
