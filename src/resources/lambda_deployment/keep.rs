//! What a deployment keeps from the version its alias serves instead of declaring it: the code
//! (`keep_code`) and the values of named environment variables (`keep_environment`). An adopted
//! function's package and secrets then never pass through the configuration, the plan or the
//! state: each release reads them from the serving version and publishes them again.

use std::collections::BTreeMap;

use crate::model::definition::FunctionDefinition;
use crate::model::ports::Cloud;
use crate::model::release::{CodeSource, Release};
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::value::Value;
use crate::resources::common::failure::{aws_failure, NOTHING_CHANGED};

/// Stands for a kept value when plans compare environments: what AWS serves, never seen.
const KEPT: &str = "\u{0}kept";

/// `keep_code` and `keep_environment` as configured (or stored).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Keep {
    /// `keep_code` is true.
    pub code: bool,
    /// `keep_code` is not known yet (no "no code" error for it then).
    pub code_unknown: bool,
    /// The names in `keep_environment`, sorted; None while unknown.
    pub environment: Option<Vec<String>>,
}

impl Keep {
    pub fn read(v: &Value) -> Keep {
        let code = v.get("keep_code");
        let names = v.get("keep_environment");
        let environment = match names.is_wholly_known() {
            true => {
                let names = names.elements().iter();
                let mut names: Vec<String> = names
                    .filter_map(|n| n.as_str().map(str::to_string))
                    .collect();
                names.sort();
                Some(names)
            }
            false => None,
        };
        Keep {
            code: code.as_bool() == Some(true),
            code_unknown: code.is_unknown(),
            environment,
        }
    }

    pub fn names(&self) -> &[String] {
        self.environment.as_deref().unwrap_or_default()
    }

    pub fn keeps_anything(&self) -> bool {
        self.code || !self.names().is_empty()
    }

    /// No name that the definition or another secret argument sets (`merged` has those merged
    /// in), and each a valid variable name. Checks names only.
    pub fn check(&self, merged: &FunctionDefinition, diags: &mut Diagnostics) {
        let at = || AttrPath::root("keep_environment");
        let placeholders = self.names().iter().map(|n| (n.clone(), String::new()));
        let mut probe = merged.clone();
        if let Err(e) = probe.merge_more_environment("keep_environment", &placeholders.collect()) {
            diags.push(Diagnostic::error(e.summary, e.detail).at(at()));
        }
    }
}

/// A new function (a first release, or one replacing another) has nothing to keep: keeping is
/// for a deployment that was imported. Refused at plan, before anything (a replacement's destroy
/// included) happens.
pub fn nothing_to_keep(code: bool) -> Diagnostic {
    let what = if code {
        "keep_code"
    } else {
        "keep_environment"
    };
    Diagnostic::error(
        format!("{what} needs a deployment that already serves"),
        "A new function, or one that replaces this one, has no version to keep code or values \
         from, and a replacement deletes the only copy first. Declare the code (package_file or \
         Code) and the environment values instead. To adopt a running function with keep, import \
         it (terraform import, an import block, or terraform query -generate-config-out).",
    )
    .at(AttrPath::root(what))
}

/// The definition with the kept variables merged in, for a plan to compare: a kept value is its
/// value in `served` when known (what the serving version runs), else a stand-in for "what AWS
/// serves". None when a name clashes.
pub fn for_comparison(
    def: FunctionDefinition,
    names: &[String],
    served: Option<&BTreeMap<String, String>>,
) -> Option<FunctionDefinition> {
    let values = names.iter().map(|n| {
        let known = served.and_then(|s| s.get(n)).cloned();
        let value = known.unwrap_or_else(|| KEPT.to_string());
        (n.clone(), value)
    });
    let mut merged = def;
    merged
        .merge_more_environment("keep_environment", &values.collect())
        .ok()?;
    Some(merged)
}

