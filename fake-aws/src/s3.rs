//! S3 objects, as package staging needs them: buckets must exist and belong to the expected
//! owner, objects are whole.

use std::collections::BTreeMap;

use gitmoxi_engine::ports::{AwsError, AwsErrorKind};

use super::{error, Call, FakeAws, ACCOUNT};

/// HeadObject: the object's length and the SHA-256 (base64) it was uploaded with, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    pub length: u64,
    pub checksum_sha256: Option<String>,
}

#[derive(Default)]
pub(crate) struct Objects {
    /// Bucket → the account that owns it.
    buckets: BTreeMap<String, String>,
    objects: BTreeMap<(String, String), ObjectInfo>,
}

impl FakeAws {
    /// A bucket of this account.
    pub fn define_bucket(&self, bucket: &str) -> &FakeAws {
        self.define_bucket_owned_by(bucket, ACCOUNT)
    }

    /// A bucket of another account (a name someone else took).
    pub fn define_bucket_owned_by(&self, bucket: &str, account: &str) -> &FakeAws {
        let mut w = self.world();
        w.objects.buckets.insert(bucket.into(), account.into());
        self
    }

    /// The keys in `bucket`.
    pub fn object_keys(&self, bucket: &str) -> Vec<String> {
        let w = self.world();
        let keys = w.objects.objects.keys().filter(|(b, _)| b == bucket);
        keys.map(|(_, k)| k.clone()).collect()
    }

    /// HeadObject with ExpectedBucketOwner.
    pub fn head_object(
        &self,
        bucket: &str,
        key: &str,
        expected_owner: &str,
    ) -> Result<ObjectInfo, AwsError> {
        self.call(Call::HeadObject(key.into()), |w, _| {
            w.objects.owned_by(bucket, expected_owner)?;
            w.objects
                .objects
                .get(&(bucket.to_string(), key.to_string()))
                .cloned()
                .ok_or_else(|| error(AwsErrorKind::NotFound, "NotFound"))
        })
    }

    /// PutObject with ExpectedBucketOwner.
    pub fn put_object(
        &self,
        bucket: &str,
        key: &str,
        expected_owner: &str,
        info: ObjectInfo,
    ) -> Result<(), AwsError> {
        self.call(Call::PutObject(key.into()), |w, _| {
            w.objects.owned_by(bucket, expected_owner)?;
            w.objects.objects.insert((bucket.into(), key.into()), info);
            Ok(())
        })
    }
}

impl Objects {
    /// S3's answer to a request naming `expected` as the owner: AccessDenied for a bucket of
    /// someone else, whatever it holds.
    fn owned_by(&self, bucket: &str, expected: &str) -> Result<(), AwsError> {
        match self.buckets.get(bucket) {
            None => Err(error(
                AwsErrorKind::NotFound,
                format!("NoSuchBucket: The specified bucket does not exist: {bucket}"),
            )),
            Some(owner) if owner != expected => {
                Err(error(AwsErrorKind::Other, "AccessDenied: Access Denied"))
            }
            Some(_) => Ok(()),
        }
    }
}
