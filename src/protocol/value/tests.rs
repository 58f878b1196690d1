//! Tests of the value codec.

use rmpv::Value as Mp;

use super::*;

fn roundtrip(v: &Value, ty: &Type) -> Value {
    Value::from_msgpack(&v.to_msgpack(), ty).expect("decodes")
}

#[test]
fn primitives_round_trip() {
    for (v, t) in [
        (Value::Bool(true), Type::Bool),
        (Value::Number(42.0), Type::Number),
        (Value::Number(-0.5), Type::Number),
        (Value::string("héllo"), Type::String),
        (Value::Null, Type::String),
        (Value::Unknown, Type::Number),
    ] {
        assert_eq!(roundtrip(&v, &t), v, "{t:?}");
    }
}

#[test]
fn collections_round_trip_with_unknowns_at_depth() {
    let ty = Type::object([
        ("names", Type::list(Type::String)),
        ("ids", Type::set(Type::Number)),
        ("tags", Type::map(Type::String)),
        ("pair", Type::Tuple(vec![Type::String, Type::Bool])),
        (
            "nested",
            Type::list(Type::object([
                ("a", Type::String),
                ("b", Type::map(Type::Number)),
            ])),
        ),
    ]);
    let v = Value::object([
        (
            "names",
            Value::List(vec![Value::string("a"), Value::Unknown]),
        ),
        (
            "ids",
            Value::Set(vec![Value::Number(1.0), Value::Number(2.0)]),
        ),
        (
            "tags",
            Value::Map([("k".to_string(), Value::string("v"))].into()),
        ),
        (
            "pair",
            Value::Tuple(vec![Value::string("x"), Value::Bool(false)]),
        ),
        (
            "nested",
            Value::List(vec![Value::object([
                ("a", Value::Unknown),
                ("b", Value::Map([("n".to_string(), Value::Unknown)].into())),
            ])]),
        ),
    ]);
    let back = roundtrip(&v, &ty);
    assert_eq!(back, v);
    assert!(!back.is_wholly_known());
}

#[test]
fn absent_object_attributes_decode_as_null() {
    let ty = Type::object([("a", Type::String), ("b", Type::Number)]);
    let bytes = Value::Map([("a".to_string(), Value::string("x"))].into()).to_msgpack();
    let v = Value::from_msgpack(&bytes, &ty).unwrap();
    assert_eq!(v.get("b"), &Value::Null);
    assert_eq!(v.get("a").as_str(), Some("x"));
}

#[test]
fn refined_unknown_decodes_as_unknown() {
    // ext 12 with a refinement map {1: true} ("not null")
    let mut payload = Vec::new();
    rmpv::encode::write_value(
        &mut payload,
        &Mp::Map(vec![(Mp::from(1), Mp::Boolean(true))]),
    )
    .unwrap();
    let mut bytes = Vec::new();
    rmpv::encode::write_value(&mut bytes, &Mp::Ext(12, payload)).unwrap();
    assert_eq!(
        Value::from_msgpack(&bytes, &Type::String).unwrap(),
        Value::Unknown
    );
}

#[test]
fn big_number_as_string_decodes() {
    let mut bytes = Vec::new();
    rmpv::encode::write_value(&mut bytes, &Mp::from("12345678901234567890")).unwrap();
    assert_eq!(
        Value::from_msgpack(&bytes, &Type::Number).unwrap(),
        Value::Number(12345678901234567890.0)
    );
}

#[test]
fn dynamic_values_carry_their_type() {
    let inner = Value::object([("name", Value::string("fn")), ("size", Value::Number(3.0))]);
    let bytes = inner.to_msgpack_dynamic();
    match Value::from_msgpack(&bytes, &Type::Dynamic).unwrap() {
        Value::Typed(t, v) => {
            assert_eq!(
                t,
                Type::object([("name", Type::String), ("size", Type::Number)])
            );
            assert_eq!(*v, inner);
        }
        other => panic!("expected typed value, got {other:?}"),
    }
}

#[test]
fn type_mismatch_is_an_error_not_a_panic() {
    let bytes = Value::string("x").to_msgpack();
    assert!(Value::from_msgpack(&bytes, &Type::Number).is_err());
    assert!(Value::from_msgpack(&[0xc1], &Type::String).is_err());
    assert!(
        Value::from_msgpack(&[0xa5, b'a'], &Type::String).is_err(),
        "truncated string"
    );
    assert!(
        Value::from_msgpack(&[0xc0, 0xc0], &Type::String).is_err(),
        "trailing bytes"
    );
    assert!(Value::from_msgpack(&[], &Type::String).is_err());
}

#[test]
fn json_state_decodes_by_type() {
    let ty = Type::object([
        ("id", Type::String),
        ("n", Type::Number),
        ("gone_later", Type::String),
        ("l", Type::list(Type::object([("w", Type::Number)]))),
    ]);
    let v = Value::from_json(br#"{"id":"f","n":3,"removed":"x","l":[{"w":10}]}"#, &ty).unwrap();
    assert_eq!(v.get("id").as_str(), Some("f"));
    assert_eq!(v.get("n").as_f64(), Some(3.0));
    assert!(v.get("gone_later").is_null());
    assert_eq!(v.get("l").elements()[0].get("w").as_f64(), Some(10.0));
}

#[test]
fn type_json_round_trips() {
    let t = Type::object([
        ("a", Type::list(Type::map(Type::String))),
        ("b", Type::Tuple(vec![Type::Bool, Type::Dynamic])),
    ]);
    assert_eq!(Type::from_json(&t.to_json()).unwrap(), t);
    assert_eq!(Type::String.to_json().to_string(), r#""string""#);
    assert_eq!(
        Type::list(Type::String).to_json().to_string(),
        r#"["list","string"]"#
    );
}

#[test]
fn a_value_of_the_wrong_type_is_named_by_its_kind_never_shown() {
    let secret = "hunter2-in-a-map";
    let bytes = Value::string(secret).to_msgpack();
    let e = Value::from_msgpack(&bytes, &Type::Number).unwrap_err();
    assert!(!e.to_string().contains(secret), "{e}");
    assert!(e.to_string().contains("a string"), "{e}");
    let json = serde_json::json!({ "TOKEN": secret }).to_string();
    let e = Value::from_json(json.as_bytes(), &Type::list(Type::String)).unwrap_err();
    assert!(!e.to_string().contains(secret), "{e}");
}
