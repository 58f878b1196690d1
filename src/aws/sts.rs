//! STS, asked once: which account the provider deploys to.

use gitmoxi_engine::ports::AwsError;

use super::{ops, Aws};

impl Aws {
    /// The account of the credentials in use (GetCallerIdentity), asked once per provider
    /// process.
    pub(super) async fn account_id(&self) -> Result<&str, AwsError> {
        self.account
            .get_or_try_init(|| async {
                let me = self
                    .calls
                    .send(ops::GET_CALLER_IDENTITY, || {
                        self.sts.get_caller_identity().send()
                    })
                    .await?;
                Ok(me.account().unwrap_or_default().to_string())
            })
            .await
            .map(String::as_str)
    }
}
