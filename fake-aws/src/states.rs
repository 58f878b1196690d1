//! Step Functions, in memory: runs the part of Amazon States Language a compiled rollout uses
//! (Task on `aws-sdk:lambda:updateAlias` and `aws-sdk:cloudwatch:describeAlarms`, Wait in
//! seconds, Choice on `IsPresent`, Succeed, Fail; `Parameters`, `ResultSelector`,
//! `ResultPath`, `Catch`) against this account, on tokio time, so a rollout Step Functions would
//! run can be tested in milliseconds of paused time.

use std::sync::Arc;

use gitmoxi_engine::ports::{AlarmState, Alarms, AwsError, AwsErrorKind, Lambda, WalkState};
use serde_json::{json, Map, Value};

use super::{FakeAws, ACCOUNT, REGION};

/// One execution: the machine it runs, and how it stands.
pub(crate) struct Execution {
    machine: String,
    state: WalkState,
    task: Option<tokio::task::AbortHandle>,
}

impl FakeAws {
    /// StartExecution: runs `definition` with `input` in the background on tokio time, as
    /// `machine`'s execution `name`. A name already used answers InUse (ExecutionAlreadyExists).
    pub fn start_execution(
        self: &Arc<Self>,
        machine: &str,
        name: &str,
        definition: Value,
        input: Value,
    ) -> Result<String, AwsError> {
        let arn = format!("arn:aws:states:{REGION}:{ACCOUNT}:execution:{machine}:{name}");
        let mut executions = self.executions.lock().unwrap_or_else(|e| e.into_inner());
        if executions.contains_key(&arn) {
            let message = format!("Execution already exists: '{arn}'");
            return Err(AwsError::new(AwsErrorKind::InUse, message));
        }
        let (aws, key) = (self.clone(), arn.clone());
        let task = tokio::spawn(async move {
            let ended = aws.run_state_machine(&definition, input).await;
            let state = match ended {
                Ok(_) => WalkState::Succeeded,
                Err((error, cause)) => WalkState::Failed { error, cause },
            };
            let mut executions = aws.executions.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(e) = executions.get_mut(&key) {
                e.state = state;
            }
        });
        executions.insert(
            arn.clone(),
            Execution {
                machine: machine.to_string(),
                state: WalkState::Running,
                task: Some(task.abort_handle()),
            },
        );
        Ok(arn)
    }

    /// DescribeExecution's status (NotFound for an unknown ARN).
    pub fn describe_execution(&self, arn: &str) -> Result<WalkState, AwsError> {
        let executions = self.executions.lock().unwrap_or_else(|e| e.into_inner());
        executions.get(arn).map(|e| e.state.clone()).ok_or_else(|| {
            AwsError::new(
                AwsErrorKind::NotFound,
                format!("Execution Does Not Exist: '{arn}'"),
            )
        })
    }

    /// StopExecution: a running execution ends ABORTED where it is.
    pub fn stop_execution(&self, arn: &str) -> Result<(), AwsError> {
        let mut executions = self.executions.lock().unwrap_or_else(|e| e.into_inner());
        let Some(e) = executions.get_mut(arn) else {
            let message = format!("Execution Does Not Exist: '{arn}'");
            return Err(AwsError::new(AwsErrorKind::NotFound, message));
        };
        if e.state == WalkState::Running {
            if let Some(task) = e.task.take() {
                task.abort();
            }
            e.state = WalkState::Failed {
                error: "Stopped".into(),
                cause: "stopped by StopExecution".into(),
            };
        }
        Ok(())
    }

    /// DeleteStateMachine: its running executions stop, and its executions are forgotten.
    pub fn delete_state_machine(&self, machine: &str) {
        let mut executions = self.executions.lock().unwrap_or_else(|e| e.into_inner());
        executions.retain(|_, e| {
            if e.machine != machine {
                return true;
            }
            if let Some(task) = e.task.take() {
                task.abort();
            }
            false
        });
    }

    /// Whether any execution of `machine` is known.
    pub fn has_state_machine(&self, machine: &str) -> bool {
        let executions = self.executions.lock().unwrap_or_else(|e| e.into_inner());
        executions.values().any(|e| e.machine == machine)
    }

    /// ListExecutions with statusFilter RUNNING.
    pub fn running_executions(&self, machine: &str) -> Vec<String> {
        let executions = self.executions.lock().unwrap_or_else(|e| e.into_inner());
        let running = executions
            .iter()
            .filter(|(_, e)| e.machine == machine && e.state == WalkState::Running);
        running.map(|(arn, _)| arn.clone()).collect()
    }
}

