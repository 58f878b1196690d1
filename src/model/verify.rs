//! Is the version AWS published the release? Every configuration field the release sets is
//! compared, normalised (AWS defaults dropped on both sides, ids that are sets sorted), with what
//! the version serves, and so is the code. Values of sensitive variables never appear in what this
//! reports.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use super::definition::FunctionDefinition;
use super::ports::ServedFunction;
use super::release::{CodeSource, Release};

/// One field the published version holds differently from the release.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// `MemorySize`, `Environment.Variables.STAGE`, `CodeSha256`, …
    pub field: String,
    /// What the release asks, as JSON (`(absent)` when it sets nothing, `(sensitive)` for a
    /// sensitive variable's value).
    pub wanted: String,
    pub found: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: the release asks {}, AWS holds {}",
            self.field, self.wanted, self.found
        )
    }
}

/// Fields that are not the published version's configuration: code, tags, the code-signing
/// configuration (the function's, not the version's), what only CreateFunction reads, and the
/// description (a version's is the one PublishVersion gives it).
const NOT_COMPARED: [&str; 8] = [
    "Code",
    "CodeSigningConfigArn",
    "Description",
    "FunctionName",
    "Publish",
    "PublishTo",
    "Tags",
    "Environment",
];

const ABSENT: &str = "(absent)";
const SENSITIVE: &str = "(sensitive)";

/// How `served` differs from `release`; empty when it is the release.
pub fn differences(release: &Release, served: &ServedFunction) -> Vec<Difference> {
    let mut out = configuration_differences(&release.definition, &served.definition);
    out.extend(environment_differences(
        &release.definition,
        &served.definition,
    ));
    if let Some(d) = code_difference(release, served) {
        out.push(d);
    }
    out
}

fn normalised(def: &FunctionDefinition) -> Map<String, Value> {
    let value = def.without_defaults().canonical_value();
    value.as_object().cloned().unwrap_or_default()
}

fn configuration_differences(
    wanted: &FunctionDefinition,
    served: &FunctionDefinition,
) -> Vec<Difference> {
    let (wanted, found) = (normalised(wanted), normalised(served));
    let mut keys: Vec<&String> = wanted.keys().chain(found.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !NOT_COMPARED.contains(&k.as_str()))
        .filter(|k| wanted.get(*k) != found.get(*k))
        .map(|k| Difference {
            field: k.clone(),
            wanted: wanted.get(k).map_or(ABSENT.into(), Value::to_string),
            found: found.get(k).map_or(ABSENT.into(), Value::to_string),
        })
        .collect()
}

/// Variables compared one by one, names and values; a sensitive variable's value is never shown.
fn environment_differences(
    wanted: &FunctionDefinition,
    served: &FunctionDefinition,
) -> Vec<Difference> {
    let (want_vars, have_vars) = (wanted.env_vars(), served.env_vars());
    let want: BTreeMap<&str, &str> = want_vars.iter().collect();
    let have: BTreeMap<&str, &str> = have_vars.iter().collect();
    let sensitive: Vec<&str> = wanted.sensitive_keys().collect();
    let shown = |name: &str, value: Option<&&str>| match value {
        None => ABSENT.to_string(),
        Some(_) if sensitive.contains(&name) => SENSITIVE.to_string(),
        Some(v) => format!("{v:?}"),
    };
    let mut names: Vec<&str> = want.keys().chain(have.keys()).copied().collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|n| want.get(n) != have.get(n))
        .map(|n| Difference {
            field: format!("Environment.Variables.{n}"),
            wanted: shown(n, want.get(n)),
            found: shown(n, have.get(n)),
        })
        .collect()
}

/// A local package's hash is what Lambda reports as CodeSha256; an image given by digest must be
/// the image Lambda resolved. S3 code and images given by tag have nothing local to compare.
fn code_difference(release: &Release, served: &ServedFunction) -> Option<Difference> {
    if let Some(hash) = &release.package_hash {
        return (*hash != served.code_sha256).then(|| Difference {
            field: "CodeSha256".into(),
            wanted: hash.clone(),
            found: served.code_sha256.clone(),
        });
    }
    if let CodeSource::Served(sha) = &release.code {
        return (*sha != served.code_sha256).then(|| Difference {
            field: "CodeSha256".into(),
            wanted: sha.clone(),
            found: served.code_sha256.clone(),
        });
    }
    let CodeSource::Image(uri) = &release.code else {
        return None;
    };
    let digest = uri.split_once("@sha256:")?.1;
    let resolved = served.resolved_image_uri.as_deref().unwrap_or_default();
    let matches = resolved.ends_with(digest) || served.code_sha256 == digest;
    (!matches).then(|| Difference {
        field: "ImageUri".into(),
        wanted: uri.clone(),
        found: resolved.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::definition::parse;
    use crate::model::ports::FunctionStatus;

    fn def(json: &str) -> FunctionDefinition {
        parse(json).unwrap().0
    }

    const BASE: &str = r#"{"FunctionName":"f","Role":"arn:aws:iam::1:role/r","Runtime":"python3.12","Handler":"h","Environment":{"Variables":{"STAGE":"prod"}}}"#;

    fn release(json: &str, secret: Option<&str>) -> Release {
        let mut definition = def(json);
        if let Some(v) = secret {
            let sensitive = BTreeMap::from([("TOKEN".to_string(), v.to_string())]);
            definition.merge_sensitive_environment(&sensitive).unwrap();
        }
        Release {
            definition,
            code: CodeSource::Zip(b"zip".to_vec()),
            package_hash: Some("hash-1".into()),
        }
    }

    fn served(json: &str, sha: &str) -> ServedFunction {
        ServedFunction {
            function_arn: "arn:aws:lambda:us-east-1:1:function:f".into(),
            version: "2".into(),
            code_sha256: sha.into(),
            resolved_image_uri: None,
            definition: def(json),
            tags: BTreeMap::new(),
            status: FunctionStatus {
                state: "Active".into(),
                state_reason: None,
                last_update_status: Some("Successful".into()),
                last_update_reason: None,
                revision_id: "r".into(),
                code_sha256: sha.into(),
            },
            environment_error: None,
        }
    }

    #[test]
    fn the_release_as_served_has_no_differences_even_with_defaults_spelled_out() {
        let with_defaults = BASE.replace(
            "\"Handler\":\"h\"",
            "\"Handler\":\"h\",\"Timeout\":3,\"MemorySize\":128",
        );
        assert_eq!(
            differences(&release(BASE, None), &served(&with_defaults, "hash-1")),
            []
        );
    }

    #[test]
    fn each_differing_field_is_named_with_both_values() {
        let other = BASE.replace("\"Handler\":\"h\"", "\"Handler\":\"h\",\"MemorySize\":256");
        let d = differences(&release(BASE, None), &served(&other, "hash-2"));
        let shown: Vec<String> = d.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "MemorySize: the release asks (absent), AWS holds 256",
                "CodeSha256: the release asks hash-1, AWS holds hash-2"
            ]
        );
    }

    #[test]
    fn a_sensitive_value_is_compared_but_never_shown() {
        let served_json = BASE.replace(
            r#""STAGE":"prod""#,
            r#""STAGE":"prod","TOKEN":"old-secret""#,
        );
        let d = differences(
            &release(BASE, Some("new-secret")),
            &served(&served_json, "hash-1"),
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].field, "Environment.Variables.TOKEN");
        let text = d[0].to_string();
        assert!(!text.contains("secret"), "{text}");
        assert_eq!(d[0].wanted, "(sensitive)");
    }
}
