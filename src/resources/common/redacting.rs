//! The engine's Lambda port with every error redacted: the release's secret values never reach
//! a reason, an event or a notification, whichever adapter is underneath.

use gitmoxi_engine::ports::{
    AliasRouting, AwsError, FunctionStatus, Lambda, Provisioned, PublishedVersion, ReleaseCheck,
};

use crate::model::secrets::Secrets;

pub struct Redacting<'a, L> {
    pub inner: &'a L,
    pub secrets: Secrets,
}

impl<L: Lambda> Redacting<'_, L> {
    fn clean<T>(&self, r: Result<T, AwsError>) -> Result<T, AwsError> {
        r.map_err(|e| self.secrets.redact_error(e))
    }
}

impl<L: Lambda> Lambda for Redacting<'_, L> {
    async fn status(&self, qualifier: &str) -> Result<FunctionStatus, AwsError> {
        self.clean(self.inner.status(qualifier).await)
    }

    async fn update_code(&self) -> Result<(), AwsError> {
        self.clean(self.inner.update_code().await)
    }

    async fn update_configuration(&self) -> Result<(), AwsError> {
        self.clean(self.inner.update_configuration().await)
    }

    async fn publish_version(
        &self,
        revision_id: &str,
        description: &str,
    ) -> Result<PublishedVersion, AwsError> {
        self.clean(self.inner.publish_version(revision_id, description).await)
    }

    async fn check_release(&self, version: &str) -> Result<ReleaseCheck, AwsError> {
        let mut check = self.clean(self.inner.check_release(version).await)?;
        check.differences = check
            .differences
            .iter()
            .map(|d| self.secrets.redact(d))
            .collect();
        Ok(check)
    }

    async fn get_alias(&self, alias: &str) -> Result<Option<AliasRouting>, AwsError> {
        self.clean(self.inner.get_alias(alias).await)
    }

    async fn create_alias(&self, alias: &str, version: &str) -> Result<AliasRouting, AwsError> {
        self.clean(self.inner.create_alias(alias, version).await)
    }

    async fn shift_alias(
        &self,
        alias: &str,
        version: &str,
        extra: Option<(&str, f64)>,
        revision_id: &str,
    ) -> Result<AliasRouting, AwsError> {
        let shifted = self.inner.shift_alias(alias, version, extra, revision_id);
        self.clean(shifted.await)
    }

    async fn list_versions(&self) -> Result<Vec<String>, AwsError> {
        self.clean(self.inner.list_versions().await)
    }

    async fn list_aliases(&self) -> Result<Vec<(String, AliasRouting)>, AwsError> {
        self.clean(self.inner.list_aliases().await)
    }

    async fn delete_version(&self, version: &str) -> Result<(), AwsError> {
        self.clean(self.inner.delete_version(version).await)
    }

    async fn put_provisioned(&self, version: &str, amount: u32) -> Result<(), AwsError> {
        self.clean(self.inner.put_provisioned(version, amount).await)
    }

    async fn provisioned(&self, version: &str) -> Result<Option<Provisioned>, AwsError> {
        self.clean(self.inner.provisioned(version).await)
    }

    async fn release_provisioned(&self, version: &str) -> Result<(), AwsError> {
        self.clean(self.inner.release_provisioned(version).await)
    }
}
