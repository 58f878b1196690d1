//! Plan-time checks: the documented Lambda limits and enum values that are cheap to know without
//! calling AWS. What only AWS can tell (does the role exist?) belongs to the apply's preflight.
//!
//! This file holds the known enum values and the checks of the configuration; `code.rs` checks
//! the code and what the package type requires.

mod code;

use super::errors::{DefinitionError, DefinitionWarning};
use super::model::CreateFunctionJson;
use code::{code, package_needs};

// Known values of aws-sdk-lambda 1.156's enums (`Runtime::values()` etc.); a test in
// `crate::aws::function_definition` keeps them equal to the SDK's.
pub const RUNTIMES: &[&str] = &[
    "dotnet10",
    "dotnet6",
    "dotnet8",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "go1.x",
    "java11",
    "java11.al2023",
    "java17",
    "java17.al2023",
    "java21",
    "java25",
    "java8",
    "java8.al2",
    "java8.al2023",
    "nodejs",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "nodejs18.x",
    "nodejs20.x",
    "nodejs22.x",
    "nodejs24.x",
    "nodejs26.x",
    "nodejs4.3",
    "nodejs4.3-edge",
    "nodejs6.10",
    "nodejs8.10",
    "provided",
    "provided.al2",
    "provided.al2023",
    "python2.7",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
    "python3.15",
    "python3.6",
    "python3.7",
    "python3.8",
    "python3.9",
    "ruby2.5",
    "ruby2.7",
    "ruby3.2",
    "ruby3.3",
    "ruby3.4",
    "ruby4.0",
];
pub const PACKAGE_TYPES: &[&str] = &["Image", "Zip"];
pub const ARCHITECTURES: &[&str] = &["arm64", "x86_64"];
pub const TRACING_MODES: &[&str] = &["Active", "PassThrough"];
pub const LOG_FORMATS: &[&str] = &["JSON", "Text"];
pub const APPLICATION_LOG_LEVELS: &[&str] = &["DEBUG", "ERROR", "FATAL", "INFO", "TRACE", "WARN"];
pub const SYSTEM_LOG_LEVELS: &[&str] = &["DEBUG", "INFO", "WARN"];
pub const SNAP_START_APPLY_ON: &[&str] = &["None", "PublishedVersions"];
pub const TENANT_ISOLATION_MODES: &[&str] = &["PER_TENANT"];
pub const S3_OBJECT_STORAGE_MODES: &[&str] = &["COPY", "REFERENCE"];
pub const DIRECT_S3_READ: &[&str] = &["AUTO", "DISABLED", "ENABLED"];
pub const PUBLISH_TO: &[&str] = &["LATEST_PUBLISHED"];

const MAX_LAYERS: usize = 5;

type Check = Result<(), DefinitionError>;

/// Every check of a definition; the first failing one is the error.
pub(crate) fn validate(def: &CreateFunctionJson) -> Check {
    function_name(def.function_name.as_deref())?;
    role(def.role.as_deref())?;
    basics(def)?;
    architectures_and_layers(def)?;
    nested_settings(def)?;
    file_systems_and_environment(def)?;
    code(def)?;
    package_needs(def)
}

/// The top-level enum values and limits: Runtime, PackageType, PublishTo, Timeout, MemorySize
/// and Description.
fn basics(def: &CreateFunctionJson) -> Check {
    one_of("Runtime", def.runtime.as_deref(), RUNTIMES)?;
    one_of("PackageType", def.package_type.as_deref(), PACKAGE_TYPES)?;
    one_of("PublishTo", def.publish_to.as_deref(), PUBLISH_TO)?;
    range("Timeout", def.timeout, 1, 900, "seconds")?;
    range("MemorySize", def.memory_size, 128, 10240, "MB")?;
    let description_length = def.description.as_ref().map(|d| d.chars().count());
    if let Some(length) = description_length.filter(|length| *length > 256) {
        return Err(DefinitionError::at(
            "Description",
            "Description is longer than 256 characters",
            format!("Lambda accepts at most 256 characters; this one has {length}. Shorten it."),
        ));
    }
    Ok(())
}

/// One architecture, and at most [`MAX_LAYERS`] layers.
fn architectures_and_layers(def: &CreateFunctionJson) -> Check {
    if let Some(archs) = &def.architectures {
        if archs.len() != 1 {
            return Err(DefinitionError::at(
                "Architectures",
                "Architectures must hold exactly one value",
                format!("Lambda functions run on one architecture: write [\"x86_64\"] or [\"arm64\"]; found {} values.", archs.len()),
            ));
        }
        one_of(
            "Architectures[0]",
            archs.first().map(String::as_str),
            ARCHITECTURES,
        )?;
    }
    match &def.layers {
        Some(layers) if layers.len() > MAX_LAYERS => Err(DefinitionError::at(
            "Layers",
            "Too many layers",
            format!(
                "A function can use at most {MAX_LAYERS} layers; found {}.",
                layers.len()
            ),
        )),
        _ => Ok(()),
    }
}

