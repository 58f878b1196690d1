//! S3 objects, as package staging needs them: buckets must exist, objects are whole.

use std::collections::{BTreeMap, BTreeSet};

use gitmoxi_engine::ports::{AwsError, AwsErrorKind};

use super::{error, Call, FakeAws};

/// HeadObject: the object's length and the SHA-256 (base64) it was uploaded with, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    pub length: u64,
    pub checksum_sha256: Option<String>,
}

#[derive(Default)]
pub(crate) struct Objects {
    buckets: BTreeSet<String>,
    objects: BTreeMap<(String, String), ObjectInfo>,
}

impl FakeAws {
    pub fn define_bucket(&self, bucket: &str) -> &FakeAws {
        self.world().objects.buckets.insert(bucket.into());
        self
    }

    /// The keys in `bucket`.
    pub fn object_keys(&self, bucket: &str) -> Vec<String> {
        let w = self.world();
        let keys = w.objects.objects.keys().filter(|(b, _)| b == bucket);
        keys.map(|(_, k)| k.clone()).collect()
    }

    pub fn head_object(&self, bucket: &str, key: &str) -> Result<ObjectInfo, AwsError> {
        self.call(Call::HeadObject(key.into()), |w, _| {
            w.objects
                .objects
                .get(&(bucket.to_string(), key.to_string()))
                .cloned()
                .ok_or_else(|| error(AwsErrorKind::NotFound, "NotFound"))
        })
    }

    pub fn put_object(&self, bucket: &str, key: &str, info: ObjectInfo) -> Result<(), AwsError> {
        self.call(Call::PutObject(key.into()), |w, _| {
            if !w.objects.buckets.contains(bucket) {
                return Err(error(
                    AwsErrorKind::NotFound,
                    format!("NoSuchBucket: The specified bucket does not exist: {bucket}"),
                ));
            }
            w.objects.objects.insert((bucket.into(), key.into()), info);
            Ok(())
        })
    }
}
