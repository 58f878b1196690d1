//! Tests of the crate as a whole: its layering, checked on its sources (the model knows neither
//! Terraform values nor the AWS SDK, `aws/` never reaches into `resources/`, only `aws/` names the
//! SDK), and property tests over the parsers of user input (`properties.rs`).

mod properties;

use std::path::{Path, PathBuf};

fn sources(dir: &str) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir),
        &mut out,
    );
    out
}

/// Lines of code (not comments) of `dir` that mention any of `needles`.
fn offending(dir: &str, needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in sources(dir) {
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if needles.iter().any(|n| code.contains(n)) {
                found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
            }
        }
    }
    found
}

const SDK: &[&str] = &[
    "aws_sdk_",
    "aws_config",
    "aws_credential_types",
    "aws_smithy",
];

#[test]
fn only_aws_names_the_sdk() {
    for dir in [
        "model",
        "resources",
        "protocol",
        "provider",
        "functions",
        "testing",
    ] {
        assert_eq!(
            offending(dir, SDK),
            Vec::<String>::new(),
            "{dir}/ names the AWS SDK"
        );
    }
}

#[test]
fn aws_does_not_reach_into_resources_or_the_protocol() {
    let found = offending("aws", &["crate::resources", "crate::protocol"]);
    assert_eq!(found, Vec::<String>::new());
}

#[test]
fn the_model_knows_neither_terraform_values_nor_the_sdk() {
    let needles = [
        "crate::resources",
        "crate::protocol",
        "crate::aws",
        "crate::provider",
    ];
    assert_eq!(offending("model", &needles), Vec::<String>::new());
    assert_eq!(offending("model", SDK), Vec::<String>::new());
}

#[test]
fn resources_reach_aws_only_through_the_port() {
    assert_eq!(
        offending("resources", &["crate::aws"]),
        Vec::<String>::new()
    );
}