/// The enum values and limits inside TracingConfig, EphemeralStorage, SnapStart, LoggingConfig
/// and TenancyConfig.
fn nested_settings(def: &CreateFunctionJson) -> Check {
    if let Some(t) = &def.tracing_config {
        one_of("TracingConfig.Mode", t.mode.as_deref(), TRACING_MODES)?;
    }
    if let Some(e) = &def.ephemeral_storage {
        range("EphemeralStorage.Size", Some(e.size), 512, 10240, "MB")?;
    }
    if let Some(s) = &def.snap_start {
        one_of(
            "SnapStart.ApplyOn",
            s.apply_on.as_deref(),
            SNAP_START_APPLY_ON,
        )?;
    }
    if let Some(l) = &def.logging_config {
        one_of(
            "LoggingConfig.LogFormat",
            l.log_format.as_deref(),
            LOG_FORMATS,
        )?;
        one_of(
            "LoggingConfig.ApplicationLogLevel",
            l.application_log_level.as_deref(),
            APPLICATION_LOG_LEVELS,
        )?;
        one_of(
            "LoggingConfig.SystemLogLevel",
            l.system_log_level.as_deref(),
            SYSTEM_LOG_LEVELS,
        )?;
    }
    if let Some(t) = &def.tenancy_config {
        one_of(
            "TenancyConfig.TenantIsolationMode",
            Some(&t.tenant_isolation_mode),
            TENANT_ISOLATION_MODES,
        )?;
    }
    Ok(())
}

/// The S3 read mode of each file system, and the names of the environment variables.
fn file_systems_and_environment(def: &CreateFunctionJson) -> Check {
    for (i, fs) in def.file_system_configs.iter().flatten().enumerate() {
        if let Some(s3) = &fs.s3_files_config {
            one_of(
                &format!("FileSystemConfigs[{i}].S3FilesConfig.DirectS3Read"),
                s3.direct_s3_read.as_deref(),
                DIRECT_S3_READ,
            )?;
        }
    }
    if let Some(vars) = def.environment.as_ref().and_then(|e| e.variables.as_ref()) {
        for key in vars.keys() {
            env_key("Environment.Variables", key)?;
        }
    }
    Ok(())
}

pub(crate) fn warnings(def: &CreateFunctionJson) -> Vec<DefinitionWarning> {
    let ignored = |key: &str| DefinitionWarning {
        summary: format!("`{key}` in function_definition is ignored"),
        detail: format!(
            "The provider publishes a version for each deployment and rolls it out on the alias, \
             so it controls publishing itself. Remove `{key}` to silence this warning."
        ),
        key_path: Some(key.to_string()),
    };
    let mut out = Vec::new();
    if def.publish.is_some() {
        out.push(ignored("Publish"));
    }
    if def.publish_to.is_some() {
        out.push(ignored("PublishTo"));
    }
    out
}

/// Environment variable names: a letter, then letters, digits or underscores (Lambda's pattern).
pub(crate) fn env_key(parent: &str, key: &str) -> Check {
    let mut chars = key.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && key.len() >= 2
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        return Ok(());
    }
    Err(DefinitionError::at(
        &format!("{parent}.{key}"),
        format!("Invalid environment variable name `{key}`"),
        "Lambda variable names start with a letter and hold at least two characters, only \
         letters, digits and underscores. Rename the variable.",
    ))
}

fn function_name(name: Option<&str>) -> Check {
    let Some(name) = name else {
        return Err(DefinitionError::at(
            "FunctionName",
            "function_definition has no FunctionName",
            "Add \"FunctionName\": the name of the Lambda function this resource owns.",
        ));
    };
    if name.contains(':') {
        return Err(DefinitionError::at(
            "FunctionName",
            "FunctionName must be a plain name, not an ARN",
            format!(
                "The provider owns the function in the account and region it is configured for. \
                 Use the name alone (the part after `function:`), e.g. \"{}\".",
                name.split(':')
                    .skip_while(|part| *part != "function")
                    .nth(1)
                    .filter(|part| !part.is_empty())
                    .unwrap_or("my-function")
            ),
        ));
    }
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        return Ok(());
    }
    Err(DefinitionError::at(
        "FunctionName",
        format!("Invalid FunctionName `{name}`"),
        "A Lambda function name is 1 to 64 characters: letters, digits, hyphens and underscores.",
    ))
}

fn role(role: Option<&str>) -> Check {
    let Some(role) = role else {
        return Err(DefinitionError::at(
            "Role",
            "function_definition has no Role",
            "Add \"Role\": the ARN of the IAM execution role, e.g. \
             \"arn:aws:iam::123456789012:role/my-function-role\".",
        ));
    };
    let looks_like_role =
        role.starts_with("arn:") && role.contains(":iam::") && role.contains(":role/");
    if looks_like_role {
        return Ok(());
    }
    Err(DefinitionError::at(
        "Role",
        format!("Role `{role}` is not an IAM role ARN"),
        "Lambda needs the full ARN of the execution role, e.g. \
         \"arn:aws:iam::123456789012:role/my-function-role\" (an aws_iam_role's `arn`).",
    ))
}

fn one_of(key_path: &str, value: Option<&str>, allowed: &[&str]) -> Check {
    match value {
        Some(v) if !allowed.contains(&v) => Err(DefinitionError::at(
            key_path,
            format!("Unknown value `{v}` for {key_path}"),
            format!(
                "Allowed values: {}. Values are case-sensitive. If `{v}` is new in Lambda, a newer \
                 provider version may know it.",
                allowed.join(", ")
            ),
        )),
        _ => Ok(()),
    }
}

fn range(key_path: &str, value: Option<i32>, min: i32, max: i32, unit: &str) -> Check {
    match value {
        Some(v) if v < min || v > max => Err(DefinitionError::at(
            key_path,
            format!("{key_path} {v} is out of range"),
            format!("Lambda accepts {key_path} from {min} to {max} {unit}."),
        )),
        _ => Ok(()),
    }
}
