//! Terraform values and types, and their wire encodings.
//!
//! Terraform sends and expects values as msgpack (`DynamicValue.msgpack`, in `msgpack.rs`) and,
//! for stored state, as JSON (`json.rs`, which also holds the JSON form of types that schemas
//! use). Decoding needs the type: msgpack arrays are lists, sets or tuples and msgpack maps are
//! maps or objects depending on the schema.

mod json;
mod msgpack;

use std::collections::BTreeMap;
use std::fmt;

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
}

#[cfg(test)]
mod tests;
