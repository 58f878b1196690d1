//! `provider::gitmoxi::render(template, vars)`: Gitmoxi's Jinja placeholders.
//!
//! Gitmoxi renders every file of a function's folder with the values of its `_lambdainput.json`
//! (`{{ name }}`, `{{ name | tojson }}`, `{{ map['key'] }}`). The templates are JSON and text, not
//! HTML, so nothing is auto-escaped; strict undefined handling turns a typo into an error naming
//! the missing name and its line instead of an empty string in a deployed configuration.
//!
//! Templates come from repository files, so from pull requests: rendering is bounded. Each
//! render has a budget of steps (minijinja's fuel) and of output bytes, and the provider function
//! renders in a child process (`sandbox.rs`) with limits on memory and CPU time, so no template
//! can stall or exhaust the provider.
//!
//! This file renders; `error.rs` says why a template could not be rendered, `scan.rs` finds in
//! the template text what an error blames, `sandbox.rs` runs a render in its own process, and
//! `function.rs` is the provider function itself.

mod error;
mod function;
mod sandbox;
mod scan;

use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior};

pub use error::RenderError;
pub use function::RenderFunction;
pub use sandbox::{render_isolated, run_renderer, RENDERER_ARG};
use scan::{failing_expression, first_use_line};

/// Renders `template` with the keys of the JSON object `vars` as its names.
pub fn render(template: &str, vars: &serde_json::Value) -> Result<String, RenderError> {
    let serde_json::Value::Object(keys) = vars else {
        return Err(RenderError::VarsNotObject {
            found: json_kind(vars).to_string(),
        });
    };

    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    // The rendered text is a file: keep it byte for byte, final newline included.
    env.set_keep_trailing_newline(true);
    env.set_debug(false);
    env.set_fuel(Some(MAX_STEPS));
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

    let mut out = Capped::default();
    let rendered = compiled
        .render_captured_to(minijinja::Value::from_serialize(vars), &mut out)
        .map(|_| ());
    match rendered {
        Ok(()) => String::from_utf8(out.bytes).map_err(|_| RenderError::Failed {
            line: None,
            detail: "the rendered text is not UTF-8".into(),
        }),
        Err(e) if out.overflowed => Err(RenderError::TooLarge {
            line: e.line(),
            bytes: MAX_OUTPUT,
        }),
        Err(e) => Err(failure(template, &e)),
    }
}

/// Steps (minijinja instructions) one render may take: far more than any configuration file
/// needs (a placeholder costs a handful), far fewer than a runaway loop would.
pub const MAX_STEPS: u64 = 2_000_000;

/// Bytes a rendered file may have.
pub const MAX_OUTPUT: usize = 8 * 1024 * 1024;

/// The rendered text, refusing to grow past [`MAX_OUTPUT`].
#[derive(Default)]
struct Capped {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_OUTPUT {
            self.overflowed = true;
            return Err(std::io::Error::other("the rendered text is too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What went wrong while rendering: an undefined key or attribute (`cfg['team']`,
/// `cfg.team | tojson`), which the check of top-level names cannot see, or anything else the
/// template engine rejected.
fn failure(template: &str, e: &minijinja::Error) -> RenderError {
    let line = e.line();
    if e.kind() == ErrorKind::OutOfFuel {
        return RenderError::TooManySteps {
            line,
            steps: MAX_STEPS,
        };
    }
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
