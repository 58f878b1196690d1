use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::*;

/// Every top-level key of CreateFunction, and every nested one.
pub(crate) fn all_fields() -> Value {
    json!({
        "FunctionName": "orders-api",
        "Runtime": "python3.12",
        "Role": "arn:aws:iam::123456789012:role/orders-api",
        "Handler": "app.handler",
        "Code": {
            "S3Bucket": "artifacts", "S3Key": "orders/app.zip", "S3ObjectVersion": "v1",
            "S3ObjectStorageMode": "COPY",
            "SourceKMSKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/source"
        },
        "Description": "Orders API",
        "Timeout": 30,
        "MemorySize": 512,
        "Publish": true,
        "PublishTo": "LATEST_PUBLISHED",
        "VpcConfig": {
            "SubnetIds": ["subnet-b", "subnet-a"],
            "SecurityGroupIds": ["sg-2", "sg-1"],
            "Ipv6AllowedForDualStack": true
        },
        "PackageType": "Zip",
        "DeadLetterConfig": { "TargetArn": "arn:aws:sqs:eu-west-1:123456789012:dlq" },
        "Environment": { "Variables": { "STAGE": "prod", "LOG_LEVEL": "info" } },
        "KMSKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/env",
        "TracingConfig": { "Mode": "Active" },
        "Tags": { "team": "orders" },
        "Layers": ["arn:aws:lambda:eu-west-1:123456789012:layer:a:1", "arn:aws:lambda:eu-west-1:123456789012:layer:b:2"],
        "FileSystemConfigs": [{
            "Arn": "arn:aws:elasticfilesystem:eu-west-1:123456789012:access-point/fsap-1",
            "LocalMountPath": "/mnt/data",
            "S3FilesConfig": { "DirectS3Read": "AUTO" }
        }],
        "CodeSigningConfigArn": "arn:aws:lambda:eu-west-1:123456789012:code-signing-config:csc-1",
        "ImageConfig": { "EntryPoint": ["/entry"], "Command": ["app.handler"], "WorkingDirectory": "/app" },
        "Architectures": ["arm64"],
        "EphemeralStorage": { "Size": 1024 },
        "SnapStart": { "ApplyOn": "PublishedVersions" },
        "LoggingConfig": {
            "LogFormat": "JSON", "ApplicationLogLevel": "DEBUG", "SystemLogLevel": "WARN",
            "LogGroup": "/custom/orders"
        },
        "TenancyConfig": { "TenantIsolationMode": "PER_TENANT" },
        "CapacityProviderConfig": { "LambdaManagedInstancesCapacityProviderConfig": {
            "CapacityProviderArn": "arn:aws:lambda:eu-west-1:123456789012:capacity-provider:cp",
            "PerExecutionEnvironmentMaxConcurrency": 10,
            "ExecutionEnvironmentMemoryGiBPerVCpu": 2.0
        }},
        "DurableConfig": {
            "KMSKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/durable",
            "RetentionPeriodInDays": 7, "ExecutionTimeout": 3600
        }
    })
}

fn minimal() -> Value {
    json!({
        "FunctionName": "orders-api",
        "Role": "arn:aws:iam::123456789012:role/orders-api",
        "Runtime": "python3.12",
        "Handler": "app.handler"
    })
}

fn with(mut base: Value, key: &str, value: Value) -> Value {
    base[key] = value;
    base
}

fn ok(v: &Value) -> FunctionDefinition {
    match parse(&v.to_string()) {
        Ok((def, _)) => def,
        Err(e) => panic!("expected a valid definition, got {e:?}"),
    }
}

fn err(v: &str) -> DefinitionError {
    match parse(v) {
        Ok(_) => panic!("expected an error for {v}"),
        Err(e) => e,
    }
}