/// How an execution ended: its output, or the `Fail` state's (or an uncaught error's) error and
/// cause.
pub type Ending = Result<Value, (String, String)>;

impl FakeAws {
    /// Runs `definition` with `input` to its end.
    pub async fn run_state_machine(&self, definition: &Value, input: Value) -> Ending {
        let mut at = text(&definition["StartAt"]);
        let mut data = input;
        loop {
            let state = &definition["States"][&at];
            let next = match text(&state["Type"]).as_str() {
                "Task" => self.task(state, &mut data).await?,
                "Wait" => {
                    let seconds = state["Seconds"].as_u64().unwrap_or(0);
                    tokio::time::sleep(std::time::Duration::from_secs(seconds)).await;
                    text(&state["Next"])
                }
                "Choice" => choose(state, &data),
                "Pass" => {
                    let result = resolve(&state["Parameters"], &data);
                    put(&mut data, &state["ResultPath"], result);
                    text(&state["Next"])
                }
                "Succeed" => return Ok(data),
                "Fail" => {
                    let cause = match state["CausePath"].as_str() {
                        Some(path) => at_path(&data, path).map(text).unwrap_or_default(),
                        None => text(&state["Cause"]),
                    };
                    return Err((text(&state["Error"]), cause));
                }
                other => return Err(("States.Runtime".into(), format!("state type {other}"))),
            };
            if next.is_empty() {
                return Err(("States.Runtime".into(), format!("{at} has no next state")));
            }
            at = next;
        }
    }

    /// Runs a Task, puts its result where `ResultPath` says, and names the next state (a
    /// `Catch`'s on error; an error nothing catches ends the execution with it).
    async fn task(&self, state: &Value, data: &mut Value) -> Result<String, (String, String)> {
        let parameters = resolve(&state["Parameters"], data);
        let mut attempts = 0;
        let result = loop {
            let result = self
                .integration(&text(&state["Resource"]), &parameters)
                .await;
            let Err((name, _)) = &result else {
                break result;
            };
            match retry_after(&state["Retry"], name, attempts) {
                Some(pause) => tokio::time::sleep(pause).await,
                None => break result,
            }
            attempts += 1;
        };
        match result {
            Ok(result) => {
                let selected = match state.get("ResultSelector") {
                    Some(selector) => resolve(selector, &result),
                    None => result,
                };
                put(data, &state["ResultPath"], selected);
                Ok(text(&state["Next"]))
            }
            Err((error, cause)) => {
                let Some(catch) = state["Catch"].as_array().and_then(|c| c.first()) else {
                    return Err((error, cause));
                };
                put(
                    data,
                    &catch["ResultPath"],
                    json!({"Error": error, "Cause": cause}),
                );
                Ok(text(&catch["Next"]))
            }
        }
    }

    /// One call of an `aws-sdk` integration; an error is named as Step Functions names it
    /// (`Lambda.PreconditionFailedException`, ...).
    async fn integration(
        &self,
        resource: &str,
        parameters: &Value,
    ) -> Result<Value, (String, String)> {
        let (service, result) = match resource {
            "arn:aws:states:::aws-sdk:lambda:updateAlias" => {
                ("Lambda", self.update_alias(parameters).await)
            }
            "arn:aws:states:::aws-sdk:cloudwatch:describeAlarms" => {
                ("CloudWatch", self.describe_alarms(parameters).await)
            }
            other => {
                let cause = format!("no such integration: {other}");
                return Err(("States.Runtime".into(), cause));
            }
        };
        result.map_err(|e| {
            let code = match e.kind {
                AwsErrorKind::Throttled => "TooManyRequestsException",
                AwsErrorKind::Conflict => "PreconditionFailedException",
                AwsErrorKind::InUse => "ResourceConflictException",
                AwsErrorKind::NotFound => "ResourceNotFoundException",
                AwsErrorKind::Invalid => "InvalidParameterValueException",
                _ => "ServiceException",
            };
            (format!("{service}.{code}"), e.message)
        })
    }

    async fn update_alias(&self, p: &Value) -> Result<Value, AwsError> {
        let weights = p["RoutingConfig"]["AdditionalVersionWeights"].as_object();
        let extra = weights
            .and_then(|w| w.iter().next())
            .map(|(v, w)| (v.clone(), w.as_f64().unwrap_or(0.0)));
        let lambda = self.lambda(&text(&p["FunctionName"]), None);
        let routing = lambda
            .shift_alias(
                &text(&p["Name"]),
                &text(&p["FunctionVersion"]),
                extra.as_ref().map(|(v, w)| (v.as_str(), *w)),
                &text(&p["RevisionId"]),
            )
            .await?;
        Ok(json!({"RevisionId": routing.revision_id, "FunctionVersion": routing.version}))
    }

