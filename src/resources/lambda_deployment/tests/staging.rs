//! Packages staged in S3: once, in a bucket of this account, uploaded again when the stored
//! checksum differs.

use super::*;

#[tokio::test(start_paused = true)]
async fn packages_are_staged_in_s3_once() {
    let (aws, tf) = setup();
    aws.define_bucket("artifacts");
    let file = package("v1");
    let staged = json!({"package_s3_bucket": "artifacts"});
    let first = tf
        .apply(&Instance::default(), &config(&tf, &file, staged.clone()))
        .await;
    assert!(first.diagnostics.is_empty(), "{:?}", first.diagnostics);
    let keys = aws.object_keys("artifacts");
    assert_eq!(keys.len(), 1);
    assert!(keys[0].starts_with("gitmoxi/orders/"), "{keys:?}");

    let touched = json!({"package_s3_bucket": "artifacts", "function_definition": definition(json!({"Timeout": 5}))});
    let second = tf
        .apply(&first.instance(), &config(&tf, &file, touched))
        .await;
    assert!(second.diagnostics.is_empty(), "{:?}", second.diagnostics);
    assert_eq!(
        aws.count("put_object"),
        1,
        "the same package is uploaded once"
    );
}

#[tokio::test(start_paused = true)]
async fn a_staging_bucket_of_another_account_is_refused_before_any_change() {
    let (aws, tf) = setup();
    aws.define_bucket_owned_by("artifacts", "111122223333");
    let staged = json!({"package_s3_bucket": "artifacts"});
    let applied = tf
        .apply(&Instance::default(), &config(&tf, &package("v1"), staged))
        .await;
    let text = format!("{:?}", applied.diagnostics);
    assert!(text.contains("AccessDenied"), "{text}");
    assert!(text.contains("package_s3_bucket"), "{text}");
    assert!(aws.object_keys("artifacts").is_empty());
    assert!(aws.function_names().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_staged_object_whose_checksum_differs_is_uploaded_again() {
    let (aws, tf) = setup();
    aws.define_bucket("artifacts");
    let file = package("v1");
    let key = crate::model::release::staging_key("orders", b"v1");
    let tampered = gitmoxi_fake_aws::ObjectInfo {
        length: 2,
        checksum_sha256: Some(package_hash(b"v2")),
    };
    aws.put_object("artifacts", &key, gitmoxi_fake_aws::ACCOUNT, tampered)
        .unwrap();
    let staged = json!({"package_s3_bucket": "artifacts"});
    let applied = tf
        .apply(&Instance::default(), &config(&tf, &file, staged))
        .await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    let head = aws
        .head_object("artifacts", &key, gitmoxi_fake_aws::ACCOUNT)
        .unwrap();
    assert_eq!(head.checksum_sha256, Some(package_hash(b"v1")));
    assert_eq!(aws.count("put_object"), 2, "ours replaced the other one");
}
