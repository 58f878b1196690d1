//! Refresh and import: what the alias serves, read from AWS. Refresh never copies `$LATEST` into
//! the state (after a rollback it holds the rejected release); it notes drift for the next plan.

use super::state::DeploymentState;
use super::walk;
use gitmoxi_engine::ports::AwsError;

use crate::model::ports::{alias_arn, invoke_arn, Cloud, ServedFunction};
use crate::protocol::diagnostics::{Diagnostic, Diagnostics};
use crate::protocol::registry::{ImportResponse, ReadResponse};
use crate::protocol::value::{Type, Value};
use crate::resources::common::failure::aws_failure;
use crate::resources::common::state::{Drift, Private};

pub async fn read<C: Cloud>(cloud: &C, state: Value, private: Vec<u8>) -> ReadResponse {
    let Some(s) = DeploymentState::read(&state) else {
        return ReadResponse::default();
    };
    let mut notes = Private::read(&private);
    let delete_failed = state.get("delete_failed_version").as_bool().unwrap_or(true);
    let s = match walk::refresh(cloud, s, &mut notes, delete_failed).await {
        Ok(s) => s,
        Err(d) => {
            return ReadResponse {
                diagnostics: d.into(),
                new_state: state,
                private,
            }
        }
    };
    if notes.running.is_some() {
        // The rollout moves the alias: its weights are not drift.
        return ReadResponse {
            new_state: state,
            private: notes.to_bytes(),
            diagnostics: Diagnostics::default(),
        };
    }
    let state = s.write(state);
    let private = notes.to_bytes();
    let (function, alias) = (&s.function_name, &s.alias);
    let failed = |e, action: &str, subject: &str| ReadResponse {
        diagnostics: aws_failure(action, subject, &e, "The state was left as it was.").into(),
        new_state: state.clone(),
        private: private.clone(),
    };
    let routing = match cloud.find_alias(function, alias).await {
        Ok(r) => r,
        Err(e) => return failed(e, "reading Lambda alias", &format!("{function}:{alias}")),
    };
    if routing.is_none() {
        match cloud.find_function(function, "$LATEST").await {
            // Gone: Terraform drops it from the state.
            Ok(None) => return ReadResponse::default(),
            Ok(Some(_)) => {}
            Err(e) => return failed(e, "reading Lambda function", function),
        }
    }
    let drift = Drift::detect(alias, &s.version, routing.as_ref());
    ReadResponse {
        new_state: state,
        private: Private::noting(&private, drift),
        diagnostics: Diagnostics::default(),
    }
}

/// `FUNCTION_NAME:ALIAS`: the state of what the alias serves, its definition read back.
pub async fn import<C: Cloud>(cloud: &C, value_type: &Type, id: &str) -> ImportResponse {
    match imported(cloud, id).await {
        Ok((state, drift)) => ImportResponse {
            state: Some(state.into_value(value_type)),
            private: drift.map(|d| d.to_private()).unwrap_or_default(),
            diagnostics: Diagnostics::default(),
        },
        Err(d) => ImportResponse {
            diagnostics: d.into(),
            ..Default::default()
        },
    }
}

pub async fn imported<C: Cloud>(
    cloud: &C,
    id: &str,
) -> Result<(Imported, Option<Drift>), Diagnostic> {
    let (function, alias) = import_id(id)?;
    let read_failed = |e: AwsError| {
        Diagnostic::error(
            format!("Error reading Lambda function ({function})"),
            e.to_string(),
        )
    };
    let routing = match cloud.find_alias(function, alias).await {
        Ok(Some(r)) => r,
        Ok(None) => {
            return Err(Diagnostic::error(
                format!("Cannot import {id}: no such function or alias"),
                format!(
                    "Check that function {function} exists in {} and has the alias {alias}.",
                    cloud.region()
                ),
            ))
        }
        Err(e) => {
            let summary = format!("Error reading Lambda alias ({id})");
            return Err(Diagnostic::error(summary, e.to_string()));
        }
    };
    let Some(served) =
        (cloud.find_function(function, &routing.version).await).map_err(read_failed)?
    else {
        let detail = format!("Version {} disappeared.", routing.version);
        return Err(Diagnostic::error(format!("Cannot import {id}"), detail));
    };
    if let Some(error) = &served.environment_error {
        return Err(unreadable_environment(id, error));
    }
    // A version's description is the one PublishVersion gave it; the function's is $LATEST's.
    let latest = cloud.find_function(function, "$LATEST").await;
    let described = latest
        .map_err(read_failed)?
        .and_then(|l| l.definition.description().map(str::to_string));
    let drift = Drift::detect(alias, &routing.version, Some(&routing));
    let target = (function, alias, routing.version.as_str());
    let state = imported_state(cloud.region(), target, served, described);
    Ok((state, drift))
}

