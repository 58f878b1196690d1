//! Deployment notifications, as CodeDeploy's triggers send them. A failure to notify is
//! a warning on the outcome, never a failed deployment.

use std::fmt;
use std::future::Future;

use super::json;
use super::{AwsError, AwsErrorKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationEvent {
    DeploymentStart,
    DeploymentSuccess,
    /// Ended before traffic moved (FAILED, or INTERRUPTED with nothing shifted).
    DeploymentFailure,
    /// Traffic moved and was restored (ROLLED_BACK, or INTERRUPTED after a shift).
    DeploymentRollback,
}

impl NotificationEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationEvent::DeploymentStart => "DeploymentStart",
            NotificationEvent::DeploymentSuccess => "DeploymentSuccess",
            NotificationEvent::DeploymentFailure => "DeploymentFailure",
            NotificationEvent::DeploymentRollback => "DeploymentRollback",
        }
    }
}

impl fmt::Display for NotificationEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub event: NotificationEvent,
    pub deployment_id: String,
    pub function_name: String,
    pub alias: String,
    pub from_version: Option<String>,
    /// None when the deployment stopped before there was a version to roll out.
    pub to_version: Option<String>,
    pub reason: Option<String>,
}

impl Notification {
    /// `{"event":…,"deployment_id":…,"function_name":…,"alias":…,"from_version":…|null,
    /// "to_version":…|null,"reason":…|null}`
    pub fn to_json(&self) -> String {
        json::object(&[
            ("event", Some(self.event.as_str())),
            ("deployment_id", Some(&self.deployment_id)),
            ("function_name", Some(&self.function_name)),
            ("alias", Some(&self.alias)),
            ("from_version", self.from_version.as_deref()),
            ("to_version", self.to_version.as_deref()),
            ("reason", self.reason.as_deref()),
        ])
    }
}

/// Publishes deployment events (SNS `Publish` to `notification_topic_arn`).
pub trait Notifier: Send + Sync {
    fn notify(&self, n: &Notification) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// For deployments without notifications: sending fails (a warning), naming the missing port.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNotifier;

impl Notifier for NoNotifier {
    async fn notify(&self, _n: &Notification) -> Result<(), AwsError> {
        Err(AwsError::new(
            AwsErrorKind::Other,
            "notifications are configured but the engine was run without a Notifier port",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{HookPayload, HookPhase};
    use super::*;

    #[test]
    fn hook_payload_has_exactly_the_documented_keys() {
        let p = HookPayload {
            deployment_id: "d-1".into(),
            function_name: "orders".into(),
            alias: "live".into(),
            from_version: None,
            to_version: "3".into(),
            phase: HookPhase::BeforeAllowTraffic,
        };
        assert_eq!(
            p.to_json(),
            r#"{"deployment_id":"d-1","function_name":"orders","alias":"live","from_version":null,"to_version":"3","phase":"BeforeAllowTraffic"}"#
        );
        let p = HookPayload {
            from_version: Some("2".into()),
            phase: HookPhase::AfterAllowTraffic,
            ..p
        };
        assert!(p.to_json().contains(r#""from_version":"2""#));
        assert!(p.to_json().ends_with(r#""phase":"AfterAllowTraffic"}"#));
    }

    #[test]
    fn notification_json_carries_event_versions_and_reason() {
        let n = Notification {
            event: NotificationEvent::DeploymentRollback,
            deployment_id: "d-1".into(),
            function_name: "orders".into(),
            alias: "live".into(),
            from_version: Some("2".into()),
            to_version: Some("3".into()),
            reason: Some("alarm \"errors\" is ALARM".into()),
        };
        assert_eq!(
            n.to_json(),
            r#"{"event":"DeploymentRollback","deployment_id":"d-1","function_name":"orders","alias":"live","from_version":"2","to_version":"3","reason":"alarm \"errors\" is ALARM"}"#
        );
    }
}
