//! The diagnostics an apply ends with when something fails: what failed, and exactly what the
//! apply had done by then, so the user knows what AWS serves and what the next apply will do.

use gitmoxi_engine::{Outcome, Status};

use super::state::describe_routing;
use crate::model::ports::AwsError;
use crate::protocol::diagnostics::Diagnostic;
use crate::protocol::registry::ApplyResponse;
use crate::protocol::value::Value;

/// For failures before anything changed.
pub const NOTHING_CHANGED: &str =
    "Nothing was changed: fix the cause and run `terraform apply` again.";

/// An apply that stops here, with the state to keep (Null: no resource).
pub fn fail(
    diags: impl Into<crate::protocol::diagnostics::Diagnostics>,
    state: Value,
) -> ApplyResponse {
    ApplyResponse {
        new_state: state,
        private: Vec::new(),
        diagnostics: diags.into(),
    }
}

/// An AWS call failed while `action` (e.g. "creating Lambda function") on `subject`; `done`
/// says what the apply had changed by then.
pub fn aws_failure(action: &str, subject: &str, e: &AwsError, done: &str) -> Diagnostic {
    Diagnostic::error(
        format!("Error {action} ({subject})"),
        format!("{e}. {done}"),
    )
}

/// A bug guard: a value the plan checked is unknown at apply.
pub fn unknown_at_apply(what: &str) -> Diagnostic {
    Diagnostic::error(
        format!("{what} is unknown at apply"),
        "This is a bug; please report it. Nothing was changed.",
    )
}

/// How a rollout that did not succeed ended: the cause, where traffic had got to, what the alias
/// serves now, and what the state keeps.
pub fn deployment_error(function: &str, alias: &str, o: &Outcome, creating: bool) -> Diagnostic {
    let next = match (creating, o.serving.is_some()) {
        (true, false) => {
            "Nothing serves yet. The create was undone; fix the cause and apply again."
        }
        (true, true) => "The create was undone; fix the cause and apply again.",
        (false, _) => {
            "The state keeps the previous release, so the next plan shows this change again. Fix \
             the cause (or the alarm) and run `terraform apply` again."
        }
    };
    rollout_error(&format!("Deployment of {function}"), alias, o, next)
}

/// `subject` ("Deployment of orders") ended without success: the cause as summary; the check that
/// ended it, where traffic had got to and what the alias routes now as detail, then `next` (what
/// is kept, what to do).
pub fn rollout_error(subject: &str, alias: &str, o: &Outcome, next: &str) -> Diagnostic {
    let reason = o.reason.clone().unwrap_or_else(|| "no reason given".into());
    let summary = match o.status {
        Status::RolledBack => format!("{subject} rolled back: {reason}"),
        Status::Interrupted => format!("{subject} interrupted and rolled back"),
        _ => format!("{subject} failed: {reason}"),
    };
    let mut detail = String::new();
    if let Some(check) = &o.failed_check {
        detail.push_str(&format!("Failed check: {check}. "));
    }
    if let Some((i, w)) = o.last_step {
        let to = o.to_version.as_deref().unwrap_or("?");
        detail.push_str(&format!(
            "Traffic had reached step {} ({w}%) on version {to}. ",
            i + 1
        ));
    }
    if let Some(r) = o.serving.as_ref() {
        let routes = describe_routing(r);
        detail.push_str(&format!("Alias {alias} now routes {routes}. "));
    }
    detail.push_str(next);
    Diagnostic::error(summary, detail)
}
