//! The engine's ports for one rollout of one function: Lambda (with the release), hooks, the new
//! version's metrics and notifications, all through the provider's shared clients.

use std::time::{Duration, SystemTime};

use gitmoxi_engine::ports::{
    AlarmState, Alarms, AliasRouting, AwsError, FunctionStatus, HookOutcome, HookPayload, Hooks,
    Lambda, Metrics, Notification, Notifier, Provisioned, PublishedVersion, ReleaseCheck,
    VersionMetrics,
};

use super::alarms::{AlarmView, CloudWatchAlarms};
use super::lambda_release::FunctionRelease;

pub struct RolloutPorts<'a> {
    pub(super) lambda: FunctionRelease<'a>,
    pub(super) topic: Option<String>,
    /// This rollout's view of the shared alarm poll.
    pub(super) alarms: AlarmView<'a, CloudWatchAlarms>,
}

impl Alarms for RolloutPorts<'_> {
    async fn states(&self, names: &[String]) -> Result<Vec<(String, AlarmState)>, AwsError> {
        self.alarms.states(names).await
    }
}

impl Lambda for RolloutPorts<'_> {
    async fn status(&self, qualifier: &str) -> Result<FunctionStatus, AwsError> {
        self.lambda.status(qualifier).await
    }

    async fn update_code(&self) -> Result<(), AwsError> {
        self.lambda.update_code().await
    }

    async fn update_configuration(&self) -> Result<(), AwsError> {
        self.lambda.update_configuration().await
    }

    async fn publish_version(
        &self,
        revision_id: &str,
        description: &str,
    ) -> Result<PublishedVersion, AwsError> {
        self.lambda.publish_version(revision_id, description).await
    }

    async fn check_release(&self, version: &str) -> Result<ReleaseCheck, AwsError> {
        self.lambda.check_release(version).await
    }

    async fn get_alias(&self, alias: &str) -> Result<Option<AliasRouting>, AwsError> {
        self.lambda.get_alias(alias).await
    }

    async fn create_alias(&self, alias: &str, version: &str) -> Result<AliasRouting, AwsError> {
        self.lambda.create_alias(alias, version).await
    }

    async fn shift_alias(
        &self,
        alias: &str,
        version: &str,
        extra: Option<(&str, f64)>,
        revision_id: &str,
    ) -> Result<AliasRouting, AwsError> {
        let lambda = &self.lambda;
        lambda.shift_alias(alias, version, extra, revision_id).await
    }

    async fn list_versions(&self) -> Result<Vec<String>, AwsError> {
        self.lambda.list_versions().await
    }

    async fn list_aliases(&self) -> Result<Vec<(String, AliasRouting)>, AwsError> {
        self.lambda.list_aliases().await
    }

    async fn delete_version(&self, version: &str) -> Result<(), AwsError> {
        self.lambda.delete_version(version).await
    }

    async fn put_provisioned(&self, version: &str, amount: u32) -> Result<(), AwsError> {
        self.lambda.put_provisioned(version, amount).await
    }

    async fn provisioned(&self, version: &str) -> Result<Option<Provisioned>, AwsError> {
        self.lambda.provisioned(version).await
    }

    async fn release_provisioned(&self, version: &str) -> Result<(), AwsError> {
        self.lambda.release_provisioned(version).await
    }
}

impl Hooks for RolloutPorts<'_> {
    async fn invoke(
        &self,
        function: &str,
        payload: &HookPayload,
        timeout: Duration,
    ) -> Result<HookOutcome, AwsError> {
        self.lambda
            .aws
            .invoke_hook(function, payload, timeout)
            .await
    }
}

impl Metrics for RolloutPorts<'_> {
    async fn version_metrics(
        &self,
        alias: &str,
        version: &str,
        since: SystemTime,
        period: Duration,
    ) -> Result<VersionMetrics, AwsError> {
        let (aws, function) = (self.lambda.aws, &self.lambda.function);
        aws.version_metrics(function, alias, version, since, period)
            .await
    }
}

impl Notifier for RolloutPorts<'_> {
    async fn notify(&self, n: &Notification) -> Result<(), AwsError> {
        let topic = self.topic.as_deref().unwrap_or_default();
        self.lambda.aws.notify(topic, n).await
    }
}
