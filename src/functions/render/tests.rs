//! Tests of rendering and of the `render` function.

use serde_json::json;

use super::*;
use crate::protocol::registry::Function;
use crate::protocol::value::{Type, Value};

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

#[tokio::test]
async fn whole_numbers_from_terraform_values_have_no_decimal_point() {
    // Terraform numbers arrive as f64.
    let vars = Value::object([("mem", Value::Number(512.0))]);
    let out = RenderFunction::in_process()
        .call(vec![Value::string("{{ mem }}"), vars])
        .await
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

#[tokio::test]
async fn function_accepts_objects_and_maps() {
    let f = RenderFunction::in_process();
    let object = Value::Typed(
        Type::object([("a", Type::String)]),
        Box::new(Value::object([("a", Value::string("x"))])),
    );
    let map = Value::Map([("a".to_string(), Value::string("y"))].into());
    for (vars, want) in [(object, "x"), (map, "y")] {
        let out = f
            .call(vec![Value::string("{{ a }}"), vars])
            .await
            .expect("renders");
        assert_eq!(out, Value::string(want));
    }
}

#[tokio::test]
async fn function_blames_vars_when_null() {
    let e = RenderFunction::in_process()
        .call(vec![Value::string("x"), Value::Null])
        .await
        .expect_err("null vars");
    assert_eq!(e.argument, Some(1));
    assert!(e.text.contains("object"), "{}", e.text);
}

#[tokio::test]
async fn function_error_blames_the_template() {
    let e = RenderFunction::in_process()
        .call(vec![
            Value::string("{{ nope }}"),
            Value::object([("a", Value::Bool(true))]),
        ])
        .await
        .expect_err("undefined");
    assert_eq!(e.argument, Some(0));
    assert!(
        e.text.contains("nope") && e.text.contains("line 1"),
        "{}",
        e.text
    );
}

#[test]
fn an_endless_loop_stops_on_its_step_budget_naming_its_line() {
    let template =
        "ok\n{% for i in range(10000) %}{% for j in range(10000) %}\n{% endfor %}{% endfor %}";
    let e = err(template, json!({}));
    assert!(
        matches!(
            e,
            RenderError::TooManySteps {
                line: Some(2 | 3),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("steps"), "{e}");
}

#[test]
fn output_past_the_limit_stops_the_render() {
    let template = "{% for i in range(10000) %}{{ 'x' * 10000 }}{% endfor %}";
    let e = err(template, json!({}));
    assert!(matches!(e, RenderError::TooLarge { .. }), "{e:?}");
    assert!(e.to_string().contains("8 MiB"), "{e}");
}

#[test]
fn errors_cross_the_process_boundary_unchanged() {
    let e = err("{{ nope }}", json!({}));
    let json = serde_json::to_string(&e).unwrap();
    assert_eq!(serde_json::from_str::<RenderError>(&json).unwrap(), e);
}
