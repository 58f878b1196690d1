//! The CreateFunction request as typed JSON.
//!
//! One struct per shape of aws-sdk-lambda 1.156's `CreateFunctionInput`, with the API's PascalCase
//! names. `deny_unknown_fields` everywhere: a key the SDK does not know is an error, never silently
//! dropped. Fields the API marks as required inside a nested shape are not `Option`.
//!
//! None of these types holds a `sensitive_environment` value: those live beside the model in
//! `FunctionDefinition`, so the derived `Debug` here is safe to print.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The `function_definition` document: every field of CreateFunction.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct CreateFunctionJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_size: Option<i32>,
    /// Accepted for compatibility with `_lambdadef.json`, ignored: the provider publishes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publish: Option<bool>,
    /// Accepted, ignored like `Publish`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publish_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_config: Option<VpcConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_letter_config: Option<DeadLetterConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    #[serde(rename = "KMSKeyArn", skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracing_config: Option<TracingConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_system_configs: Option<Vec<FileSystemConfig>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_signing_config_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_config: Option<ImageConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architectures: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ephemeral_storage: Option<EphemeralStorage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snap_start: Option<SnapStart>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging_config: Option<LoggingConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenancy_config: Option<TenancyConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity_provider_config: Option<CapacityProviderConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub durable_config: Option<DurableConfig>,
}

/// `Code`: where the package comes from when `package_file` is not used.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct Code {
    /// Base64 of the .zip, as the JSON API carries it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_bucket: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_object_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_object_storage_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_uri: Option<String>,
    #[serde(rename = "SourceKMSKeyArn", skip_serializing_if = "Option::is_none")]
    pub source_kms_key_arn: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct VpcConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_group_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_allowed_for_dual_stack: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct DeadLetterConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_arn: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct Environment {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variables: Option<BTreeMap<String, String>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct TracingConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct FileSystemConfig {
    pub arn: String,
    pub local_mount_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_files_config: Option<S3FilesConfig>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct S3FilesConfig {
    #[serde(rename = "DirectS3Read", skip_serializing_if = "Option::is_none")]
    pub direct_s3_read: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct ImageConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_directory: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct EphemeralStorage {
    pub size: i32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct SnapStart {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apply_on: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct LoggingConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_log_level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_log_level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_group: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct TenancyConfig {
    pub tenant_isolation_mode: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct CapacityProviderConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambda_managed_instances_capacity_provider_config: Option<LambdaManagedInstancesConfig>,
}

/// `CapacityProviderConfig.LambdaManagedInstancesCapacityProviderConfig`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct LambdaManagedInstancesConfig {
    pub capacity_provider_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_execution_environment_max_concurrency: Option<i32>,
    #[serde(
        rename = "ExecutionEnvironmentMemoryGiBPerVCpu",
        skip_serializing_if = "Option::is_none"
    )]
    pub execution_environment_memory_gib_per_vcpu: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
pub struct DurableConfig {
    #[serde(rename = "KMSKeyArn", skip_serializing_if = "Option::is_none")]
    pub kms_key_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_period_in_days: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_timeout: Option<i32>,
}
