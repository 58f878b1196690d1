//! STS, asked once: which account (and partition) the provider deploys to.

use gitmoxi_engine::ports::AwsError;

use super::{ops, Aws};

/// The caller's account and the partition of its ARN (`aws`, `aws-cn`, `aws-us-gov`).
pub(super) struct Caller {
    account: String,
    partition: String,
}

impl Aws {
    /// The account of the credentials in use (GetCallerIdentity), asked once per provider
    /// process.
    pub(super) async fn account_id(&self) -> Result<&str, AwsError> {
        Ok(&self.caller().await?.account)
    }

    /// The partition ARNs are written in.
    pub(super) async fn partition(&self) -> Result<&str, AwsError> {
        Ok(&self.caller().await?.partition)
    }

    async fn caller(&self) -> Result<&Caller, AwsError> {
        self.account
            .get_or_try_init(|| async {
                let me = self
                    .calls
                    .send(ops::GET_CALLER_IDENTITY, || {
                        self.sts.get_caller_identity().send()
                    })
                    .await?;
                let arn = me.arn().unwrap_or_default();
                let partition = arn.split(':').nth(1).filter(|p| !p.is_empty());
                Ok(Caller {
                    account: me.account().unwrap_or_default().to_string(),
                    partition: partition.unwrap_or("aws").to_string(),
                })
            })
            .await
    }
}
