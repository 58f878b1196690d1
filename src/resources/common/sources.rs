//! The `event_sources` argument as resources see it: parsed with diagnostics at plan, read back
//! from state as what was last reconciled on the alias, and the plan's warnings about it.
//! Moving the alias's sources from one to the other is `reconcile.rs`.

use crate::model::event_sources::{self, EventSources};
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::value::Value;

/// The declared event sources (the `event_sources` value): `Some(empty)` when null, `None` when
/// unknown or invalid (the diagnostics say which).
pub fn declared(v: &Value, diags: &mut Diagnostics) -> Option<EventSources> {
    if v.is_null() {
        return Some(EventSources::default());
    }
    let json = v.as_str()?;
    match event_sources::parse(json) {
        Ok((sources, warnings)) => {
            for w in warnings {
                diags.push(
                    Diagnostic::warning(w.summary, with_key(w.detail, w.key_path))
                        .at(AttrPath::root("event_sources")),
                );
            }
            Some(sources)
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
