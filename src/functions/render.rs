//! `provider::gitmoxi::render(template, vars)`: Gitmoxi's Jinja placeholders.
//!
//! Gitmoxi renders every file of a function's folder with the values of its `_lambdainput.json`
//! (`{{ name }}`, `{{ name | tojson }}`, `{{ map['key'] }}`). The templates are JSON and text, not
//! HTML, so nothing is auto-escaped; strict undefined handling turns a typo into an error naming
//! the missing name and its line instead of an empty string in a deployed configuration.

use std::fmt;

use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior};

use crate::protocol::registry::{Function, FunctionError};
use crate::protocol::schema::FunctionSignature;
use crate::protocol::value::{Type, Value};

/// Why a template could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
    /// `vars` is not an object or map (e.g. null, a string, a list).
    VarsNotObject { found: &'static str },
    /// The template uses a name (or key) that `vars` does not define.
    Undefined {
        /// The name, or the expression as written in the template (`tags['team']`).
        expression: String,
        /// Every top-level name the template uses that `vars` lacks.
        missing: Vec<String>,
        line: usize,
    },
    /// The template is not valid Jinja.
    Syntax { line: usize, detail: String },
    /// Anything else the template engine rejects (a filter on the wrong type, ...).
    Failed { line: Option<usize>, detail: String },
}

impl RenderError {
    /// Index of the function argument to blame: `vars` when it has the wrong shape, else the
    /// template.
    pub fn argument(&self) -> i64 {
        match self {
            RenderError::VarsNotObject { .. } => 1,
            _ => 0,
        }
    }
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::VarsNotObject { found } => write!(
                f,
                "vars must be an object or a map of the template's values, got {found}: pass \
                 e.g. jsondecode(file(\"fn_lambdainput.json\")), or {{}} when the template has no \
                 placeholders"
            ),
            RenderError::Undefined {
                expression,
                missing,
                line,
            } => {
                write!(
                    f,
                    "line {line} of the template: {expression:?} is undefined"
                )?;
                let others: Vec<String> = missing
                    .iter()
                    .filter(|m| *m != expression)
                    .cloned()
                    .collect();
                if !others.is_empty() {
                    write!(f, " (so are {})", quoted_list(&others))?;
                }
                write!(
                    f,
                    "; add it to vars (the input file) or fix the placeholder's spelling"
                )
            }
            RenderError::Syntax { line, detail } => {
                write!(
                    f,
                    "line {line} of the template is not valid Jinja: {detail}"
                )
            }
            RenderError::Failed {
                line: Some(line),
                detail,
            } => write!(
                f,
                "line {line} of the template could not be rendered: {detail}"
            ),
            RenderError::Failed { line: None, detail } => {
                write!(f, "the template could not be rendered: {detail}")
            }
        }
    }
}

impl std::error::Error for RenderError {}

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

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
        .map_err(|e| {
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
        })
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

/// The source text the engine blamed; when it blamed a filter (`x | tojson` reports `tojson`),
/// the expression the filter was applied to.
fn failing_expression(template: &str, range: std::ops::Range<usize>) -> Option<&str> {
    let blamed = template.get(range.clone())?.trim();
    let before = template.get(..range.start)?;
    if before.trim_end().ends_with('|') {
        let pipe = before.rfind('|')?;
        let open = before[..pipe]
            .rfind("{{")
            .or_else(|| before[..pipe].rfind("{%"))?;
        let filtered = before[open + 2..pipe].trim();
        if !filtered.is_empty() {
            return Some(filtered);
        }
    }
    Some(blamed).filter(|s| !s.is_empty())
}

/// Names the environment provides itself (`range`, `namespace`, ...), not expected in vars.
fn is_global(env: &Environment<'_>, name: &str) -> bool {
    env.globals().any(|(global, _)| global == name)
}

/// The line of the first `{{ ... }}` or `{% ... %}` tag that reads `name`.
fn first_use_line(template: &str, name: &str) -> usize {
    let mut from = 0;
    while let Some(open) = ["{{", "{%"]
        .iter()
        .filter_map(|o| template[from..].find(o).map(|at| from + at))
        .min()
    {
        let close = if template[open..].starts_with("{{") {
            "}}"
        } else {
            "%}"
        };
        let end = template[open..]
            .find(close)
            .map_or(template.len(), |at| open + at + close.len());
        if let Some(at) = name_position(&template[open..end], name) {
            return template[..open + at].matches('\n').count() + 1;
        }
        from = end;
    }
    1
}

/// Where `name` occurs in `tag` as a name of its own: not part of a longer identifier, not an
/// attribute (`x.name`), not inside quotes.
fn name_position(tag: &str, name: &str) -> Option<usize> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    tag.match_indices(name).map(|(at, _)| at).find(|&at| {
        let before = tag[..at].chars().next_back();
        let after = tag[at + name.len()..].chars().next();
        !before.is_some_and(|c| is_ident(c) || matches!(c, '.' | '\'' | '"'))
            && !after.is_some_and(|c| is_ident(c) || matches!(c, '\'' | '"'))
    })
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

