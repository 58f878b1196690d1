//! Step Functions, in memory: runs the part of Amazon States Language a compiled rollout uses
//! (Task on `aws-sdk:lambda:updateAlias` and `aws-sdk:cloudwatch:describeAlarms`, Wait in
//! seconds, Choice on `IsPresent`, Succeed, Fail; `Parameters`, `ResultSelector`,
//! `ResultPath`, `Catch`) against this account, on tokio time, so a rollout Step Functions would
//! run can be tested in milliseconds of paused time.

use gitmoxi_engine::ports::{AlarmState, Alarms, AwsError, Lambda};
use serde_json::{json, Map, Value};

use super::FakeAws;

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
                "Succeed" => return Ok(data),
                "Fail" => return Err((text(&state["Error"]), text(&state["Cause"]))),
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
        let result = match text(&state["Resource"]).as_str() {
            "arn:aws:states:::aws-sdk:lambda:updateAlias" => self.update_alias(&parameters).await,
            "arn:aws:states:::aws-sdk:cloudwatch:describeAlarms" => {
                self.describe_alarms(&parameters).await
            }
            other => Err(AwsError::new(
                gitmoxi_engine::AwsErrorKind::Invalid,
                format!("no such integration: {other}"),
            )),
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
            Err(e) => {
                let (error, cause) = (format!("{:?}", e.kind), e.message);
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
