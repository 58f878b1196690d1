//! Provisioned concurrency of a version (or an alias), and the account's unreserved concurrency.

use aws_sdk_lambda::types::ProvisionedConcurrencyStatusEnum as Status;
use gitmoxi_engine::ports::{
    absent_if_not_found, done_if_not_found, AwsError, AwsErrorKind, Provisioned, ProvisionedStatus,
};

use super::{ops, Aws};

impl Aws {
    pub(super) async fn put_capacity(
        &self,
        function: &str,
        qualifier: &str,
        amount: u32,
    ) -> Result<(), AwsError> {
        let amount = i32::try_from(amount).map_err(|_| {
            AwsError::new(
                AwsErrorKind::Invalid,
                "provisioned concurrency is too large",
            )
        })?;
        self.calls
            .send(ops::PUT_CAPACITY, || {
                self.lambda
                    .put_provisioned_concurrency_config()
                    .function_name(function)
                    .qualifier(qualifier)
                    .provisioned_concurrent_executions(amount)
                    .send()
            })
            .await?;
        Ok(())
    }

    /// None when the qualifier has no provisioned concurrency.
    pub(super) async fn capacity(
        &self,
        function: &str,
        qualifier: &str,
    ) -> Result<Option<Provisioned>, AwsError> {
        let found = self
            .calls
            .send(ops::GET_CAPACITY, || {
                self.lambda
                    .get_provisioned_concurrency_config()
                    .function_name(function)
                    .qualifier(qualifier)
                    .send()
            })
            .await;
        let Some(c) = absent_if_not_found(found)? else {
            return Ok(None);
        };
        let count = |n: Option<i32>| n.and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
        Ok(Some(Provisioned {
            status: match c.status() {
                Some(Status::Ready) => ProvisionedStatus::Ready,
                Some(Status::Failed) => ProvisionedStatus::Failed,
                _ => ProvisionedStatus::InProgress,
            },
            requested: count(c.requested_provisioned_concurrent_executions()),
            allocated: count(c.allocated_provisioned_concurrent_executions()),
            reason: c.status_reason().map(str::to_string),
        }))
    }

    pub(super) async fn release_capacity(
        &self,
        function: &str,
        qualifier: &str,
    ) -> Result<(), AwsError> {
        let released = self
            .calls
            .send(ops::DELETE_CAPACITY, || {
                self.lambda
                    .delete_provisioned_concurrency_config()
                    .function_name(function)
                    .qualifier(qualifier)
                    .send()
            })
            .await;
        done_if_not_found(released.map(|_| ()))
    }

    /// GetAccountSettings: the concurrency no function has reserved.
    pub(super) async fn unreserved_concurrency(&self) -> Result<u32, AwsError> {
        let settings = self
            .calls
            .send(ops::GET_ACCOUNT_SETTINGS, || {
                self.lambda.get_account_settings().send()
            })
            .await?;
        let unreserved = settings
            .account_limit()
            .and_then(|l| l.unreserved_concurrent_executions());
        Ok(unreserved.and_then(|n| u32::try_from(n).ok()).unwrap_or(0))
    }
}