/// The `render` provider function.
pub struct RenderFunction {
    signature: FunctionSignature,
}

impl RenderFunction {
    pub fn new() -> Self {
        RenderFunction {
            signature: FunctionSignature {
                summary: "Render a Gitmoxi (Jinja) template with an input object".to_string(),
                description: DESCRIPTION.to_string(),
                params: vec![
                    (
                        "template".to_string(),
                        Type::String,
                        "The template text, e.g. `file(\"fn_lambdadef.json\")`.".to_string(),
                    ),
                    (
                        "vars".to_string(),
                        Type::Dynamic,
                        "An object or map whose keys are the template's names, e.g. \
                         `jsondecode(file(\"fn_lambdainput.json\"))`."
                            .to_string(),
                    ),
                ],
                returns: Type::String,
            },
        }
    }
}

impl Default for RenderFunction {
    fn default() -> Self {
        Self::new()
    }
}

const DESCRIPTION: &str = "Renders Gitmoxi's Jinja-style placeholders — `{{ name }}`, \
`{{ name | tojson }}`, `{{ map['key'] }}`, nested `{{ a.b[0] }}` — with the values of `vars` \
(usually the decoded `_lambdainput.json`). Strict: a name or key that `vars` does not define is an \
error naming it and its line, never an empty string. Nothing is HTML-escaped; use `| tojson` to \
insert a value into JSON (strings are quoted and escaped, objects and lists written as JSON). \
Whole numbers render without a decimal point. Requires Terraform 1.8 or later.";

