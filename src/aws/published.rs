//! PublishVersion answers with the new version's whole configuration, in a type of its own with
//! the fields of `FunctionConfiguration`: read as one, it verifies the version without reading it
//! again.

use aws_sdk_lambda::operation::publish_version::PublishVersionOutput;
use aws_sdk_lambda::types::FunctionConfiguration;

/// The configuration PublishVersion reported, as GetFunctionConfiguration would give it.
pub fn configuration(o: PublishVersionOutput) -> FunctionConfiguration {
    FunctionConfiguration::builder()
        .set_function_name(o.function_name)
        .set_function_arn(o.function_arn)
        .set_runtime(o.runtime)
        .set_role(o.role)
        .set_handler(o.handler)
        .set_code_size(Some(o.code_size))
        .set_description(o.description)
        .set_timeout(o.timeout)
        .set_memory_size(o.memory_size)
        .set_last_modified(o.last_modified)
        .set_code_sha256(o.code_sha256)
        .set_version(o.version)
        .set_vpc_config(o.vpc_config)
        .set_dead_letter_config(o.dead_letter_config)
        .set_environment(o.environment)
        .set_kms_key_arn(o.kms_key_arn)
        .set_tracing_config(o.tracing_config)
        .set_master_arn(o.master_arn)
        .set_revision_id(o.revision_id)
        .set_layers(o.layers)
        .set_state(o.state)
        .set_state_reason(o.state_reason)
        .set_state_reason_code(o.state_reason_code)
        .set_last_update_status(o.last_update_status)
        .set_last_update_status_reason(o.last_update_status_reason)
        .set_last_update_status_reason_code(o.last_update_status_reason_code)
        .set_file_system_configs(o.file_system_configs)
        .set_signing_profile_version_arn(o.signing_profile_version_arn)
        .set_signing_job_arn(o.signing_job_arn)
        .set_package_type(o.package_type)
        .set_image_config_response(o.image_config_response)
        .set_architectures(o.architectures)
        .set_ephemeral_storage(o.ephemeral_storage)
        .set_snap_start(o.snap_start)
        .set_runtime_version_config(o.runtime_version_config)
        .set_logging_config(o.logging_config)
        .set_tenancy_config(o.tenancy_config)
        .set_capacity_provider_config(o.capacity_provider_config)
        .set_config_sha256(o.config_sha256)
        .set_durable_config(o.durable_config)
        .build()
}
