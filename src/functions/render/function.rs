//! [`RenderFunction`]: `render` as a provider function, turning Terraform values into its
//! arguments and its errors into function errors.

use std::path::PathBuf;

use async_trait::async_trait;

use super::{render, render_isolated, RenderError};
use crate::protocol::registry::{Function, FunctionError};
use crate::protocol::schema::FunctionSignature;
use crate::protocol::value::{Type, Value};

/// The `render` provider function.
pub struct RenderFunction {
    signature: FunctionSignature,
    isolated: bool,
}

impl RenderFunction {
    /// Renders in a child process of the provider's own executable.
    pub fn new() -> Self {
        RenderFunction {
            isolated: true,
            ..Self::in_process()
        }
    }

    /// Renders in this process: for tests, whose executable is not the provider.
    pub fn in_process() -> Self {
        RenderFunction {
            isolated: false,
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

impl RenderFunction {
    async fn render(
        &self,
        template: &str,
        vars: &serde_json::Value,
    ) -> Result<String, RenderError> {
        if !self.isolated {
            return render(template, vars);
        }
        let program: PathBuf = std::env::current_exe().map_err(|e| RenderError::Exhausted {
            detail: format!("the provider's executable could not be found: {e}"),
        })?;
        render_isolated(&program, template, vars).await
    }
}

#[async_trait]
impl Function for RenderFunction {
    fn name(&self) -> &'static str {
        "render"
    }

    fn signature(&self) -> &FunctionSignature {
        &self.signature
    }

    async fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError> {
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
        self.render(template, &vars.to_json())
            .await
            .map(Value::String)
            .map_err(|e| FunctionError {
                text: e.to_string(),
                argument: Some(e.argument()),
            })
    }
}