impl Function for RenderFunction {
    fn name(&self) -> &'static str {
        "render"
    }

    fn signature(&self) -> &FunctionSignature {
        &self.signature
    }

    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError> {
        let mut args = args.into_iter();
        let template = args.next().unwrap_or_default();
        let vars = args.next().unwrap_or_default();
        let Some(template) = template.as_str() else {
            return Err(FunctionError {
                text: "template must be a string".to_string(),
                argument: Some(0),
            });
        };
        if !vars.is_wholly_known() {
            return Ok(Value::Unknown);
        }
        render(template, &vars.to_json())
            .map(Value::String)
            .map_err(|e| FunctionError {
                text: e.to_string(),
                argument: Some(e.argument()),
            })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ok(template: &str, vars: serde_json::Value) -> String {
        render(template, &vars).unwrap_or_else(|e| panic!("{template:?}: {e}"))
    }

    fn err(template: &str, vars: serde_json::Value) -> RenderError {
        render(template, &vars).expect_err("should fail")
    }

    #[test]
    fn plain_name() {
        assert_eq!(ok("fn-{{ env }}", json!({"env": "dev"})), "fn-dev");
        assert_eq!(ok("{{env}}", json!({"env": "dev"})), "dev");
    }

    #[test]
    fn tojson_quotes_strings_and_writes_objects() {
        assert_eq!(ok("{{ name | tojson }}", json!({"name": "a"})), "\"a\"");
        assert_eq!(
            ok(
                "{{ tags | tojson }}",
                json!({"tags": {"b": 1, "a": [true, null]}})
            ),
            r#"{"a":[true,null],"b":1}"#
        );
    }

    #[test]
    fn subscript_and_nested_access() {
        let vars = json!({"cfg": {"vpc": {"subnets": ["s-1", "s-2"]}, "my-key": "v"}});
        assert_eq!(ok("{{ cfg['my-key'] }}", vars.clone()), "v");
        assert_eq!(ok("{{ cfg.vpc.subnets[1] }}", vars.clone()), "s-2");
        assert_eq!(ok("{{ cfg['vpc']['subnets'][0] }}", vars.clone()), "s-1");
        assert_eq!(
            ok("{{ cfg.vpc.subnets | tojson }}", vars),
            r#"["s-1","s-2"]"#
        );
    }

    #[test]
    fn tojson_escapes_quotes_newlines_and_keeps_unicode_valid() {
        let text = "say \"hi\"\nthen\ttab \\ é ✓ 😀";
        let rendered = ok(r#"{"V": {{ v | tojson }}}"#, json!({ "v": text }));
        let back: serde_json::Value = serde_json::from_str(&rendered).expect("valid JSON");
        assert_eq!(back["V"], text);
        assert!(!rendered.contains('\n'), "newline escaped: {rendered}");
    }

    #[test]
    fn nothing_is_html_escaped() {
        assert_eq!(
            ok("{{ s }}", json!({"s": "<a href='x'>&\"</a>"})),
            "<a href='x'>&\"</a>"
        );
    }

    #[test]
    fn whole_numbers_have_no_decimal_point() {
        let vars = json!({"mem": 512, "neg": -3, "half": 1.5, "big": 9007199254740991i64});
        assert_eq!(
            ok("{{ mem }} {{ neg }} {{ half }} {{ big }}", vars.clone()),
            "512 -3 1.5 9007199254740991"
        );
        assert_eq!(ok("{{ mem | tojson }}", vars), "512");
    }

    #[test]
    fn whole_numbers_from_terraform_values_have_no_decimal_point() {
        // Terraform numbers arrive as f64.
        let vars = Value::object([("mem", Value::Number(512.0))]);
        let out = RenderFunction::new()
            .call(vec![Value::string("{{ mem }}"), vars])
            .expect("renders");
        assert_eq!(out, Value::string("512"));
    }

    #[test]
    fn text_is_kept_byte_for_byte() {
        let template = "{\n  \"A\": \"{{ a }}\"\n}\n";
        assert_eq!(ok(template, json!({"a": "x"})), "{\n  \"A\": \"x\"\n}\n");
    }

    #[test]
    fn undefined_name_is_named_with_its_line() {
        let e = err(
            "{\n  \"A\": \"{{ a }}\",\n  \"R\": \"{{ region }}\"\n}",
            json!({"a": 1}),
        );
        let text = e.to_string();
        assert!(text.contains("line 3"), "{text}");
        assert!(text.contains("\"region\""), "{text}");
        assert_eq!(e.argument(), 0);
    }

    #[test]
    fn undefined_name_under_a_filter_is_named() {
        let text = err("x\n{{ tags | tojson }}", json!({})).to_string();
        assert!(text.contains("line 2"), "{text}");
        assert!(text.contains("tags"), "{text}");
    }

    #[test]
    fn undefined_key_is_named() {
        let text = err("{{ cfg['team'] }}", json!({"cfg": {"owner": "x"}})).to_string();
        assert!(text.contains("cfg['team']"), "{text}");
        assert!(text.contains("line 1"), "{text}");
    }

    #[test]
    fn undefined_key_under_tojson_is_named() {
        let text = err("{\n\"T\": {{ cfg.team | tojson }}}", json!({"cfg": {}})).to_string();
        assert!(text.contains("cfg.team"), "{text}");
        assert!(text.contains("line 2"), "{text}");
    }

    #[test]
    fn every_missing_name_is_listed_and_the_first_line_given() {
        let text = err("{{ a }}\n{{ zone }}\n{{ b.c }}", json!({"a": 1})).to_string();
        assert!(
            text.starts_with("line 2 of the template: \"zone\""),
            "{text}"
        );
        assert!(text.contains("(so are \"b\")"), "{text}");
    }

    #[test]
    fn optional_keys_work_with_default_and_if() {
        let vars = json!({"cfg": {"a": 1}});
        assert_eq!(ok("{{ cfg.b | default('x') }}", vars.clone()), "x");
        assert_eq!(
            ok("{% if cfg.b is defined %}y{% else %}n{% endif %}", vars),
            "n"
        );
    }

    #[test]
    fn names_set_in_the_template_are_not_vars() {
        assert_eq!(
            ok(
                "{% for s in subnets %}{{ s }},{% endfor %}{% set n = 2 %}{{ n }}",
                json!({"subnets": ["a", "b"]})
            ),
            "a,b,2"
        );
    }

    #[test]
    fn undefined_in_a_condition_is_an_error() {
        let text = err("{% if verbose %}x{% endif %}", json!({})).to_string();
        assert!(text.contains("\"verbose\""), "{text}");
    }

    #[test]
    fn syntax_error_names_its_line() {
        let text = err("ok\n{{ a ", json!({"a": 1})).to_string();
        assert!(text.contains("line 2"), "{text}");
        assert!(text.contains("not valid Jinja"), "{text}");
    }

    #[test]
    fn vars_must_be_an_object() {
        let e = err("x", json!(null));
        assert_eq!(e.argument(), 1);
        assert!(e.to_string().contains("got null"), "{e}");
        assert!(err("x", json!(["a"])).to_string().contains("got a list"));
    }

    #[test]
    fn function_accepts_objects_and_maps() {
        let f = RenderFunction::new();
        let object = Value::Typed(
            Type::object([("a", Type::String)]),
            Box::new(Value::object([("a", Value::string("x"))])),
        );
        let map = Value::Map([("a".to_string(), Value::string("y"))].into());
        for (vars, want) in [(object, "x"), (map, "y")] {
            let out = f
                .call(vec![Value::string("{{ a }}"), vars])
                .expect("renders");
            assert_eq!(out, Value::string(want));
        }
    }

    #[test]
    fn function_blames_vars_when_null() {
        let e = RenderFunction::new()
            .call(vec![Value::string("x"), Value::Null])
            .expect_err("null vars");
        assert_eq!(e.argument, Some(1));
        assert!(e.text.contains("object"), "{}", e.text);
    }

    #[test]
    fn function_error_blames_the_template() {
        let e = RenderFunction::new()
            .call(vec![
                Value::string("{{ nope }}"),
                Value::object([("a", Value::Bool(true))]),
            ])
            .expect_err("undefined");
        assert_eq!(e.argument, Some(0));
        assert!(
            e.text.contains("nope") && e.text.contains("line 1"),
            "{}",
            e.text
        );
    }
}
