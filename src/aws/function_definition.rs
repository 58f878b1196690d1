//! `function_definition` ⇄ aws-sdk-lambda 1.156: `expand_*` builds API shapes from the
//! definition, `flatten` reads a served function back into a definition.
//!
//! The only place that maps a `FunctionDefinition` onto the SDK. Nested shapes with required
//! members (FileSystemConfig, EphemeralStorage, TenancyConfig, the managed-instances config) have
//! fallible `build()`s; the definition always sets those members, but the error is passed on
//! rather than unwrapped.

use std::collections::HashMap;

use aws_sdk_lambda::error::BuildError;
use aws_sdk_lambda::operation::create_function::builders::CreateFunctionFluentBuilder;
use aws_sdk_lambda::operation::update_function_code::builders::UpdateFunctionCodeFluentBuilder;
use aws_sdk_lambda::operation::update_function_configuration::builders::UpdateFunctionConfigurationFluentBuilder;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    self as api, ApplicationLogLevel, Architecture, DirectS3Read, FunctionCode, LogFormat,
    PackageType, Runtime, S3ObjectStorageMode, SnapStartApplyOn, SystemLogLevel,
    TenantIsolationMode, TracingMode,
};
use aws_sdk_lambda::Client;

use crate::resources::lambda_deployment::definition::{
    aws_default, model, DefinitionError, FunctionDefinition,
};

/// Where the code of a deployment comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum CodeSource {
    Zip(Vec<u8>),
    S3 {
        bucket: String,
        key: String,
        version: Option<String>,
    },
    Image(String),
}

impl std::fmt::Debug for CodeSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CodeSource::Zip(bytes) => write!(f, "Zip({} bytes)", bytes.len()),
            CodeSource::S3 {
                bucket,
                key,
                version,
            } => {
                write!(f, "S3(s3://{bucket}/{key}")?;
                version
                    .iter()
                    .try_for_each(|v| write!(f, "?versionId={v}"))?;
                write!(f, ")")
            }
            CodeSource::Image(uri) => write!(f, "Image({uri})"),
        }
    }
}

