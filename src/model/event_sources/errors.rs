//! What is wrong with `event_sources`, in words a Terraform user can act on.

use std::fmt;

use serde_json::Value;

/// An `event_sources` document that cannot be applied. `summary` says what is wrong, `detail` how
/// to fix it, `key_path` where inside the JSON (`PullEventSources[0].BatchSize`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventSourceError {
    pub summary: String,
    pub detail: String,
    pub key_path: Option<String>,
}

/// Accepted, but worth a second look.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventSourceWarning {
    pub summary: String,
    pub detail: String,
    pub key_path: Option<String>,
}

impl EventSourceError {
    pub(crate) fn at(
        key_path: &str,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        EventSourceError {
            summary: summary.into(),
            detail: detail.into(),
            key_path: (!key_path.is_empty()).then(|| key_path.to_string()),
        }
    }
}

impl EventSourceWarning {
    pub(crate) fn at(
        key_path: &str,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        EventSourceWarning {
            summary: summary.into(),
            detail: detail.into(),
            key_path: Some(key_path.to_string()),
        }
    }
}

impl fmt::Display for EventSourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.summary, self.detail)
    }
}

impl std::error::Error for EventSourceError {}

pub(crate) type Check = Result<(), EventSourceError>;

pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

pub(crate) fn syntax(inner: &serde_json::Error) -> EventSourceError {
    EventSourceError {
        summary: "event_sources is not valid JSON".into(),
        detail: format!(
            "{} at line {}, column {}. Write the document as one JSON object, e.g. \
             jsonencode({{ PullEventSources = [...], PushEventSources = [...] }}).",
            strip_position(&inner.to_string()),
            inner.line(),
            inner.column()
        ),
        key_path: None,
    }
}

/// Turns what serde saw while reading the entry at `prefix` into a diagnostic. serde's words name
/// Rust types (`i32`, `a map`), so the expected type is reworded into JSON terms.
pub(crate) fn from_serde(
    prefix: &str,
    what: &str,
    err: serde_path_to_error::Error<serde_json::Error>,
) -> EventSourceError {
    let inner_path = err.path().to_string();
    let path = match inner_path.as_str() {
        "." | "" => prefix.to_string(),
        p if p.starts_with('[') => format!("{prefix}{p}"),
        p => join(prefix, p),
    };
    let message = strip_position(&err.inner().to_string());
    if let Some(key) = between(&message, "unknown field `", "`") {
        let key_path = if path.ends_with(key) {
            path.clone()
        } else {
            join(&path, key)
        };
        let known = message.split_once(", expected ").map_or("", |(_, r)| r);
        let known = known.trim_start_matches("one of ");
        return EventSourceError::at(
            &key_path,
            format!("Unknown key `{key_path}` in event_sources"),
            format!(
                "{what} has no `{key}` in this provider (aws-sdk-lambda 1.156). Check the \
                 spelling (keys are PascalCase as in the Lambda API); keys known here: {}.",
                if known.is_empty() { "none" } else { known }
            ),
        );
    }
    if let Some(key) = between(&message, "missing field `", "`") {
        let key_path = join(&path, key);
        return EventSourceError::at(
            &key_path,
            format!("Missing `{key_path}` in event_sources"),
            format!("`{key}` is required when its parent is given. Add it, or remove the parent."),
        );
    }
    if let Some(key) = between(&message, "duplicate field `", "`") {
        let key_path = join(&path, key);
        return EventSourceError::at(
            &key_path,
            format!("Key `{key_path}` appears more than once in event_sources"),
            format!("JSON keys must be unique. Keep one `{key}`."),
        );
    }
    if let Some((got, expected)) = message.split_once(", expected ") {
        let got = got
            .trim_start_matches("invalid type: ")
            .trim_start_matches("invalid value: ");
        let got = match got {
            "sequence" => "a list",
            "map" => "an object",
            other => other
                .trim_start_matches("floating point ")
                .trim_start_matches("integer "),
        };
        return EventSourceError::at(
            &path,
            format!("Wrong type for `{path}` in event_sources"),
            format!("`{path}` must be {}, found {got}.", json_type(expected)),
        );
    }
    EventSourceError::at(
        &path,
        format!("Invalid value for `{path}` in event_sources"),
        message,
    )
}

fn json_type(expected: &str) -> String {
    match expected.trim() {
        "i32" | "i64" | "u32" => "a whole number".into(),
        "f64" | "f32" => "a number".into(),
        "a boolean" => "true or false".into(),
        "a sequence" => "a list (JSON array)".into(),
        "a map" => "an object".into(),
        s if s.starts_with("struct ") => "an object".into(),
        s if s.starts_with("a string") => "a string".into(),
        other => other.to_string(),
    }
}

fn strip_position(message: &str) -> String {
    match message.rsplit_once(" at line ") {
        Some((head, _)) => head.to_string(),
        None => message.to_string(),
    }
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = &s[s.find(start)? + start.len()..];
    Some(&rest[..rest.find(end)?])
}

pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

pub(crate) fn wrong_type(path: &str, expected: &str, found: &Value) -> EventSourceError {
    EventSourceError::at(
        path,
        format!("Wrong type for `{path}` in event_sources"),
        format!("`{path}` must be {expected}, found {}.", type_name(found)),
    )
}

/// Fails where the typed model holds an object but the user wrote something else: serde also
/// reads a struct from a positional array, the API only takes objects.
pub(crate) fn objects_where_expected(written: &Value, typed: &Value, path: &str) -> Check {
    match (typed, written) {
        (Value::Object(t), Value::Object(w)) => t.iter().try_for_each(|(k, tv)| match w.get(k) {
            Some(wv) => objects_where_expected(wv, tv, &join(path, k)),
            None => Ok(()),
        }),
        (Value::Object(_), other) => Err(wrong_type(path, "an object", other)),
        (Value::Array(t), Value::Array(w)) => {
            t.iter().zip(w).enumerate().try_for_each(|(i, (tv, wv))| {
                objects_where_expected(wv, tv, &format!("{path}[{i}]"))
            })
        }
        _ => Ok(()),
    }
}

/// `value` is an ARN (`arn:PARTITION:SERVICE:...`) of one of `services`; an empty list takes any.
pub(crate) fn arn(path: &str, value: &str, services: &[&str], example: &str) -> Check {
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    let shaped = parts.len() == 6 && parts[0] == "arn" && !parts[1].is_empty();
    if shaped && (services.is_empty() || services.contains(&parts[2])) {
        return Ok(());
    }
    let summary = if shaped {
        format!("`{path}` is an ARN of the wrong service")
    } else {
        format!("`{path}` is not an ARN")
    };
    let expected = if services.is_empty() {
        String::new()
    } else {
        format!(" of {}", services.join(", "))
    };
    Err(EventSourceError::at(
        path,
        summary,
        format!("Give the ARN{expected}, like `{example}`; found `{value}`."),
    ))
}

pub(crate) fn range(path: &str, value: Option<i32>, min: i32, max: i32, unit: &str) -> Check {
    match value {
        Some(v) if v < min || v > max => Err(EventSourceError::at(
            path,
            format!("`{path}` is out of range"),
            format!("`{path}` must be between {min} and {max}{unit}; found {v}."),
        )),
        _ => Ok(()),
    }
}

pub(crate) fn one_of(path: &str, value: Option<&str>, known: &[&str]) -> Check {
    match value {
        Some(v) if !known.contains(&v) => Err(EventSourceError::at(
            path,
            format!("`{path}` has an unknown value"),
            format!("`{path}` must be one of {}; found `{v}`.", known.join(", ")),
        )),
        _ => Ok(()),
    }
}
