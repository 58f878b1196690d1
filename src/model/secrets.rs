//! Secret values and the one rule about them: no text that leaves the provider (a diagnostic, a
//! log line, `last_deployment.reason`, a notification) may carry one. AWS sometimes echoes what
//! it was sent (Lambda's answer to an environment over 4 KB lists every variable), so every
//! message that can come from a request carrying secrets is passed through [`Secrets::redact`].

use gitmoxi_engine::ports::AwsError;

/// What stands in for a secret value in a message.
pub const REDACTED: &str = "(sensitive value)";

/// The values to keep out of messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Secrets {
    /// Each value as written and as a JSON string's contents (how AWS echoes it), longest first
    /// so that a secret containing another is replaced whole.
    forms: Vec<String>,
}

impl Secrets {
    pub fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> Secrets {
        let mut forms: Vec<String> = Vec::new();
        for value in values.into_iter().filter(|v| !v.is_empty()) {
            let quoted = serde_json::Value::String(value.to_string()).to_string();
            let escaped = quoted[1..quoted.len() - 1].to_string();
            forms.push(value.to_string());
            forms.push(escaped);
        }
        forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        forms.dedup();
        Secrets { forms }
    }

    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }

    /// `text` with every secret value replaced by [`REDACTED`].
    pub fn redact(&self, text: &str) -> String {
        self.forms.iter().fold(text.to_string(), |t, secret| {
            t.replace(secret.as_str(), REDACTED)
        })
    }

    /// The error with its message redacted.
    pub fn redact_error(&self, e: AwsError) -> AwsError {
        match self.is_empty() {
            true => e,
            false => AwsError::new(e.kind, self.redact(&e.message)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_replaced_as_written_and_as_json_escapes() {
        let secrets = Secrets::new(["s3cr\"et", "tok"]);
        let echoed = r#"exceeded the 4KB limit. String measured: {"A":"s3cr\"et","B":"tok"}"#;
        let redacted = secrets.redact(echoed);
        assert_eq!(
            redacted,
            r#"exceeded the 4KB limit. String measured: {"A":"(sensitive value)","B":"(sensitive value)"}"#
        );
        assert_eq!(secrets.redact("plain s3cr\"et"), "plain (sensitive value)");
    }

    #[test]
    fn a_secret_containing_another_is_replaced_whole() {
        let secrets = Secrets::new(["abc", "abcdef"]);
        assert_eq!(
            secrets.redact("x abcdef y abc"),
            "x (sensitive value) y (sensitive value)"
        );
    }

    #[test]
    fn no_secrets_change_nothing() {
        let e = AwsError::new(gitmoxi_engine::ports::AwsErrorKind::Invalid, "as it was");
        assert_eq!(Secrets::new([""]).redact_error(e.clone()), e);
    }
}
