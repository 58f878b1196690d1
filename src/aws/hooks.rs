//! Traffic hooks: a Lambda function invoked synchronously with the deployment's payload. A hook
//! fails when the invocation errors, returns a FunctionError, or answers
//! `{"status": "Failed", "reason": …}`.

use std::time::Duration;

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;
use gitmoxi_engine::ports::{AwsError, HookOutcome, HookPayload};

use super::ops;
use super::Aws;

/// What a hook's answer says, given its FunctionError and payload.
pub fn judge_reply(function: &str, function_error: Option<&str>, payload: &[u8]) -> HookOutcome {
    let body: Option<serde_json::Value> = serde_json::from_slice(payload).ok();
    let reason = body
        .as_ref()
        .and_then(|b| b.get("reason").or_else(|| b.get("errorMessage")))
        .and_then(|r| r.as_str())
        .map(str::to_string);
    if let Some(kind) = function_error {
        return HookOutcome::Failed {
            reason: format!(
                "hook {function} raised an error ({kind}): {}",
                reason.unwrap_or_else(|| "no message".into())
            ),
        };
    }
    let status = body
        .as_ref()
        .and_then(|b| b.get("status"))
        .and_then(|s| s.as_str());
    if status.is_some_and(|s| s.eq_ignore_ascii_case("failed")) {
        return HookOutcome::Failed {
            reason: format!(
                "hook {function} reported failure: {}",
                reason.unwrap_or_else(|| "no reason given".into())
            ),
        };
    }
    HookOutcome::Passed
}

impl Aws {
    pub(super) async fn invoke_hook(
        &self,
        function: &str,
        payload: &HookPayload,
        timeout: Duration,
    ) -> Result<HookOutcome, AwsError> {
        let body = Blob::new(payload.to_json());
        let call = self.calls.send(ops::INVOKE_HOOK, || {
            self.lambda
                .invoke()
                .function_name(function)
                .invocation_type(InvocationType::RequestResponse)
                .payload(body.clone())
                .send()
        });
        let out = match tokio::time::timeout(timeout, call).await {
            Err(_) => {
                return Ok(HookOutcome::Failed {
                    reason: format!(
                        "hook {function} did not answer within {}",
                        gitmoxi_engine::format_duration(timeout)
                    ),
                })
            }
            Ok(result) => result?,
        };
        let body = out
            .payload()
            .map(|b| b.as_ref().to_vec())
            .unwrap_or_default();
        Ok(judge_reply(function, out.function_error(), &body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_judged_like_codedeploy_hooks() {
        assert_eq!(judge_reply("smoke", None, b"null"), HookOutcome::Passed);
        assert_eq!(
            judge_reply("smoke", None, br#"{"status":"Succeeded"}"#),
            HookOutcome::Passed
        );
        let failed = judge_reply(
            "smoke",
            None,
            br#"{"status":"Failed","reason":"GET /health returned 500"}"#,
        );
        assert_eq!(
            failed,
            HookOutcome::Failed {
                reason: "hook smoke reported failure: GET /health returned 500".into()
            }
        );
        match judge_reply(
            "smoke",
            Some("Unhandled"),
            br#"{"errorMessage":"boom","errorType":"Exception"}"#,
        ) {
            HookOutcome::Failed { reason } => {
                assert!(reason.contains("boom") && reason.contains("Unhandled"))
            }
            other => panic!("{other:?}"),
        }
    }
}
