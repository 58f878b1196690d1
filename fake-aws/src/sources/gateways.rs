//! Load balancer target groups and API Gateway routes and stages, as push event sources use
//! them.

use gitmoxi_engine::ports::{AwsError, AwsErrorKind};

use crate::{error, Call, FakeAws};

impl FakeAws {
    pub fn register_target(&self, target_group_arn: &str, target: &str) -> Result<(), AwsError> {
        self.call(Call::RegisterTarget(target.into()), |w, _| {
            let group = w
                .sources
                .target_groups
                .get_mut(target_group_arn)
                .ok_or_else(|| {
                    error(
                        AwsErrorKind::NotFound,
                        format!("Target group '{target_group_arn}' not found"),
                    )
                })?;
            group.insert(target.into());
            Ok(())
        })
    }

    pub fn deregister_target(&self, target_group_arn: &str, target: &str) -> Result<(), AwsError> {
        self.call(Call::DeregisterTarget(target.into()), |w, _| {
            let group = w
                .sources
                .target_groups
                .get_mut(target_group_arn)
                .ok_or_else(|| {
                    error(
                        AwsErrorKind::NotFound,
                        format!("Target group '{target_group_arn}' not found"),
                    )
                })?;
            group.remove(target);
            Ok(())
        })
    }

    pub fn route_key(&self, api_id: &str, route_id: &str) -> Result<String, AwsError> {
        self.call(Call::GetRoute(route_id.into()), |w, _| {
            let key = (api_id.to_string(), route_id.to_string());
            w.sources.routes.get(&key).cloned().ok_or_else(|| {
                error(
                    AwsErrorKind::NotFound,
                    format!("Invalid Route identifier specified {route_id}"),
                )
            })
        })
    }

    /// GetResource of a REST API: the resource's path.
    pub fn rest_resource_path(
        &self,
        rest_api_id: &str,
        resource_id: &str,
    ) -> Result<String, AwsError> {
        self.call(Call::GetRestResource(resource_id.into()), |w, _| {
            let key = (rest_api_id.to_string(), resource_id.to_string());
            w.sources.rest_resources.get(&key).cloned().ok_or_else(|| {
                error(
                    AwsErrorKind::NotFound,
                    format!("Invalid Resource identifier specified {resource_id}"),
                )
            })
        })
    }

    /// GetStage: one stage variable's value.
    pub fn get_stage_variable(
        &self,
        api_id: &str,
        stage: &str,
        name: &str,
    ) -> Result<Option<String>, AwsError> {
        self.call(Call::GetStage(stage.into()), |w, _| {
            let key = (api_id.to_string(), stage.to_string());
            let vars = w.sources.stages.get(&key).ok_or_else(|| {
                error(
                    AwsErrorKind::NotFound,
                    format!("Invalid stage identifier specified {stage}"),
                )
            })?;
            Ok(vars.get(name).cloned())
        })
    }

    /// UpdateStage with one stage variable; `None` removes it.
    pub fn set_stage_variable(
        &self,
        api_id: &str,
        stage: &str,
        name: &str,
        value: Option<&str>,
    ) -> Result<(), AwsError> {
        self.call(Call::UpdateStage(stage.into()), |w, _| {
            let key = (api_id.to_string(), stage.to_string());
            let vars = w.sources.stages.get_mut(&key).ok_or_else(|| {
                error(
                    AwsErrorKind::NotFound,
                    format!("Invalid stage identifier specified {stage}"),
                )
            })?;
            match value {
                Some(v) => vars.insert(name.into(), v.into()),
                None => vars.remove(name),
            };
            Ok(())
        })
    }
}
