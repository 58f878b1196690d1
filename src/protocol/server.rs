//! The `tfplugin6.Provider` gRPC service: decodes requests with the declared schemas, routes
//! them to the provider's resources and functions, and encodes answers and diagnostics.

use std::collections::HashMap;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::diagnostics::{Diagnostic, Diagnostics};
use super::registry::{self, ApplyRequest, PlanRequest, Provider, RequestContext, Resource};
use super::tfplugin6 as pb;
use super::tfplugin6::provider_server::Provider as ProviderRpc;
use super::value::{Type, Value};
use crate::log;

pub struct ProviderService<P: Provider> {
    provider: Arc<P>,
    resources: HashMap<&'static str, Arc<dyn Resource>>,
    functions: HashMap<&'static str, Arc<dyn registry::Function>>,
    /// Fired by StopProvider; separate from server shutdown, which ends the process.
    stop: CancellationToken,
}

impl<P: Provider> ProviderService<P> {
    pub fn new(provider: P, stop: CancellationToken) -> Self {
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| (r.type_name(), r))
            .collect();
        let functions = provider
            .functions()
            .into_iter()
            .map(|f| (f.name(), f))
            .collect();
        ProviderService {
            provider: Arc::new(provider),
            resources,
            functions,
            stop,
        }
    }

    fn ctx(&self) -> RequestContext {
        RequestContext {
            stop: self.stop.clone(),
        }
    }

    fn resource(&self, type_name: &str) -> Result<&Arc<dyn Resource>, Diagnostics> {
        self.resources.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                format!("Unknown resource type {type_name:?}"),
                "This provider does not implement that resource type. Check the spelling, or upgrade the provider.",
            )
            .into()
        })
    }

    fn server_capabilities() -> pb::ServerCapabilities {
        pb::ServerCapabilities {
            plan_destroy: true,
            get_provider_schema_optional: true,
            move_resource_state: false,
        }
    }
}

fn decode(dv: Option<&pb::DynamicValue>, ty: &Type, what: &str) -> Result<Value, Diagnostics> {
    let Some(dv) = dv else { return Ok(Value::Null) };
    let result = if !dv.msgpack.is_empty() {
        Value::from_msgpack(&dv.msgpack, ty)
    } else if !dv.json.is_empty() {
        Value::from_json(&dv.json, ty)
    } else {
        Ok(Value::Null)
    };
    result.map_err(|e| {
        Diagnostic::error(
            format!("Provider could not decode the {what}"),
            format!("{e}. This is a bug in the provider or a Terraform version it does not support; please report it."),
        )
        .into()
    })
}

fn encode(v: &Value) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: v.to_msgpack(),
        json: Vec::new(),
    })
}

macro_rules! try_diags {
    ($e:expr, $resp:expr) => {
        match $e {
            Ok(v) => v,
            Err(d) => {
                let d: Diagnostics = d;
                let mut resp = $resp;
                resp.diagnostics = d.to_proto();
                return Ok(Response::new(resp));
            }
        }
    };
}

