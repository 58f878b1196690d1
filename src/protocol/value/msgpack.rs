//! The msgpack encoding of values (`DynamicValue.msgpack`), the one Terraform sends plans and
//! configurations in.
//!
//! Unknown values are msgpack extension 0; a refined unknown (Terraform 1.6+) is extension 12
//! carrying its refinements, which we read as plain unknown. A value of type `dynamic` travels as
//! the pair `[type as JSON bytes, value]`.

use std::collections::BTreeMap;

use rmpv::Value as Mp;

use super::{Type, Value, ValueError};

const UNKNOWN_EXT: i8 = 0;
const REFINED_UNKNOWN_EXT: i8 = 12;

/// The error for msgpack that does not have the declared type. It names the kind of value
/// found, never the value: a sensitive attribute's value must not reach a message.
fn mismatch(what: &str, mp: &Mp) -> ValueError {
    let found = match mp {
        Mp::Nil => "nil",
        Mp::Boolean(_) => "a bool",
        Mp::Integer(_) | Mp::F32(_) | Mp::F64(_) => "a number",
        Mp::String(_) => "a string",
        Mp::Binary(_) => "binary",
        Mp::Array(_) => "an array",
        Mp::Map(_) => "a map",
        Mp::Ext(..) => "an extension value",
    };
    ValueError(format!("expected {what}, got msgpack {found}"))
}

impl Value {
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
        match mp {
            Mp::Nil => return Ok(Value::Null),
            Mp::Ext(UNKNOWN_EXT | REFINED_UNKNOWN_EXT, _) => return Ok(Value::Unknown),
            _ => {}
        }
        match ty {
            Type::Bool => mp
                .as_bool()
                .map(Value::Bool)
                .ok_or_else(|| mismatch("bool", mp)),
            Type::Number => number_from_mp(mp),
            Type::String => mp
                .as_str()
                .map(|s| Value::String(s.to_string()))
                .ok_or_else(|| mismatch("string", mp)),
            Type::List(t) => Ok(Value::List(elements_from_mp(mp, t)?)),
            Type::Set(t) => Ok(Value::Set(elements_from_mp(mp, t)?)),
            Type::Tuple(ts) => tuple_from_mp(mp, ts),
            Type::Map(t) => map_from_mp(mp, t),
            Type::Object(attrs) => object_from_mp(mp, attrs),
            Type::Dynamic => dynamic_from_mp(mp),
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
}

fn number_from_mp(mp: &Mp) -> Result<Value, ValueError> {
    match mp {
        Mp::Integer(i) => i
            .as_f64()
            .map(Value::Number)
            .ok_or_else(|| mismatch("number", mp)),
        Mp::F32(f) => Ok(Value::Number(f64::from(*f))),
        Mp::F64(f) => Ok(Value::Number(*f)),
        // Numbers too large for float64 travel as decimal strings.
        Mp::String(s) => s
            .as_str()
            .and_then(|s| s.parse().ok())
            .map(Value::Number)
            .ok_or_else(|| mismatch("number", mp)),
        _ => Err(mismatch("number", mp)),
    }
}

/// The elements of a list or a set, each of type `t`.
fn elements_from_mp(mp: &Mp, t: &Type) -> Result<Vec<Value>, ValueError> {
    let items = mp.as_array().ok_or_else(|| mismatch("array", mp))?;
    items.iter().map(|i| Value::from_mp(i, t)).collect()
}

fn tuple_from_mp(mp: &Mp, ts: &[Type]) -> Result<Value, ValueError> {
    let items = mp.as_array().ok_or_else(|| mismatch("array", mp))?;
    if items.len() != ts.len() {
        return Err(mismatch("tuple of the declared length", mp));
    }
    Ok(Value::Tuple(
        items
            .iter()
            .zip(ts)
            .map(|(i, t)| Value::from_mp(i, t))
            .collect::<Result<_, _>>()?,
    ))
}

fn map_from_mp(mp: &Mp, t: &Type) -> Result<Value, ValueError> {
    let entries = mp.as_map().ok_or_else(|| mismatch("map", mp))?;
    let mut out = BTreeMap::new();
    for (k, v) in entries {
        let k = k.as_str().ok_or_else(|| mismatch("string map key", mp))?;
        out.insert(k.to_string(), Value::from_mp(v, t)?);
    }
    Ok(Value::Map(out))
}

fn object_from_mp(mp: &Mp, attrs: &BTreeMap<String, Type>) -> Result<Value, ValueError> {
    let entries = mp.as_map().ok_or_else(|| mismatch("object", mp))?;
    let mut out = BTreeMap::new();
    for (k, v) in entries {
        let k = k
            .as_str()
            .ok_or_else(|| mismatch("string attribute name", mp))?;
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

/// `[type as JSON bytes, value]`.
fn dynamic_from_mp(mp: &Mp) -> Result<Value, ValueError> {
    let pair = mp
        .as_array()
        .filter(|a| a.len() == 2)
        .ok_or_else(|| mismatch("dynamic pair", mp))?;
    let ty_bytes = match &pair[0] {
        Mp::Binary(b) => b.as_slice(),
        Mp::String(s) => s.as_bytes(),
        _ => return Err(mismatch("dynamic type", mp)),
    };
    let ty_json: serde_json::Value = serde_json::from_slice(ty_bytes)
        .map_err(|e| ValueError(format!("invalid dynamic type: {e}")))?;
    let inner_ty = Type::from_json(&ty_json)?;
    let inner = Value::from_mp(&pair[1], &inner_ty)?;
    Ok(Value::Typed(inner_ty, Box::new(inner)))
}
