//! Lambda for the engine and for the resource's own bookkeeping (find, create, delete, tags).
//!
//! [`FunctionRelease`] is one function plus the release being rolled out: the engine asks it to
//! "update the code" or "shift the alias" and never sees SDK types.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_lambda::types::{AliasConfiguration, AliasRoutingConfiguration, FunctionConfiguration};
use aws_sdk_lambda::Client;
use gitmoxi_engine::ports::{
    AliasRouting, AwsError, AwsErrorKind, FunctionStatus, Lambda, PublishedVersion,
};

use super::errors::classify;
use super::function_definition::{self as expand, CodeSource};
use crate::resources::lambda_deployment::definition::FunctionDefinition;

pub struct FunctionRelease {
    pub client: Client,
    pub function_name: String,
    /// What `$LATEST` should become; None when only existing versions are rolled out
    /// (promotion), where updating `$LATEST` is refused.
    pub content: Option<ReleaseContent>,
}

pub struct ReleaseContent {
    /// The definition with `sensitive_environment` merged in: never log it.
    pub definition: FunctionDefinition,
    pub code: CodeSource,
}

impl FunctionRelease {
    fn content(&self) -> Result<&ReleaseContent, AwsError> {
        self.content.as_ref().ok_or_else(|| {
            AwsError::new(
                AwsErrorKind::Other,
                "this rollout promotes an existing version and never updates $LATEST",
            )
        })
    }
}

/// The additional version and its weight: Lambda allows at most one.
fn extra_weight(config: Option<&AliasRoutingConfiguration>) -> Option<(String, f64)> {
    config
        .and_then(|r| r.additional_version_weights())
        .and_then(|w| w.iter().next())
        .map(|(v, w)| (v.clone(), *w))
}

fn routing(alias: &AliasConfiguration) -> AliasRouting {
    AliasRouting {
        version: alias.function_version().unwrap_or_default().to_string(),
        extra: extra_weight(alias.routing_config()),
        revision_id: alias.revision_id().unwrap_or_default().to_string(),
    }
}

/// `Ok(None)` for a NotFound answer: a `find_*` reports absence as a value.
fn absent_if_not_found<T>(result: Result<T, AwsError>) -> Result<Option<T>, AwsError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.kind == AwsErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
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

fn status_of(c: &FunctionConfiguration) -> FunctionStatus {
    function_status!(c)
}

impl Lambda for FunctionRelease {
    async fn status(&self, qualifier: &str) -> Result<FunctionStatus, AwsError> {
        let c = self
            .client
            .get_function_configuration()
            .function_name(&self.function_name)
            .qualifier(qualifier)
            .send()
            .await
            .map_err(|e| classify("reading Lambda function", e))?;
        Ok(function_status!(&c))
    }

    async fn update_code(&self) -> Result<(), AwsError> {
        expand::update_code(
            &self.client,
            &self.content()?.definition,
            &self.content()?.code,
        )
        .send()
        .await
        .map_err(|e| classify("updating Lambda function code", e))?;
        Ok(())
    }

    async fn update_configuration(&self) -> Result<(), AwsError> {
        expand::update_configuration(&self.client, &self.content()?.definition)
            .map_err(|e| AwsError::new(AwsErrorKind::Other, e.to_string()))?
            .send()
            .await
            .map_err(|e| classify("updating Lambda function configuration", e))?;
        Ok(())
    }

    async fn publish_version(
        &self,
        revision_id: &str,
        description: &str,
    ) -> Result<PublishedVersion, AwsError> {
        let c = self
            .client
            .publish_version()
            .function_name(&self.function_name)
            .revision_id(revision_id)
            .description(description)
            .send()
            .await
            .map_err(|e| classify("publishing Lambda version", e))?;
        Ok(PublishedVersion {
            version: c.version().unwrap_or_default().to_string(),
            code_sha256: c.code_sha256().unwrap_or_default().to_string(),
        })
    }

