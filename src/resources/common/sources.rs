//! The `event_sources` argument as resources see it: parsed with diagnostics at plan, read back
//! from state as what was last reconciled on the alias, and the plan's warnings about it.
//! Moving the alias's sources from one to the other is `reconcile.rs`.

use crate::model::event_sources::{self, EventSources};
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::value::Value;

/// The declared event sources (the `event_sources` value) of `function` (its name, when known):
/// `Some(empty)` when null, `None` when unknown or invalid (the diagnostics say which).
pub fn declared(
    v: &Value,
    function: Option<&str>,
    diags: &mut Diagnostics,
) -> Option<EventSources> {
    if v.is_null() {
        return Some(EventSources::default());
    }
    let json = v.as_str()?;
    match event_sources::parse_document(json) {
        Ok(doc) => {
            for w in doc.warnings {
                diags.push(
                    Diagnostic::warning(w.summary, with_key(w.detail, w.key_path))
                        .at(AttrPath::root("event_sources")),
                );
            }
            let names = doc.function_names.iter();
            let wrong =
                names.filter_map(|(key, name)| check_function_name(key, name, function)?.into());
            let mut invalid = false;
            for d in wrong {
                invalid |= d.is_error();
                diags.push(d);
            }
            (!invalid).then_some(doc.sources)
        }
        Err(e) => {
            diags.push(
                Diagnostic::error(e.summary, with_key(e.detail, e.key_path))
                    .at(AttrPath::root("event_sources")),
            );
            None
        }
    }
}

/// A `FunctionName` inside a pull entry: this function's (by name or ARN) is ignored with a note,
/// since every mapping targets the alias; another function's is an error. Unknown until the
/// function's name is known.
fn check_function_name(key: &str, name: &str, function: Option<&str>) -> Option<Diagnostic> {
    let function = function?;
    let named = match name.strip_prefix("arn:") {
        Some(_) => name.split(':').nth(6).unwrap_or_default(),
        None => name.split(':').next().unwrap_or_default(),
    };
    let at = AttrPath::root("event_sources");
    Some(if named == function {
        Diagnostic::warning(
            format!("{key} is ignored"),
            format!(
                "Every event source mapping targets the deployment's alias, so the provider sets \
                 FunctionName itself; {name:?} names this function, so nothing changes. You may \
                 remove it (key {key})."
            ),
        )
        .at(at)
    } else {
        Diagnostic::error(
            format!("{key} names another function"),
            format!(
                "{name:?} is not {function}: a mapping declared here always invokes this \
                 deployment's alias. Remove FunctionName, or declare the mapping with the \
                 function it belongs to (key {key})."
            ),
        )
        .at(at)
    })
}

fn with_key(detail: String, key: Option<String>) -> String {
    match key {
        Some(k) if !detail.contains(k.as_str()) => format!("{detail} (key {k})"),
        _ => detail,
    }
}

/// What a state's `event_sources` text says is on the alias (empty when nothing, or unreadable).
pub fn stored(text: Option<&str>) -> EventSources {
    text.and_then(|j| event_sources::parse(j).ok())
        .map(|(s, _)| s)
        .unwrap_or_default()
}

/// Warnings for a plan that changes event sources: stream mappings that will be recreated.
pub fn plan_warnings(had: &EventSources, want: &EventSources) -> Vec<Diagnostic> {
    want.pull
        .iter()
        .filter_map(|w| {
            let h = had.pull.iter().find(|h| h.key() == w.key())?;
            (h.needs_recreate(w) && w.is_stream()).then(|| {
                Diagnostic::warning(
                    format!("Event source mapping {} will be recreated", w.key()),
                    "AWS cannot update StartingPosition, Topics, Queues or the source of a mapping, so it is \
                     deleted and created again: a stream mapping restarts from its starting position.",
                )
                .at(AttrPath::root("event_sources"))
            })
        })
        .collect()
}
