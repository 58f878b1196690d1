//! Staging packages in S3 (`package_s3_bucket`): for zips over Lambda's 50 MB direct-upload limit,
//! or for teams that keep every artifact. The key is derived from the package's hash, so the same
//! package is uploaded once and a retried apply finds it there.

use aws_sdk_s3::primitives::ByteStream;
use gitmoxi_engine::{AwsError, AwsErrorKind};
use sha2::{Digest, Sha256};

use super::errors::classify;

/// `gitmoxi/<function>/<sha256 hex>.zip`
pub fn staging_key(function: &str, package: &[u8]) -> String {
    let digest = Sha256::digest(package);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("gitmoxi/{function}/{hex}.zip")
}

/// Uploads the package unless an object with its key is already there; returns the key.
pub async fn stage_package(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    function: &str,
    package: &[u8],
) -> Result<String, AwsError> {
    let key = staging_key(function, package);
    match client.head_object().bucket(bucket).key(&key).send().await {
        Ok(head) if head.content_length() == Some(package.len() as i64) => return Ok(key),
        Ok(_) => {}
        Err(e) => {
            let e = classify("reading the staged package", e);
            // HeadObject answers a bare 404 for a missing key.
            if e.kind != AwsErrorKind::NotFound
                && !e.message.contains("NotFound")
                && !e.message.contains("404")
            {
                return Err(e);
            }
        }
    }
    client
        .put_object()
        .bucket(bucket)
        .key(&key)
        .body(ByteStream::from(package.to_vec()))
        .content_type("application/zip")
        .send()
        .await
        .map_err(|e| classify("staging the package in S3", e))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_package_content() {
        let a = staging_key("orders", b"zip one");
        assert!(a.starts_with("gitmoxi/orders/") && a.ends_with(".zip"));
        assert_eq!(a.len(), "gitmoxi/orders/".len() + 64 + 4);
        assert_eq!(a, staging_key("orders", b"zip one"));
        assert_ne!(a, staging_key("orders", b"zip two"));
    }
}
