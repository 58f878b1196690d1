//! Provisioned concurrency around the rollouts of both resources: what the plan shows, whether
//! old and new fit the account at once (preflight), and a change of the number alone, applied
//! in place on the serving version.

use std::time::Duration;

use gitmoxi_engine::Readiness;
use tokio::time::{sleep, Instant};

use super::failure::{aws_failure, NOTHING_CHANGED};
use crate::log;
use crate::model::ports::{Cloud, ProvisionedStatus};
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::value::Value;

/// Unreserved concurrency Lambda never lets provisioned concurrency take.
const KEPT_FREE: u32 = 100;
const FIRST_POLL: Duration = Duration::from_millis(500);
const MAX_POLL: Duration = Duration::from_secs(10);

/// `provisioned_concurrency` as a state or configuration holds it (0 when absent).
pub fn amount(v: &Value) -> u32 {
    v.get("provisioned_concurrency")
        .as_f64()
        .filter(|n| *n >= 0.0 && n.fract() == 0.0)
        .map_or(0, |n| n as u32)
}

/// The rollout's steps with the capacity steps around them.
pub fn schedule_lines(steps: Vec<String>, amount: u32, first_release: bool) -> Vec<String> {
    if amount == 0 {
        return steps;
    }
    let mut lines = vec![format!(
        "{amount} provisioned concurrency on the new version, READY before traffic"
    )];
    lines.extend(steps);
    if !first_release {
        lines.push("release the previous version's provisioned concurrency".into());
    }
    lines
}

/// Before any change: the serving version keeps `held` while the new one gets `amount`, so both
/// must fit the account's unreserved concurrency (less the 100 Lambda keeps free). When the
/// account cannot be read, Lambda judges the allocation itself.
pub async fn preflight<C: Cloud>(cloud: &C, amount: u32, held: u32) -> Result<(), Diagnostics> {
    if amount == 0 {
        return Ok(());
    }
    let unreserved = match cloud.unreserved_concurrency().await {
        Ok(n) => n,
        Err(e) => {
            log::debug("account concurrency not checked", &[("reason", &e.message)]);
            return Ok(());
        }
    };
    let need = amount.saturating_add(held);
    if need <= unreserved.saturating_sub(KEPT_FREE) {
        return Ok(());
    }
    Err(Diagnostic::error(
        "Deployment not started: provisioned concurrency does not fit the account",
        format!(
            "During the rollout the serving version keeps {held} and the new one gets {amount}: \
             {need} at once, but the account has {unreserved} unreserved concurrency, of which \
             Lambda keeps {KEPT_FREE} free. Nothing was changed. Lower provisioned_concurrency, \
             ask for a higher concurrency quota, or free reserved concurrency elsewhere."
        ),
    )
    .at(AttrPath::root("provisioned_concurrency"))
    .into())
}

/// A change of the number alone, on the version that serves: allocated and READY (within the
/// readiness window), or released.
pub async fn set_in_place<C: Cloud>(
    cloud: &C,
    (function, version): (&str, &str),
    (from, to): (u32, u32),
    readiness: &Readiness,
) -> Result<(), Diagnostic> {
    let at = || AttrPath::root("provisioned_concurrency");
    let failed = |what: &str, e| aws_failure(what, function, &e, NOTHING_CHANGED).at(at());
    if from == to {
        return Ok(());
    }
    if to == 0 {
        let released = cloud.release_capacity(function, version).await;
        return released.map_err(|e| failed("releasing provisioned concurrency", e));
    }
    cloud
        .put_capacity(function, version, to)
        .await
        .map_err(|e| failed("setting provisioned concurrency", e))?;
    let started = Instant::now();
    let mut pause = FIRST_POLL;
    loop {
        let found = cloud
            .capacity(function, version)
            .await
            .map_err(|e| failed("reading provisioned concurrency", e))?;
        let Some(p) = found else {
            let detail = "Its configuration disappeared while it was being allocated.";
            return Err(not_ready(function, version, to, detail.into()));
        };
        match p.status {
            ProvisionedStatus::Ready if p.allocated >= p.requested => return Ok(()),
            ProvisionedStatus::Failed => {
                let reason = p.reason.unwrap_or_else(|| "no reason given".into());
                return Err(not_ready(function, version, to, reason));
            }
            _ if started.elapsed() >= readiness.window() => {
                let detail = format!(
                    "{} of {to} allocated after {}s; raise readiness_check.timeout if it needs \
                     longer.",
                    p.allocated,
                    started.elapsed().as_secs()
                );
                return Err(not_ready(function, version, to, detail));
            }
            _ => {}
        }
        sleep(pause).await;
        pause = (pause * 2).min(MAX_POLL);
    }
}

fn not_ready(function: &str, version: &str, amount: u32, detail: String) -> Diagnostic {
    Diagnostic::error(
        format!("{function} version {version} did not get {amount} provisioned concurrency"),
        format!(
            "{detail} The version keeps serving; the state keeps the previous number, so the \
             next plan shows the change again."
        ),
    )
    .at(AttrPath::root("provisioned_concurrency"))
}
