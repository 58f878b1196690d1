//! The `function_definition` argument: the JSON of a Lambda CreateFunction request.
//!
//! Pure: no AWS SDK here (`crate::aws::function_definition` maps it onto aws-sdk-lambda).
//! - `model`: the typed request, one struct per API shape, unknown keys refused;
//! - `validate`: limits and enum values checked at plan time;
//! - `canonical`: the normal form stored in state and compared, and the AWS defaults;
//! - `compare`: which kind of change (code, configuration, tags, …) two definitions differ by.
//!
//! `sensitive_environment` values are merged in beside the model, never into it: they stay out of
//! the canonical JSON (and so out of the state's `function_definition`), out of `Debug` and out of
//! every error text.

mod canonical;
mod compare;
mod errors;
pub mod model;
mod validate;

#[cfg(test)]
pub(crate) mod tests;

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use super::secrets::Secrets;

pub use canonical::aws_default;
pub use compare::{compare, ChangeSet};
pub use errors::{DefinitionError, DefinitionWarning};
pub use model::{Code, CreateFunctionJson};
pub use validate::{
    APPLICATION_LOG_LEVELS, ARCHITECTURES, DIRECT_S3_READ, LOG_FORMATS, PACKAGE_TYPES, PUBLISH_TO,
    RUNTIMES, S3_OBJECT_STORAGE_MODES, SNAP_START_APPLY_ON, SYSTEM_LOG_LEVELS,
    TENANT_ISOLATION_MODES, TRACING_MODES,
};

/// A validated `function_definition`, possibly with `sensitive_environment` merged in.
///
/// Equality is equality of the canonical JSON: key order, spacing and the order of subnet and
/// security group ids do not matter; sensitive values are not part of it (Terraform compares the
/// `sensitive_environment` attribute itself).
#[derive(Clone)]
pub struct FunctionDefinition {
    fields: CreateFunctionJson,
    sensitive: BTreeMap<String, String>,
}

/// Parses and validates a `function_definition`. Warnings are for keys accepted but ignored.
pub fn parse(json: &str) -> Result<(FunctionDefinition, Vec<DefinitionWarning>), DefinitionError> {
    let written: Value =
        serde_json::from_str(json).map_err(|e| errors::from_json_error(".", &e))?;
    if !written.is_object() {
        return Err(errors::not_an_object("", &written));
    }
    let mut de = serde_json::Deserializer::from_str(json);
    let fields: CreateFunctionJson =
        serde_path_to_error::deserialize(&mut de).map_err(errors::from_serde)?;
    // serde also reads a struct from a positional array; the API only takes objects.
    errors::objects_where_expected(&written, &canonical::to_canonical_value(&fields), "")?;
    validate::validate(&fields)?;
    let warnings = validate::warnings(&fields);
    Ok((
        FunctionDefinition {
            fields,
            sensitive: BTreeMap::new(),
        },
        warnings,
    ))
}

impl FunctionDefinition {
    /// Wraps fields read from AWS (import, adoption) without validating them: AWS served them.
    pub fn from_served(fields: CreateFunctionJson) -> Self {
        FunctionDefinition {
            fields,
            sensitive: BTreeMap::new(),
        }
    }

    /// The typed request as declared (without sensitive values).
    pub fn fields(&self) -> &CreateFunctionJson {
        &self.fields
    }

    /// The normal form: sorted keys, compact, subnet and security group ids sorted.
    pub fn canonical_json(&self) -> String {
        self.canonical_value().to_string()
    }

    pub fn canonical_value(&self) -> Value {
        canonical::to_canonical_value(&self.fields)
    }

    /// The same definition with every key equal to the AWS default removed (and `Publish`,
    /// `PublishTo`): the shape `flatten` gives for a served function.
    pub fn without_defaults(&self) -> FunctionDefinition {
        FunctionDefinition {
            fields: canonical::without_defaults(self.fields.clone()),
            sensitive: self.sensitive.clone(),
        }
    }

