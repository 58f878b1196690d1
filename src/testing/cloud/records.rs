//! The model as the account's plain records, and back: a definition as the configuration fields
//! Lambda stores, a release as code and configuration, a served function as the model reads it.

use std::collections::BTreeMap;

use gitmoxi_engine::ports::{AwsError, AwsErrorKind};
use gitmoxi_fake_aws::{Code, Configuration, FunctionView, Release as FakeRelease};

use crate::model::definition::{CreateFunctionJson, FunctionDefinition};
use crate::model::ports::ServedFunction;
use crate::model::release::{CodeSource, Release};

/// Fields UpdateFunctionConfiguration does not carry: set at creation, by code updates, or by
/// calls of their own.
const NOT_CONFIGURATION: [&str; 8] = [
    "Architectures",
    "Code",
    "CodeSigningConfigArn",
    "PackageType",
    "Publish",
    "PublishTo",
    "Tags",
    "TenancyConfig",
];

/// Every field of the definition as canonical JSON text, the environment with its sensitive
/// values (what Lambda stores).
pub(super) fn fields_of(def: &FunctionDefinition) -> BTreeMap<String, String> {
    let mut value = def.canonical_value();
    let env = def.env_vars();
    if let Some(obj) = value.as_object_mut() {
        obj.remove("Environment");
        if !env.is_empty() {
            let vars: serde_json::Map<String, serde_json::Value> =
                env.iter().map(|(k, v)| (k.to_string(), v.into())).collect();
            obj.insert(
                "Environment".into(),
                serde_json::json!({ "Variables": vars }),
            );
        }
    }
    let entries = value.as_object().cloned().unwrap_or_default();
    entries
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect()
}

pub(super) fn configuration_of(def: &FunctionDefinition) -> Configuration {
    let mut fields = fields_of(def);
    fields.retain(|k, _| !NOT_CONFIGURATION.contains(&k.as_str()));
    Configuration(fields)
}

/// The architectures a code update carries: the declared ones, else x86_64 (as `aws/` sends).
pub(super) fn architectures_of(def: &FunctionDefinition) -> String {
    fields_of(def)
        .remove("Architectures")
        .unwrap_or_else(|| r#"["x86_64"]"#.into())
}

/// Lambda's CodeSha256 is the SHA-256 of the .zip, wherever it was uploaded from; code in S3
/// with no local package has a stand-in.
pub(super) fn code_of(release: &Release) -> Code {
    if let (Some(hash), CodeSource::S3 { .. }) = (&release.package_hash, &release.code) {
        return Code::zip(hash);
    }
    match &release.code {
        CodeSource::Zip(bytes) => Code::zip(&crate::model::release::package_hash(bytes)),
        CodeSource::S3 {
            bucket,
            key,
            version,
        } => Code::zip(&format!(
            "s3://{bucket}/{key}?{}",
            version.as_deref().unwrap_or("")
        )),
        CodeSource::Image(uri) => Code {
            sha256: format!("digest-of-{uri}"),
            image_uri: Some(uri.clone()),
        },
        CodeSource::Served(sha) => Code::zip(sha),
    }
}

pub(super) fn fake_release(release: &Release) -> FakeRelease {
    FakeRelease {
        code: code_of(release),
        architectures: Some(architectures_of(&release.definition)),
        configuration: configuration_of(&release.definition),
    }
}

/// What the account serves, read back as the model does from GetFunction.
pub(super) fn served(view: FunctionView) -> Result<ServedFunction, AwsError> {
    let mut object: serde_json::Map<String, serde_json::Value> = view
        .configuration
        .0
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), serde_json::from_str(v).ok()?)))
        .collect();
    // An environment Lambda could not decrypt comes as an error, without variables.
    let environment_error = object
        .get("Environment")
        .and_then(|e| e.get("Error"))
        .map(|e| e.to_string());
    if environment_error.is_some() {
        object.remove("Environment");
    }
    let fields: CreateFunctionJson = serde_json::from_value(object.into()).map_err(|e| {
        AwsError::new(
            AwsErrorKind::Other,
            format!("unreadable configuration: {e}"),
        )
    })?;
    Ok(ServedFunction {
        function_arn: view.function_arn,
        version: view.version,
        code_sha256: view.code.sha256,
        resolved_image_uri: view.code.image_uri.clone(),
        definition: FunctionDefinition::from_served(fields),
        tags: view.tags,
        status: view.status,
        environment_error,
    })
}
