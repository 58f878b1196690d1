//! Plan rules, pure: a new `version` (or drift seen by refresh) rolls out; a new function or
//! alias is a different resource; event sources and settings apply in place.

use super::config::AliasConfig;
use super::state::{self, AliasState, Planned};
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::registry::PlanResponse;
use crate::protocol::value::Value;
use crate::resources::common::capacity::schedule_lines;
use crate::resources::common::sources;
use crate::resources::common::state::{Drift, Shown};

/// `serving`: for a create, what the alias serves if it exists (`Some(None)`: no alias, so the
/// version goes to 100% at once); None when it could not be read.
pub fn plan(
    prior: &Value,
    config: &Value,
    proposed: &Value,
    drift: Option<&Drift>,
    serving: Option<Option<String>>,
) -> PlanResponse {
    let mut resp = PlanResponse::default();
    if proposed.is_null() {
        return resp;
    }
    let (c, mut diags) = AliasConfig::parse(config);
    let rollout_plan = c.settings.plan();
    let capacity = c.settings.provisioned_concurrency;
    let schedule = rollout_plan
        .as_ref()
        .map(|p| schedule_lines(p.describe(), capacity, false));
    let prior_state = AliasState::read(prior);
    let replace: Vec<AttrPath> = match &prior_state {
        Some(p) => [
            (
                "function_name",
                c.function_name.known() != Some(&p.function_name),
            ),
            ("alias", c.alias.known() != Some(&p.alias)),
        ]
        .into_iter()
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| AttrPath::root(name))
        .collect(),
        None => Vec::new(),
    };
    let decision = match prior_state.filter(|_| replace.is_empty()) {
        None => Planned {
            new: true,
            rollout: true,
            id: c.id(),
            rollout_schedule: schedule,
            keep_event_sources_text: false,
            shown: match (&serving, &rollout_plan) {
                (Some(from), Some(p)) => (
                    serving.clone(),
                    Some(Shown::of(p, from.is_none(), capacity)),
                ),
                _ => (serving.clone(), None),
            },
        },
        Some(p) => {
            let shown = rollout_plan.as_ref().map(|p| Shown::of(p, false, capacity));
            update(&c, &p, drift, schedule, shown, &mut diags)
        }
    };
    resp.planned_state = state::planned(proposed, prior, &decision);
    resp.requires_replace = replace;
    resp.diagnostics = diags;
    resp
}

fn update(
    c: &AliasConfig,
    prior: &AliasState,
    drift: Option<&Drift>,
    schedule: Option<Vec<String>>,
    shown: Option<Shown>,
    diags: &mut Diagnostics,
) -> Planned {
    if let Some(d) = drift {
        diags.push(Diagnostic::warning(
            "The alias does not serve the deployed version",
            format!(
                "{} This plan restores version {} with a rollout.",
                d.description, prior.version
            ),
        ));
    }
    let mut keep_event_sources_text = false;
    if let Some(want) = &c.event_sources {
        let had = sources::stored(prior.event_sources.as_deref());
        if *want == had && prior.event_sources.is_some() && c.event_sources_text.known().is_some() {
            keep_event_sources_text = true;
        } else {
            sources::plan_warnings(&had, want)
                .into_iter()
                .for_each(|w| diags.push(w));
        }
    }
    // The rollout starts from what the alias serves: the deployed version, or what refresh saw.
    let from = match drift {
        Some(d) => d.serving.clone(),
        None => Some(Some(prior.version.clone())),
    };
    Planned {
        new: false,
        rollout: c.version.known() != Some(&prior.version) || drift.is_some(),
        id: Some(prior.id.clone()),
        rollout_schedule: schedule,
        keep_event_sources_text,
        shown: (from, shown),
    }
}
