//! Staging packages in S3 (`package_s3_bucket`): for zips over Lambda's 50 MB direct-upload limit,
//! or for teams that keep every artifact. Every request names the bucket's expected owner (the
//! account deployed to), so a bucket of the same name in someone else's account is refused; the
//! upload carries the package's SHA-256, which S3 checks and which says on the next apply
//! whether the object there is this package.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ChecksumMode;
use gitmoxi_engine::ports::{absent_if_not_found, AwsError};

use super::ops;
use super::Aws;

impl Aws {
    pub(super) async fn stage_package(
        &self,
        bucket: &str,
        key: &str,
        package: &[u8],
        sha256: &str,
    ) -> Result<(), AwsError> {
        let owner = self.account_id().await?;
        let head = self
            .calls
            .send(ops::HEAD_OBJECT, || {
                self.s3
                    .head_object()
                    .bucket(bucket)
                    .key(key)
                    .expected_bucket_owner(owner)
                    .checksum_mode(ChecksumMode::Enabled)
                    .send()
            })
            .await;
        if let Some(head) = absent_if_not_found(head)? {
            if head.checksum_sha256() == Some(sha256) {
                return Ok(());
            }
        }
        self.calls
            .send(ops::PUT_OBJECT, || {
                self.s3
                    .put_object()
                    .bucket(bucket)
                    .key(key)
                    .expected_bucket_owner(owner)
                    .checksum_sha256(sha256)
                    .body(ByteStream::from(package.to_vec()))
                    .content_type("application/zip")
                    .send()
            })
            .await?;
        Ok(())
    }
}
