//! What is wrong with a definition, in words a Terraform user can act on.

use std::fmt;

/// A definition that cannot be deployed. `summary` says what is wrong, `detail` how to fix it,
/// `key_path` where inside the JSON (`VpcConfig.SubnetIds[0]`), when it is about one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefinitionError {
    pub summary: String,
    pub detail: String,
    pub key_path: Option<String>,
}

/// Accepted, but probably not what the user meant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefinitionWarning {
    pub summary: String,
    pub detail: String,
    pub key_path: Option<String>,
}

impl DefinitionError {
    pub(crate) fn at(
        key_path: &str,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        DefinitionError {
            summary: summary.into(),
            detail: detail.into(),
            key_path: Some(key_path.to_string()),
        }
    }
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.summary, self.detail)
    }
}

impl std::error::Error for DefinitionError {}

/// Turns what serde saw into a diagnostic. serde's own words name Rust types (`i32`, `a map`), so
/// the expected type is reworded into JSON terms.
pub(crate) fn from_serde(err: serde_path_to_error::Error<serde_json::Error>) -> DefinitionError {
    from_json_error(&err.path().to_string(), err.inner())
}

pub(crate) fn from_json_error(path: &str, inner: &serde_json::Error) -> DefinitionError {
    let (line, column) = (inner.line(), inner.column());
    let message = strip_position(&inner.to_string());
    match inner.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => DefinitionError {
            summary: "function_definition is not valid JSON".into(),
            detail: format!(
                "{message} at line {line}, column {column}. Write the CreateFunction request as \
                 one JSON object, e.g. jsonencode({{ FunctionName = \"...\", Role = \"...\" }})."
            ),
            key_path: None,
        },
        serde_json::error::Category::Io => DefinitionError {
            summary: "function_definition could not be read".into(),
            detail: message,
            key_path: None,
        },
        serde_json::error::Category::Data => data_error(path, &message),
    }
}

fn data_error(path: &str, message: &str) -> DefinitionError {
    let parent = if path == "." { "" } else { path };
    if let Some(key) = between(message, "unknown field `", "`") {
        let key_path = if parent.ends_with(key) {
            parent.to_string()
        } else {
            join(parent, key)
        };
        let known = message
            .split_once(", expected ")
            .map(|(_, rest)| rest)
            .unwrap_or("");
        let known = known.trim_start_matches("one of ");
        return DefinitionError {
            summary: format!("Unknown key `{key_path}` in function_definition"),
            detail: format!(
                "This provider's Lambda API (aws-sdk-lambda 1.156) has no `{key}` here. Check the \
                 spelling (keys are PascalCase as in the CreateFunction API); keys known here: {}. \
                 If `{key}` is a newer Lambda feature, a newer provider version may know it.",
                if known.is_empty() { "none" } else { known }
            ),
            key_path: Some(key_path),
        };
    }
    if let Some(key) = between(message, "missing field `", "`") {
        let key_path = join(parent, key);
        return DefinitionError {
            summary: format!("Missing `{key_path}` in function_definition"),
            detail: format!("`{key_path}` is required by the Lambda API when its parent is given. Add it, or remove the parent object."),
            key_path: Some(key_path),
        };
    }
    if let Some(key) = between(message, "duplicate field `", "`") {
        let key_path = join(parent, key);
        return DefinitionError {
            summary: format!("Key `{key_path}` appears more than once in function_definition"),
            detail: format!("JSON keys must be unique. Keep one `{key}`."),
            key_path: Some(key_path),
        };
    }
    if let Some((got, expected)) = message.split_once(", expected ") {
        let got = got
            .trim_start_matches("invalid type: ")
            .trim_start_matches("invalid value: ");
        let got = match got {
            "sequence" => "a list",
            "map" => "an object",
            "null" => "null",
            other => other
                .trim_start_matches("floating point ")
                .trim_start_matches("integer "),
        };
        return DefinitionError {
            summary: format!("Wrong type for `{parent}` in function_definition"),
            detail: format!("`{parent}` must be {}, found {got}.", json_type(expected)),
            key_path: Some(parent.to_string()),
        };
    }
    DefinitionError {
        summary: format!("Invalid value for `{parent}` in function_definition"),
        detail: message.to_string(),
        key_path: (!parent.is_empty()).then(|| parent.to_string()),
    }
}

fn json_type(expected: &str) -> String {
    let expected = expected.trim();
    let word = match expected {
        "i32" | "i64" | "u32" => "a whole number",
        "f64" | "f32" => "a number",
        "a boolean" => "true or false",
        "a string" => "a string",
        "a sequence" => "a list (JSON array)",
        "a map" => "an object of string values",
        s if s.starts_with("struct ") => "an object",
        s if s.starts_with("a string") => "a string",
        other => return other.to_string(),
    };
    word.to_string()
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

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

pub(crate) fn not_an_object(path: &str, found: &serde_json::Value) -> DefinitionError {
    let found = match found {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    };
    if path.is_empty() {
        return DefinitionError {
            summary: "function_definition must be a JSON object".into(),
            detail: format!(
                "Found {found}. Write the CreateFunction request as one object, e.g. \
                 jsonencode({{ FunctionName = \"...\", Role = \"...\", ... }})."
            ),
            key_path: None,
        };
    }
    DefinitionError::at(
        path,
        format!("Wrong type for `{path}` in function_definition"),
        format!("`{path}` must be an object, found {found}."),
    )
}

/// Fails where the typed model holds an object but the user wrote something else (a list).
pub(crate) fn objects_where_expected(
    written: &serde_json::Value,
    typed: &serde_json::Value,
    path: &str,
) -> Result<(), DefinitionError> {
    use serde_json::Value;
    match (typed, written) {
        (Value::Object(t), Value::Object(w)) => t.iter().try_for_each(|(k, tv)| match w.get(k) {
            Some(wv) => objects_where_expected(wv, tv, &join(path, k)),
            None => Ok(()),
        }),
        (Value::Object(_), other) => Err(not_an_object(path, other)),
        (Value::Array(t), Value::Array(w)) => {
            t.iter().zip(w).enumerate().try_for_each(|(i, (tv, wv))| {
                objects_where_expected(wv, tv, &format!("{path}[{i}]"))
            })
        }
        _ => Ok(()),
    }
}
