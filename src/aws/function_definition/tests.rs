//! Tests of the mapping onto the SDK.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_lambda::config::{BehaviorVersion, Region};
use aws_sdk_lambda::types::{
    ApplicationLogLevel, Architecture, DirectS3Read, LogFormat, SnapStartApplyOn, SystemLogLevel,
    TenantIsolationMode, TracingMode,
};
use serde_json::json;

use super::*;
use crate::model::definition::{self as definition, parse, tests::all_fields};
use crate::model::release::code_source;

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
    let source = code_source(&d, None).unwrap();
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
fn update_code_carries_the_image_and_the_architectures() {
    let request = update_code(
        &client(),
        &def(minimal()),
        &CodeSource::Image("1.dkr.ecr/x:1".into()),
    );
    let input = request.as_input();
    assert_eq!(input.get_publish(), &Some(false));
    assert_eq!(input.get_architectures(), &Some(vec![Architecture::X8664]));
    assert_eq!(input.get_image_uri().as_deref(), Some("1.dkr.ecr/x:1"));
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
    let flat = FunctionDefinition::from_served(flatten(&served_all_fields()));
    let (served, _) = parse(&flat.canonical_json()).expect("flatten gives a valid definition");
    let mut declared = all_fields();
    for key in [
        "Code",
        "CodeSigningConfigArn",
        "Publish",
        "PublishTo",
        "Tags",
    ] {
        declared.as_object_mut().unwrap().remove(key);
    }
    assert_eq!(served.without_defaults(), def(declared).without_defaults());
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
        FunctionDefinition::from_served(flatten(&served)).without_defaults(),
        def(minimal())
    );
}