/// Picks the code: a package staged in S3, else the local package, else `Code` in the definition.
pub fn code_source(
    def: &FunctionDefinition,
    package_bytes: Option<Vec<u8>>,
    staged_s3: Option<(String, String)>,
) -> Result<CodeSource, DefinitionError> {
    if let Some((bucket, key)) = staged_s3 {
        return Ok(CodeSource::S3 {
            bucket,
            key,
            version: None,
        });
    }
    if let Some(bytes) = package_bytes {
        return Ok(CodeSource::Zip(bytes));
    }
    let code = def.code();
    if let Some(uri) = code.and_then(|c| c.image_uri.clone()) {
        return Ok(CodeSource::Image(uri));
    }
    if let Some(zip) = code.and_then(|c| c.zip_file.as_deref()) {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD.decode(zip).map_err(|_| {
            DefinitionError {
                summary: "Code.ZipFile is not valid base64".into(),
                detail: "Give the .zip as standard base64, e.g. filebase64(\"app.zip\"), or use package_file.".into(),
                key_path: Some("Code.ZipFile".into()),
            }
        })?;
        return Ok(CodeSource::Zip(bytes));
    }
    if let Some((bucket, key)) = code.and_then(|c| Some((c.s3_bucket.clone()?, c.s3_key.clone()?)))
    {
        let version = code.and_then(|c| c.s3_object_version.clone());
        return Ok(CodeSource::S3 {
            bucket,
            key,
            version,
        });
    }
    Err(DefinitionError {
        summary: "The function has no code".into(),
        detail: "Set package_file (a local .zip), or Code in function_definition (ZipFile, \
                 S3Bucket + S3Key, or ImageUri for PackageType Image)."
            .into(),
        key_path: Some("Code".into()),
    })
}

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
    // Lists default to empty (out of the VPC); IPv6 only means something inside a VPC.
    let declared_vpc = f.vpc_config.clone().unwrap_or_default();
    let subnet_ids = declared_vpc.subnet_ids.unwrap_or_default();
    let in_vpc = !subnet_ids.is_empty();
    let vpc = model::VpcConfig {
        subnet_ids: Some(subnet_ids),
        security_group_ids: Some(declared_vpc.security_group_ids.unwrap_or_default()),
        ipv6_allowed_for_dual_stack: in_vpc
            .then(|| declared_vpc.ipv6_allowed_for_dual_stack.unwrap_or(false)),
    };
    let image_config = match (&f.image_config, def.is_image()) {
        (Some(image), _) => Some(expand_image_config(image)),
        (None, true) => Some(
            api::ImageConfig::builder()
                .set_entry_point(Some(vec![]))
                .set_command(Some(vec![]))
                .working_directory("")
                .build(),
        ),
        (None, false) => None,
    };
    let snap_start = match (&f.snap_start, def.is_image()) {
        (Some(s), _) => Some(expand_snap_start(s.apply_on.as_deref())),
        (None, false) => Some(expand_snap_start(None)),
        (None, true) => None,
    };
    Ok(client
        .update_function_configuration()
        .function_name(name)
        .role(def.role())
        .set_runtime(f.runtime.as_deref().map(Runtime::from))
        .set_handler(f.handler.clone())
        .description(f.description.clone().unwrap_or_default())
        .timeout(f.timeout.unwrap_or(aws_default::TIMEOUT))
        .memory_size(f.memory_size.unwrap_or(aws_default::MEMORY_SIZE))
        .vpc_config(expand_vpc_config(&vpc))
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
        .set_image_config(image_config)
        .ephemeral_storage(expand_ephemeral_storage(
            f.ephemeral_storage
                .as_ref()
                .map_or(aws_default::EPHEMERAL_STORAGE, |e| e.size),
        )?)
        .set_snap_start(snap_start)
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
    }
}

fn expand_vpc_config(v: &model::VpcConfig) -> api::VpcConfig {
    api::VpcConfig::builder()
        .set_subnet_ids(v.subnet_ids.clone())
        .set_security_group_ids(v.security_group_ids.clone())
        .set_ipv6_allowed_for_dual_stack(v.ipv6_allowed_for_dual_stack)
        .build()
}

fn expand_dead_letter_config(d: &model::DeadLetterConfig) -> api::DeadLetterConfig {
    api::DeadLetterConfig::builder()
        .set_target_arn(d.target_arn.clone())
        .build()
}

fn expand_environment(vars: std::collections::BTreeMap<String, String>) -> api::Environment {
    api::Environment::builder()
        .set_variables(Some(vars.into_iter().collect()))
        .build()
}

fn expand_tracing_config(mode: Option<&str>) -> api::TracingConfig {
    let mode = mode.unwrap_or(aws_default::TRACING_MODE);
    api::TracingConfig::builder()
        .mode(TracingMode::from(mode))
        .build()
}

fn expand_file_system_configs(
    configs: &[model::FileSystemConfig],
) -> Result<Vec<api::FileSystemConfig>, BuildError> {
    configs
        .iter()
        .map(|c| {
            let s3 = c.s3_files_config.as_ref().map(|s| {
                api::S3FilesConfig::builder()
                    .set_direct_s3_read(s.direct_s3_read.as_deref().map(DirectS3Read::from))
                    .build()
            });
            api::FileSystemConfig::builder()
                .arn(&c.arn)
                .local_mount_path(&c.local_mount_path)
                .set_s3_files_config(s3)
                .build()
        })
        .collect()
}

fn expand_image_config(i: &model::ImageConfig) -> api::ImageConfig {
    api::ImageConfig::builder()
        .set_entry_point(i.entry_point.clone())
        .set_command(i.command.clone())
        .set_working_directory(i.working_directory.clone())
        .build()
}

