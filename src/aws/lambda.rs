//! Lambda functions, aliases and tags, as the resources manage them.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use aws_sdk_lambda::types::{AliasConfiguration, AliasRoutingConfiguration, FunctionConfiguration};
use gitmoxi_engine::ports::{
    absent_if_not_found, done_if_not_found, AliasRouting, AwsError, FunctionStatus,
};

use super::function_definition::{self as expand, flatten};
use super::ops;
use super::Aws;
use crate::model::definition::FunctionDefinition;
use crate::model::ports::ServedFunction;
use crate::model::release::Release;

/// The additional version and its weight: Lambda allows at most one.
pub(super) fn extra_weight(config: Option<&AliasRoutingConfiguration>) -> Option<(String, f64)> {
    config
        .and_then(|r| r.additional_version_weights())
        .and_then(|w| w.iter().next())
        .map(|(v, w)| (v.clone(), *w))
}

/// GetAlias, CreateAlias, UpdateAlias and ListAliases answer with the same fields in different
/// types.
macro_rules! routing {
    ($a:expr) => {{
        let a = $a;
        AliasRouting {
            version: a.function_version().unwrap_or_default().to_string(),
            extra: extra_weight(a.routing_config()),
            revision_id: a.revision_id().unwrap_or_default().to_string(),
        }
    }};
}
pub(super) use routing;

fn routing_of(a: &AliasConfiguration) -> AliasRouting {
    routing!(a)
}

/// GetFunction and GetFunctionConfiguration answer with different types of the same shape.
macro_rules! function_status {
    ($c:expr) => {{
        let c = $c;
        FunctionStatus {
            state: c
                .state()
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|| "Active".into()),
            state_reason: c.state_reason().map(str::to_string),
            last_update_status: c.last_update_status().map(|s| s.as_str().to_string()),
            last_update_reason: c.last_update_status_reason().map(str::to_string),
            revision_id: c.revision_id().unwrap_or_default().to_string(),
            code_sha256: c.code_sha256().unwrap_or_default().to_string(),
        }
    }};
}
pub(super) use function_status;

/// The unqualified ARN: without a `:VERSION` or `:ALIAS` suffix.
fn unqualified(arn: &str) -> String {
    match arn.split(':').count() {
        8 => arn
            .rsplit_once(':')
            .map_or(arn, |(base, _)| base)
            .to_string(),
        _ => arn.to_string(),
    }
}

