//! The engine's [`Lambda`] port for one function while one release rolls out: the adapter holds
//! the function name and what `$LATEST` should become, so the engine never handles either.

use std::collections::HashMap;

use aws_sdk_lambda::types::AliasRoutingConfiguration;
use gitmoxi_engine::ports::{
    AliasRouting, AwsError, AwsErrorKind, FunctionStatus, Lambda, Provisioned, PublishedVersion,
    ReleaseCheck,
};

use super::function_definition as expand;
use super::lambda::{extra_weight, function_status, routing, served};
use super::ops;
use super::Aws;
use crate::model::ports::ServedFunction;
use crate::model::release::Release;
use crate::model::verify::differences;

pub struct FunctionRelease<'a> {
    pub(super) aws: &'a Aws,
    pub(super) function: String,
    /// None when only existing versions are rolled out (promotion): updating `$LATEST` is then
    /// refused.
    pub(super) release: Option<&'a Release>,
    /// The version the last PublishVersion reported, as it reported it: what verifying that
    /// version reads instead of asking again (a published version never changes).
    pub(super) published: std::sync::Mutex<Option<ServedFunction>>,
}

impl FunctionRelease<'_> {
    fn release(&self) -> Result<&Release, AwsError> {
        self.release.ok_or_else(|| {
            AwsError::new(
                AwsErrorKind::Invalid,
                "this rollout promotes an existing version and never updates $LATEST",
            )
        })
    }
}

impl FunctionRelease<'_> {
    /// The code-signing configuration is the function's, not the version's: compared only when
    /// the release declares one.
    async fn code_signing_difference(&self, release: &Release) -> Result<Option<String>, AwsError> {
        let Some(wanted) = release.definition.code_signing_config_arn() else {
            return Ok(None);
        };
        let found = self.aws.code_signing(&self.function).await?;
        Ok((found.as_deref() != Some(wanted)).then(|| {
            let found = found.unwrap_or_else(|| "(absent)".into());
            format!("CodeSigningConfigArn: the release asks {wanted}, AWS holds {found}")
        }))
    }
}

impl Lambda for FunctionRelease<'_> {
    async fn status(&self, qualifier: &str) -> Result<FunctionStatus, AwsError> {
        let aws = self.aws;
        let c = aws
            .calls
            .send(ops::GET_FUNCTION_CONFIGURATION, || {
                aws.lambda
                    .get_function_configuration()
                    .function_name(&self.function)
                    .qualifier(qualifier)
                    .send()
            })
            .await?;
        Ok(function_status!(&c))
    }

    async fn update_code(&self) -> Result<(), AwsError> {
        let release = self.release()?;
        let request = expand::update_code(&self.aws.lambda, &release.definition, &release.code);
        self.aws
            .calls
            .send(ops::UPDATE_CODE, || request.clone().send())
            .await?;
        Ok(())
    }

    async fn update_configuration(&self) -> Result<(), AwsError> {
        let release = self.release()?;
        let request = expand::update_configuration(&self.aws.lambda, &release.definition)
            .map_err(expand::build_error)?;
        self.aws
            .calls
            .send(ops::UPDATE_CONFIGURATION, || request.clone().send())
            .await?;
        Ok(())
    }

    async fn publish_version(
        &self,
        revision_id: &str,
        description: &str,
    ) -> Result<PublishedVersion, AwsError> {
        let aws = self.aws;
        let c = aws
            .calls
            .send(ops::PUBLISH_VERSION, || {
                aws.lambda
                    .publish_version()
                    .function_name(&self.function)
                    .revision_id(revision_id)
                    .description(description)
                    .send()
            })
            .await?;
        let published = PublishedVersion {
            version: c.version().unwrap_or_default().to_string(),
            code_sha256: c.code_sha256().unwrap_or_default().to_string(),
            description: c.description().map(str::to_string),
        };
        let reported = served(&super::published::configuration(c), None, None);
        *self.published.lock().unwrap_or_else(|e| e.into_inner()) = Some(reported);
        Ok(published)
    }

    async fn check_release(&self, version: &str) -> Result<ReleaseCheck, AwsError> {
        let release = self.release()?;
        let reported = self
            .published
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let served = match reported.filter(|r| r.version == version) {
            Some(reported) => reported,
            None => self
                .aws
                .find_function(&self.function, version)
                .await?
                .ok_or_else(|| {
                    AwsError::new(
                        gitmoxi_engine::AwsErrorKind::NotFound,
                        format!("version {version} is gone"),
                    )
                })?,
        };
        let mut differences: Vec<String> = differences(release, &served)
            .iter()
            .map(ToString::to_string)
            .collect();
        differences.extend(self.code_signing_difference(release).await?);
        Ok(ReleaseCheck {
            differences,
            status: served.status,
        })
    }

    async fn get_alias(&self, alias: &str) -> Result<Option<AliasRouting>, AwsError> {
        self.aws.find_alias(&self.function, alias).await
    }

    async fn create_alias(&self, alias: &str, version: &str) -> Result<AliasRouting, AwsError> {
        self.aws.create_alias(&self.function, alias, version).await
    }

    async fn shift_alias(
        &self,
        alias: &str,
        version: &str,
        extra: Option<(&str, f64)>,
        revision_id: &str,
    ) -> Result<AliasRouting, AwsError> {
        let weights: HashMap<String, f64> =
            extra.map(|(v, w)| (v.to_string(), w)).into_iter().collect();
        let routing_config = AliasRoutingConfiguration::builder()
            .set_additional_version_weights(Some(weights))
            .build();
        let aws = self.aws;
        let a = aws
            .calls
            .send(ops::UPDATE_ALIAS, || {
                aws.lambda
                    .update_alias()
                    .function_name(&self.function)
                    .name(alias)
                    .function_version(version)
                    .routing_config(routing_config.clone())
                    .revision_id(revision_id)
                    .send()
            })
            .await?;
        Ok(routing!(&a))
    }

    async fn list_versions(&self) -> Result<Vec<String>, AwsError> {
        self.aws.list_versions(&self.function).await
    }

    async fn list_aliases(&self) -> Result<Vec<(String, AliasRouting)>, AwsError> {
        self.aws.list_aliases(&self.function).await
    }

    async fn delete_version(&self, version: &str) -> Result<(), AwsError> {
        let aws = self.aws;
        aws.calls
            .send(ops::DELETE_VERSION, || {
                aws.lambda
                    .delete_function()
                    .function_name(&self.function)
                    .qualifier(version)
                    .send()
            })
            .await?;
        Ok(())
    }

    async fn put_provisioned(&self, version: &str, amount: u32) -> Result<(), AwsError> {
        self.aws.put_capacity(&self.function, version, amount).await
    }

    async fn provisioned(&self, version: &str) -> Result<Option<Provisioned>, AwsError> {
        self.aws.capacity(&self.function, version).await
    }

    async fn release_provisioned(&self, version: &str) -> Result<(), AwsError> {
        self.aws.release_capacity(&self.function, version).await
    }
}
