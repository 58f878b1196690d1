//! `provider::gitmoxi::render(template, vars)`: Gitmoxi's Jinja placeholders.
//!
//! Gitmoxi renders every file of a function's folder with the values of its `_lambdainput.json`
//! (`{{ name }}`, `{{ name | tojson }}`, `{{ map['key'] }}`). The templates are JSON and text, not
//! HTML, so nothing is auto-escaped; strict undefined handling turns a typo into an error naming
//! the missing name and its line instead of an empty string in a deployed configuration.
//!
//! This file renders; `error.rs` says why a template could not be rendered, `scan.rs` finds in
//! the template text what an error blames, and `function.rs` is the provider function itself.

mod error;
mod function;
mod scan;

use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior};

pub use error::RenderError;
pub use function::RenderFunction;
use scan::{failing_expression, first_use_line};

/// Renders `template` with the keys of the JSON object `vars` as its names.
pub fn render(template: &str, vars: &serde_json::Value) -> Result<String, RenderError> {
    let serde_json::Value::Object(keys) = vars else {
        return Err(RenderError::VarsNotObject {
            found: json_kind(vars),
        });
    };

    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    // The rendered text is a file: keep it byte for byte, final newline included.
    env.set_keep_trailing_newline(true);
    env.set_debug(false);
    // minijinja's tojson writes an undefined value as `null`, even in strict mode: a misspelt
    // key would land in a deployed definition as null.
    env.add_filter("tojson", strict_tojson);

    let compiled = env
        .template_from_str(template)
        .map_err(|e| RenderError::Syntax {
            line: e.line().unwrap_or(1),
            detail: e.detail().unwrap_or("syntax error").to_string(),
        })?;

    // Strict mode alone lets an undefined name through `{% if %}` and some filters; every
    // top-level name the template reads must be in vars.
    let mut missing: Vec<String> = compiled
        .undeclared_variables(false)
        .into_iter()
        .filter(|name| !keys.contains_key(name) && !is_global(&env, name))
        .collect();
    missing.sort();
    if let Some((first, line)) = missing
        .iter()
        .map(|name| (name, first_use_line(template, name)))
        .min_by_key(|(_, line)| *line)
    {
        return Err(RenderError::Undefined {
            expression: first.clone(),
            missing: missing.clone(),
            line,
        });
    }

    compiled
        .render(minijinja::Value::from_serialize(vars))
        .map_err(|e| failure(template, &e))
}

/// What went wrong while rendering: an undefined key or attribute (`cfg['team']`,
/// `cfg.team | tojson`), which the check of top-level names cannot see, or anything else the
/// template engine rejected.
fn failure(template: &str, e: &minijinja::Error) -> RenderError {
    let line = e.line();
    if e.kind() == ErrorKind::UndefinedError {
        let expression = e
            .range()
            .and_then(|r| failing_expression(template, r))
            .unwrap_or("a value")
            .to_string();
        RenderError::Undefined {
            expression,
            missing: Vec::new(),
            line: line.unwrap_or(1),
        }
    } else {
        RenderError::Failed {
            line,
            detail: e
                .detail()
                .map(str::to_string)
                .unwrap_or_else(|| e.kind().to_string()),
        }
    }
}

fn strict_tojson(
    value: &minijinja::Value,
    indent: Option<minijinja::Value>,
    args: minijinja::value::Kwargs,
) -> Result<minijinja::Value, minijinja::Error> {
    if value.is_undefined() {
        return Err(minijinja::Error::new(
            ErrorKind::UndefinedError,
            "undefined value passed to tojson",
        ));
    }
    minijinja::filters::tojson(value, indent, args)
}

/// Names the environment provides itself (`range`, `namespace`, ...), not expected in vars.
fn is_global(env: &Environment<'_>, name: &str) -> bool {
    env.globals().any(|(global, _)| global == name)
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a bool",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
