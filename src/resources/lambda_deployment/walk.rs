//! A rollout an apply left running on Step Functions (`wait_for_rollout = false`): the state
//! records the new release with `last_deployment.status = "IN_PROGRESS"`, and the release it
//! replaces waits in private state. Each refresh reads the execution: still running, the plan
//! says so; succeeded, the state says so; failed, the prior release goes back into the state,
//! so the next plan shows the change again.

use gitmoxi_engine::rollout::walk_check;
use serde_json::json;

use super::schema;
use super::state::DeploymentState;
use crate::model::ports::{AliasRouting, AwsError, Cloud, WalkState};
use crate::protocol::diagnostics::Diagnostic;
use crate::protocol::registry::{ApplyRequest, ApplyResponse};
use crate::protocol::value::{Type, Value};
use crate::resources::common::rollout;
use crate::resources::common::state::{describe_routing, Private};

/// The note an apply leaves: the execution, and the release it replaces.
pub fn note(execution: &str, prior: &DeploymentState) -> serde_json::Value {
    json!({
        "execution": execution,
        "prior": {
            "function_definition": prior.function_definition,
            "source_code_hash": prior.source_code_hash,
            "sensitive_environment": prior.sensitive_environment.to_json(),
            "sensitive_environment_wo_version": prior.sensitive_environment_wo_version.to_json(),
            "code_sha256": prior.code_sha256,
            "version": prior.version,
            "previous_version": prior.previous_version,
            "rollout_schedule": prior.rollout_schedule,
        },
    })
}

/// The execution a note names.
pub fn execution(note: &serde_json::Value) -> Option<&str> {
    note.get("execution")?.as_str()
}

/// How the rollout stands; the state and private state as refresh should leave them.
pub async fn refresh<C: Cloud>(
    cloud: &C,
    mut s: DeploymentState,
    private: &mut Private,
    delete_failed: bool,
) -> Result<DeploymentState, Diagnostic> {
    // Each refresh says afresh whether it still runs.
    private.running = None;
    let Some(note) = private.walk.clone() else {
        return Ok(s);
    };
    let walk = execution(&note).unwrap_or_default().to_string();
    let state = match cloud.walk_state(&walk).await {
        Ok(state) => state,
        // Gone (its history expired, or its machine was deleted): what the alias serves tells.
        Err(e) if e.is_not_found() => {
            let routing = cloud.find_alias(&s.function_name, &s.alias).await;
            let routing = routing.map_err(|e| unreadable(&walk, e))?;
            match routing.is_some_and(|r| r.serves_fully(&s.version)) {
                true => WalkState::Succeeded,
                false => WalkState::Failed {
                    error: "ExecutionDoesNotExist".into(),
                    cause: e.message,
                },
            }
        }
        Err(e) => return Err(unreadable(&walk, e)),
    };
    match state {
        WalkState::Running => {
            private.running = Some(walk);
            return Ok(s);
        }
        WalkState::Succeeded => {
            s.last_deployment
                .set_attr("status", Value::string("SUCCEEDED"));
            // What it replaced goes with the next release (the machine deletes nothing).
            if let Some(from) = &s.previous_version {
                private.leftover.push(from.clone());
            }
        }
        WalkState::Failed { error, cause } => {
            let routing = cloud
                .find_alias(&s.function_name, &s.alias)
                .await
                .map_err(|e| unreadable(&walk, e))?;
            let failed = s.version.clone();
            s = restored(s, &note["prior"], routing.as_ref(), (&error, &cause));
            if delete_failed {
                private.leftover.push(failed);
            }
        }
    }
    private.walk = None;
    Ok(s)
}

