//! Refresh and import: the alias is this resource, so an alias that is gone is a resource gone.

use super::state::AliasState;
use crate::model::ports::{alias_arn, invoke_arn, Cloud};
use crate::protocol::diagnostics::{Diagnostic, Diagnostics};
use crate::protocol::registry::{ImportResponse, ReadResponse};
use crate::protocol::value::{Type, Value};
use crate::resources::common::failure::aws_failure;
use crate::resources::common::state::{Drift, Private};
use crate::resources::lambda_deployment::read::null_object;

pub async fn read<C: Cloud>(cloud: &C, state: Value, private: Vec<u8>) -> ReadResponse {
    let Some(s) = AliasState::read(&state) else {
        return ReadResponse::default();
    };
    match cloud.find_alias(&s.function_name, &s.alias).await {
        Ok(None) => ReadResponse::default(),
        Ok(Some(routing)) => {
            let drift = Drift::detect(&s.alias, &s.version, Some(&routing));
            ReadResponse {
                new_state: state,
                private: Private::noting(&private, drift),
                diagnostics: Diagnostics::default(),
            }
        }
        Err(e) => {
            let subject = format!("{}:{}", s.function_name, s.alias);
            let done = "The state was left as it was.";
            ReadResponse {
                new_state: state,
                private,
                diagnostics: aws_failure("reading Lambda alias", &subject, &e, done).into(),
            }
        }
    }
}

pub async fn import<C: Cloud>(cloud: &C, value_type: &Type, id: &str) -> ImportResponse {
    let fail = |summary: String, detail: String| ImportResponse {
        diagnostics: Diagnostic::error(summary, detail).into(),
        ..Default::default()
    };
    let Some((function, alias)) = id
        .split_once(':')
        .filter(|(f, a)| !f.is_empty() && !a.is_empty())
    else {
        return fail(
            format!("Invalid import ID {id:?}"),
            "Import with FUNCTION_NAME:ALIAS, e.g. `terraform import \
             gitmoxi_lambda_alias_deployment.prod orders:prod`."
                .into(),
        );
    };
    let routing = match cloud.find_alias(function, alias).await {
        Ok(Some(r)) => r,
        Ok(None) => {
            return fail(
                format!("Cannot import {id}: no such alias"),
                format!("Check that {function} has the alias {alias}."),
            )
        }
        Err(e) => return fail(format!("Error reading Lambda alias ({id})"), e.to_string()),
    };
    let function_arn = match cloud.find_function(function, "$LATEST").await {
        Ok(Some(f)) => f.function_arn,
        Ok(None) => {
            return fail(
                format!("Cannot import {id}: no such function"),
                String::new(),
            )
        }
        Err(e) => {
            return fail(
                format!("Error reading Lambda function ({function})"),
                e.to_string(),
            )
        }
    };
    let alias_arn = alias_arn(&function_arn, alias);
    let state = AliasState {
        id: id.to_string(),
        function_name: function.to_string(),
        alias: alias.to_string(),
        version: routing.version.clone(),
        invoke_arn: invoke_arn(cloud.region(), &alias_arn),
        alias_arn,
        rollout_schedule: vec!["100%".into()],
        ..AliasState::default()
    };
    let drift = Drift::detect(alias, &routing.version, Some(&routing));
    ImportResponse {
        state: Some(state.write(null_object(value_type))),
        private: drift.map(|d| d.to_private()).unwrap_or_default(),
        diagnostics: Diagnostics::default(),
    }
}
