//! `provider::gitmoxi::render` against hostile templates: templates come from repository files,
//! so from pull requests, and none may stall or exhaust the provider. The renderer runs in a
//! child process of the provider's executable; these tests run that executable.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;
use terraform_provider_gitmoxi::functions::render::{render_isolated, RenderError};

use crate::harness::PROVIDER_BINARY;

async fn isolated(template: &str) -> (Result<String, RenderError>, Duration) {
    let started = Instant::now();
    let result = render_isolated(Path::new(PROVIDER_BINARY), template, &json!({"n": 3})).await;
    (result, started.elapsed())
}

#[tokio::test]
async fn the_renderer_process_renders_what_the_library_renders() {
    let (result, _) = isolated("{\"N\": {{ n }}, \"S\": {{ 'a\"b' | tojson }}}\n").await;
    assert_eq!(result.unwrap(), "{\"N\": 3, \"S\": \"a\\\"b\"}\n");
    let (result, _) = isolated("{{ missing }}").await;
    let e = result.unwrap_err();
    assert!(matches!(e, RenderError::Undefined { .. }), "{e:?}");
}

#[tokio::test]
async fn a_template_doubling_a_string_ends_on_the_memory_limit_not_the_provider() {
    // 2^40 bytes if nothing stopped it, in a few hundred steps: the step budget cannot help.
    let template = "{% set ns = namespace(s='x') %}{% for i in range(40) %}\
                    {% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}";
    let (result, took) = isolated(template).await;
    let e = result.unwrap_err();
    assert!(
        e.to_string().contains("MiB of memory"),
        "expected the memory limit: {e}"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

#[tokio::test]
async fn an_endless_loop_ends_on_the_step_budget() {
    let template = "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}";
    let (result, took) = isolated(template).await;
    let e = result.unwrap_err();
    assert!(matches!(e, RenderError::TooManySteps { .. }), "{e:?}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
}
