//! The nested API shapes of a definition (VpcConfig, Environment, LoggingConfig, …), one
//! function per shape, shared by CreateFunction and UpdateFunctionConfiguration.

use aws_sdk_lambda::error::BuildError;
use aws_sdk_lambda::types::{
    self as api, ApplicationLogLevel, Architecture, DirectS3Read, LogFormat, SnapStartApplyOn,
    SystemLogLevel, TenantIsolationMode, TracingMode,
};

use crate::model::definition::{aws_default, model};

pub(super) fn expand_vpc_config(v: &model::VpcConfig) -> api::VpcConfig {
    api::VpcConfig::builder()
        .set_subnet_ids(v.subnet_ids.clone())
        .set_security_group_ids(v.security_group_ids.clone())
        .set_ipv6_allowed_for_dual_stack(v.ipv6_allowed_for_dual_stack)
        .build()
}

pub(super) fn expand_dead_letter_config(d: &model::DeadLetterConfig) -> api::DeadLetterConfig {
    api::DeadLetterConfig::builder()
        .set_target_arn(d.target_arn.clone())
        .build()
}

pub(super) fn expand_environment(
    vars: std::collections::BTreeMap<String, String>,
) -> api::Environment {
    api::Environment::builder()
        .set_variables(Some(vars.into_iter().collect()))
        .build()
}

pub(super) fn expand_tracing_config(mode: Option<&str>) -> api::TracingConfig {
    let mode = mode.unwrap_or(aws_default::TRACING_MODE);
    api::TracingConfig::builder()
        .mode(TracingMode::from(mode))
        .build()
}

pub(super) fn expand_file_system_configs(
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

pub(super) fn expand_image_config(i: &model::ImageConfig) -> api::ImageConfig {
    api::ImageConfig::builder()
        .set_entry_point(i.entry_point.clone())
        .set_command(i.command.clone())
        .set_working_directory(i.working_directory.clone())
        .build()
}

pub(super) fn expand_architectures(archs: &[String]) -> Vec<Architecture> {
    archs
        .iter()
        .map(|a| Architecture::from(a.as_str()))
        .collect()
}

pub(super) fn expand_ephemeral_storage(size: i32) -> Result<api::EphemeralStorage, BuildError> {
    api::EphemeralStorage::builder().size(size).build()
}

pub(super) fn expand_snap_start(apply_on: Option<&str>) -> api::SnapStart {
    let apply_on = apply_on.unwrap_or(aws_default::SNAP_START_APPLY_ON);
    api::SnapStart::builder()
        .apply_on(SnapStartApplyOn::from(apply_on))
        .build()
}

/// Absent format and group are sent as their defaults, so removing them reverts; levels only
/// apply to JSON logs (Lambda rejects them with Text), where absent means INFO.
pub(super) fn expand_logging_config(
    l: &model::LoggingConfig,
    function_name: &str,
) -> api::LoggingConfig {
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

pub(super) fn expand_tenancy_config(
    t: &model::TenancyConfig,
) -> Result<api::TenancyConfig, BuildError> {
    api::TenancyConfig::builder()
        .tenant_isolation_mode(TenantIsolationMode::from(t.tenant_isolation_mode.as_str()))
        .build()
}

pub(super) fn expand_capacity_provider_config(
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

pub(super) fn expand_durable_config(d: &model::DurableConfig) -> api::DurableConfig {
    api::DurableConfig::builder()
        .set_kms_key_arn(d.kms_key_arn.clone())
        .set_retention_period_in_days(d.retention_period_in_days)
        .set_execution_timeout(d.execution_timeout)
        .build()
}
