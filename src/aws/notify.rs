//! Deployment notifications to SNS.

use gitmoxi_engine::ports::{AwsError, Notification};

use super::ops;
use super::Aws;

impl Aws {
    pub(super) async fn notify(&self, topic_arn: &str, n: &Notification) -> Result<(), AwsError> {
        let subject = format!("{} {}:{}", n.event.as_str(), n.function_name, n.alias);
        let message = n.to_json();
        self.calls
            .send(ops::NOTIFY, || {
                self.sns
                    .publish()
                    .topic_arn(topic_arn)
                    .subject(&subject)
                    .message(&message)
                    .send()
            })
            .await?;
        Ok(())
    }
}
