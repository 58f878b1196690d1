//! The JSON forms: of types, as schemas and dynamic values write them (`"string"`,
//! `["list","string"]`, …), and of values, as Terraform stores them in state.

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::{Type, Value, ValueError};

impl Type {
    /// The JSON form Terraform uses in schemas: `"string"`, `["list","string"]`, …
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Type::Bool => json!("bool"),
            Type::Number => json!("number"),
            Type::String => json!("string"),
            Type::Dynamic => json!("dynamic"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Tuple(ts) => json!(["tuple", ts.iter().map(Type::to_json).collect::<Vec<_>>()]),
            Type::Object(attrs) => {
                let m: serde_json::Map<_, _> = attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                json!(["object", m])
            }
        }
    }

    pub fn from_json(v: &serde_json::Value) -> Result<Type, ValueError> {
        let bad = || ValueError("not a Terraform type".to_string());
        match v {
            J::String(s) => match s.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                _ => Err(bad()),
            },
            J::Array(a) if a.len() == 2 => {
                let kind = a[0].as_str().ok_or_else(bad)?;
                match kind {
                    "list" => Ok(Type::list(Type::from_json(&a[1])?)),
                    "set" => Ok(Type::set(Type::from_json(&a[1])?)),
                    "map" => Ok(Type::map(Type::from_json(&a[1])?)),
                    "tuple" => Ok(Type::Tuple(
                        a[1].as_array()
                            .ok_or_else(bad)?
                            .iter()
                            .map(Type::from_json)
                            .collect::<Result<_, _>>()?,
                    )),
                    "object" => Ok(Type::Object(
                        a[1].as_object()
                            .ok_or_else(bad)?
                            .iter()
                            .map(|(k, t)| Ok((k.clone(), Type::from_json(t)?)))
                            .collect::<Result<_, ValueError>>()?,
                    )),
                    _ => Err(bad()),
                }
            }
            // Objects with optional attributes carry a third element; we never declare them.
            J::Array(a) if a.len() == 3 && a[0] == "object" => {
                Type::from_json(&serde_json::json!(["object", a[1]]))
            }
            _ => Err(bad()),
        }
    }
}

/// The error for JSON that does not have the declared type. It names the kind of value found,
/// never the value: a sensitive attribute's value must not reach a message.
fn mismatch(what: &str, j: &J) -> ValueError {
    let found = match j {
        J::Null => "null",
        J::Bool(_) => "a bool",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "a list",
        J::Object(_) => "an object",
    };
    ValueError(format!("expected {what}, got JSON {found}"))
}

impl Value {
    /// A value from stored state.
    pub fn from_json(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
        let j: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| ValueError(format!("invalid JSON state: {e}")))?;
        Value::from_json_value(&j, ty)
    }

    pub fn from_json_value(j: &serde_json::Value, ty: &Type) -> Result<Value, ValueError> {
        if j.is_null() {
            return Ok(Value::Null);
        }
        match ty {
            Type::Bool => j
                .as_bool()
                .map(Value::Bool)
                .ok_or_else(|| mismatch("bool", j)),
            Type::Number => match j {
                J::Number(n) => n
                    .as_f64()
                    .map(Value::Number)
                    .ok_or_else(|| mismatch("number", j)),
                J::String(s) => s
                    .parse()
                    .map(Value::Number)
                    .map_err(|_| mismatch("number", j)),
                _ => Err(mismatch("number", j)),
            },
            Type::String => match j {
                J::String(s) => Ok(Value::String(s.clone())),
                // Terraform converts primitives to strings where the schema says string.
                J::Number(n) => Ok(Value::String(n.to_string())),
                J::Bool(b) => Ok(Value::String(b.to_string())),
                _ => Err(mismatch("string", j)),
            },
            Type::List(t) => Ok(Value::List(elements_from_json(j, t)?)),
            Type::Set(t) => Ok(Value::Set(elements_from_json(j, t)?)),
            Type::Tuple(ts) => tuple_from_json(j, ts),
            Type::Map(t) => map_from_json(j, t),
            Type::Object(attrs) => object_from_json(j, attrs),
            Type::Dynamic => dynamic_from_json(j),
        }
    }

    /// Plain JSON view of a known value (unknown becomes null), e.g. for `jsonencode`-like use.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null | Value::Unknown => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 9.0e15 {
                    J::from(*n as i64)
                } else {
                    serde_json::Number::from_f64(*n).map_or(J::Null, J::Number)
                }
            }
            Value::String(s) => J::String(s.clone()),
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                J::Array(v.iter().map(Value::to_json).collect())
            }
            Value::Map(m) | Value::Object(m) => {
                J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
            Value::Typed(_, v) => v.to_json(),
        }
    }
}

/// The elements of a list or a set, each of type `t`.
fn elements_from_json(j: &J, t: &Type) -> Result<Vec<Value>, ValueError> {
    let items = j.as_array().ok_or_else(|| mismatch("array", j))?;
    items.iter().map(|i| Value::from_json_value(i, t)).collect()
}

fn tuple_from_json(j: &J, ts: &[Type]) -> Result<Value, ValueError> {
    let items = j.as_array().ok_or_else(|| mismatch("array", j))?;
    Ok(Value::Tuple(
        items
            .iter()
            .zip(ts)
            .map(|(i, t)| Value::from_json_value(i, t))
            .collect::<Result<_, _>>()?,
    ))
}

fn map_from_json(j: &J, t: &Type) -> Result<Value, ValueError> {
    let obj = j.as_object().ok_or_else(|| mismatch("object", j))?;
    Ok(Value::Map(
        obj.iter()
            .map(|(k, v)| Ok((k.clone(), Value::from_json_value(v, t)?)))
            .collect::<Result<_, ValueError>>()?,
    ))
}

fn object_from_json(j: &J, attrs: &BTreeMap<String, Type>) -> Result<Value, ValueError> {
    let obj = j.as_object().ok_or_else(|| mismatch("object", j))?;
    let mut out = BTreeMap::new();
    // Attributes a newer schema removed are dropped; new ones start null.
    for (name, t) in attrs {
        let v = obj
            .get(name)
            .map_or(Ok(Value::Null), |v| Value::from_json_value(v, t))?;
        out.insert(name.clone(), v);
    }
    Ok(Value::Object(out))
}

/// `{"type": <type as JSON>, "value": <value>}`.
fn dynamic_from_json(j: &J) -> Result<Value, ValueError> {
    let (ty_json, value) = match j.as_object() {
        Some(o) if o.contains_key("type") && o.contains_key("value") => (&o["type"], &o["value"]),
        _ => return Err(mismatch("dynamic {type, value}", j)),
    };
    let inner_ty = Type::from_json(ty_json)?;
    let inner = Value::from_json_value(value, &inner_ty)?;
    Ok(Value::Typed(inner_ty, Box::new(inner)))
}