    async fn describe_alarms(&self, p: &Value) -> Result<Value, AwsError> {
        let names: Vec<String> = p["AlarmNames"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        let firing = self.states(&names).await?.into_iter();
        let firing = firing.filter(|(_, s)| *s == AlarmState::Alarm);
        let alarms: Vec<Value> = firing.map(|(n, _)| json!({"AlarmName": n})).collect();
        Ok(json!({"MetricAlarms": alarms, "CompositeAlarms": []}))
    }
}

/// How long to pause before retrying an error named `error` after `attempts` retries, when a
/// `Retry` rule matches it and allows another.
fn retry_after(rules: &Value, error: &str, attempts: u64) -> Option<std::time::Duration> {
    let rules = rules.as_array()?;
    let rule = rules.iter().find(|r| {
        let names = r["ErrorEquals"].as_array().into_iter().flatten();
        names
            .filter_map(Value::as_str)
            .any(|n| n == error || n == "States.ALL")
    })?;
    if attempts >= rule["MaxAttempts"].as_u64().unwrap_or(3) {
        return None;
    }
    let interval = rule["IntervalSeconds"].as_f64().unwrap_or(1.0);
    let rate = rule["BackoffRate"].as_f64().unwrap_or(2.0);
    let seconds = interval * rate.powi(i32::try_from(attempts).unwrap_or(i32::MAX));
    Some(std::time::Duration::from_secs_f64(seconds))
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// The value at a `$.a.b` path; None when absent.
fn at_path<'v>(data: &'v Value, path: &str) -> Option<&'v Value> {
    let rest = path.strip_prefix('$')?;
    let mut v = data;
    for part in rest.split('.').filter(|p| !p.is_empty()) {
        v = match part.strip_suffix(']').and_then(|p| p.split_once('[')) {
            Some((key, index)) => v.get(key)?.get(index.parse::<usize>().ok()?)?,
            None => v.get(part)?,
        };
    }
    Some(v)
}

/// `Parameters` or `ResultSelector` with every `key.$` replaced by the value its path names.
fn resolve(template: &Value, data: &Value) -> Value {
    match template {
        Value::Object(fields) => {
            let mut out = Map::new();
            for (k, v) in fields {
                match (k.strip_suffix(".$"), v.as_str()) {
                    (Some(key), Some(call)) if call.starts_with("States.Format(") => {
                        out.insert(key.to_string(), format_intrinsic(call, data).into());
                    }
                    (Some(key), Some(path)) => {
                        let found = at_path(data, path).cloned().unwrap_or(Value::Null);
                        out.insert(key.to_string(), found);
                    }
                    _ => {
                        out.insert(k.clone(), resolve(v, data));
                    }
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// `States.Format('template {} {}', $.a, $.b)`: each `{}` replaced by the next argument's value
/// (a string as it is, anything else as JSON). The templates compiled machines use hold no
/// quotes or commas of their own.
fn format_intrinsic(call: &str, data: &Value) -> String {
    let inner = call
        .strip_prefix("States.Format(")
        .and_then(|c| c.strip_suffix(')'))
        .unwrap_or_default();
    let (template, args) = inner
        .strip_prefix('\'')
        .and_then(|rest| rest.split_once('\''))
        .unwrap_or_default();
    let mut values = args.split(',').map(str::trim).filter(|a| !a.is_empty());
    let mut out = String::new();
    let mut pieces = template.split("{}").peekable();
    while let Some(piece) = pieces.next() {
        out.push_str(piece);
        if pieces.peek().is_some() {
            let value = values.next().and_then(|p| at_path(data, p));
            match value {
                Some(Value::String(s)) => out.push_str(s),
                Some(other) => out.push_str(&other.to_string()),
                None => {}
            }
        }
    }
    out
}

/// Puts `value` at `$.key`; any other `ResultPath` (null: discard) leaves the data as it was.
fn put(data: &mut Value, path: &Value, value: Value) {
    if let (Some(key), Value::Object(fields)) =
        (path.as_str().and_then(|p| p.strip_prefix("$.")), data)
    {
        fields.insert(key.to_string(), value);
    }
}

fn choose(state: &Value, data: &Value) -> String {
    let choices = state["Choices"].as_array().into_iter().flatten();
    for choice in choices {
        let present = at_path(data, choice["Variable"].as_str().unwrap_or_default()).is_some();
        if choice["IsPresent"].as_bool() == Some(present) {
            return text(&choice["Next"]);
        }
    }
    text(&state["Default"])
}
