//! Terraform values and their wire encodings.
//!
//! Terraform sends and expects values as msgpack (`DynamicValue.msgpack`) and, for stored state,
//! as JSON. Decoding needs the type: msgpack arrays are lists, sets or tuples and msgpack maps
//! are maps or objects depending on the schema. Unknown values are msgpack extension 0; a
//! refined unknown (Terraform 1.6+) is extension 12 carrying its refinements, which we read as
//! plain unknown.

use std::collections::BTreeMap;
use std::fmt;

use rmpv::Value as Mp;

/// A Terraform type (cty type), as the schema declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    Bool,
    Number,
    String,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
    /// `any`: the value travels with its own type.
    Dynamic,
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }
    pub fn object<const N: usize>(attrs: [(&str, Type); N]) -> Type {
        Type::Object(attrs.into_iter().map(|(k, t)| (k.to_string(), t)).collect())
    }

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
        use serde_json::Value as J;
        let bad = || ValueError(format!("not a Terraform type: {v}"));
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

/// A Terraform value. Lists, sets and tuples keep their order; sets are not deduplicated
/// here because Terraform hands us sets that are already sets.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    #[default]
    Null,
    Unknown,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Tuple(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    /// A value of type `dynamic` with the concrete type it was sent with.
    Typed(Type, Box<Value>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueError(pub String);

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ValueError {}

const UNKNOWN_EXT: i8 = 0;
const REFINED_UNKNOWN_EXT: i8 = 12;

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn opt_string(s: Option<impl Into<String>>) -> Value {
        s.map_or(Value::Null, |s| Value::String(s.into()))
    }

    pub fn object<const N: usize>(attrs: [(&str, Value); N]) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// True when neither this value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            Value::Typed(_, v) => v.is_wholly_known(),
            _ => true,
        }
    }

    /// Attribute of an object; `Null` for a null object or a missing attribute.
    pub fn get(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Value::Object(m) => m.get(name).unwrap_or(&NULL),
            Value::Typed(_, v) => v.get(name),
            _ => &NULL,
        }
    }

    pub fn set_attr(&mut self, name: &str, value: Value) {
        if let Value::Object(m) = self {
            m.insert(name.to_string(), value);
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// Elements of a list, set or tuple (empty for null).
    pub fn elements(&self) -> &[Value] {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => v,
            _ => &[],
        }
    }

    /// Entries of a map or object (None for null/unknown).
    pub fn entries(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    // ---- msgpack ----

    pub fn from_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
        let mut rd = bytes;
        let mp = rmpv::decode::read_value(&mut rd)
            .map_err(|e| ValueError(format!("invalid msgpack value: {e}")))?;
        if !rd.is_empty() || matches!(bytes.first(), Some(0xc1)) {
            return Err(ValueError("invalid msgpack value: unexpected bytes".into()));
        }
        Value::from_mp(&mp, ty)
    }

    fn from_mp(mp: &Mp, ty: &Type) -> Result<Value, ValueError> {
        let mismatch = |what: &str| ValueError(format!("expected {what}, got msgpack {mp}"));
        match mp {
            Mp::Nil => return Ok(Value::Null),
            Mp::Ext(UNKNOWN_EXT | REFINED_UNKNOWN_EXT, _) => return Ok(Value::Unknown),
            _ => {}
        }
        match ty {
            Type::Bool => mp
                .as_bool()
                .map(Value::Bool)
                .ok_or_else(|| mismatch("bool")),
            Type::Number => match mp {
                Mp::Integer(i) => i
                    .as_f64()
                    .map(Value::Number)
                    .ok_or_else(|| mismatch("number")),
                Mp::F32(f) => Ok(Value::Number(f64::from(*f))),
                Mp::F64(f) => Ok(Value::Number(*f)),
                // Numbers too large for float64 travel as decimal strings.
                Mp::String(s) => s
                    .as_str()
                    .and_then(|s| s.parse().ok())
                    .map(Value::Number)
                    .ok_or_else(|| mismatch("number")),
                _ => Err(mismatch("number")),
            },
            Type::String => mp
                .as_str()
                .map(|s| Value::String(s.to_string()))
                .ok_or_else(|| mismatch("string")),
            Type::List(t) | Type::Set(t) => {
                let items = mp.as_array().ok_or_else(|| mismatch("array"))?;
                let vals = items
                    .iter()
                    .map(|i| Value::from_mp(i, t))
                    .collect::<Result<_, _>>()?;
                Ok(if matches!(ty, Type::List(_)) {
                    Value::List(vals)
                } else {
                    Value::Set(vals)
                })
            }
            Type::Tuple(ts) => {
                let items = mp.as_array().ok_or_else(|| mismatch("array"))?;
                if items.len() != ts.len() {
                    return Err(mismatch("tuple of the declared length"));
                }
                Ok(Value::Tuple(
                    items
                        .iter()
                        .zip(ts)
                        .map(|(i, t)| Value::from_mp(i, t))
                        .collect::<Result<_, _>>()?,
                ))
            }
            Type::Map(t) => {
                let entries = mp.as_map().ok_or_else(|| mismatch("map"))?;
                let mut out = BTreeMap::new();
                for (k, v) in entries {
                    let k = k.as_str().ok_or_else(|| mismatch("string map key"))?;
                    out.insert(k.to_string(), Value::from_mp(v, t)?);
                }
                Ok(Value::Map(out))
            }
            Type::Object(attrs) => {
                let entries = mp.as_map().ok_or_else(|| mismatch("object"))?;
                let mut out = BTreeMap::new();
                for (k, v) in entries {
                    let k = k
                        .as_str()
                        .ok_or_else(|| mismatch("string attribute name"))?;
                    let t = attrs
                        .get(k)
                        .ok_or_else(|| ValueError(format!("unexpected attribute {k:?}")))?;
                    out.insert(k.to_string(), Value::from_mp(v, t)?);
                }
                // Absent attributes are null, as Terraform means them.
                for name in attrs.keys() {
                    out.entry(name.clone()).or_insert(Value::Null);
                }
                Ok(Value::Object(out))
            }
            Type::Dynamic => {
                // [type as JSON bytes, value]
                let pair = mp
                    .as_array()
                    .filter(|a| a.len() == 2)
                    .ok_or_else(|| mismatch("dynamic pair"))?;
                let ty_bytes = match &pair[0] {
                    Mp::Binary(b) => b.as_slice(),
                    Mp::String(s) => s.as_bytes(),
                    _ => return Err(mismatch("dynamic type")),
                };
                let ty_json: serde_json::Value = serde_json::from_slice(ty_bytes)
                    .map_err(|e| ValueError(format!("invalid dynamic type: {e}")))?;
                let inner_ty = Type::from_json(&ty_json)?;
                let inner = Value::from_mp(&pair[1], &inner_ty)?;
                Ok(Value::Typed(inner_ty, Box::new(inner)))
            }
        }
    }

    pub fn to_msgpack(&self) -> Vec<u8> {
        let mut out = Vec::new();
        rmpv::encode::write_value(&mut out, &self.to_mp()).expect("writing to a Vec cannot fail");
        out
    }

    /// Encodes a value for an attribute of type `dynamic`, which travels with its type.
    pub fn to_msgpack_dynamic(&self) -> Vec<u8> {
        let mp = match self {
            Value::Typed(..) | Value::Null | Value::Unknown => self.to_mp(),
            other => {
                let ty = other.infer_type();
                Value::Typed(ty, Box::new(other.clone())).to_mp()
            }
        };
        let mut out = Vec::new();
        rmpv::encode::write_value(&mut out, &mp).expect("writing to a Vec cannot fail");
        out
    }

    fn to_mp(&self) -> Mp {
        match self {
            Value::Null => Mp::Nil,
            Value::Unknown => Mp::Ext(UNKNOWN_EXT, vec![0]),
            Value::Bool(b) => Mp::Boolean(*b),
            Value::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 9.0e15 {
                    Mp::from(*n as i64)
                } else {
                    Mp::F64(*n)
                }
            }
            Value::String(s) => Mp::from(s.as_str()),
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                Mp::Array(v.iter().map(Value::to_mp).collect())
            }
            Value::Map(m) | Value::Object(m) => Mp::Map(
                m.iter()
                    .map(|(k, v)| (Mp::from(k.as_str()), v.to_mp()))
                    .collect(),
            ),
            Value::Typed(ty, v) => Mp::Array(vec![
                Mp::Binary(ty.to_json().to_string().into_bytes()),
                v.to_mp(),
            ]),
        }
    }

    /// The type a known value would have as an object/tuple literal.
    pub fn infer_type(&self) -> Type {
        match self {
            Value::Null | Value::Unknown => Type::Dynamic,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(v) => Type::list(v.first().map_or(Type::Dynamic, Value::infer_type)),
            Value::Set(v) => Type::set(v.first().map_or(Type::Dynamic, Value::infer_type)),
            Value::Tuple(v) => Type::Tuple(v.iter().map(Value::infer_type).collect()),
            Value::Map(m) => Type::map(m.values().next().map_or(Type::Dynamic, Value::infer_type)),
            Value::Object(m) => {
                Type::Object(m.iter().map(|(k, v)| (k.clone(), v.infer_type())).collect())
            }
            Value::Typed(t, _) => t.clone(),
        }
    }

    // ---- JSON (stored state) ----

    pub fn from_json(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
        let j: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| ValueError(format!("invalid JSON state: {e}")))?;
        Value::from_json_value(&j, ty)
    }

    pub fn from_json_value(j: &serde_json::Value, ty: &Type) -> Result<Value, ValueError> {
        use serde_json::Value as J;
        let mismatch = |what: &str| ValueError(format!("expected {what}, got JSON {j}"));
        if j.is_null() {
            return Ok(Value::Null);
        }
        match ty {
            Type::Bool => j.as_bool().map(Value::Bool).ok_or_else(|| mismatch("bool")),
            Type::Number => match j {
                J::Number(n) => n
                    .as_f64()
                    .map(Value::Number)
                    .ok_or_else(|| mismatch("number")),
                J::String(s) => s.parse().map(Value::Number).map_err(|_| mismatch("number")),
                _ => Err(mismatch("number")),
            },
            Type::String => match j {
                J::String(s) => Ok(Value::String(s.clone())),
                // Terraform converts primitives to strings where the schema says string.
                J::Number(n) => Ok(Value::String(n.to_string())),
                J::Bool(b) => Ok(Value::String(b.to_string())),
                _ => Err(mismatch("string")),
            },
            Type::List(t) | Type::Set(t) => {
                let items = j.as_array().ok_or_else(|| mismatch("array"))?;
                let vals = items
                    .iter()
                    .map(|i| Value::from_json_value(i, t))
                    .collect::<Result<_, _>>()?;
                Ok(if matches!(ty, Type::List(_)) {
                    Value::List(vals)
                } else {
                    Value::Set(vals)
                })
            }
            Type::Tuple(ts) => {
                let items = j.as_array().ok_or_else(|| mismatch("array"))?;
                Ok(Value::Tuple(
                    items
                        .iter()
                        .zip(ts)
                        .map(|(i, t)| Value::from_json_value(i, t))
                        .collect::<Result<_, _>>()?,
                ))
            }
            Type::Map(t) => {
                let obj = j.as_object().ok_or_else(|| mismatch("object"))?;
                Ok(Value::Map(
                    obj.iter()
                        .map(|(k, v)| Ok((k.clone(), Value::from_json_value(v, t)?)))
                        .collect::<Result<_, ValueError>>()?,
                ))
            }
            Type::Object(attrs) => {
                let obj = j.as_object().ok_or_else(|| mismatch("object"))?;
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
            Type::Dynamic => {
                let (ty_json, value) = match j.as_object() {
                    Some(o) if o.contains_key("type") && o.contains_key("value") => {
                        (&o["type"], &o["value"])
                    }
                    _ => return Err(mismatch("dynamic {type, value}")),
                };
                let inner_ty = Type::from_json(ty_json)?;
                let inner = Value::from_json_value(value, &inner_ty)?;
                Ok(Value::Typed(inner_ty, Box::new(inner)))
            }
        }
    }

    /// Plain JSON view of a known value (unknown becomes null), e.g. for `jsonencode`-like use.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
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

#[cfg(test)]
#[path = "value_tests.rs"]
mod tests;