    async fn get_alias(&self, alias: &str) -> Result<Option<AliasRouting>, AwsError> {
        find_alias(&self.client, &self.function_name, alias).await
    }

    async fn create_alias(&self, alias: &str, version: &str) -> Result<AliasRouting, AwsError> {
        create_alias(&self.client, &self.function_name, alias, version).await
    }

    async fn shift_alias(
        &self,
        alias: &str,
        version: &str,
        extra: Option<(&str, f64)>,
        revision_id: &str,
    ) -> Result<AliasRouting, AwsError> {
        let weights: HashMap<String, f64> =
            extra.map(|(v, w)| (v.to_string(), w)).into_iter().collect();
        let a = self
            .client
            .update_alias()
            .function_name(&self.function_name)
            .name(alias)
            .function_version(version)
            .routing_config(
                AliasRoutingConfiguration::builder()
                    .set_additional_version_weights(Some(weights))
                    .build(),
            )
            .revision_id(revision_id)
            .send()
            .await
            .map_err(|e| classify("updating Lambda alias", e))?;
        Ok(AliasRouting {
            version: a.function_version().unwrap_or_default().to_string(),
            extra: extra_weight(a.routing_config()),
            revision_id: a.revision_id().unwrap_or_default().to_string(),
        })
    }

    async fn list_versions(&self) -> Result<Vec<String>, AwsError> {
        list_versions(&self.client, &self.function_name).await
    }

    async fn list_aliases(&self) -> Result<Vec<(String, AliasRouting)>, AwsError> {
        list_aliases(&self.client, &self.function_name).await
    }

    async fn delete_version(&self, version: &str) -> Result<(), AwsError> {
        self.client
            .delete_function()
            .function_name(&self.function_name)
            .qualifier(version)
            .send()
            .await
            .map_err(|e| classify("deleting Lambda version", e))?;
        Ok(())
    }
}

pub async fn find_alias(
    client: &Client,
    function: &str,
    alias: &str,
) -> Result<Option<AliasRouting>, AwsError> {
    let found = client
        .get_alias()
        .function_name(function)
        .name(alias)
        .send()
        .await
        .map_err(|e| classify("reading Lambda alias", e));
    Ok(absent_if_not_found(found)?.map(|a| AliasRouting {
        version: a.function_version().unwrap_or_default().to_string(),
        extra: extra_weight(a.routing_config()),
        revision_id: a.revision_id().unwrap_or_default().to_string(),
    }))
}

pub async fn list_versions(client: &Client, function: &str) -> Result<Vec<String>, AwsError> {
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        let resp = client
            .list_versions_by_function()
            .function_name(function)
            .set_marker(marker)
            .max_items(50)
            .send()
            .await
            .map_err(|e| classify("listing Lambda versions", e))?;
        out.extend(
            resp.versions()
                .iter()
                .filter_map(|v| v.version())
                .filter(|v| *v != "$LATEST")
                .map(str::to_string),
        );
        marker = resp.next_marker().map(str::to_string);
        if marker.is_none() {
            return Ok(out);
        }
    }
}

pub async fn list_aliases(
    client: &Client,
    function: &str,
) -> Result<Vec<(String, AliasRouting)>, AwsError> {
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        let resp = client
            .list_aliases()
            .function_name(function)
            .set_marker(marker)
            .send()
            .await
            .map_err(|e| classify("listing Lambda aliases", e))?;
        out.extend(
            resp.aliases()
                .iter()
                .map(|a| (a.name().unwrap_or_default().to_string(), routing(a))),
        );
        marker = resp.next_marker().map(str::to_string);
        if marker.is_none() {
            return Ok(out);
        }
    }
}

/// What a function version serves, as the resource records it.
#[derive(Clone, Debug)]
pub struct ServedVersion {
    pub function_arn: String,
    pub version: String,
    pub code_sha256: String,
    pub status: FunctionStatus,
    pub configuration: FunctionConfiguration,
    pub tags: Option<HashMap<String, String>>,
}

