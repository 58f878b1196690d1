//! The configuration of one `gitmoxi_lambda_deployment`, read once per request into the model:
//! the definition, the code, `sensitive_environment`, the event sources and the settings, with a
//! diagnostic for every invalid value. At apply, [`DeploymentConfig::load_release`] reads the
//! package for real.

use std::collections::BTreeMap;

use super::keep::Keep;
use crate::model::definition::{self, FunctionDefinition};
use crate::model::event_sources::EventSources;
use crate::model::release::{
    code_source, hash_file, package_hash, CodeSource, Release, MAX_DIRECT_ZIP_BYTES,
};
use crate::model::settings::Settings;
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::value::Value;
use crate::resources::common::values::{input_string, Input};
use crate::resources::common::{settings, sources};

/// Lambda's limit on a function's environment variables, names and values together.
pub const MAX_ENVIRONMENT_BYTES: usize = 4 * 1024;

pub struct DeploymentConfig {
    /// `function_definition` as written.
    pub definition_text: Input<String>,
    /// Validated; None when unknown or invalid.
    pub definition: Option<FunctionDefinition>,
    pub package_file: Input<String>,
    pub package_s3_bucket: Option<String>,
    /// The hash of `package_file` as it reads now.
    pub package_hash: Option<String>,
    /// `source_code_hash` as the user gives it.
    pub source_code_hash: Input<String>,
    /// `sensitive_environment` as Terraform holds it (compared with the state's).
    pub sensitive_environment: Value,
    /// `sensitive_environment_wo`: in the configuration only, never in the plan or the state.
    pub sensitive_environment_wo: Value,
    /// `sensitive_environment_wo_version`: a change deploys the write-only values.
    pub sensitive_environment_wo_version: Value,
    /// `event_sources` as written, and validated (None when unknown or invalid).
    pub event_sources_text: Input<String>,
    pub event_sources: Option<EventSources>,
    pub alias: Input<String>,
    pub settings: Settings,
    /// What releases keep from the serving version instead of declaring it.
    pub keep: Keep,
}

impl DeploymentConfig {
    /// Reads and checks everything that can be checked without AWS.
    pub fn parse(config: &Value) -> (DeploymentConfig, Diagnostics) {
        let mut diags = Diagnostics::default();
        let definition = declared_definition(config.get("function_definition"), &mut diags);
        let (settings, settings_diags) = settings::parse(config);
        diags.extend(settings_diags);
        let function = definition.as_ref().map(FunctionDefinition::function_name);
        let event_sources = sources::declared(config.get("event_sources"), function, &mut diags);
        let mut c = DeploymentConfig {
            definition_text: input_string(config.get("function_definition")),
            definition,
            package_file: input_string(config.get("package_file")),
            package_s3_bucket: config.get("package_s3_bucket").as_str().map(str::to_string),
            package_hash: None,
            source_code_hash: input_string(config.get("source_code_hash")),
            sensitive_environment: config.get("sensitive_environment").clone(),
            sensitive_environment_wo: config.get("sensitive_environment_wo").clone(),
            sensitive_environment_wo_version: config
                .get("sensitive_environment_wo_version")
                .clone(),
            event_sources_text: input_string(config.get("event_sources")),
            event_sources,
            alias: input_string(config.get("alias")),
            settings,
            keep: Keep::read(config),
        };
        c.package_hash = c.check_package(&mut diags);
        c.check_bucket(&mut diags);
        c.check_sensitive(&mut diags);
        (c, diags)
    }

    pub fn function_name(&self) -> Option<&str> {
        self.definition
            .as_ref()
            .map(FunctionDefinition::function_name)
    }

    /// `sensitive_environment` with its known values.
    fn sensitive_values(&self) -> BTreeMap<String, String> {
        known_entries(&self.sensitive_environment)
    }

    /// `sensitive_environment_wo` with its known values.
    fn write_only_values(&self) -> BTreeMap<String, String> {
        known_entries(&self.sensitive_environment_wo)
    }

    /// The declared definition with `sensitive_environment` and `sensitive_environment_wo`
    /// merged in; None when unknown or invalid.
    pub fn with_declared_secrets(&self) -> Option<FunctionDefinition> {
        self.with_secrets(self.definition.as_ref()?).ok()
    }

    /// The definition with both secret maps merged in (as far as their values are known).
    fn with_secrets(&self, def: &FunctionDefinition) -> Result<FunctionDefinition, Diagnostic> {
        let mut merged = def.clone();
        merged
            .merge_sensitive_environment(&self.sensitive_values())
            .map_err(|e| {
                Diagnostic::error(e.summary, e.detail).at(AttrPath::root("sensitive_environment"))
            })?;
        merged
            .merge_more_environment("sensitive_environment_wo", &self.write_only_values())
            .map_err(|e| {
                Diagnostic::error(e.summary, e.detail)
                    .at(AttrPath::root("sensitive_environment_wo"))
            })?;
        Ok(merged)
    }