fn expand_architectures(archs: &[String]) -> Vec<Architecture> {
    archs
        .iter()
        .map(|a| Architecture::from(a.as_str()))
        .collect()
}

fn expand_ephemeral_storage(size: i32) -> Result<api::EphemeralStorage, BuildError> {
    api::EphemeralStorage::builder().size(size).build()
}

fn expand_snap_start(apply_on: Option<&str>) -> api::SnapStart {
    let apply_on = apply_on.unwrap_or(aws_default::SNAP_START_APPLY_ON);
    api::SnapStart::builder()
        .apply_on(SnapStartApplyOn::from(apply_on))
        .build()
}

/// Absent format and group are sent as their defaults, so removing them reverts; levels only
/// apply to JSON logs (Lambda rejects them with Text), where absent means INFO.
fn expand_logging_config(l: &model::LoggingConfig, function_name: &str) -> api::LoggingConfig {
    let format = l.log_format.as_deref().unwrap_or(aws_default::LOG_FORMAT);
    let json = format == "JSON";
    let level = |given: &Option<String>| {
        json.then(|| {
            given
                .clone()
                .unwrap_or_else(|| aws_default::LOG_LEVEL.to_string())
        })
    };
    api::LoggingConfig::builder()
        .log_format(LogFormat::from(format))
        .log_group(
            l.log_group
                .clone()
                .unwrap_or_else(|| aws_default::log_group(function_name)),
        )
        .set_application_log_level(
            level(&l.application_log_level)
                .as_deref()
                .map(ApplicationLogLevel::from),
        )
        .set_system_log_level(
            level(&l.system_log_level)
                .as_deref()
                .map(SystemLogLevel::from),
        )
        .build()
}

fn expand_tenancy_config(t: &model::TenancyConfig) -> Result<api::TenancyConfig, BuildError> {
    api::TenancyConfig::builder()
        .tenant_isolation_mode(TenantIsolationMode::from(t.tenant_isolation_mode.as_str()))
        .build()
}

fn expand_capacity_provider_config(
    c: &model::CapacityProviderConfig,
) -> Result<api::CapacityProviderConfig, BuildError> {
    let managed = c
        .lambda_managed_instances_capacity_provider_config
        .as_ref()
        .map(|m| {
            api::LambdaManagedInstancesCapacityProviderConfig::builder()
                .capacity_provider_arn(&m.capacity_provider_arn)
                .set_per_execution_environment_max_concurrency(
                    m.per_execution_environment_max_concurrency,
                )
                .set_execution_environment_memory_gib_per_v_cpu(
                    m.execution_environment_memory_gib_per_vcpu,
                )
                .build()
        })
        .transpose()?;
    Ok(api::CapacityProviderConfig::builder()
        .set_lambda_managed_instances_capacity_provider_config(managed)
        .build())
}

fn expand_durable_config(d: &model::DurableConfig) -> api::DurableConfig {
    api::DurableConfig::builder()
        .set_kms_key_arn(d.kms_key_arn.clone())
        .set_retention_period_in_days(d.retention_period_in_days)
        .set_execution_timeout(d.execution_timeout)
        .build()
}

