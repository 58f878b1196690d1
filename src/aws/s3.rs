//! Staging packages in S3 (`package_s3_bucket`): for zips over Lambda's 50 MB direct-upload limit,
//! or for teams that keep every artifact.

use aws_sdk_s3::primitives::ByteStream;
use gitmoxi_engine::ports::{absent_if_not_found, AwsError};

use super::retry::send;
use super::Aws;

impl Aws {
    pub(super) async fn stage_package(
        &self,
        bucket: &str,
        key: &str,
        package: &[u8],
    ) -> Result<(), AwsError> {
        let head = send(&self.retry, "reading the staged package", || {
            self.s3.head_object().bucket(bucket).key(key).send()
        })
        .await;
        if let Some(head) = absent_if_not_found(head)? {
            if head.content_length() == Some(package.len() as i64) {
                return Ok(());
            }
        }
        send(&self.retry, "staging the package in S3", || {
            self.s3
                .put_object()
                .bucket(bucket)
                .key(key)
                .body(ByteStream::from(package.to_vec()))
                .content_type("application/zip")
                .send()
        })
        .await?;
        Ok(())
    }
}