#[test]
fn accepts_every_field_and_keeps_it_in_canonical_json() {
    let input = all_fields();
    let (def, warnings) = parse(&input.to_string()).unwrap();
    let canonical: Value = serde_json::from_str(&def.canonical_json()).unwrap();
    let mut expected = input.clone();
    expected["VpcConfig"]["SubnetIds"] = json!(["subnet-a", "subnet-b"]);
    expected["VpcConfig"]["SecurityGroupIds"] = json!(["sg-1", "sg-2"]);
    assert_eq!(canonical, expected, "no field lost or renamed");
    let keys: Vec<&str> = warnings
        .iter()
        .filter_map(|w| w.key_path.as_deref())
        .collect();
    assert_eq!(keys, ["Publish", "PublishTo"]);
    for key in input.as_object().unwrap().keys() {
        assert!(compare::is_classified(key), "{key} has no change category");
    }
}

#[test]
fn accessors() {
    let mut def = ok(&all_fields());
    assert_eq!(def.function_name(), "orders-api");
    assert_eq!(def.role(), "arn:aws:iam::123456789012:role/orders-api");
    assert_eq!(def.package_type(), "Zip");
    assert_eq!(
        def.tenancy_config().as_deref(),
        Some(r#"{"TenantIsolationMode":"PER_TENANT"}"#)
    );
    assert_eq!(
        def.dead_letter_target(),
        Some("arn:aws:sqs:eu-west-1:123456789012:dlq")
    );
    assert_eq!(
        def.tags(),
        BTreeMap::from([("team".to_string(), "orders".to_string())])
    );
    assert_eq!(
        def.code().and_then(|c| c.s3_key.as_deref()),
        Some("orders/app.zip")
    );
    assert!(def.has_code());
    def.merge_sensitive_environment(&BTreeMap::from([("DB_PASSWORD".into(), "hunter2".into())]))
        .unwrap();
    let env = def.env_vars();
    assert_eq!(env.get("STAGE"), Some("prod"));
    assert_eq!(env.get("DB_PASSWORD"), Some("hunter2"));
    assert_eq!(env.len(), 3);
    assert!(!ok(&minimal()).has_code());
    assert_eq!(ok(&minimal()).package_type(), "Zip");
}

#[test]
fn canonical_json_ignores_key_order_spacing_and_id_order() {
    let a = r#"{"FunctionName":"f","Role":"arn:aws:iam::1:role/r","Runtime":"python3.12","Handler":"h",
        "VpcConfig":{"SubnetIds":["s-1","s-2"],"SecurityGroupIds":["g-1","g-2"]}}"#;
    let b = r#"{ "VpcConfig" : { "SecurityGroupIds" : [ "g-2", "g-1" ], "SubnetIds" : [ "s-2", "s-1" ] },
        "Handler": "h", "Runtime": "python3.12",
        "Role": "arn:aws:iam::1:role/r", "FunctionName": "f" }"#;
    let (a, _) = parse(a).unwrap();
    let (b, _) = parse(b).unwrap();
    assert_eq!(a.canonical_json(), b.canonical_json());
    assert_eq!(a, b);
    assert!(a
        .canonical_json()
        .starts_with(r#"{"FunctionName":"f","Handler":"h","Role":"#));
}

#[test]
fn list_order_matters_for_layers() {
    let a = with(minimal(), "Layers", json!(["arn:l:1", "arn:l:2"]));
    let b = with(minimal(), "Layers", json!(["arn:l:2", "arn:l:1"]));
    assert_ne!(ok(&a), ok(&b));
    assert!(compare(&ok(&a), &ok(&b)).configuration);
}

#[test]
fn unknown_keys_are_named_with_their_path() {
    let e = err(&with(minimal(), "Timeot", json!(3)).to_string());
    assert_eq!(e.key_path.as_deref(), Some("Timeot"));
    assert!(e.summary.contains("Timeot"));
    assert!(e.detail.contains("newer provider version"), "{}", e.detail);

    let e = err(&with(minimal(), "VpcConfig", json!({"SubnetIdz": []})).to_string());
    assert_eq!(e.key_path.as_deref(), Some("VpcConfig.SubnetIdz"));
    assert!(
        e.detail.contains("SubnetIds"),
        "lists the known keys: {}",
        e.detail
    );

    let e = err(&with(
        minimal(),
        "FileSystemConfigs",
        json!([{"Arn": "a", "LocalMountPath": "/mnt/x", "Mode": 1}]),
    )
    .to_string());
    assert_eq!(e.key_path.as_deref(), Some("FileSystemConfigs[0].Mode"));
}

#[test]
fn wrong_types_name_the_key_and_the_expected_type() {
    let e = err(&with(minimal(), "Timeout", json!("30")).to_string());
    assert_eq!(e.key_path.as_deref(), Some("Timeout"));
    assert!(e.detail.contains("a whole number"), "{}", e.detail);

    let e = err(&with(minimal(), "Layers", json!("arn:l:1")).to_string());
    assert_eq!(e.key_path.as_deref(), Some("Layers"));
    assert!(e.detail.contains("list"), "{}", e.detail);

    let e = err(&with(minimal(), "Environment", json!({"Variables": {"A1": 5}})).to_string());
    assert_eq!(e.key_path.as_deref(), Some("Environment.Variables.A1"));
    assert!(e.detail.contains("a string"), "{}", e.detail);

    let e = err(&with(minimal(), "EphemeralStorage", json!({})).to_string());
    assert_eq!(e.key_path.as_deref(), Some("EphemeralStorage.Size"));

    let e = err(r#"{"Timeout": 3, "Timeout": 4}"#);
    assert_eq!(e.key_path.as_deref(), Some("Timeout"));
    assert!(e.summary.contains("more than once"));

    let e = err("[1, 2]");
    assert!(e.summary.contains("JSON object"), "{}", e.summary);
    let e = err(&with(
        minimal(),
        "VpcConfig",
        json!([["subnet-1"], ["sg-1"], true]),
    )
    .to_string());
    assert_eq!(
        e.key_path.as_deref(),
        Some("VpcConfig"),
        "no positional objects"
    );
    let e = err(&with(minimal(), "FileSystemConfigs", json!([["arn", "/mnt/x"]])).to_string());
    assert_eq!(e.key_path.as_deref(), Some("FileSystemConfigs[0]"));
}

#[test]
fn invalid_json_names_line_and_column() {
    let e = err("{\n  \"FunctionName\": \"f\",\n  \"Role\" \"x\"\n}");
    assert!(e.summary.contains("not valid JSON"));
    assert!(e.detail.contains("line 3"), "{}", e.detail);
    assert!(e.detail.contains("column"), "{}", e.detail);
    let e = err(&format!("{} trailing", minimal()));
    assert!(e.summary.contains("not valid JSON"));
}

#[test]
fn function_name_and_role_are_required() {
    let mut no_name = minimal();
    no_name.as_object_mut().unwrap().remove("FunctionName");
    assert_eq!(
        err(&no_name.to_string()).key_path.as_deref(),
        Some("FunctionName")
    );
    let mut no_role = minimal();
    no_role.as_object_mut().unwrap().remove("Role");
    let e = err(&no_role.to_string());
    assert_eq!(e.key_path.as_deref(), Some("Role"));
    assert!(e.summary.contains("Role"));
}

#[test]
fn function_name_must_be_a_plain_name() {
    let e = err(&with(
        minimal(),
        "FunctionName",
        json!("arn:aws:lambda:eu-west-1:123456789012:function:orders:prod"),
    )
    .to_string());
    assert!(e.summary.contains("not an ARN"));
    assert!(e.detail.contains("\"orders\""), "{}", e.detail);
    for bad in ["", "has space", &"x".repeat(65)] {
        assert_eq!(
            err(&with(minimal(), "FunctionName", json!(bad)).to_string())
                .key_path
                .as_deref(),
            Some("FunctionName")
        );
    }
    ok(&with(minimal(), "FunctionName", json!("x".repeat(64))));
}

#[test]
fn documented_limits() {
    let cases = [
        ("Timeout", json!(0), "Timeout"),
        ("Timeout", json!(901), "Timeout"),
        ("MemorySize", json!(127), "MemorySize"),
        ("MemorySize", json!(10241), "MemorySize"),
        (
            "EphemeralStorage",
            json!({"Size": 511}),
            "EphemeralStorage.Size",
        ),
        (
            "EphemeralStorage",
            json!({"Size": 10241}),
            "EphemeralStorage.Size",
        ),
        ("Description", json!("d".repeat(257)), "Description"),
        ("Architectures", json!(["x86_64", "arm64"]), "Architectures"),
        ("Architectures", json!([]), "Architectures"),
        ("Layers", json!(["1", "2", "3", "4", "5", "6"]), "Layers"),
        ("Role", json!("orders-role"), "Role"),
    ];
    for (key, value, path) in cases {
        let e = err(&with(minimal(), key, value.clone()).to_string());
        assert_eq!(e.key_path.as_deref(), Some(path), "{key} = {value}");
    }
    for (key, value) in [
        ("Timeout", json!(900)),
        ("MemorySize", json!(10240)),
        ("Description", json!("d".repeat(256))),
    ] {
        ok(&with(minimal(), key, value));
    }
}

#[test]
fn enum_values_are_checked_and_listed() {
    let e = err(&with(minimal(), "Runtime", json!("python9")).to_string());
    assert_eq!(e.key_path.as_deref(), Some("Runtime"));
    assert!(e.detail.contains("python3.12"), "{}", e.detail);
    let e = err(&with(minimal(), "TracingConfig", json!({"Mode": "active"})).to_string());
    assert_eq!(e.key_path.as_deref(), Some("TracingConfig.Mode"));
    assert!(e.detail.contains("Active, PassThrough"));
    let e = err(&with(minimal(), "Architectures", json!(["amd64"])).to_string());
    assert_eq!(e.key_path.as_deref(), Some("Architectures[0]"));
    let e = err(&with(minimal(), "LoggingConfig", json!({"LogFormat": "XML"})).to_string());
    assert_eq!(e.key_path.as_deref(), Some("LoggingConfig.LogFormat"));
}

#[test]
fn code_must_have_exactly_one_source_fitting_the_package() {
    let two = with(
        minimal(),
        "Code",
        json!({"ZipFile": "UEsDBA==", "ImageUri": "x"}),
    );
    assert_eq!(err(&two.to_string()).key_path.as_deref(), Some("Code"));
    let half = with(minimal(), "Code", json!({"S3Bucket": "b"}));
    assert_eq!(
        err(&half.to_string()).key_path.as_deref(),
        Some("Code.S3Key")
    );
    let bad_zip = with(minimal(), "Code", json!({"ZipFile": "not base64!"}));
    assert_eq!(
        err(&bad_zip.to_string()).key_path.as_deref(),
        Some("Code.ZipFile")
    );
    let image_in_zip = with(minimal(), "Code", json!({"ImageUri": "123.dkr.ecr/x:1"}));
    assert_eq!(
        err(&image_in_zip.to_string()).key_path.as_deref(),
        Some("PackageType")
    );
    let image = json!({"FunctionName": "f", "Role": "arn:aws:iam::1:role/r", "PackageType": "Image",
        "Code": {"ImageUri": "123.dkr.ecr/x:1"}});
    assert!(ok(&image).is_image());
    let image_runtime = with(image, "Runtime", json!("python3.12"));
    assert_eq!(
        err(&image_runtime.to_string()).key_path.as_deref(),
        Some("Runtime")
    );
    let mut no_handler = minimal();
    no_handler.as_object_mut().unwrap().remove("Handler");
    assert_eq!(
        err(&no_handler.to_string()).key_path.as_deref(),
        Some("Handler")
    );
}

#[test]
fn compare_classifies_each_kind_of_change() {
    let base = ok(&all_fields());
    let changed = |key: &str, value: Value| compare(&base, &ok(&with(all_fields(), key, value)));

    let tags = changed("Tags", json!({"team": "payments"}));
    assert_eq!(
        tags,
        ChangeSet {
            tags: true,
            ..Default::default()
        }
    );
    assert!(!tags.is_deployment());

    let code = changed(
        "Code",
        json!({"S3Bucket": "artifacts", "S3Key": "orders/app2.zip"}),
    );
    assert_eq!(
        code,
        ChangeSet {
            code: true,
            ..Default::default()
        }
    );
    assert!(changed("Architectures", json!(["x86_64"])).code);

    let config = changed("Timeout", json!(60));
    assert_eq!(
        config,
        ChangeSet {
            configuration: true,
            ..Default::default()
        }
    );
    assert!(config.is_deployment());

    let role = changed("Role", json!("arn:aws:iam::123456789012:role/other"));
    assert_eq!(
        role,
        ChangeSet {
            configuration: true,
            role_or_dlq: true,
            ..Default::default()
        }
    );
    assert!(
        changed(
            "DeadLetterConfig",
            json!({"TargetArn": "arn:aws:sns:eu-west-1:1:t"})
        )
        .role_or_dlq
    );

    assert!(changed("FunctionName", json!("orders-api-2")).function_name);
    let mut image = with(all_fields(), "PackageType", json!("Image"));
    image["Code"] = json!({"ImageUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:1"});
    for key in ["Runtime", "Handler", "Layers"] {
        image.as_object_mut().unwrap().remove(key);
    }
    assert_eq!(compare(&base, &ok(&image)).immutable, ["PackageType"]);
    let tenancy_removed = compare(
        &base,
        &ok(&{
            let mut v = all_fields();
            v.as_object_mut().unwrap().remove("TenancyConfig");
            v
        }),
    );
    assert_eq!(tenancy_removed.immutable, ["TenancyConfig"]);

    assert!(
        changed("Publish", json!(false)).is_empty(),
        "Publish is ignored"
    );
    assert!(compare(&base, &base.clone()).is_empty());
}

#[test]
fn compare_treats_aws_defaults_as_absent() {
    let explicit = with(
        with(minimal(), "Timeout", json!(3)),
        "TracingConfig",
        json!({"Mode": "PassThrough"}),
    );
    assert!(compare(&ok(&minimal()), &ok(&explicit)).is_empty());
    assert_ne!(
        ok(&minimal()),
        ok(&explicit),
        "the declared text still differs"
    );
    let log = with(
        minimal(),
        "LoggingConfig",
        json!({"LogFormat": "Text", "LogGroup": "/aws/lambda/orders-api"}),
    );
    assert!(compare(&ok(&minimal()), &ok(&log)).is_empty());
    assert_eq!(ok(&explicit).without_defaults(), ok(&minimal()));
}

#[test]
fn sensitive_environment_is_merged_compared_but_never_shown() {
    let mut def = ok(&with(
        minimal(),
        "Environment",
        json!({"Variables": {"STAGE": "prod"}}),
    ));
    let secret = "s3cr3t-value";
    let conflict = BTreeMap::from([("STAGE".to_string(), secret.to_string())]);
    let e = def.merge_sensitive_environment(&conflict).unwrap_err();
    assert!(e.summary.contains("STAGE"));
    assert!(!format!("{e:?}{e}").contains(secret));
    let bad_name = BTreeMap::from([("1X".to_string(), secret.to_string())]);
    let e = def.merge_sensitive_environment(&bad_name).unwrap_err();
    assert!(!format!("{e:?}{e}").contains(secret));

    let before = def.clone();
    def.merge_sensitive_environment(&BTreeMap::from([(
        "DB_PASSWORD".to_string(),
        secret.to_string(),
    )]))
    .unwrap();
    assert!(!format!("{def:?}").contains(secret));
    assert!(!format!("{:?}", def.env_vars()).contains(secret));
    assert!(
        !def.canonical_json().contains(secret),
        "the state never stores it"
    );
    assert_eq!(def.sensitive_keys().collect::<Vec<_>>(), ["DB_PASSWORD"]);

    let changes = compare(&before, &def);
    assert_eq!(
        changes,
        ChangeSet {
            configuration: true,
            ..Default::default()
        }
    );
    let mut rotated = def.clone();
    rotated
        .merge_sensitive_environment(&BTreeMap::from([(
            "DB_PASSWORD".to_string(),
            "other".to_string(),
        )]))
        .unwrap();
    assert!(compare(&def, &rotated).configuration);
}

#[test]
fn debug_shortens_zip_file() {
    let def = ok(&with(
        minimal(),
        "Code",
        json!({"ZipFile": "UEsDBAoAAAAAAA=="}),
    ));
    let shown = format!("{def:?}");
    assert!(shown.contains("<16 base64 characters>"), "{shown}");
}