/// The prior release back in the state, with how the rollout ended.
fn restored(
    mut s: DeploymentState,
    prior: &serde_json::Value,
    routing: Option<&AliasRouting>,
    (error, cause): (&str, &str),
) -> DeploymentState {
    let text = |key: &str| prior.get(key).and_then(|v| v.as_str()).map(str::to_string);
    let value = |key: &str| {
        let ty = attribute_type(key);
        prior
            .get(key)
            .and_then(|j| Value::from_json_value(j, &ty).ok())
            .unwrap_or(Value::Null)
    };
    s.function_definition = text("function_definition");
    s.source_code_hash = text("source_code_hash");
    s.sensitive_environment = value("sensitive_environment");
    s.sensitive_environment_wo_version = value("sensitive_environment_wo_version");
    s.code_sha256 = text("code_sha256").unwrap_or_default();
    s.previous_version = text("previous_version");
    let schedule = prior.get("rollout_schedule").and_then(|v| v.as_array());
    s.rollout_schedule = schedule
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let prior_version = text("version").unwrap_or_default();
    let back = routing.is_some_and(|r| r.serves_fully(&prior_version));
    let now = match routing {
        Some(r) => describe_routing(r),
        None => "nothing (the alias is gone)".into(),
    };
    let reason = format!(
        "the Step Functions execution ended with {error}: {cause}; alias {} routes {now}",
        s.alias
    );
    s.version = prior_version;
    let status = if back { "ROLLED_BACK" } else { "FAILED" };
    s.last_deployment.set_attr("status", Value::string(status));
    s.last_deployment.set_attr("reason", Value::string(reason));
    s.last_deployment
        .set_attr("failed_check", Value::string(walk_check(error, cause)));
    s
}

fn attribute_type(name: &str) -> Type {
    match schema::schema().value_type() {
        Type::Object(attrs) => attrs.get(name).cloned().unwrap_or(Type::String),
        _ => Type::String,
    }
}

fn unreadable(walk: &str, e: AwsError) -> Diagnostic {
    Diagnostic::error(
        "Error reading the rollout's Step Functions execution",
        format!("Reading {walk} failed: {e}. The state was left as it was."),
    )
}

/// A rollout this resource left running stops any apply on it before any change (the plan
/// warned; it may have ended since, which is then for the next refresh to record).
pub async fn still_running_at_apply<C: Cloud>(
    cloud: &C,
    req: &ApplyRequest,
    carried: &Private,
) -> Option<Diagnostic> {
    let walk = execution(carried.walk.as_ref()?)?;
    if cloud.walk_state(walk).await.ok()? != WalkState::Running {
        return None;
    }
    let function = req.prior_state.get("id").as_str().unwrap_or_default();
    let alias = req.prior_state.get("alias").as_str().unwrap_or_default();
    Some(rollout::still_running(function, alias, walk))
}

/// The private state after an apply: what this apply noted (a rollout it left running), and
/// what it carries over: the note of a rollout still being followed when this apply ran none,
/// and versions owed to a clean-up until a release succeeds (which deleted them).
pub fn carry(req: &ApplyRequest, resp: &ApplyResponse, carried: Private) -> Private {
    let mut kept = Private::read(&resp.private);
    let id = |v: &Value| {
        v.get("last_deployment")
            .get("id")
            .as_str()
            .map(str::to_string)
    };
    let ran = id(&resp.new_state) != id(&req.prior_state);
    if !ran && kept.walk.is_none() {
        kept.walk = carried.walk;
    }
    let status = resp.new_state.get("last_deployment").get("status");
    let cleaned = ran && status.as_str() == Some("SUCCEEDED") && !resp.diagnostics.has_errors();
    if !cleaned {
        for v in carried.leftover {
            if !kept.leftover.contains(&v) {
                kept.leftover.push(v);
            }
        }
    }
    kept
}

/// The plan's warning while a rollout goes on.
pub fn still_running(function: &str, alias: &str, walk: &str) -> Diagnostic {
    Diagnostic::warning(
        format!("Rollout still running on {function}:{alias}"),
        format!(
            "Step Functions execution {walk} is moving the alias (started by an apply with \
             wait_for_rollout = false). The state shows the release it rolls out; refresh reads \
             how it ends. An apply that changes this deployment before then stops before any \
             change."
        ),
    )
}