/// An imported deployment: its state, and the names of the environment variables it keeps (the
/// values stay in AWS).
pub struct Imported {
    pub state: DeploymentState,
    pub kept_environment: Vec<String>,
}

impl Imported {
    /// The state as a value of the resource's type: the code and every variable's value kept
    /// from the serving version, so nothing Terraform does not have is declared.
    pub fn into_value(self, value_type: &Type) -> Value {
        let mut value = self.state.write(null_object(value_type));
        value.set_attr("keep_code", Value::Bool(true));
        let names = self.kept_environment.into_iter().map(Value::string);
        let names: Vec<Value> = names.collect();
        let kept = if names.is_empty() {
            Value::Null
        } else {
            Value::Set(names)
        };
        value.set_attr("keep_environment", kept);
        value
    }
}

/// Without its variables an import would declare none, and the next release would drop them.
pub fn unreadable_environment(subject: &str, error: &str) -> Diagnostic {
    Diagnostic::error(
        format!("Cannot read the environment variables of {subject}"),
        format!(
            "Lambda answered {error} instead of them: the caller may not decrypt them with the \
             function's KMS key (KMSKeyArn). Allow kms:Decrypt on that key for the provider's \
             credentials, then try again."
        ),
    )
}

/// `FUNCTION_NAME:ALIAS` split, or a diagnostic saying how to write it.
fn import_id(id: &str) -> Result<(&str, &str), Diagnostic> {
    id.split_once(':')
        .filter(|(f, a)| !f.is_empty() && !a.is_empty() && !a.contains(':'))
        .ok_or_else(|| {
            Diagnostic::error(
                format!("Invalid import ID {id:?}"),
                "Import with FUNCTION_NAME:ALIAS, e.g. `terraform import \
                 gitmoxi_lambda_deployment.api orders-api:live`.",
            )
        })
}

/// The state of an imported function: its served version's definition without the environment
/// (whose values never leave AWS: the variables are kept by name), tags and description.
fn imported_state(
    region: &str,
    (function, alias, version): (&str, &str, &str),
    served: ServedFunction,
    described: Option<String>,
) -> Imported {
    let served_definition = served.definition.clone().with_description(described);
    let (definition, variables) = served_definition.split_environment();
    let definition = definition.with_tags(served.tags.clone());
    let alias_arn = alias_arn(&served.function_arn, alias);
    let state = DeploymentState {
        function_name: function.to_string(),
        function_definition: Some(definition.without_defaults().canonical_json()),
        // None: a declared package is compared with `code_sha256` instead.
        source_code_hash: None,
        alias: alias.to_string(),
        function_arn: served.function_arn.clone(),
        invoke_arn: invoke_arn(region, &alias_arn),
        alias_arn,
        version: version.to_string(),
        code_sha256: served.code_sha256,
        rollout_schedule: vec!["100%".into()],
        ..DeploymentState::default()
    };
    Imported {
        state,
        kept_environment: variables.into_keys().collect(),
    }
}

/// An object of the resource's type with every attribute null.
pub fn null_object(value_type: &Type) -> Value {
    let Type::Object(attrs) = value_type else {
        return Value::Null;
    };
    Value::Object(attrs.keys().map(|k| (k.clone(), Value::Null)).collect())
}
