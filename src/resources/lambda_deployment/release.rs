//! A release: the declared function definition, its code and `sensitive_environment`, checked
//! together (conflicts between them are plan-time errors) and, at apply, loaded for real.

use std::collections::BTreeMap;

use super::definition::{self, FunctionDefinition};
use crate::aws::function_definition::CodeSource;
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::value::Value;

/// Lambda's limit for a .zip uploaded directly.
pub const MAX_DIRECT_ZIP_BYTES: u64 = 50 * 1024 * 1024;

/// The definition as declared; None when it is unknown or invalid (diagnostics say which).
pub fn declared_definition(config: &Value, diags: &mut Diagnostics) -> Option<FunctionDefinition> {
    let json = config.get("function_definition").as_str()?;
    match definition::parse(json) {
        Ok((def, warnings)) => {
            for w in warnings {
                let detail = match &w.key_path {
                    Some(k) => format!("{} (key {k})", w.detail),
                    None => w.detail,
                };
                diags.push(
                    Diagnostic::warning(w.summary, detail)
                        .at(AttrPath::root("function_definition")),
                );
            }
            Some(def)
        }
        Err(e) => {
            let detail = match &e.key_path {
                Some(k) if !e.detail.contains(k.as_str()) => format!("{} (key {k})", e.detail),
                _ => e.detail,
            };
            diags.push(
                Diagnostic::error(e.summary, detail).at(AttrPath::root("function_definition")),
            );
            None
        }
    }
}

/// Plan-time checks across arguments; returns the package hash when `package_file` is known.
pub fn check(
    config: &Value,
    def: Option<&FunctionDefinition>,
    diags: &mut Diagnostics,
) -> Option<String> {
    let package_file = config.get("package_file");
    let mut hash = None;
    if let Some(path) = package_file.as_str() {
        if def.is_some_and(FunctionDefinition::has_code) {
            diags.push(
                Diagnostic::error(
                    "package_file conflicts with Code in function_definition",
                    "Give the code once: remove `Code` from `function_definition`, or remove `package_file`.",
                )
                .at(AttrPath::root("package_file")),
            );
        }
        match std::fs::metadata(path) {
            Err(e) => diags.push(
                Diagnostic::error(
                    format!("Cannot read package_file {path:?}"),
                    format!("{e}. Build the .zip before planning, or fix the path (relative paths start at the working directory; use \"${{path.module}}/...\")."),
                )
                .at(AttrPath::root("package_file")),
            ),
            Ok(m) if m.len() > MAX_DIRECT_ZIP_BYTES && config.get("package_s3_bucket").is_null() => diags.push(
                Diagnostic::error(
                    format!("package_file is larger than 50 MB ({} bytes)", m.len()),
                    "Lambda accepts at most 50 MB uploaded directly: set `package_s3_bucket` to stage the package in S3 (or upload it yourself and set Code.S3Bucket and Code.S3Key in function_definition).",
                )
                .at(AttrPath::root("package_file")),
            ),
            Ok(_) => match std::fs::read(path) {
                Ok(bytes) => hash = Some(definition::package_hash(&bytes)),
                Err(e) => diags.push(
                    Diagnostic::error(format!("Cannot read package_file {path:?}"), e.to_string())
                        .at(AttrPath::root("package_file")),
                ),
            },
        }
    } else if package_file.is_null() && def.is_some_and(|d| !d.has_code()) {
        diags.push(
            Diagnostic::error(
                "No code for the function",
                "Set `package_file` to a local .zip, or give `Code` (S3Bucket/S3Key, ImageUri or ZipFile) in function_definition.",
            )
            .at(AttrPath::root("package_file")),
        );
    }

    if let Some(bucket) = config.get("package_s3_bucket").as_str() {
        if package_file.is_null() {
            diags.push(
                Diagnostic::error(
                    "package_s3_bucket needs package_file",
                    "`package_s3_bucket` stages the local package in S3: set `package_file` too, or remove the bucket \
                     and give Code.S3Bucket/S3Key in function_definition.",
                )
                .at(AttrPath::root("package_s3_bucket")),
            );
        }
        let valid = (3..=63).contains(&bucket.len())
            && bucket
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
            && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
            && bucket.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !valid {
            diags.push(
                Diagnostic::error(
                    format!("Invalid S3 bucket name {bucket:?}"),
                    "Bucket names are 3 to 63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit.",
                )
                .at(AttrPath::root("package_s3_bucket")),
            );
        }
    }

    if let (Some(def), Value::Map(sensitive)) = (def, config.get("sensitive_environment")) {
        let keys: BTreeMap<String, String> = sensitive
            .iter()
            .filter(|(_, v)| v.as_str().is_some())
            .map(|(k, _)| (k.clone(), String::new()))
            .collect();
        let mut probe = def.clone();
        if let Err(e) = probe.merge_sensitive_environment(&keys) {
            diags.push(
                Diagnostic::error(e.summary, e.detail).at(AttrPath::root("sensitive_environment")),
            );
        }
    }
    hash
}

/// What an apply deploys: the definition with `sensitive_environment` merged in and the code.
pub struct Release {
    pub definition: FunctionDefinition,
    pub code: CodeSource,
    /// Base64 SHA-256 of a local package, when there is one.
    pub package_hash: Option<String>,
}

/// Loads the release at apply, failing before any change if the package changed since the plan.
pub fn load(config: &Value, planned_hash: Option<&str>) -> Result<Release, Diagnostics> {
    let mut diags = Diagnostics::default();
    let Some(mut def) = declared_definition(config, &mut diags) else {
        return Err(if diags.has_errors() {
            diags
        } else {
            Diagnostic::error(
                "function_definition is unknown at apply",
                "This is a bug; please report it.",
            )
            .into()
        });
    };
    if let Value::Map(m) = config.get("sensitive_environment") {
        let sensitive: BTreeMap<String, String> = m
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect();
        def.merge_sensitive_environment(&sensitive).map_err(|e| {
            Diagnostics::from(
                Diagnostic::error(e.summary, e.detail).at(AttrPath::root("sensitive_environment")),
            )
        })?;
    }
    let mut bytes = None;
    let mut package_hash = None;
    if let Some(path) = config.get("package_file").as_str() {
        let b = std::fs::read(path).map_err(|e| {
            Diagnostics::from(
                Diagnostic::error(format!("Cannot read package_file {path:?}"), e.to_string())
                    .at(AttrPath::root("package_file")),
            )
        })?;
        let h = definition::package_hash(&b);
        if let Some(planned) = planned_hash {
            // With a user-given source_code_hash the value is a trigger; compare only our own.
            if config.get("source_code_hash").is_null() && planned != h {
                return Err(Diagnostic::error(
                    "package_file changed since the plan",
                    format!(
                        "The plan was made for a package with hash {planned}, but {path} now hashes to {h}. \
                         Nothing was changed. Run `terraform plan` again."
                    ),
                )
                .at(AttrPath::root("package_file"))
                .into());
            }
        }
        package_hash = Some(h);
        bytes = Some(b);
    }
    let code = crate::aws::function_definition::code_source(&def, bytes, None).map_err(|e| {
        Diagnostics::from(
            Diagnostic::error(e.summary, e.detail).at(AttrPath::root("function_definition")),
        )
    })?;
    Ok(Release {
        definition: def,
        code,
        package_hash,
    })
}
