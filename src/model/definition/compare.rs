//! What a change to the definition asks of Lambda: new code, a new configuration, new tags, a
//! new function, or a change it cannot make in place.

use super::FunctionDefinition;

/// Which parts of the function differ between two definitions.
///
/// Compared on the effective values: `sensitive_environment` merged in, AWS defaults dropped
/// (adding `"Timeout": 3` changes nothing Lambda serves), `Publish`/`PublishTo` ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// `Code` or `Architectures` (both travel with UpdateFunctionCode).
    pub code: bool,
    /// Anything UpdateFunctionConfiguration carries (plus `CodeSigningConfigArn`, which has its own
    /// call): a deployment.
    pub configuration: bool,
    /// `Tags`: applied in place, not versioned.
    pub tags: bool,
    /// `Role` or `DeadLetterConfig`: also `configuration`; flagged so the preflight checks them.
    pub role_or_dlq: bool,
    /// `FunctionName`: a different function, so a replacement.
    pub function_name: bool,
    /// Keys AWS cannot update in place (`PackageType`, `TenancyConfig`): a plan-time error.
    pub immutable: Vec<&'static str>,
}

impl ChangeSet {
    /// A new version has to be published and rolled out.
    pub fn is_deployment(&self) -> bool {
        self.code || self.configuration
    }

    pub fn is_empty(&self) -> bool {
        *self == ChangeSet::default()
    }
}

enum Category {
    Code,
    Configuration,
    RoleOrDlq,
    Tags,
    FunctionName,
    Immutable(&'static str),
    Ignored,
}

fn category(key: &str) -> Category {
    match key {
        "Code" | "Architectures" => Category::Code,
        "Tags" => Category::Tags,
        "FunctionName" => Category::FunctionName,
        "Role" | "DeadLetterConfig" => Category::RoleOrDlq,
        "PackageType" => Category::Immutable("PackageType"),
        "TenancyConfig" => Category::Immutable("TenancyConfig"),
        "Publish" | "PublishTo" => Category::Ignored,
        // Everything else, including keys added to the model later: a new version is the safe
        // reading of a change we have not classified.
        _ => Category::Configuration,
    }
}

pub fn compare(old: &FunctionDefinition, new: &FunctionDefinition) -> ChangeSet {
    let (old, new) = (old.effective_value(), new.effective_value());
    let empty = serde_json::Map::new();
    let old = old.as_object().unwrap_or(&empty);
    let new = new.as_object().unwrap_or(&empty);
    let mut changes = ChangeSet::default();
    for key in old
        .keys()
        .chain(new.keys().filter(|k| !old.contains_key(*k)))
    {
        if old.get(key) == new.get(key) {
            continue;
        }
        match category(key) {
            Category::Code => changes.code = true,
            Category::Configuration => changes.configuration = true,
            Category::RoleOrDlq => {
                changes.role_or_dlq = true;
                changes.configuration = true;
            }
            Category::Tags => changes.tags = true,
            Category::FunctionName => changes.function_name = true,
            Category::Immutable(name) => changes.immutable.push(name),
            Category::Ignored => {}
        }
    }
    changes
}

/// Used by tests to prove every key of the model is classified on purpose.
#[cfg(test)]
pub(crate) fn is_classified(key: &str) -> bool {
    const CONFIGURATION: &[&str] = &[
        "Runtime",
        "Handler",
        "Description",
        "Timeout",
        "MemorySize",
        "VpcConfig",
        "Environment",
        "KMSKeyArn",
        "TracingConfig",
        "Layers",
        "FileSystemConfigs",
        "CodeSigningConfigArn",
        "ImageConfig",
        "EphemeralStorage",
        "SnapStart",
        "LoggingConfig",
        "CapacityProviderConfig",
        "DurableConfig",
    ];
    !matches!(category(key), Category::Configuration) || CONFIGURATION.contains(&key)
}