/// `find_function`: GetFunction of a qualifier; not found is `None`.
pub async fn find_function(
    client: &Client,
    function: &str,
    qualifier: &str,
) -> Result<Option<ServedVersion>, AwsError> {
    match client
        .get_function()
        .function_name(function)
        .qualifier(qualifier)
        .send()
        .await
    {
        Ok(f) => {
            let Some(c) = f.configuration().cloned() else {
                return Ok(None);
            };
            let arn = c.function_arn().unwrap_or_default();
            // The unqualified ARN: strip a `:VERSION` or `:ALIAS` suffix.
            let function_arn = match arn.splitn(8, ':').count() {
                8 => arn
                    .rsplit_once(':')
                    .map_or(arn, |(base, _)| base)
                    .to_string(),
                _ => arn.to_string(),
            };
            Ok(Some(ServedVersion {
                function_arn,
                version: c.version().unwrap_or_default().to_string(),
                code_sha256: c.code_sha256().unwrap_or_default().to_string(),
                status: status_of(&c),
                tags: f.tags().cloned(),
                configuration: c,
            }))
        }
        Err(e) => {
            let e = classify("reading Lambda function", e);
            if e.kind == AwsErrorKind::NotFound {
                Ok(None)
            } else {
                Err(e)
            }
        }
    }
}

pub async fn create_function(
    client: &Client,
    def: &FunctionDefinition,
    code: &CodeSource,
) -> Result<(), AwsError> {
    expand::create_function(client, def, expand::function_code(code, def))
        .map_err(|e| AwsError::new(AwsErrorKind::Other, e.to_string()))?
        .send()
        .await
        .map_err(|e| classify("creating Lambda function", e))?;
    Ok(())
}

pub async fn delete_function(client: &Client, function: &str) -> Result<(), AwsError> {
    let deleted = client
        .delete_function()
        .function_name(function)
        .send()
        .await
        .map_err(|e| classify("deleting Lambda function", e));
    absent_if_not_found(deleted).map(|_| ())
}

pub async fn create_alias(
    client: &Client,
    function: &str,
    alias: &str,
    version: &str,
) -> Result<AliasRouting, AwsError> {
    let a = client
        .create_alias()
        .function_name(function)
        .name(alias)
        .function_version(version)
        .send()
        .await
        .map_err(|e| classify("creating Lambda alias", e))?;
    Ok(AliasRouting {
        version: a.function_version().unwrap_or_default().to_string(),
        extra: None,
        revision_id: a.revision_id().unwrap_or_default().to_string(),
    })
}

pub async fn delete_alias(client: &Client, function: &str, alias: &str) -> Result<(), AwsError> {
    let deleted = client
        .delete_alias()
        .function_name(function)
        .name(alias)
        .send()
        .await
        .map_err(|e| classify("deleting Lambda alias", e));
    absent_if_not_found(deleted).map(|_| ())
}

/// Makes the function's tags equal `want` (tags are not versioned: applied in place).
pub async fn sync_tags(
    client: &Client,
    function_arn: &str,
    have: &BTreeMap<String, String>,
    want: &BTreeMap<String, String>,
) -> Result<(), AwsError> {
    let remove: Vec<String> = have
        .keys()
        .filter(|k| !want.contains_key(*k))
        .cloned()
        .collect();
    if !remove.is_empty() {
        client
            .untag_resource()
            .resource(function_arn)
            .set_tag_keys(Some(remove))
            .send()
            .await
            .map_err(|e| classify("untagging Lambda function", e))?;
    }
    let add: HashMap<String, String> = want
        .iter()
        .filter(|(k, v)| have.get(*k) != Some(v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !add.is_empty() {
        client
            .tag_resource()
            .resource(function_arn)
            .set_tags(Some(add))
            .send()
            .await
            .map_err(|e| classify("tagging Lambda function", e))?;
    }
    Ok(())
}