pub(super) fn served(
    c: &FunctionConfiguration,
    tags: Option<&HashMap<String, String>>,
    resolved_image_uri: Option<&str>,
) -> ServedFunction {
    let tags: BTreeMap<String, String> = tags
        .into_iter()
        .flatten()
        .filter(|(k, _)| !k.starts_with("aws:"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    ServedFunction {
        function_arn: unqualified(c.function_arn().unwrap_or_default()),
        version: c.version().unwrap_or_default().to_string(),
        code_sha256: c.code_sha256().unwrap_or_default().to_string(),
        resolved_image_uri: resolved_image_uri.map(str::to_string),
        definition: FunctionDefinition::from_served(flatten(c)),
        tags,
        status: function_status!(c),
        environment_error: c.environment().and_then(|e| e.error()).map(|e| {
            format!(
                "{}: {}",
                e.error_code().unwrap_or("Error"),
                e.message().unwrap_or("")
            )
        }),
    }
}

impl Aws {
    pub(super) async fn find_function(
        &self,
        function: &str,
        qualifier: &str,
    ) -> Result<Option<ServedFunction>, AwsError> {
        let found = self
            .calls
            .send(ops::GET_FUNCTION, || {
                self.lambda
                    .get_function()
                    .function_name(function)
                    .qualifier(qualifier)
                    .send()
            })
            .await;
        Ok(absent_if_not_found(found)?.and_then(|f| {
            let image = f.code().and_then(|c| c.resolved_image_uri());
            Some(served(f.configuration()?, f.tags(), image))
        }))
    }

    pub(super) async fn create_function(&self, release: &Release) -> Result<(), AwsError> {
        let code = expand::function_code(&release.code, &release.definition);
        let request = expand::create_function(&self.lambda, &release.definition, code)
            .map_err(expand::build_error)?;
        self.calls
            .send(ops::CREATE_FUNCTION, || request.clone().send())
            .await?;
        Ok(())
    }

    pub(super) async fn delete_function(&self, function: &str) -> Result<(), AwsError> {
        let deleted = self
            .calls
            .send(ops::DELETE_FUNCTION, || {
                self.lambda.delete_function().function_name(function).send()
            })
            .await;
        done_if_not_found(deleted.map(|_| ()))
    }

    pub(super) async fn tag_function(
        &self,
        function_arn: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), AwsError> {
        let tags: HashMap<String, String> = tags.clone().into_iter().collect();
        self.calls
            .send(ops::TAG, || {
                self.lambda
                    .tag_resource()
                    .resource(function_arn)
                    .set_tags(Some(tags.clone()))
                    .send()
            })
            .await?;
        Ok(())
    }

    pub(super) async fn untag_function(
        &self,
        function_arn: &str,
        keys: &[String],
    ) -> Result<(), AwsError> {
        self.calls
            .send(ops::UNTAG, || {
                self.lambda
                    .untag_resource()
                    .resource(function_arn)
                    .set_tag_keys(Some(keys.to_vec()))
                    .send()
            })
            .await?;
        Ok(())
    }

    /// The function's code-signing configuration, if it has one.
    pub(super) async fn code_signing(&self, function: &str) -> Result<Option<String>, AwsError> {
        let found = self
            .calls
            .send(ops::GET_CODE_SIGNING, || {
                self.lambda
                    .get_function_code_signing_config()
                    .function_name(function)
                    .send()
            })
            .await?;
        let arn = found.code_signing_config_arn();
        Ok((!arn.is_empty()).then(|| arn.to_string()))
    }

    /// Puts (Some) or removes (None) the function's code-signing configuration.
    pub(super) async fn set_code_signing(
        &self,
        function: &str,
        arn: Option<&str>,
    ) -> Result<(), AwsError> {
        match arn {
            Some(arn) => {
                self.calls
                    .send(ops::PUT_CODE_SIGNING, || {
                        self.lambda
                            .put_function_code_signing_config()
                            .function_name(function)
                            .code_signing_config_arn(arn)
                            .send()
                    })
                    .await?;
            }
            None => {
                let removed = self
                    .calls
                    .send(ops::DELETE_CODE_SIGNING, || {
                        self.lambda
                            .delete_function_code_signing_config()
                            .function_name(function)
                            .send()
                    })
                    .await;
                done_if_not_found(removed.map(|_| ()))?;
            }
        }
        Ok(())
    }

    pub(super) async fn find_alias(
        &self,
        function: &str,
        alias: &str,
    ) -> Result<Option<AliasRouting>, AwsError> {
        let found = self
            .calls
            .send(ops::GET_ALIAS, || {
                self.lambda
                    .get_alias()
                    .function_name(function)
                    .name(alias)
                    .send()
            })
            .await;
        Ok(absent_if_not_found(found)?.map(|a| routing!(&a)))
    }

    pub(super) async fn preview_alias(
        &self,
        function: &str,
        alias: &str,
    ) -> Result<Option<AliasRouting>, AwsError> {
        const ANSWER_WITHIN: Duration = Duration::from_secs(3);
        let found = self
            .calls
            .send_within(ops::GET_ALIAS, ANSWER_WITHIN, || {
                self.lambda
                    .get_alias()
                    .function_name(function)
                    .name(alias)
                    .send()
            })
            .await;
        Ok(absent_if_not_found(found)?.map(|a| routing!(&a)))
    }

    pub(super) async fn create_alias(
        &self,
        function: &str,
        alias: &str,
        version: &str,
    ) -> Result<AliasRouting, AwsError> {
        let a = self
            .calls
            .send(ops::CREATE_ALIAS, || {
                self.lambda
                    .create_alias()
                    .function_name(function)
                    .name(alias)
                    .function_version(version)
                    .send()
            })
            .await?;
        Ok(routing!(&a))
    }

    pub(super) async fn delete_alias(&self, function: &str, alias: &str) -> Result<(), AwsError> {
        let deleted = self
            .calls
            .send(ops::DELETE_ALIAS, || {
                self.lambda
                    .delete_alias()
                    .function_name(function)
                    .name(alias)
                    .send()
            })
            .await;
        done_if_not_found(deleted.map(|_| ()))
    }

    pub(super) async fn list_versions(&self, function: &str) -> Result<Vec<String>, AwsError> {
        let mut out = Vec::new();
        let mut marker = None;
        loop {
            let page = self
                .calls
                .send(ops::LIST_VERSIONS, || {
                    self.lambda
                        .list_versions_by_function()
                        .function_name(function)
                        .set_marker(marker.clone())
                        .max_items(50)
                        .send()
                })
                .await?;
            let versions = page.versions().iter().filter_map(|v| v.version());
            out.extend(versions.filter(|v| *v != "$LATEST").map(str::to_string));
            marker = page.next_marker().map(str::to_string);
            if marker.is_none() {
                return Ok(out);
            }
        }
    }

    pub(super) async fn list_functions(&self) -> Result<Vec<String>, AwsError> {
        let mut out = Vec::new();
        let mut marker = None;
        loop {
            let page = self
                .calls
                .send(ops::LIST_FUNCTIONS, || {
                    self.lambda
                        .list_functions()
                        .set_marker(marker.clone())
                        .send()
                })
                .await?;
            let names = page.functions().iter().filter_map(|f| f.function_name());
            out.extend(names.map(str::to_string));
            marker = page.next_marker().map(str::to_string);
            if marker.is_none() {
                return Ok(out);
            }
        }
    }

    pub(super) async fn list_aliases(
        &self,
        function: &str,
    ) -> Result<Vec<(String, AliasRouting)>, AwsError> {
        let mut out = Vec::new();
        let mut marker = None;
        loop {
            let page = self
                .calls
                .send(ops::LIST_ALIASES, || {
                    self.lambda
                        .list_aliases()
                        .function_name(function)
                        .set_marker(marker.clone())
                        .send()
                })
                .await?;
            out.extend(
                page.aliases()
                    .iter()
                    .map(|a| (a.name().unwrap_or_default().to_string(), routing_of(a))),
            );
            marker = page.next_marker().map(str::to_string);
            if marker.is_none() {
                return Ok(out);
            }
        }
    }
}