#[tonic::async_trait]
impl<P: Provider> ProviderRpc for ProviderService<P> {
    async fn get_metadata(
        &self,
        _req: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(Self::server_capabilities()),
            diagnostics: vec![],
            data_sources: vec![],
            resources: self
                .resources
                .keys()
                .map(|n| pb::get_metadata::ResourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
            functions: self
                .functions
                .keys()
                .map(|n| pb::get_metadata::FunctionMetadata {
                    name: n.to_string(),
                })
                .collect(),
        }))
    }

    async fn get_provider_schema(
        &self,
        _req: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        log::debug("serving provider schema", &[]);
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(self.provider.schema().to_proto()),
            resource_schemas: self
                .resources
                .iter()
                .map(|(n, r)| (n.to_string(), r.schema().to_proto()))
                .collect(),
            data_source_schemas: HashMap::new(),
            diagnostics: vec![],
            provider_meta: None,
            server_capabilities: Some(Self::server_capabilities()),
            functions: self
                .functions
                .iter()
                .map(|(n, f)| (n.to_string(), f.signature().to_proto()))
                .collect(),
        }))
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let req = req.into_inner();
        let empty = pb::validate_provider_config::Response::default();
        let config = try_diags!(
            decode(
                req.config.as_ref(),
                &self.provider.schema().value_type(),
                "provider configuration"
            ),
            empty
        );
        let diags = self.provider.validate(&config).await;
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = req.into_inner();
        let empty = pb::validate_resource_config::Response::default();
        let resource = try_diags!(self.resource(&req.type_name), empty);
        let config = try_diags!(
            decode(
                req.config.as_ref(),
                &resource.schema().value_type(),
                "resource configuration"
            ),
            empty
        );
        let diags = resource.validate(&config).await;
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let name = req.into_inner().type_name;
        let d = Diagnostic::error(
            format!("Unknown data source {name:?}"),
            "This provider has no data sources yet.",
        );
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: vec![d.to_proto()],
        }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = req.into_inner();
        let empty = pb::upgrade_resource_state::Response::default();
        let resource = try_diags!(self.resource(&req.type_name), empty);
        let ty = resource.schema().value_type();
        let raw = req.raw_state.unwrap_or_default();
        if raw.json.is_empty() && !raw.flatmap.is_empty() {
            let d = Diagnostic::error(
                "Legacy flatmap state is not supported",
                "This state was written by a pre-0.12 provider. Remove the resource from state and import it again.",
            );
            return Ok(Response::new(pb::upgrade_resource_state::Response {
                upgraded_state: None,
                diagnostics: vec![d.to_proto()],
            }));
        }
        let state = try_diags!(
            Value::from_json(&raw.json, &ty).map_err(|e| {
                Diagnostics::from(Diagnostic::error(
                    "Stored state could not be read",
                    format!("{e}. Remove the resource from state (`terraform state rm`) and import it again."),
                ))
            }),
            empty
        );
        let upgraded = try_diags!(resource.upgrade(req.version, state), empty);
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: encode(&upgraded),
            diagnostics: vec![],
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _req: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(
            pb::get_resource_identity_schemas::Response::default(),
        ))
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = req.into_inner();
        let empty = pb::configure_provider::Response::default();
        let config = try_diags!(
            decode(
                req.config.as_ref(),
                &self.provider.schema().value_type(),
                "provider configuration"
            ),
            empty
        );
        log::info(
            "configuring provider",
            &[("terraform_version", &req.terraform_version)],
        );
        let diags = self
            .provider
            .configure(&req.terraform_version, &config)
            .await;
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = req.into_inner();
        let empty = pb::read_resource::Response::default();
        let resource = try_diags!(self.resource(&req.type_name), empty);
        let ty = resource.schema().value_type();
        let state = try_diags!(
            decode(req.current_state.as_ref(), &ty, "current state"),
            empty
        );
        let resp = resource.read(&self.ctx(), state, req.private).await;
        Ok(Response::new(pb::read_resource::Response {
            new_state: encode(&resp.new_state),
            diagnostics: resp.diagnostics.to_proto(),
            private: resp.private,
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = req.into_inner();
        let empty = pb::plan_resource_change::Response::default();
        let resource = try_diags!(self.resource(&req.type_name), empty);
        let ty = resource.schema().value_type();
        let plan = PlanRequest {
            prior_state: try_diags!(decode(req.prior_state.as_ref(), &ty, "prior state"), empty),
            proposed_new_state: try_diags!(
                decode(req.proposed_new_state.as_ref(), &ty, "proposed state"),
                empty
            ),
            config: try_diags!(decode(req.config.as_ref(), &ty, "configuration"), empty),
            prior_private: req.prior_private,
        };
        let resp = resource.plan(&self.ctx(), plan).await;
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: encode(&resp.planned_state),
            requires_replace: resp.requires_replace.iter().map(|p| p.to_proto()).collect(),
            planned_private: resp.planned_private,
            diagnostics: resp.diagnostics.to_proto(),
        }))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = req.into_inner();
        let empty = pb::apply_resource_change::Response::default();
        let resource = try_diags!(self.resource(&req.type_name), empty);
        let ty = resource.schema().value_type();
        let apply = ApplyRequest {
            prior_state: try_diags!(decode(req.prior_state.as_ref(), &ty, "prior state"), empty),
            planned_state: try_diags!(
                decode(req.planned_state.as_ref(), &ty, "planned state"),
                empty
            ),
            config: try_diags!(decode(req.config.as_ref(), &ty, "configuration"), empty),
            planned_private: req.planned_private,
        };
        let resp = resource.apply(&self.ctx(), apply).await;
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: encode(&resp.new_state),
            private: resp.private,
            diagnostics: resp.diagnostics.to_proto(),
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = req.into_inner();
        let empty = pb::import_resource_state::Response::default();
        let resource = try_diags!(self.resource(&req.type_name), empty);
        let resp = resource.import(&self.ctx(), &req.id).await;
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: resp
                .state
                .map(|s| pb::import_resource_state::ImportedResource {
                    type_name: req.type_name.clone(),
                    state: encode(&s),
                    private: resp.private,
                })
                .into_iter()
                .collect(),
            diagnostics: resp.diagnostics.to_proto(),
        }))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let name = req.into_inner().type_name;
        let d = Diagnostic::error(
            format!("Unknown data source {name:?}"),
            "This provider has no data sources yet.",
        );
        Ok(Response::new(pb::read_data_source::Response {
            state: None,
            diagnostics: vec![d.to_proto()],
        }))
    }

    async fn get_functions(
        &self,
        _req: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response {
            functions: self
                .functions
                .iter()
                .map(|(n, f)| (n.to_string(), f.signature().to_proto()))
                .collect(),
            diagnostics: vec![],
        }))
    }

    async fn call_function(
        &self,
        req: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let req = req.into_inner();
        let fail = |text: String, argument: Option<i64>| {
            Ok(Response::new(pb::call_function::Response {
                result: None,
                error: Some(pb::FunctionError {
                    text,
                    function_argument: argument,
                }),
            }))
        };
        let Some(function) = self.functions.get(req.name.as_str()) else {
            return fail(format!("unknown function {:?}", req.name), None);
        };
        let sig = function.signature();
        let mut args = Vec::with_capacity(req.arguments.len());
        for (i, (dv, (name, ty, _))) in req.arguments.iter().zip(&sig.params).enumerate() {
            match decode(Some(dv), ty, "function argument") {
                Ok(v) => args.push(v),
                Err(_) => {
                    return fail(
                        format!("argument {name} could not be decoded"),
                        Some(i as i64),
                    )
                }
            }
        }
        match function.call(args) {
            Ok(v) => {
                let msgpack = if sig.returns == Type::Dynamic {
                    v.to_msgpack_dynamic()
                } else {
                    v.to_msgpack()
                };
                Ok(Response::new(pb::call_function::Response {
                    result: Some(pb::DynamicValue {
                        msgpack,
                        json: vec![],
                    }),
                    error: None,
                }))
            }
            Err(e) => fail(e.text, e.argument),
        }
    }

    async fn stop_provider(
        &self,
        _req: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        log::info(
            "StopProvider received: interrupting running operations",
            &[],
        );
        self.stop.cancel();
        Ok(Response::new(pb::stop_provider::Response::default()))
    }
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
