//! `function_definition` ⇄ aws-sdk-lambda 1.156: this file builds the requests (CreateFunction,
//! UpdateFunctionConfiguration, UpdateFunctionCode) from the definition, `expand.rs` the nested
//! API shapes they carry, and `flatten.rs` reads a served function back into a definition.
//!
//! The only place that maps a `FunctionDefinition` onto the SDK. Nested shapes with required
//! members (FileSystemConfig, EphemeralStorage, TenancyConfig, the managed-instances config) have
//! fallible `build()`s; the definition always sets those members, but the error is passed on
//! rather than unwrapped.

mod expand;
mod flatten;

use aws_sdk_lambda::error::BuildError;
use aws_sdk_lambda::operation::create_function::builders::CreateFunctionFluentBuilder;
use aws_sdk_lambda::operation::update_function_code::builders::UpdateFunctionCodeFluentBuilder;
use aws_sdk_lambda::operation::update_function_configuration::builders::UpdateFunctionConfigurationFluentBuilder;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{self as api, FunctionCode, PackageType, Runtime, S3ObjectStorageMode};
use aws_sdk_lambda::Client;

use gitmoxi_engine::ports::{AwsError, AwsErrorKind};

use crate::model::definition::{aws_default, model, FunctionDefinition};
use crate::model::release::CodeSource;
use expand::{
    expand_architectures, expand_capacity_provider_config, expand_dead_letter_config,
    expand_durable_config, expand_environment, expand_ephemeral_storage,
    expand_file_system_configs, expand_image_config, expand_logging_config, expand_snap_start,
    expand_tenancy_config, expand_tracing_config, expand_vpc_config,
};
pub use flatten::flatten;

/// The CreateFunction `Code`: the source plus `S3ObjectStorageMode` and `SourceKMSKeyArn` from the
/// definition.
pub fn function_code(source: &CodeSource, def: &FunctionDefinition) -> FunctionCode {
    let code = def.code();
    let builder = match source {
        CodeSource::Zip(bytes) => FunctionCode::builder().zip_file(Blob::new(bytes.clone())),
        CodeSource::S3 {
            bucket,
            key,
            version,
        } => FunctionCode::builder()
            .s3_bucket(bucket)
            .s3_key(key)
            .set_s3_object_version(version.clone())
            .set_s3_object_storage_mode(
                code.and_then(|c| c.s3_object_storage_mode.as_deref())
                    .map(S3ObjectStorageMode::from),
            ),
        CodeSource::Image(uri) => FunctionCode::builder().image_uri(uri),
        // Never sent: a release that keeps the served code updates no code and creates nothing.
        CodeSource::Served(_) => FunctionCode::builder(),
    };
    builder
        .set_source_kms_key_arn(code.and_then(|c| c.source_kms_key_arn.clone()))
        .build()
}

/// CreateFunction with every field of the definition; never publishes (the engine does).
pub fn create_function(
    client: &Client,
    def: &FunctionDefinition,
    code: FunctionCode,
) -> Result<CreateFunctionFluentBuilder, BuildError> {
    let f = def.fields();
    let env = def.env_vars();
    Ok(client
        .create_function()
        .function_name(def.function_name())
        .role(def.role())
        .code(code)
        .publish(false)
        .set_runtime(f.runtime.as_deref().map(Runtime::from))
        .set_handler(f.handler.clone())
        .set_description(f.description.clone())
        .set_timeout(f.timeout)
        .set_memory_size(f.memory_size)
        .set_vpc_config(f.vpc_config.as_ref().map(expand_vpc_config))
        .set_package_type(f.package_type.as_deref().map(PackageType::from))
        .set_dead_letter_config(f.dead_letter_config.as_ref().map(expand_dead_letter_config))
        .set_environment((!env.is_empty()).then(|| expand_environment(env.into_map())))
        .set_kms_key_arn(f.kms_key_arn.clone())
        .set_tracing_config(
            f.tracing_config
                .as_ref()
                .map(|t| expand_tracing_config(t.mode.as_deref())),
        )
        .set_tags(f.tags.as_ref().map(|t| t.clone().into_iter().collect()))
        .set_layers(f.layers.clone())
        .set_file_system_configs(
            f.file_system_configs
                .as_deref()
                .map(expand_file_system_configs)
                .transpose()?,
        )
        .set_code_signing_config_arn(f.code_signing_config_arn.clone())
        .set_image_config(f.image_config.as_ref().map(expand_image_config))
        .set_architectures(f.architectures.as_deref().map(expand_architectures))
        .set_ephemeral_storage(
            f.ephemeral_storage
                .as_ref()
                .map(|e| expand_ephemeral_storage(e.size))
                .transpose()?,
        )
        .set_snap_start(
            f.snap_start
                .as_ref()
                .map(|s| expand_snap_start(s.apply_on.as_deref())),
        )
        .set_logging_config(
            f.logging_config
                .as_ref()
                .map(|l| expand_logging_config(l, def.function_name())),
        )
        .set_tenancy_config(
            f.tenancy_config
                .as_ref()
                .map(expand_tenancy_config)
                .transpose()?,
        )
        .set_capacity_provider_config(
            f.capacity_provider_config
                .as_ref()
                .map(expand_capacity_provider_config)
                .transpose()?,
        )
        .set_durable_config(f.durable_config.as_ref().map(expand_durable_config)))
}

