//! What AWS serves → the fields of a definition, one function per nested shape.

use aws_sdk_lambda::types as api;

use crate::model::definition::model;

/// A served configuration as CreateFunction fields, values as AWS reports them (defaults
/// included). AWS-computed fields (Version, RevisionId, CodeSha256, LastModified, State, VpcId,
/// …) have no CreateFunction field and are left out; so are `Code` (not part of a function's
/// configuration), `CodeSigningConfigArn` (its own API) and `Tags` (read separately).
pub fn flatten(config: &api::FunctionConfiguration) -> model::CreateFunctionJson {
    let name = config.function_name().map(str::to_string);
    model::CreateFunctionJson {
        function_name: name,
        runtime: config.runtime().map(|r| r.as_str().to_string()),
        role: config.role().map(str::to_string),
        handler: config.handler().map(str::to_string),
        description: config.description().map(str::to_string),
        timeout: config.timeout(),
        memory_size: config.memory_size(),
        vpc_config: config.vpc_config().map(flatten_vpc_config),
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
        tags: None,
        layers: config.layers.as_ref().map(|ls| {
            ls.iter()
                .filter_map(|l| l.arn().map(str::to_string))
                .collect()
        }),
        file_system_configs: config
            .file_system_configs
            .as_ref()
            .map(|fs| fs.iter().map(flatten_file_system_config).collect()),
        image_config: config
            .image_config_response()
            .and_then(|r| r.image_config())
            .map(flatten_image_config),
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
        logging_config: config.logging_config().map(flatten_logging_config),
        tenancy_config: config.tenancy_config().map(|t| model::TenancyConfig {
            tenant_isolation_mode: t.tenant_isolation_mode().as_str().to_string(),
        }),
        capacity_provider_config: config
            .capacity_provider_config()
            .map(flatten_capacity_provider_config),
        durable_config: config.durable_config().map(flatten_durable_config),
        code: None,
        code_signing_config_arn: None,
        publish: None,
        publish_to: None,
    }
}

fn flatten_vpc_config(v: &api::VpcConfigResponse) -> model::VpcConfig {
    model::VpcConfig {
        subnet_ids: v.subnet_ids.clone(),
        security_group_ids: v.security_group_ids.clone(),
        ipv6_allowed_for_dual_stack: v.ipv6_allowed_for_dual_stack(),
    }
}

fn flatten_file_system_config(c: &api::FileSystemConfig) -> model::FileSystemConfig {
    model::FileSystemConfig {
        arn: c.arn().to_string(),
        local_mount_path: c.local_mount_path().to_string(),
        s3_files_config: c.s3_files_config().map(|s| model::S3FilesConfig {
            direct_s3_read: s.direct_s3_read().map(|d| d.as_str().to_string()),
        }),
    }
}

fn flatten_image_config(i: &api::ImageConfig) -> model::ImageConfig {
    model::ImageConfig {
        entry_point: i.entry_point.clone(),
        command: i.command.clone(),
        working_directory: i.working_directory().map(str::to_string),
    }
}

fn flatten_logging_config(l: &api::LoggingConfig) -> model::LoggingConfig {
    model::LoggingConfig {
        log_format: l.log_format().map(|f| f.as_str().to_string()),
        application_log_level: l.application_log_level().map(|a| a.as_str().to_string()),
        system_log_level: l.system_log_level().map(|s| s.as_str().to_string()),
        log_group: l.log_group().map(str::to_string),
    }
}

fn flatten_capacity_provider_config(
    c: &api::CapacityProviderConfig,
) -> model::CapacityProviderConfig {
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
}

fn flatten_durable_config(d: &api::DurableConfig) -> model::DurableConfig {
    model::DurableConfig {
        kms_key_arn: d.kms_key_arn().map(str::to_string),
        retention_period_in_days: d.retention_period_in_days(),
        execution_timeout: d.execution_timeout(),
    }
}