    pub fn function_name(&self) -> &str {
        self.fields.function_name.as_deref().unwrap_or_default()
    }

    pub fn role(&self) -> &str {
        self.fields.role.as_deref().unwrap_or_default()
    }

    /// `Zip` unless the definition says `Image`.
    pub fn package_type(&self) -> &str {
        self.fields
            .package_type
            .as_deref()
            .unwrap_or(aws_default::PACKAGE_TYPE)
    }

    pub fn is_image(&self) -> bool {
        self.package_type() == "Image"
    }

    /// `TenancyConfig` as canonical JSON, to compare or store.
    pub fn tenancy_config(&self) -> Option<String> {
        let tenancy = self.fields.tenancy_config.as_ref()?;
        serde_json::to_value(tenancy).ok().map(|v| v.to_string())
    }

    /// The dead-letter queue or topic, when one is set.
    pub fn dead_letter_target(&self) -> Option<&str> {
        let arn = self
            .fields
            .dead_letter_config
            .as_ref()?
            .target_arn
            .as_deref()?;
        (!arn.is_empty()).then_some(arn)
    }

    /// The definition without its environment variables, and those variables: an imported
    /// function's values must not end up in the (non-sensitive) definition text.
    pub fn split_environment(mut self) -> (FunctionDefinition, BTreeMap<String, String>) {
        let vars = self.env_vars().into_map();
        self.fields.environment = None;
        self.sensitive.clear();
        (self, vars)
    }

    /// The code-signing configuration the definition asks for (an empty value is none).
    pub fn code_signing_config_arn(&self) -> Option<&str> {
        let arn = self.fields.code_signing_config_arn.as_deref()?;
        (!arn.is_empty()).then_some(arn)
    }

    /// The same definition without a code-signing configuration, to compare with what a version
    /// serves (that configuration is the function's, read with a call of its own).
    pub fn without_code_signing(mut self) -> FunctionDefinition {
        self.fields.code_signing_config_arn = None;
        self
    }

    /// The same definition with the function's description (a version read back carries the
    /// description PublishVersion gave it instead).
    pub fn with_description(mut self, description: Option<String>) -> FunctionDefinition {
        self.fields.description = description;
        self
    }

    pub fn description(&self) -> Option<&str> {
        self.fields.description.as_deref()
    }

    /// The same definition declaring `tags` (none when empty).
    pub fn with_tags(mut self, tags: BTreeMap<String, String>) -> FunctionDefinition {
        self.fields.tags = (!tags.is_empty()).then_some(tags);
        self
    }

    pub fn tags(&self) -> BTreeMap<String, String> {
        self.fields.tags.clone().unwrap_or_default()
    }

    /// The values of `sensitive_environment`, to keep out of every message.
    pub fn secrets(&self) -> Secrets {
        Secrets::new(self.sensitive.values().map(String::as_str))
    }

    /// `Environment.Variables` with `sensitive_environment` merged in: what the function gets.
    pub fn env_vars(&self) -> EnvVars {
        let mut vars = self.declared_env_vars().cloned().unwrap_or_default();
        vars.extend(self.sensitive.iter().map(|(k, v)| (k.clone(), v.clone())));
        EnvVars(vars)
    }

    /// Code from the definition (`ZipFile`, S3 or `ImageUri`), when it has one.
    pub fn code(&self) -> Option<&Code> {
        self.fields.code.as_ref()
    }

    pub fn has_code(&self) -> bool {
        self.fields.code.is_some()
    }

