//! `package_s3_bucket`: the package is staged in S3 under a key derived from its hash and the
//! function's code comes from there.

use crate::fixtures::*;
use crate::harness::*;

#[tokio::test]
async fn package_is_staged_in_the_bucket_and_the_function_runs_from_it() {
    let emulator = Emulator::start();
    let lambda = emulator.lambda_client();
    boto3(
        &emulator.endpoint(),
        "client('s3').create_bucket(Bucket='artifacts')",
    );
    let ws = Workspace::new("s3-staging");
    write_handler_zip(&ws, "v1.zip", "v1");
    let mut deployment = Deployment::new("e2e-s3");
    deployment.extra = "  package_s3_bucket = \"artifacts\"\n".to_string();
    deployment.write(&ws, &emulator.endpoint());
    ws.tf(&["apply", "-auto-approve"]).assert_success();

    let keys = boto3(
        &emulator.endpoint(),
        "result = [o['Key'] for o in client('s3').list_objects_v2(Bucket='artifacts').get('Contents', [])]",
    );
    let keys: Vec<String> = serde_json::from_value(keys).unwrap();
    assert_eq!(keys.len(), 1, "one staged package: {keys:?}");
    assert!(
        keys[0].starts_with("gitmoxi/e2e-s3/") && keys[0].ends_with(".zip"),
        "{keys:?}"
    );
    assert!(alias(&lambda, "e2e-s3", "live").await.serves_only("1"));
    let out = lambda
        .invoke()
        .function_name("e2e-s3")
        .qualifier("live")
        .send()
        .await
        .expect("invoke");
    let body = String::from_utf8_lossy(out.payload().unwrap().as_ref()).to_string();
    assert!(body.contains("v1"), "the staged code runs: {body}");

    // A second apply with the same package finds it staged: no new object, no new version.
    let (code, plan) = {
        let out = ws.tf(&["plan", "-detailed-exitcode"]);
        (out.code(), out)
    };
    assert_eq!(code, Some(0), "nothing to do:\n{plan}");
}

#[tokio::test]
async fn a_bucket_without_a_package_file_is_a_plan_error() {
    let emulator = Emulator::start();
    let ws = Workspace::new("s3-no-package");
    let mut deployment = Deployment::new("e2e-s3-bad");
    deployment.definition = Some(
        r#"jsonencode({ FunctionName = "e2e-s3-bad", Role = "arn:aws:iam::000000000000:role/x", Runtime = "python3.12", Handler = "app.handler", Code = { S3Bucket = "b", S3Key = "k.zip" } })"#
            .to_string(),
    );
    deployment.package_file = String::new();
    deployment.extra = "  package_s3_bucket = \"artifacts\"\n".to_string();
    let tf = deployment
        .main_tf(&emulator.endpoint())
        .replace("  package_file        = \"\"\n", "");
    ws.write("main.tf", &tf);
    let out = ws.tf(&["validate"]);
    out.assert_failure_contains("package_s3_bucket needs package_file");
}
