//! API Gateway as push event sources use it: route keys of HTTP APIs, resource paths of REST
//! APIs, and stage variables of both (API Gateway v2 and v1 are different services).

use aws_sdk_apigateway::types::{Op as PatchOp, PatchOperation};
use gitmoxi_engine::ports::AwsError;

use super::{ops, Aws};
use crate::model::ports::Api;

impl Aws {
    pub(super) async fn route_key(&self, api_id: &str, route_id: &str) -> Result<String, AwsError> {
        let route = self
            .calls
            .send(ops::GET_ROUTE, || {
                self.apigatewayv2
                    .get_route()
                    .api_id(api_id)
                    .route_id(route_id)
                    .send()
            })
            .await?;
        Ok(route.route_key().unwrap_or("$default").to_string())
    }

    pub(super) async fn rest_resource_path(
        &self,
        rest_api_id: &str,
        resource_id: &str,
    ) -> Result<String, AwsError> {
        let resource = self
            .calls
            .send(ops::GET_REST_RESOURCE, || {
                self.apigateway
                    .get_resource()
                    .rest_api_id(rest_api_id)
                    .resource_id(resource_id)
                    .send()
            })
            .await?;
        Ok(resource.path().unwrap_or("/").to_string())
    }

    pub(super) async fn stage_variable(
        &self,
        api: Api<'_>,
        stage: &str,
        name: &str,
    ) -> Result<Option<String>, AwsError> {
        let value = match api {
            Api::Http(api_id) => {
                let found = self
                    .calls
                    .send(ops::GET_STAGE, || {
                        self.apigatewayv2
                            .get_stage()
                            .api_id(api_id)
                            .stage_name(stage)
                            .send()
                    })
                    .await?;
                found.stage_variables().and_then(|v| v.get(name)).cloned()
            }
            Api::Rest(rest_api_id) => {
                let found = self
                    .calls
                    .send(ops::GET_STAGE, || {
                        self.apigateway
                            .get_stage()
                            .rest_api_id(rest_api_id)
                            .stage_name(stage)
                            .send()
                    })
                    .await?;
                found.variables().and_then(|v| v.get(name)).cloned()
            }
        };
        // An HTTP API stage keeps a removed variable as an empty value.
        Ok(value.filter(|v| !v.is_empty()))
    }

    pub(super) async fn set_stage_variable(
        &self,
        api: Api<'_>,
        stage: &str,
        name: &str,
        value: Option<&str>,
    ) -> Result<(), AwsError> {
        match api {
            Api::Http(api_id) => {
                // None is sent as an empty value.
                let value = value.unwrap_or_default();
                self.calls
                    .send(ops::UPDATE_STAGE, || {
                        self.apigatewayv2
                            .update_stage()
                            .api_id(api_id)
                            .stage_name(stage)
                            .stage_variables(name, value)
                            .send()
                    })
                    .await?;
            }
            Api::Rest(rest_api_id) => {
                let patch = match value {
                    Some(v) => PatchOperation::builder()
                        .op(PatchOp::Replace)
                        .path(format!("/variables/{name}"))
                        .value(v)
                        .build(),
                    None => PatchOperation::builder()
                        .op(PatchOp::Remove)
                        .path(format!("/variables/{name}"))
                        .build(),
                };
                self.calls
                    .send(ops::UPDATE_STAGE, || {
                        self.apigateway
                            .update_stage()
                            .rest_api_id(rest_api_id)
                            .stage_name(stage)
                            .patch_operations(patch.clone())
                            .send()
                    })
                    .await?;
            }
        }
        Ok(())
    }
}
