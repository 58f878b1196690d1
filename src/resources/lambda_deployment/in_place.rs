//! What an apply changes without a rollout: settings, tags, event sources, alias renames, and
//! destroy. Nothing here publishes a version.

use crate::aws::clients::AwsClients;
use crate::aws::event_sources::{self, Target as EventTarget};
use crate::aws::lambda;
use crate::log;
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::registry::{ApplyRequest, ApplyResponse};
use crate::protocol::value::Value;
use crate::resources::common::rollout::{aws_diag, fail};
use crate::resources::common::settings::{self, Settings};
use crate::resources::common::state;
use crate::resources::event_source_attr;

use super::release;

/// Settings, tags, event sources and alias renames: nothing is published. Each step that
/// fails returns a state saying which of them already happened.
pub async fn update_in_place(
    clients: &AwsClients,
    req: &ApplyRequest,
    settings: &Settings,
) -> ApplyResponse {
    let prior = &req.prior_state;
    let mut s = req.planned_state.clone();
    let function = prior.get("id").as_str().unwrap_or_default().to_string();
    let function_arn = prior
        .get("function_arn")
        .as_str()
        .unwrap_or_default()
        .to_string();

    // Tags, applied in place.
    let mut scratch = Diagnostics::default();
    let new_def = release::declared_definition(&req.config, &mut scratch);
    let old_def = release::declared_definition(prior, &mut scratch);
    if let (Some(new), Some(old)) = (&new_def, &old_def) {
        if new.tags() != old.tags() {
            if let Err(e) =
                lambda::sync_tags(&clients.lambda, &function_arn, &old.tags(), &new.tags()).await
            {
                return fail(
                    aws_diag("tagging Lambda function", &function, e),
                    prior.clone(),
                );
            }
        }
    }

    let had = event_source_attr::stored(prior);
    let want = event_source_attr::declared(&req.config, &mut scratch).unwrap_or_default();
    let old_alias = prior.get("alias").as_str().unwrap_or_default().to_string();
    let new_alias = settings.alias.clone().unwrap_or_default();
    let old_alias_arn = state::alias_arn(&function_arn, &old_alias);

    if old_alias == new_alias {
        if had != want {
            let target = EventTarget {
                function: &function,
                alias: &old_alias,
                alias_arn: &old_alias_arn,
            };
            if let Err(e) = event_sources::reconcile(clients, &target, &had, &want).await {
                let mut partial = s.clone();
                partial.set_attr("event_sources", prior.get("event_sources").clone());
                return fail(aws_diag("reconciling event sources", &function, e), partial);
            }
        }
        return ApplyResponse {
            new_state: s,
            private: Vec::new(),
            diagnostics: Diagnostics::default(),
        };
    }

    // Alias rename: the new alias starts on the serving version and gets the event sources,
    // then the old alias loses them and goes.
    let version = prior
        .get("version")
        .as_str()
        .unwrap_or_default()
        .to_string();
    match lambda::find_alias(&clients.lambda, &function, &new_alias).await {
        Ok(Some(_)) => {
            return fail(
                Diagnostic::error(
                    format!("Alias {new_alias} already exists on {function}"),
                    "Another alias of that name exists: choose another name, or delete that alias first.",
                )
                .at(AttrPath::root("alias")),
                prior.clone(),
            )
        }
        Ok(None) => {}
        Err(e) => return fail(aws_diag("reading Lambda alias", &function, e), prior.clone()),
    }
    if let Err(e) = lambda::create_alias(&clients.lambda, &function, &new_alias, &version).await {
        return fail(
            aws_diag("creating Lambda alias", &function, e),
            prior.clone(),
        );
    }
    let new_alias_arn = state::alias_arn(&function_arn, &new_alias);
    let new_target = EventTarget {
        function: &function,
        alias: &new_alias,
        alias_arn: &new_alias_arn,
    };
    let old_target = EventTarget {
        function: &function,
        alias: &old_alias,
        alias_arn: &old_alias_arn,
    };
    let moved = async {
        event_sources::reconcile(clients, &new_target, &Default::default(), &want).await?;
        event_sources::reconcile(clients, &old_target, &had, &Default::default()).await?;
        lambda::delete_alias(&clients.lambda, &function, &old_alias).await
    };
    if let Err(e) = moved.await {
        // Both aliases may exist now; undo the new one so the state's alias is the one serving.
        let _ = event_sources::reconcile(clients, &new_target, &want, &Default::default()).await;
        let _ = lambda::delete_alias(&clients.lambda, &function, &new_alias).await;
        let _ = event_sources::reconcile(clients, &old_target, &Default::default(), &had).await;
        return fail(
            aws_diag("moving to the new alias", &function, e),
            prior.clone(),
        );
    }
    s.set_attr(
        "invoke_arn",
        Value::string(state::invoke_arn(&clients.region, &new_alias_arn)),
    );
    s.set_attr("alias_arn", Value::string(new_alias_arn.clone()));
    ApplyResponse {
        new_state: s,
        private: Vec::new(),
        diagnostics: Diagnostics::default(),
    }
}

pub async fn destroy(clients: &AwsClients, prior: &Value) -> ApplyResponse {
    let (settings, _) = settings::parse(prior);
    let function = prior.get("id").as_str().unwrap_or_default().to_string();
    if settings.skip_destroy {
        log::info(
            "skip_destroy: leaving the function in place",
            &[("function", &function)],
        );
        return ApplyResponse::default();
    }
    let timeout = settings
        .timeouts
        .delete
        .unwrap_or(settings::DEFAULT_DELETE_TIMEOUT);
    let work = async {
        if let Some(alias) = prior.get("alias").as_str() {
            let arn = prior.get("alias_arn").as_str().unwrap_or_default();
            let target = EventTarget {
                function: &function,
                alias,
                alias_arn: arn,
            };
            event_sources::reconcile(
                clients,
                &target,
                &event_source_attr::stored(prior),
                &Default::default(),
            )
            .await?;
            lambda::delete_alias(&clients.lambda, &function, alias).await?;
        }
        lambda::delete_function(&clients.lambda, &function).await
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(Ok(())) => ApplyResponse::default(),
        Ok(Err(e)) => fail(
            aws_diag("deleting Lambda function", &function, e),
            prior.clone(),
        ),
        Err(_) => fail(
            Diagnostic::error(
                format!("Timed out deleting {function}"),
                "Raise `timeouts.delete` or check the function in the console, then apply again.",
            ),
            prior.clone(),
        ),
    }
}