/// What AWS serves → a definition JSON (import, adoption): AWS-computed fields (Version,
/// RevisionId, CodeSha256, LastModified, State, VpcId, …) and every value equal to the AWS default
/// are left out, and so are tags AWS manages (`aws:` prefix). `Code` is not part of a function's
/// configuration and `CodeSigningConfigArn` has its own API: neither appears.
pub fn flatten(
    config: &api::FunctionConfiguration,
    tags: Option<&HashMap<String, String>>,
) -> serde_json::Value {
    let name = config.function_name().map(str::to_string);
    let fields = model::CreateFunctionJson {
        function_name: name,
        runtime: config.runtime().map(|r| r.as_str().to_string()),
        role: config.role().map(str::to_string),
        handler: config.handler().map(str::to_string),
        description: config.description().map(str::to_string),
        timeout: config.timeout(),
        memory_size: config.memory_size(),
        vpc_config: config.vpc_config().map(|v| model::VpcConfig {
            subnet_ids: v.subnet_ids.clone(),
            security_group_ids: v.security_group_ids.clone(),
            ipv6_allowed_for_dual_stack: v.ipv6_allowed_for_dual_stack(),
        }),
        package_type: config.package_type().map(|p| p.as_str().to_string()),
        dead_letter_config: config
            .dead_letter_config()
            .map(|d| model::DeadLetterConfig {
                target_arn: d.target_arn().map(str::to_string),
            }),
        environment: config.environment().map(|e| model::Environment {
            variables: e.variables().map(|v| v.clone().into_iter().collect()),
        }),
        kms_key_arn: config.kms_key_arn().map(str::to_string),
        tracing_config: config.tracing_config().map(|t| model::TracingConfig {
            mode: t.mode().map(|m| m.as_str().to_string()),
        }),
        tags: tags.map(|t| {
            t.iter()
                .filter(|(k, _)| !k.starts_with("aws:"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        }),
        layers: config.layers.as_ref().map(|ls| {
            ls.iter()
                .filter_map(|l| l.arn().map(str::to_string))
                .collect()
        }),
        file_system_configs: config.file_system_configs.as_ref().map(|fs| {
            fs.iter()
                .map(|c| model::FileSystemConfig {
                    arn: c.arn().to_string(),
                    local_mount_path: c.local_mount_path().to_string(),
                    s3_files_config: c.s3_files_config().map(|s| model::S3FilesConfig {
                        direct_s3_read: s.direct_s3_read().map(|d| d.as_str().to_string()),
                    }),
                })
                .collect()
        }),
        image_config: config
            .image_config_response()
            .and_then(|r| r.image_config())
            .map(|i| model::ImageConfig {
                entry_point: i.entry_point.clone(),
                command: i.command.clone(),
                working_directory: i.working_directory().map(str::to_string),
            }),
        architectures: config
            .architectures
            .as_ref()
            .map(|a| a.iter().map(|a| a.as_str().to_string()).collect()),
        ephemeral_storage: config
            .ephemeral_storage()
            .map(|e| model::EphemeralStorage { size: e.size() }),
        snap_start: config.snap_start().map(|s| model::SnapStart {
            apply_on: s.apply_on().map(|a| a.as_str().to_string()),
        }),
        logging_config: config.logging_config().map(|l| model::LoggingConfig {
            log_format: l.log_format().map(|f| f.as_str().to_string()),
            application_log_level: l.application_log_level().map(|a| a.as_str().to_string()),
            system_log_level: l.system_log_level().map(|s| s.as_str().to_string()),
            log_group: l.log_group().map(str::to_string),
        }),
        tenancy_config: config.tenancy_config().map(|t| model::TenancyConfig {
            tenant_isolation_mode: t.tenant_isolation_mode().as_str().to_string(),
        }),
        capacity_provider_config: config.capacity_provider_config().map(|c| {
            model::CapacityProviderConfig {
                lambda_managed_instances_capacity_provider_config: c
                    .lambda_managed_instances_capacity_provider_config()
                    .map(|m| model::LambdaManagedInstancesConfig {
                        capacity_provider_arn: m.capacity_provider_arn().to_string(),
                        per_execution_environment_max_concurrency: m
                            .per_execution_environment_max_concurrency(),
                        execution_environment_memory_gib_per_vcpu: m
                            .execution_environment_memory_gib_per_v_cpu(),
                    }),
            }
        }),
        durable_config: config.durable_config().map(|d| model::DurableConfig {
            kms_key_arn: d.kms_key_arn().map(str::to_string),
            retention_period_in_days: d.retention_period_in_days(),
            execution_timeout: d.execution_timeout(),
        }),
        code: None,
        code_signing_config_arn: None,
        publish: None,
        publish_to: None,
    };
    FunctionDefinition::from_served(fields)
        .without_defaults()
        .canonical_value()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use aws_sdk_lambda::config::{BehaviorVersion, Region};
    use serde_json::json;

    use super::*;
    use crate::resources::lambda_deployment::definition::{
        self as definition, parse, tests::all_fields,
    };

    fn client() -> Client {
        let config = aws_sdk_lambda::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .build();
        Client::from_conf(config)
    }

    fn def(v: serde_json::Value) -> FunctionDefinition {
        parse(&v.to_string()).expect("valid definition").0
    }

    fn with(mut base: serde_json::Value, key: &str, value: serde_json::Value) -> serde_json::Value {
        base[key] = value;
        base
    }

    fn minimal() -> serde_json::Value {
        json!({"FunctionName": "orders-api", "Role": "arn:aws:iam::123456789012:role/r",
               "Runtime": "python3.12", "Handler": "app.handler"})
    }

    #[test]
    fn known_enum_values_match_the_sdk() {
        let sorted = |v: &[&str]| {
            let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
            v.sort();
            v
        };
        let pairs: [(&[&str], &[&str]); 12] = [
            (definition::RUNTIMES, Runtime::values()),
            (definition::PACKAGE_TYPES, PackageType::values()),
            (definition::ARCHITECTURES, Architecture::values()),
            (definition::TRACING_MODES, TracingMode::values()),
            (definition::LOG_FORMATS, LogFormat::values()),
            (
                definition::APPLICATION_LOG_LEVELS,
                ApplicationLogLevel::values(),
            ),
            (definition::SYSTEM_LOG_LEVELS, SystemLogLevel::values()),
            (definition::SNAP_START_APPLY_ON, SnapStartApplyOn::values()),
            (
                definition::TENANT_ISOLATION_MODES,
                TenantIsolationMode::values(),
            ),
            (
                definition::S3_OBJECT_STORAGE_MODES,
                S3ObjectStorageMode::values(),
            ),
            (definition::DIRECT_S3_READ, DirectS3Read::values()),
            (
                definition::PUBLISH_TO,
                api::FunctionVersionLatestPublished::values(),
            ),
        ];
        for (ours, sdk) in pairs {
            assert_eq!(sorted(ours), sorted(sdk));
        }
    }

    #[test]
    fn create_function_sets_every_field_and_never_publishes() {
        let mut d = def(all_fields());
        d.merge_sensitive_environment(&BTreeMap::from([("DB_PASSWORD".into(), "pw".into())]))
            .unwrap();
        let source = code_source(&d, None, None).unwrap();
        let request = create_function(&client(), &d, function_code(&source, &d)).unwrap();
        let input = request.as_input();
        assert_eq!(input.get_publish(), &Some(false));
        assert_eq!(input.get_function_name().as_deref(), Some("orders-api"));
        let code = input.get_code().as_ref().unwrap();
        assert_eq!(code.s3_key(), Some("orders/app.zip"));
        assert_eq!(code.s3_object_version(), Some("v1"));
        assert_eq!(
            code.s3_object_storage_mode(),
            Some(&S3ObjectStorageMode::Copy)
        );
        assert!(code.source_kms_key_arn().is_some());
        let vars = input
            .get_environment()
            .as_ref()
            .and_then(|e| e.variables())
            .unwrap();
        assert_eq!(vars.get("DB_PASSWORD").map(String::as_str), Some("pw"));
        assert_eq!(vars.len(), 3);
        assert_eq!(input.get_timeout(), &Some(30));
        assert_eq!(input.get_memory_size(), &Some(512));
        assert_eq!(input.get_runtime(), &Some(Runtime::Python312));
        assert_eq!(input.get_architectures(), &Some(vec![Architecture::Arm64]));
        assert_eq!(
            input
                .get_vpc_config()
                .as_ref()
                .and_then(|v| v.ipv6_allowed_for_dual_stack()),
            Some(true)
        );
        assert_eq!(
            input.get_ephemeral_storage().as_ref().map(|e| e.size()),
            Some(1024)
        );
        assert_eq!(input.get_tags().as_ref().map(|t| t.len()), Some(1));
        assert_eq!(
            input
                .get_file_system_configs()
                .as_ref()
                .map(|f| f[0].local_mount_path()),
            Some("/mnt/data")
        );
        let logging = input.get_logging_config().as_ref().unwrap();
        assert_eq!(
            logging.application_log_level(),
            Some(&ApplicationLogLevel::Debug)
        );
        assert_eq!(logging.log_group(), Some("/custom/orders"));
        let managed = input
            .get_capacity_provider_config()
            .as_ref()
            .and_then(|c| c.lambda_managed_instances_capacity_provider_config())
            .unwrap();
        assert_eq!(
            managed.execution_environment_memory_gib_per_v_cpu(),
            Some(2.0)
        );
        for (key, set) in [
            ("Role", input.get_role().is_some()),
            ("Handler", input.get_handler().is_some()),
            ("Description", input.get_description().is_some()),
            ("PackageType", input.get_package_type().is_some()),
            ("DeadLetterConfig", input.get_dead_letter_config().is_some()),
            ("KMSKeyArn", input.get_kms_key_arn().is_some()),
            ("TracingConfig", input.get_tracing_config().is_some()),
            (
                "Layers",
                input.get_layers().as_ref().is_some_and(|l| l.len() == 2),
            ),
            (
                "CodeSigningConfigArn",
                input.get_code_signing_config_arn().is_some(),
            ),
            ("ImageConfig", input.get_image_config().is_some()),
            ("SnapStart", input.get_snap_start().is_some()),
            ("TenancyConfig", input.get_tenancy_config().is_some()),
            (
                "DurableConfig",
                input
                    .get_durable_config()
                    .as_ref()
                    .is_some_and(|d| d.execution_timeout() == Some(3600)),
            ),
            ("PublishTo (ignored)", input.get_publish_to().is_none()),
        ] {
            assert!(set, "{key}");
        }
    }

    #[test]
    fn update_configuration_sends_aws_defaults_for_absent_keys() {
        let request = update_configuration(&client(), &def(minimal())).unwrap();
        let input = request.as_input();
        assert_eq!(input.get_description().as_deref(), Some(""));
        assert_eq!(input.get_timeout(), &Some(3));
        assert_eq!(input.get_memory_size(), &Some(128));
        let vpc = input.get_vpc_config().as_ref().unwrap();
        assert_eq!(
            (vpc.subnet_ids(), vpc.security_group_ids()),
            (&[][..], &[][..])
        );
        assert!(vpc.subnet_ids.is_some(), "empty list sent, not omitted");
        assert_eq!(vpc.ipv6_allowed_for_dual_stack(), None);
        let in_vpc = def(with(
            minimal(),
            "VpcConfig",
            json!({"SubnetIds": ["subnet-1"]}),
        ));
        let request = update_configuration(&client(), &in_vpc).unwrap();
        let vpc = request.as_input().get_vpc_config().clone().unwrap();
        assert_eq!(vpc.ipv6_allowed_for_dual_stack(), Some(false));
        assert_eq!(vpc.security_group_ids(), &[] as &[String]);
        assert_eq!(
            input
                .get_environment()
                .as_ref()
                .and_then(|e| e.variables())
                .map(|v| v.len()),
            Some(0)
        );
        assert_eq!(
            input
                .get_dead_letter_config()
                .as_ref()
                .and_then(|d| d.target_arn()),
            Some("")
        );
        assert_eq!(input.get_kms_key_arn().as_deref(), Some(""));
        assert_eq!(
            input.get_tracing_config().as_ref().and_then(|t| t.mode()),
            Some(&TracingMode::PassThrough)
        );
        assert_eq!(input.get_layers(), &Some(vec![]));
        assert_eq!(input.get_file_system_configs(), &Some(vec![]));
        assert_eq!(
            input.get_ephemeral_storage().as_ref().map(|e| e.size()),
            Some(512)
        );
        assert_eq!(
            input.get_snap_start().as_ref().and_then(|s| s.apply_on()),
            Some(&SnapStartApplyOn::None)
        );
        let logging = input.get_logging_config().as_ref().unwrap();
        assert_eq!(logging.log_format(), Some(&LogFormat::Text));
        assert_eq!(logging.log_group(), Some("/aws/lambda/orders-api"));
        assert_eq!(logging.application_log_level(), None);
        assert!(
            input.get_image_config().is_none(),
            "no ImageConfig for a .zip function"
        );

        let json_logs = def(
            json!({"FunctionName": "f", "Role": "arn:aws:iam::1:role/r", "PackageType": "Image",
            "Code": {"ImageUri": "1.dkr.ecr/x:1"}, "LoggingConfig": {"LogFormat": "JSON"}}),
        );
        let request = update_configuration(&client(), &json_logs).unwrap();
        let input = request.as_input();
        let logging = input.get_logging_config().as_ref().unwrap();
        assert_eq!(logging.system_log_level(), Some(&SystemLogLevel::Info));
        assert_eq!(
            input.get_image_config().as_ref().map(|i| i.command()),
            Some(&[][..])
        );
        assert!(input.get_snap_start().is_none(), "images have no SnapStart");
    }

    #[test]
    fn code_source_prefers_staged_s3_then_package_then_definition() {
        let zip = def(
            json!({"FunctionName": "f", "Role": "arn:aws:iam::1:role/r", "Runtime": "python3.12",
            "Handler": "h", "Code": {"ZipFile": "aGVsbG8="}}),
        );
        assert_eq!(
            code_source(&zip, None, None).unwrap(),
            CodeSource::Zip(b"hello".to_vec())
        );
        assert_eq!(
            code_source(&zip, Some(vec![1]), None).unwrap(),
            CodeSource::Zip(vec![1])
        );
        assert_eq!(
            code_source(&zip, Some(vec![1]), Some(("b".into(), "k".into()))).unwrap(),
            CodeSource::S3 {
                bucket: "b".into(),
                key: "k".into(),
                version: None
            }
        );
        let e = code_source(&def(minimal()), None, None).unwrap_err();
        assert!(e.detail.contains("package_file"));

        let request = update_code(
            &client(),
            &def(minimal()),
            &CodeSource::Image("1.dkr.ecr/x:1".into()),
        );
        let input = request.as_input();
        assert_eq!(input.get_publish(), &Some(false));
        assert_eq!(input.get_architectures(), &Some(vec![Architecture::X8664]));
        assert_eq!(input.get_image_uri().as_deref(), Some("1.dkr.ecr/x:1"));
        assert_eq!(format!("{:?}", CodeSource::Zip(vec![0; 3])), "Zip(3 bytes)");
    }

    /// What GetFunctionConfiguration serves for a function created from the all-fields fixture.
    fn served_all_fields() -> api::FunctionConfiguration {
        let d = def(all_fields());
        let f = d.fields();
        let create = create_function(&client(), &d, FunctionCode::builder().build()).unwrap();
        let input = create.as_input();
        api::FunctionConfiguration::builder()
            .function_name("orders-api")
            .function_arn("arn:aws:lambda:eu-west-1:123456789012:function:orders-api")
            .version("$LATEST")
            .revision_id("r-1")
            .code_sha256("abc=")
            .last_modified("2024-01-01T00:00:00.000+0000")
            .state(api::State::Active)
            .set_runtime(input.get_runtime().clone())
            .set_role(input.get_role().clone())
            .set_handler(input.get_handler().clone())
            .set_description(input.get_description().clone())
            .set_timeout(*input.get_timeout())
            .set_memory_size(*input.get_memory_size())
            .vpc_config(
                api::VpcConfigResponse::builder()
                    .set_subnet_ids(f.vpc_config.as_ref().and_then(|v| v.subnet_ids.clone()))
                    .set_security_group_ids(
                        f.vpc_config
                            .as_ref()
                            .and_then(|v| v.security_group_ids.clone()),
                    )
                    .ipv6_allowed_for_dual_stack(true)
                    .vpc_id("vpc-1")
                    .build(),
            )
            .set_package_type(input.get_package_type().clone())
            .set_dead_letter_config(input.get_dead_letter_config().clone())
            .environment(
                api::EnvironmentResponse::builder()
                    .set_variables(
                        input
                            .get_environment()
                            .as_ref()
                            .and_then(|e| e.variables.clone()),
                    )
                    .build(),
            )
            .set_kms_key_arn(input.get_kms_key_arn().clone())
            .tracing_config(
                api::TracingConfigResponse::builder()
                    .mode(TracingMode::Active)
                    .build(),
            )
            .set_layers(input.get_layers().as_ref().map(|ls| {
                ls.iter()
                    .map(|l| api::Layer::builder().arn(l).code_size(10).build())
                    .collect()
            }))
            .set_file_system_configs(input.get_file_system_configs().clone())
            .image_config_response(
                api::ImageConfigResponse::builder()
                    .set_image_config(input.get_image_config().clone())
                    .build(),
            )
            .set_architectures(input.get_architectures().clone())
            .set_ephemeral_storage(input.get_ephemeral_storage().clone())
            .snap_start(
                api::SnapStartResponse::builder()
                    .apply_on(SnapStartApplyOn::PublishedVersions)
                    .optimization_status(api::SnapStartOptimizationStatus::On)
                    .build(),
            )
            .set_logging_config(input.get_logging_config().clone())
            .set_tenancy_config(input.get_tenancy_config().clone())
            .set_capacity_provider_config(input.get_capacity_provider_config().clone())
            .set_durable_config(input.get_durable_config().clone())
            .build()
    }

    #[test]
    fn flatten_round_trips_every_configuration_field() {
        let tags = HashMap::from([
            ("team".to_string(), "orders".to_string()),
            ("aws:cloudformation:stack-name".to_string(), "s".to_string()),
        ]);
        let flat = flatten(&served_all_fields(), Some(&tags));
        let (served, _) = parse(&flat.to_string()).expect("flatten gives a valid definition");
        let mut declared = all_fields();
        for key in ["Code", "CodeSigningConfigArn", "Publish", "PublishTo"] {
            declared.as_object_mut().unwrap().remove(key);
        }
        assert_eq!(served, def(declared).without_defaults());
    }

    #[test]
    fn flatten_leaves_out_aws_defaults_and_computed_fields() {
        let served = api::FunctionConfiguration::builder()
            .function_name("orders-api")
            .role("arn:aws:iam::123456789012:role/r")
            .runtime(Runtime::Python312)
            .handler("app.handler")
            .description("")
            .timeout(3)
            .memory_size(128)
            .version("$LATEST")
            .code_sha256("abc=")
            .package_type(PackageType::Zip)
            .architectures(Architecture::X8664)
            .ephemeral_storage(api::EphemeralStorage::builder().size(512).build().unwrap())
            .tracing_config(
                api::TracingConfigResponse::builder()
                    .mode(TracingMode::PassThrough)
                    .build(),
            )
            .snap_start(
                api::SnapStartResponse::builder()
                    .apply_on(SnapStartApplyOn::None)
                    .build(),
            )
            .logging_config(
                api::LoggingConfig::builder()
                    .log_format(LogFormat::Text)
                    .log_group("/aws/lambda/orders-api")
                    .build(),
            )
            .vpc_config(api::VpcConfigResponse::builder().vpc_id("").build())
            .environment(
                api::EnvironmentResponse::builder()
                    .set_variables(Some(HashMap::new()))
                    .build(),
            )
            .build();
        assert_eq!(
            flatten(&served, Some(&HashMap::new())),
            def(minimal()).canonical_value()
        );
    }
}
