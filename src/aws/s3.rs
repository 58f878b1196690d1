//! Staging packages in S3 (`package_s3_bucket`): for zips over Lambda's 50 MB direct-upload limit,
//! or for teams that keep every artifact.

use aws_sdk_s3::primitives::ByteStream;
use gitmoxi_engine::ports::{absent_if_not_found, AwsError};

use super::ops;
use super::Aws;

impl Aws {
    pub(super) async fn stage_package(
        &self,
        bucket: &str,
        key: &str,
        package: &[u8],
    ) -> Result<(), AwsError> {
        let head = self
            .calls
            .send(ops::HEAD_OBJECT, || {
                self.s3.head_object().bucket(bucket).key(key).send()
            })
            .await;
        if let Some(head) = absent_if_not_found(head)? {
            if head.content_length() == Some(package.len() as i64) {
                return Ok(());
            }
        }
        self.calls
            .send(ops::PUT_OBJECT, || {
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
