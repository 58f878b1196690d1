//! API Gateway sources: the execute-api ARN a permission is scoped to, and the stage variable
//! that carries the alias name (set when the source comes, put back when it goes).

use super::Replaced;
use crate::model::event_sources::{PushSource, DEFAULT_STAGE};
use crate::model::ports::{Api, AwsError, Cloud, SourceTarget};

/// One stage variable an API Gateway source sets to the alias name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct StageVariable {
    api_id: String,
    rest: bool,
    stage: String,
    name: String,
}

impl StageVariable {
    pub(super) fn of(source: &PushSource) -> Option<StageVariable> {
        let (api_id, rest, stage, name) = match source {
            PushSource::ApiGateway {
                api_id: Some(api_id),
                stage,
                stage_variable: Some(name),
                ..
            } => (
                api_id,
                false,
                stage.as_deref().unwrap_or(DEFAULT_STAGE),
                name,
            ),
            PushSource::RestApi {
                rest_api_id,
                stage: Some(stage),
                stage_variable: Some(name),
                ..
            } => (rest_api_id, true, stage.as_str(), name),
            _ => return None,
        };
        Some(StageVariable {
            api_id: api_id.clone(),
            rest,
            stage: stage.to_string(),
            name: name.clone(),
        })
    }

    fn api(&self) -> Api<'_> {
        match self.rest {
            true => Api::Rest(&self.api_id),
            false => Api::Http(&self.api_id),
        }
    }

    /// The key of the value it replaced, in [`Replaced`].
    fn key(&self) -> String {
        format!("{}/{}/{}", self.api_id, self.stage, self.name)
    }
}

/// Sets the variable to the alias name, remembering the value it replaces (the first time).
pub(super) async fn point_at_alias<C: Cloud>(
    cloud: &C,
    target: &SourceTarget,
    v: &StageVariable,
    replaced: &mut Replaced,
) -> Result<(), AwsError> {
    if let std::collections::btree_map::Entry::Vacant(slot) = replaced.entry(v.key()) {
        slot.insert(cloud.stage_variable(v.api(), &v.stage, &v.name).await?);
    }
    let alias = Some(target.alias.as_str());
    cloud
        .set_stage_variable(v.api(), &v.stage, &v.name, alias)
        .await
}

/// Puts back the value the variable had before this resource set it (or removes it), unless it
/// no longer names this alias: then someone else (another alias taking over the API) set it last.
pub(super) async fn restore<C: Cloud>(
    cloud: &C,
    target: &SourceTarget,
    v: &StageVariable,
    replaced: &mut Replaced,
) -> Result<(), AwsError> {
    let now = cloud.stage_variable(v.api(), &v.stage, &v.name).await?;
    if now.as_deref() != Some(target.alias.as_str()) {
        return Ok(());
    }
    let before = replaced.remove(&v.key()).flatten();
    cloud
        .set_stage_variable(v.api(), &v.stage, &v.name, before.as_deref())
        .await
}

/// The execute-api ARN a permission for an API Gateway source is scoped to: the one given, or
/// the API (and the route's method and path, or the REST resource's, when named).
pub(super) async fn source_arn<C: Cloud>(
    cloud: &C,
    target: &SourceTarget,
    source: &PushSource,
) -> Result<Option<String>, AwsError> {
    let base = |api_id: &str| {
        format!(
            "arn:{}:execute-api:{}:{}:{api_id}",
            target.partition(),
            target.region(),
            target.account()
        )
    };
    match source {
        PushSource::ApiGateway {
            source_arn: Some(arn),
            ..
        } => Ok(Some(arn.clone())),
        PushSource::ApiGateway {
            api_id: Some(api_id),
            route_id,
            ..
        } => {
            let Some(route_id) = route_id else {
                return Ok(Some(format!("{}/*/*", base(api_id))));
            };
            let route_key = cloud.route_key(api_id, route_id).await?;
            Ok(Some(format!(
                "{}/{}",
                base(api_id),
                route_scope(&route_key)
            )))
        }
        PushSource::RestApi {
            rest_api_id,
            resource_id,
            http_method,
            ..
        } => {
            let method = match http_method.as_deref() {
                None | Some("ANY") | Some("*") => "*",
                Some(m) => m,
            };
            let path = match resource_id {
                Some(id) => cloud.rest_resource_path(rest_api_id, id).await?,
                None => "/*".to_string(),
            };
            Ok(Some(format!("{}/*/{method}{path}", base(rest_api_id))))
        }
        _ => Ok(None),
    }
}

/// A route key ("METHOD /path", "ANY /path" or "$default") as the stage/method/path part of an
/// execute-api ARN.
fn route_scope(route_key: &str) -> String {
    match route_key.split_once(' ') {
        Some(("ANY", path)) => format!("*/*{path}"),
        Some((method, path)) => format!("*/{method}{path}"),
        None => "*/*".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::route_scope;

    #[test]
    fn route_keys_scope_the_permission_to_method_and_path() {
        assert_eq!(route_scope("GET /orders"), "*/GET/orders");
        assert_eq!(route_scope("ANY /{proxy+}"), "*/*/{proxy+}");
        assert_eq!(route_scope("$default"), "*/*");
    }
}