/// UpdateFunctionConfiguration setting every field, so that removing a key from the definition
/// puts the AWS default back ("an absent key means the AWS default"):
///
/// | key                    | sent when absent                                        |
/// |------------------------|---------------------------------------------------------|
/// | Role                   | (required)                                              |
/// | Runtime, Handler       | not sent: no default; an Image function has neither     |
/// | Description            | `""`                                                    |
/// | Timeout                | 3                                                       |
/// | MemorySize             | 128                                                     |
/// | VpcConfig              | SubnetIds `[]`, SecurityGroupIds `[]` (leaves the VPC)  |
/// | VpcConfig.Ipv6AllowedForDualStack | false when in a VPC                          |
/// | Environment            | Variables `{}` (sensitive_environment merged in)        |
/// | DeadLetterConfig       | TargetArn `""` (removes it)                             |
/// | KMSKeyArn              | `""` (back to the AWS managed key)                      |
/// | TracingConfig          | Mode PassThrough                                        |
/// | Layers                 | `[]`                                                    |
/// | FileSystemConfigs      | `[]`                                                    |
/// | ImageConfig            | Image only: EntryPoint `[]`, Command `[]`, WorkingDirectory `""` |
/// | EphemeralStorage       | Size 512                                                |
/// | SnapStart              | Zip only: ApplyOn None (images have no SnapStart)       |
/// | LoggingConfig          | LogFormat Text, LogGroup `/aws/lambda/<FunctionName>`; with JSON, absent levels INFO |
/// | CapacityProviderConfig | not sent: chosen at creation, there is nothing to reset |
/// | DurableConfig          | not sent: no documented reset                           |
/// | CodeSigningConfigArn   | not carried by this call (Put/DeleteFunctionCodeSigningConfig) |
/// | Architectures, Code    | not carried by this call (UpdateFunctionCode)           |
/// | PackageType, TenancyConfig | immutable (a change is a plan-time error)           |
/// | Tags                   | not carried by this call (TagResource/UntagResource)    |
pub fn update_configuration(
    client: &Client,
    def: &FunctionDefinition,
) -> Result<UpdateFunctionConfigurationFluentBuilder, BuildError> {
    let f = def.fields();
    let name = def.function_name();
    Ok(client
        .update_function_configuration()
        .function_name(name)
        .role(def.role())
        .set_runtime(f.runtime.as_deref().map(Runtime::from))
        .set_handler(f.handler.clone())
        .description(f.description.clone().unwrap_or_default())
        .timeout(f.timeout.unwrap_or(aws_default::TIMEOUT))
        .memory_size(f.memory_size.unwrap_or(aws_default::MEMORY_SIZE))
        .vpc_config(expand_vpc_config(&vpc_or_reset(f.vpc_config.as_ref())))
        .environment(expand_environment(def.env_vars().into_map()))
        .dead_letter_config(
            api::DeadLetterConfig::builder()
                .target_arn(def.dead_letter_target().unwrap_or_default())
                .build(),
        )
        .kms_key_arn(f.kms_key_arn.clone().unwrap_or_default())
        .tracing_config(expand_tracing_config(
            f.tracing_config.as_ref().and_then(|t| t.mode.as_deref()),
        ))
        .set_layers(Some(f.layers.clone().unwrap_or_default()))
        .set_file_system_configs(Some(expand_file_system_configs(
            f.file_system_configs.as_deref().unwrap_or_default(),
        )?))
        .set_image_config(image_config_or_reset(def))
        .ephemeral_storage(expand_ephemeral_storage(
            f.ephemeral_storage
                .as_ref()
                .map_or(aws_default::EPHEMERAL_STORAGE, |e| e.size),
        )?)
        .set_snap_start(snap_start_or_default(def))
        .logging_config(expand_logging_config(
            f.logging_config
                .as_ref()
                .unwrap_or(&model::LoggingConfig::default()),
            name,
        ))
        .set_capacity_provider_config(
            f.capacity_provider_config
                .as_ref()
                .map(expand_capacity_provider_config)
                .transpose()?,
        )
        .set_durable_config(f.durable_config.as_ref().map(expand_durable_config)))
}