    /// Adds `sensitive_environment`. A key also in `Environment.Variables` is an error naming the
    /// key; no error ever carries a value. Replaces what an earlier call merged.
    pub fn merge_sensitive_environment(
        &mut self,
        sensitive: &BTreeMap<String, String>,
    ) -> Result<(), DefinitionError> {
        for key in sensitive.keys() {
            validate::env_key("sensitive_environment", key)?;
            if self
                .declared_env_vars()
                .is_some_and(|vars| vars.contains_key(key))
            {
                return Err(DefinitionError {
                    summary: format!(
                        "Environment variable `{key}` is set in both function_definition and sensitive_environment"
                    ),
                    detail: format!(
                        "Each variable must come from one place. Remove `{key}` from \
                         Environment.Variables in function_definition, or from sensitive_environment."
                    ),
                    key_path: Some(format!("Environment.Variables.{key}")),
                });
            }
        }
        self.sensitive = sensitive.clone();
        Ok(())
    }

    /// Adds secret variables from `source` (`sensitive_environment_wo`, or the values
    /// `keep_environment` copies from the serving version) after
    /// [`Self::merge_sensitive_environment`]. A key already set is an error naming the key and
    /// where it is set; no error carries a value.
    pub fn merge_more_environment(
        &mut self,
        source: &str,
        vars: &BTreeMap<String, String>,
    ) -> Result<(), DefinitionError> {
        for key in vars.keys() {
            validate::env_key(source, key)?;
            let declared = self
                .declared_env_vars()
                .is_some_and(|declared| declared.contains_key(key));
            let other = match (declared, self.sensitive.contains_key(key)) {
                (true, _) => "function_definition",
                (false, true) if source == "sensitive_environment_wo" => "sensitive_environment",
                (false, true) => "sensitive_environment or sensitive_environment_wo",
                (false, false) => continue,
            };
            return Err(DefinitionError {
                summary: format!(
                    "Environment variable `{key}` is set in both {other} and {source}"
                ),
                detail: format!(
                    "Each variable must come from one place. Remove `{key}` from {other} or from \
                     {source}."
                ),
                key_path: None,
            });
        }
        self.sensitive.extend(vars.clone());
        Ok(())
    }

    /// Names of the variables that came from `sensitive_environment`.
    pub fn sensitive_keys(&self) -> impl Iterator<Item = &str> {
        self.sensitive.keys().map(String::as_str)
    }

    fn declared_env_vars(&self) -> Option<&BTreeMap<String, String>> {
        self.fields.environment.as_ref()?.variables.as_ref()
    }

    /// What Lambda would run: sensitive values merged, defaults dropped. Only ever compared, never
    /// turned into text, since it holds sensitive values.
    fn effective_value(&self) -> Value {
        let mut fields = canonical::without_defaults(self.fields.clone());
        if !self.sensitive.is_empty() {
            let env = fields.environment.get_or_insert_with(Default::default);
            let vars = env.variables.get_or_insert_with(Default::default);
            vars.extend(self.sensitive.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        canonical::to_canonical_value(&fields)
    }
}

impl PartialEq for FunctionDefinition {
    fn eq(&self, other: &Self) -> bool {
        self.canonical_value() == other.canonical_value()
    }
}

impl Eq for FunctionDefinition {}

/// Shows the declared definition (a `ZipFile` shortened to its size) and only the names of the
/// sensitive variables.
impl fmt::Debug for FunctionDefinition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.canonical_value();
        if let Some(zip) = shown.pointer_mut("/Code/ZipFile") {
            let len = zip.as_str().map_or(0, str::len);
            *zip = Value::String(format!("<{len} base64 characters>"));
        }
        f.debug_struct("FunctionDefinition")
            .field("definition", &shown.to_string())
            .field(
                "sensitive_environment_keys",
                &self.sensitive.keys().collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Environment variables, some of them sensitive: `Debug` shows names only.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct EnvVars(BTreeMap<String, String>);

impl EnvVars {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The plain map, for the AWS request. Handle with care: values may be sensitive.
    pub fn into_map(self) -> BTreeMap<String, String> {
        self.0
    }
}

impl fmt::Debug for EnvVars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EnvVars(")?;
        f.debug_list().entries(self.0.keys()).finish()?;
        write!(f, ")")
    }
}