    /// Exactly one source of code: `package_file`, `Code`, or `keep_code` (which needs none).
    fn check_code_sources(&self, has_code: bool, diags: &mut Diagnostics) {
        let package = !self.package_file.is_absent();
        if self.keep.code && (package || has_code) {
            let other = match package {
                true => "`package_file`",
                false => "`Code` in function_definition",
            };
            diags.push(keep_code_conflict(other));
        }
        let keeps = self.keep.code || self.keep.code_unknown;
        if self.definition.is_some() && !package && !has_code && !keeps {
            diags.push(
                Diagnostic::error(
                    "No code for the function",
                    "Set `package_file` to a local .zip, or give `Code` (S3Bucket/S3Key, \
                     ImageUri or ZipFile) in function_definition; for a function that already \
                     serves, `keep_code = true` keeps the code its alias serves.",
                )
                .at(AttrPath::root("package_file")),
            );
        }
    }

    /// Returns the package's hash when `package_file` is known and readable.
    fn check_package(&self, diags: &mut Diagnostics) -> Option<String> {
        let at = || AttrPath::root("package_file");
        let has_code = self
            .definition
            .as_ref()
            .is_some_and(FunctionDefinition::has_code);
        self.check_code_sources(has_code, diags);
        let Input::Known(path) = &self.package_file else {
            return None;
        };
        if has_code {
            diags.push(
                Diagnostic::error(
                    "package_file conflicts with Code in function_definition",
                    "Give the code once: remove `Code` from `function_definition`, or remove \
                     `package_file`.",
                )
                .at(at()),
            );
        }
        let unreadable = |e: std::io::Error| {
            Diagnostic::error(
                format!("Cannot read package_file {path:?}"),
                format!(
                    "{e}. Build the .zip before planning, or fix the path (relative paths start \
                     at the working directory; use \"${{path.module}}/...\")."
                ),
            )
            .at(at())
        };
        let size = match std::fs::metadata(path) {
            Ok(m) => m.len(),
            Err(e) => {
                diags.push(unreadable(e));
                return None;
            }
        };
        if size > MAX_DIRECT_ZIP_BYTES && self.package_s3_bucket.is_none() {
            diags.push(
                Diagnostic::error(
                    format!("package_file is larger than 50 MB ({size} bytes)"),
                    "Lambda accepts at most 50 MB uploaded directly: set `package_s3_bucket` to \
                     stage the package in S3 (or upload it yourself and set Code.S3Bucket and \
                     Code.S3Key in function_definition).",
                )
                .at(at()),
            );
        }
        match hash_file(std::path::Path::new(path)) {
            Ok(hash) => Some(hash),
            Err(e) => {
                diags.push(unreadable(e));
                None
            }
        }
    }

    fn check_bucket(&self, diags: &mut Diagnostics) {
        let Some(bucket) = &self.package_s3_bucket else {
            return;
        };
        let at = || AttrPath::root("package_s3_bucket");
        if self.package_file.is_absent() {
            diags.push(
                Diagnostic::error(
                    "package_s3_bucket needs package_file",
                    "`package_s3_bucket` stages the local package in S3: set `package_file` too, \
                     or remove the bucket and give Code.S3Bucket/S3Key in function_definition.",
                )
                .at(at()),
            );
        }
        if !valid_bucket_name(bucket) {
            diags.push(
                Diagnostic::error(
                    format!("Invalid S3 bucket name {bucket:?}"),
                    "Bucket names are 3 to 63 lowercase letters, digits, '-' and '.', starting \
                     and ending with a letter or digit.",
                )
                .at(at()),
            );
        }
    }

    /// A key in both `sensitive_environment` and the definition's variables is an error; the
    /// check never sees a value.
    fn check_sensitive(&self, diags: &mut Diagnostics) {
        let write_only = &self.sensitive_environment_wo;
        if !write_only.is_null() && self.sensitive_environment_wo_version.is_null() {
            diags.push(
                Diagnostic::error(
                    "sensitive_environment_wo needs sensitive_environment_wo_version",
                    "Write-only values are never stored, so the provider cannot see them change. \
                     Set `sensitive_environment_wo_version` (any number, e.g. 1) and change it \
                     whenever the values should be deployed again.",
                )
                .at(AttrPath::root("sensitive_environment_wo_version")),
            );
        }
        let Some(def) = &self.definition else { return };
        match self.with_secrets(def) {
            Ok(merged) => self.keep.check(&merged, diags),
            Err(d) => {
                diags.push(d);
                return;
            }
        }
        self.check_environment_size(def, diags);
    }