/// UpdateFunctionCode for the definition's function; never publishes. Architectures travel here
/// (x86_64 when absent).
pub fn update_code(
    client: &Client,
    def: &FunctionDefinition,
    code: &CodeSource,
) -> UpdateFunctionCodeFluentBuilder {
    let f = def.fields();
    let architectures = f
        .architectures
        .clone()
        .unwrap_or_else(|| vec![aws_default::ARCHITECTURE.to_string()]);
    let request = client
        .update_function_code()
        .function_name(def.function_name())
        .publish(false)
        .set_architectures(Some(expand_architectures(&architectures)))
        .set_source_kms_key_arn(def.code().and_then(|c| c.source_kms_key_arn.clone()));
    match code {
        CodeSource::Zip(bytes) => request.zip_file(Blob::new(bytes.clone())),
        CodeSource::S3 {
            bucket,
            key,
            version,
        } => request
            .s3_bucket(bucket)
            .s3_key(key)
            .set_s3_object_version(version.clone())
            .set_s3_object_storage_mode(
                def.code()
                    .and_then(|c| c.s3_object_storage_mode.as_deref())
                    .map(S3ObjectStorageMode::from),
            ),
        CodeSource::Image(uri) => request.image_uri(uri),
        CodeSource::Served(_) => request,
    }
}

/// The VPC settings an update sends: lists default to empty (out of the VPC); IPv6 only means
/// something inside a VPC.
fn vpc_or_reset(declared: Option<&model::VpcConfig>) -> model::VpcConfig {
    let declared = declared.cloned().unwrap_or_default();
    let subnet_ids = declared.subnet_ids.unwrap_or_default();
    let in_vpc = !subnet_ids.is_empty();
    model::VpcConfig {
        subnet_ids: Some(subnet_ids),
        security_group_ids: Some(declared.security_group_ids.unwrap_or_default()),
        ipv6_allowed_for_dual_stack: in_vpc
            .then(|| declared.ipv6_allowed_for_dual_stack.unwrap_or(false)),
    }
}

/// The declared ImageConfig; for an Image function without one, every override removed.
fn image_config_or_reset(def: &FunctionDefinition) -> Option<api::ImageConfig> {
    match (&def.fields().image_config, def.is_image()) {
        (Some(image), _) => Some(expand_image_config(image)),
        (None, true) => Some(
            api::ImageConfig::builder()
                .set_entry_point(Some(vec![]))
                .set_command(Some(vec![]))
                .working_directory("")
                .build(),
        ),
        (None, false) => None,
    }
}

/// The declared SnapStart; for a `.zip` function without one, the default (images have none).
fn snap_start_or_default(def: &FunctionDefinition) -> Option<api::SnapStart> {
    match (&def.fields().snap_start, def.is_image()) {
        (Some(s), _) => Some(expand_snap_start(s.apply_on.as_deref())),
        (None, false) => Some(expand_snap_start(None)),
        (None, true) => None,
    }
}

/// A nested shape the definition should always complete was left incomplete: a bug, reported
/// rather than unwrapped.
pub fn build_error(e: BuildError) -> AwsError {
    AwsError::new(
        AwsErrorKind::Invalid,
        format!("building the Lambda request: {e}"),
    )
}

#[cfg(test)]
mod tests;
