//! Deployment notifications to SNS (SPEC §6).

use gitmoxi_engine::ports::{Notification, Notifier};
use gitmoxi_engine::AwsError;

use super::errors::classify;

pub struct SnsNotifier {
    pub client: aws_sdk_sns::Client,
    pub topic_arn: String,
}

impl Notifier for SnsNotifier {
    async fn notify(&self, n: &Notification) -> Result<(), AwsError> {
        self.client
            .publish()
            .topic_arn(&self.topic_arn)
            .subject(format!(
                "{} {}:{}",
                n.event.as_str(),
                n.function_name,
                n.alias
            ))
            .message(n.to_json())
            .send()
            .await
            .map_err(|e| classify("publishing the deployment notification", e))?;
        Ok(())
    }
}
