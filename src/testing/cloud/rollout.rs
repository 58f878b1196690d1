//! The engine's ports for one rollout, on the account: every call goes through the same retry
//! policy as the SDK adapters'.

use std::time::{Duration, SystemTime};

use gitmoxi_engine::ports::{
    AlarmState, Alarms, AliasRouting, AwsError, AwsErrorKind, FunctionStatus, HookOutcome,
    HookPayload, Hooks, Lambda, Metrics, Notification, Notifier, Provisioned, PublishedVersion,
    ReleaseCheck, VersionMetrics,
};
use gitmoxi_fake_aws::{FakeAws, FakeLambda};

use crate::aws::{retrying, RetryPolicy};
use crate::model::release::Release;
use crate::model::verify::differences;

/// The engine's ports for one rollout, on the account.
pub struct FakeRollout<'a> {
    lambda: FakeLambda<'a>,
    aws: &'a FakeAws,
    function: String,
    release: Option<&'a Release>,
}

impl<'a> FakeRollout<'a> {
    pub(super) fn new(
        lambda: FakeLambda<'a>,
        aws: &'a FakeAws,
        function: &str,
        release: Option<&'a Release>,
    ) -> FakeRollout<'a> {
        FakeRollout {
            lambda,
            aws,
            function: function.into(),
            release,
        }
    }

    /// What the SDK adapter does: the version read back and compared, as the model compares.
    fn differences(&self, version: &str) -> Result<ReleaseCheck, AwsError> {
        let release = self.release.ok_or_else(|| {
            AwsError::new(AwsErrorKind::Invalid, "a promotion has no release to check")
        })?;
        let view = self.aws.get_function(&self.function, version)?;
        let csc = view.code_signing_config_arn.clone();
        let status = view.status.clone();
        let served = super::records::served(view)?;
        let mut out: Vec<String> = differences(release, &served)
            .iter()
            .map(ToString::to_string)
            .collect();
        if let Some(wanted) = release.definition.code_signing_config_arn() {
            if csc.as_deref() != Some(wanted) {
                let found = csc.unwrap_or_else(|| "(absent)".into());
                out.push(format!(
                    "CodeSigningConfigArn: the release asks {wanted}, AWS holds {found}"
                ));
            }
        }
        Ok(ReleaseCheck {
            differences: out,
            status,
        })
    }
}

impl Lambda for FakeRollout<'_> {
    async fn check_release(&self, version: &str) -> Result<ReleaseCheck, AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            std::future::ready(self.differences(version))
        })
        .await
    }

    async fn status(&self, qualifier: &str) -> Result<FunctionStatus, AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.status(qualifier)
        })
        .await
    }

    async fn update_code(&self) -> Result<(), AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.update_code()
        })
        .await
    }

    async fn update_configuration(&self) -> Result<(), AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.update_configuration()
        })
        .await
    }

    async fn publish_version(
        &self,
        revision: &str,
        about: &str,
    ) -> Result<PublishedVersion, AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.publish_version(revision, about)
        })
        .await
    }

    async fn get_alias(&self, alias: &str) -> Result<Option<AliasRouting>, AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.get_alias(alias)
        })
        .await
    }

    async fn create_alias(&self, alias: &str, version: &str) -> Result<AliasRouting, AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.create_alias(alias, version)
        })
        .await
    }

    async fn shift_alias(
        &self,
        alias: &str,
        version: &str,
        extra: Option<(&str, f64)>,
        revision_id: &str,
    ) -> Result<AliasRouting, AwsError> {
        let lambda = &self.lambda;
        retrying(&RetryPolicy::default(), "rollout", || {
            lambda.shift_alias(alias, version, extra, revision_id)
        })
        .await
    }

    async fn list_versions(&self) -> Result<Vec<String>, AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.list_versions()
        })
        .await
    }

    async fn list_aliases(&self) -> Result<Vec<(String, AliasRouting)>, AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.list_aliases()
        })
        .await
    }

    async fn delete_version(&self, version: &str) -> Result<(), AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.delete_version(version)
        })
        .await
    }

    async fn put_provisioned(&self, version: &str, amount: u32) -> Result<(), AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.put_provisioned(version, amount)
        })
        .await
    }

    async fn provisioned(&self, version: &str) -> Result<Option<Provisioned>, AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.provisioned(version)
        })
        .await
    }

    async fn release_provisioned(&self, version: &str) -> Result<(), AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.lambda.release_provisioned(version)
        })
        .await
    }
}

impl Alarms for FakeRollout<'_> {
    async fn states(&self, names: &[String]) -> Result<Vec<(String, AlarmState)>, AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.aws.states(names)
        })
        .await
    }
}

impl Hooks for FakeRollout<'_> {
    async fn invoke(
        &self,
        function: &str,
        payload: &HookPayload,
        timeout: Duration,
    ) -> Result<HookOutcome, AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || {
            self.aws.invoke(function, payload, timeout)
        })
        .await
    }
}

impl Metrics for FakeRollout<'_> {
    async fn version_metrics(
        &self,
        alias: &str,
        version: &str,
        since: SystemTime,
        period: Duration,
    ) -> Result<VersionMetrics, AwsError> {
        let aws = self.aws;
        retrying(&RetryPolicy::default(), "rollout", || {
            aws.version_metrics(alias, version, since, period)
        })
        .await
    }
}

impl Notifier for FakeRollout<'_> {
    async fn notify(&self, n: &Notification) -> Result<(), AwsError> {
        retrying(&RetryPolicy::default(), "rollout", || self.aws.notify(n)).await
    }
}