/// The values of the prior state's kept variables as `version` serves them, when the
/// configuration declares one of them (so the plan can tell a declared value that equals the
/// served one from a change). None when nothing needs them, or the version is gone (the plan then
/// assumes a change). A read that fails fails the plan: guessing could make Terraform's second
/// plan, at apply, disagree with the first.
pub async fn served_values<C: Cloud>(
    cloud: &C,
    prior: &Keep,
    declared: &FunctionDefinition,
    (function, version): (&str, &str),
) -> Result<Option<BTreeMap<String, String>>, Diagnostic> {
    let vars = declared.env_vars().into_map();
    if !prior.names().iter().any(|n| vars.contains_key(n)) {
        return Ok(None);
    }
    let done = "The plan compares the environment values now declared with the ones kept; run \
                terraform plan again.";
    let read = cloud.find_function(function, version).await;
    let read = read.map_err(|e| aws_failure("reading Lambda function", function, &e, done))?;
    let Some(served) = read else {
        return Ok(None);
    };
    let all = served.definition.env_vars().into_map();
    let kept = prior.names().iter();
    let values = kept.filter_map(|n| Some((n.clone(), all.get(n)?.clone())));
    Ok(Some(values.collect()))
}

/// The release with what it keeps read from `version` of `function`, the version the alias
/// serves: the code's CodeSha256 and the kept variables' values. Fails before any change when
/// that version is gone or lacks a kept variable.
pub async fn fill<C: Cloud>(
    cloud: &C,
    keep: &Keep,
    mut release: Release,
    (function, version): (&str, &str),
) -> Result<Release, Diagnostics> {
    if !keep.keeps_anything() {
        return Ok(release);
    }
    let at = AttrPath::root(if keep.code {
        "keep_code"
    } else {
        "keep_environment"
    });
    let served = cloud
        .find_function(function, version)
        .await
        .map_err(|e| aws_failure("reading Lambda function", function, &e, NOTHING_CHANGED))?
        .ok_or_else(|| {
            Diagnostic::error(
                format!("Version {version} of {function} is gone"),
                "keep_code and keep_environment copy the code and values of the version the alias \
                 serves. Nothing was changed: declare the code (package_file or Code) and the \
                 values, then apply again.",
            )
            .at(at.clone())
        })?;
    if let Some(error) = served
        .environment_error
        .as_deref()
        .filter(|_| !keep.names().is_empty())
    {
        let subject = format!("{function}:{version}");
        let unreadable = super::read::unreadable_environment(&subject, error);
        return Err(unreadable.at(AttrPath::root("keep_environment")).into());
    }
    if keep.code {
        release.code = CodeSource::Served(served.code_sha256.clone());
    }
    let vars = served.definition.env_vars().into_map();
    let mut kept = BTreeMap::new();
    for name in keep.names() {
        let Some(value) = vars.get(name) else {
            return Err(Diagnostic::error(
                format!("Version {version} does not set `{name}`, which keep_environment keeps"),
                format!(
                    "There is no value to keep. Nothing was changed: declare `{name}` \
                     (sensitive_environment or sensitive_environment_wo) or remove it from \
                     keep_environment."
                ),
            )
            .at(AttrPath::root("keep_environment"))
            .into());
        };
        kept.insert(name.clone(), value.clone());
    }
    release
        .definition
        .merge_more_environment("keep_environment", &kept)
        .map_err(|e| {
            Diagnostic::error(e.summary, e.detail).at(AttrPath::root("keep_environment"))
        })?;
    Ok(release)
}

/// `$LATEST` must hold the serving version's code for a release that keeps it (after a rollback
/// it holds the rejected code, which the provider cannot fetch back).
pub fn check_latest_code(release: &Release, latest_code_sha256: &str) -> Result<(), Diagnostics> {
    let CodeSource::Served(sha) = &release.code else {
        return Ok(());
    };
    if sha == latest_code_sha256 {
        return Ok(());
    }
    Err(Diagnostic::error(
        "keep_code cannot keep the serving code",
        format!(
            "$LATEST holds code {latest_code_sha256}, not the deployed version's {sha} (a \
             rolled-back release leaves its code there, and so does code uploaded without \
             publishing). Nothing was changed: give the code (package_file or Code in \
             function_definition) instead of keep_code."
        ),
    )
    .at(AttrPath::root("keep_code"))
    .into())
}