    /// Lambda refuses environments over 4 KB (names and values together), and its refusal lists
    /// every variable, secrets included: caught here, at plan, the error never happens. Only
    /// when every value is known.
    fn check_environment_size(&self, def: &FunctionDefinition, diags: &mut Diagnostics) {
        let unknown = |m: &Value| {
            m.is_unknown()
                || m.entries()
                    .is_some_and(|m| m.values().any(|v| v.as_str().is_none()))
        };
        if unknown(&self.sensitive_environment) || unknown(&self.sensitive_environment_wo) {
            return;
        }
        let Ok(merged) = self.with_secrets(def) else {
            return;
        };
        let size: usize = merged
            .env_vars()
            .iter()
            .map(|(k, v)| k.len() + v.len())
            .sum();
        if size > MAX_ENVIRONMENT_BYTES {
            let at = match (
                self.write_only_values().is_empty(),
                self.sensitive_values().is_empty(),
            ) {
                (false, _) => AttrPath::root("sensitive_environment_wo"),
                (true, false) => AttrPath::root("sensitive_environment"),
                (true, true) => AttrPath::root("function_definition"),
            };
            diags.push(
                Diagnostic::error(
                    format!("The environment is larger than Lambda's 4 KB ({size} bytes)"),
                    "Lambda allows 4 KB of environment variables, names and values together \
                     (function_definition's Environment.Variables, sensitive_environment and \
                     sensitive_environment_wo). \
                     Move large values to SSM Parameter Store or Secrets Manager and read them at \
                     start-up.",
                )
                .at(at),
            );
        }
    }

    /// The release an apply deploys, failing before any change if the package changed since the
    /// plan (`planned_hash`) or anything is still unknown.
    pub fn load_release(&self, planned_hash: Option<&str>) -> Result<Release, Diagnostics> {
        let Some(declared) = &self.definition else {
            return Err(
                crate::resources::common::failure::unknown_at_apply("function_definition").into(),
            );
        };
        let def = self.with_secrets(declared)?;
        let bytes = match self.package_file.known() {
            Some(path) => Some(self.read_package(path, planned_hash)?),
            None => None,
        };
        let hash = bytes.as_deref().map(package_hash);
        // Kept code is read from the serving version before the release goes out.
        let code = match self.keep.code {
            true => CodeSource::Served(String::new()),
            false => code_source(&def, bytes).map_err(|e| {
                Diagnostic::error(e.summary, e.detail).at(AttrPath::root("function_definition"))
            })?,
        };
        Ok(Release {
            definition: def,
            code,
            package_hash: hash,
        })
    }

    fn read_package(&self, path: &str, planned_hash: Option<&str>) -> Result<Vec<u8>, Diagnostic> {
        let at = || AttrPath::root("package_file");
        let bytes = std::fs::read(path).map_err(|e| {
            Diagnostic::error(format!("Cannot read package_file {path:?}"), e.to_string()).at(at())
        })?;
        let hash = package_hash(&bytes);
        // With a user-given source_code_hash the value is a trigger; compare only our own.
        let ours = self.source_code_hash.is_absent();
        match planned_hash {
            Some(planned) if ours && planned != hash => Err(Diagnostic::error(
                "package_file changed since the plan",
                format!(
                    "The plan was made for a package with hash {planned}, but {path} now hashes \
                     to {hash}. Nothing was changed. Run `terraform plan` again."
                ),
            )
            .at(at())),
            _ => Ok(bytes),
        }
    }
}

fn keep_code_conflict(other: &str) -> Diagnostic {
    Diagnostic::error(
        format!("keep_code conflicts with {other}"),
        format!(
            "Give the code once: `keep_code = true` keeps the code the alias serves, {other} \
             declares new code. Remove one of them."
        ),
    )
    .at(AttrPath::root("keep_code"))
}

/// The entries of a map of strings whose values are known.
fn known_entries(map: &Value) -> BTreeMap<String, String> {
    let entries = map.entries().into_iter().flatten();
    entries
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect()
}

/// The definition as declared; None when it is unknown or invalid (diagnostics say which).
pub fn declared_definition(v: &Value, diags: &mut Diagnostics) -> Option<FunctionDefinition> {
    let at = || AttrPath::root("function_definition");
    let with_key = |detail: String, key: Option<String>| match key {
        Some(k) if !detail.contains(k.as_str()) => format!("{detail} (key {k})"),
        _ => detail,
    };
    match definition::parse(v.as_str()?) {
        Ok((def, warnings)) => {
            for w in warnings {
                let detail = with_key(w.detail, w.key_path);
                diags.push(Diagnostic::warning(w.summary, detail).at(at()));
            }
            Some(def)
        }
        Err(e) => {
            let detail = with_key(e.detail, e.key_path);
            diags.push(Diagnostic::error(e.summary, detail).at(at()));
            None
        }
    }
}

fn valid_bucket_name(bucket: &str) -> bool {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.';
    (3..=63).contains(&bucket.len())
        && bucket.chars().all(allowed)
        && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
        && bucket.ends_with(|c: char| c.is_ascii_alphanumeric())
}
