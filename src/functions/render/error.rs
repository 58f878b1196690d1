//! [`RenderError`]: why a template could not be rendered, worded for the user and blaming one of
//! the function's arguments.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a template could not be rendered. (Serialisable: the renderer process sends it back.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RenderError {
    /// `vars` is not an object or map (e.g. null, a string, a list).
    VarsNotObject { found: String },
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
    /// The template ran out of steps: a loop far too long for a configuration file.
    TooManySteps { line: Option<usize>, steps: u64 },
    /// The rendered text grew past the output limit.
    TooLarge { line: Option<usize>, bytes: usize },
    /// The renderer process used up a resource (memory, CPU time) or could not run.
    Exhausted { detail: String },
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
            RenderError::TooManySteps { line, steps } => write!(
                f,
                "{}: rendering stopped after {steps} steps; a loop this long cannot be meant \
                 for a configuration file",
                place(*line)
            ),
            RenderError::TooLarge { line, bytes } => write!(
                f,
                "{}: the rendered text passed {} MiB, the most a rendered file may be",
                place(*line),
                bytes / (1024 * 1024)
            ),
            RenderError::Exhausted { detail } => {
                write!(f, "the template could not be rendered: {detail}")
            }
        }
    }
}

impl std::error::Error for RenderError {}

fn place(line: Option<usize>) -> String {
    line.map_or_else(
        || "the template".into(),
        |l| format!("line {l} of the template"),
    )
}

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}
