//! `Destinations`: where asynchronous invocations of the alias report, and how often they retry
//! (PutFunctionEventInvokeConfig with the alias as qualifier).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::errors::{arn, from_serde, range, EventSourceError};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct Destinations {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_success: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_retry_attempts: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_event_age_in_seconds: Option<i32>,
}

/// Services an asynchronous invocation can report to.
const DESTINATION_SERVICES: &[&str] = &["sqs", "sns", "lambda", "events", "s3"];

/// Reads `Destinations`; an empty object is no destinations.
pub(crate) fn parse(v: &Value) -> Result<Option<Destinations>, EventSourceError> {
    let p = "Destinations";
    if !v.is_object() {
        return Err(super::errors::wrong_type(p, "an object", v));
    }
    let d: Destinations =
        serde_path_to_error::deserialize(v).map_err(|e| from_serde(p, "Destinations", e))?;
    for (key, value) in [("OnFailure", &d.on_failure), ("OnSuccess", &d.on_success)] {
        if let Some(a) = value {
            arn(
                &format!("{p}.{key}"),
                a,
                DESTINATION_SERVICES,
                "arn:aws:sqs:eu-west-1:123456789012:failed-orders",
            )?;
        }
    }
    range(
        &format!("{p}.MaximumRetryAttempts"),
        d.maximum_retry_attempts,
        0,
        2,
        "",
    )?;
    range(
        &format!("{p}.MaximumEventAgeInSeconds"),
        d.maximum_event_age_in_seconds,
        60,
        21_600,
        " seconds",
    )?;
    Ok((d != Destinations::default()).then_some(d))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::tests::{err, ok, path};

    #[test]
    fn destinations_are_checked() {
        let d = ok(
            json!({ "Destinations": { "OnFailure": "arn:aws:sqs:eu-west-1:123456789012:dlq",
            "OnSuccess": "arn:aws:events:eu-west-1:123456789012:event-bus/default",
            "MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 60 } }),
        )
        .destinations
        .unwrap();
        assert_eq!(d.maximum_retry_attempts, Some(2));
        for (bad, want) in [
            (
                json!({ "MaximumRetryAttempts": 3 }),
                "Destinations.MaximumRetryAttempts",
            ),
            (
                json!({ "MaximumEventAgeInSeconds": 59 }),
                "Destinations.MaximumEventAgeInSeconds",
            ),
            (json!({ "OnFailure": "dlq" }), "Destinations.OnFailure"),
            (
                json!({ "OnFailure": "arn:aws:kinesis:eu-west-1:123456789012:stream/s" }),
                "Destinations.OnFailure",
            ),
            (json!({ "OnError": "x" }), "Destinations.OnError"),
            (json!([]), "Destinations"),
        ] {
            assert_eq!(path(&err(json!({ "Destinations": bad }))), want);
        }
    }
}
