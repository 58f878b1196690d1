//! The `tfplugin6.Provider` gRPC service: decodes requests with the declared schemas, routes
//! them to the provider's resources and functions, and encodes answers and diagnostics.
//!
//! This file holds the service, its provider-level calls and the codec helpers; what the provider
//! declares is built in `schemas.rs`, the calls about resources are in `resources.rs` (identity in
//! `identity.rs`), list resources in `lists.rs`, actions in `actions.rs` and provider functions in
//! `functions.rs`.

use std::collections::HashMap;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::diagnostics::{Diagnostic, Diagnostics};
use super::registry::{self, Provider, RequestContext, Resource};
use super::tfplugin6 as pb;
use super::tfplugin6::provider_server::Provider as ProviderRpc;
use super::value::{Type, Value};
use crate::log;

/// Answers with the response `$resp` carrying the diagnostics when `$e` is an error.
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

mod actions;
mod functions;
mod identity;
mod lists;
mod resources;
mod schemas;

pub struct ProviderService<P: Provider> {
    provider: Arc<P>,
    resources: HashMap<&'static str, Arc<dyn Resource>>,
    functions: HashMap<&'static str, Arc<dyn registry::Function>>,
    actions: HashMap<&'static str, Arc<dyn registry::Action>>,
    lists: HashMap<&'static str, Arc<dyn registry::ListResource>>,
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
        let actions = provider
            .actions()
            .into_iter()
            .map(|a| (a.type_name(), a))
            .collect();
        let lists = provider
            .list_resources()
            .into_iter()
            .map(|l| (l.type_name(), l))
            .collect();
        ProviderService {
            provider: Arc::new(provider),
            resources,
            functions,
            actions,
            lists,
            stop,
        }
    }

    fn ctx(&self) -> RequestContext {
        RequestContext {
            stop: self.stop.clone(),
        }
    }

    fn resource(&self, type_name: &str) -> Result<&Arc<dyn Resource>, Diagnostics> {
        registered(&self.resources, "resource type", type_name)
    }

    fn server_capabilities() -> pb::ServerCapabilities {
        pb::ServerCapabilities {
            plan_destroy: true,
            get_provider_schema_optional: true,
            move_resource_state: false,
        }
    }
}

/// What the provider registered as `type_name`, or a diagnostic naming what was asked for.
fn registered<'a, T: ?Sized>(
    registry: &'a HashMap<&'static str, Arc<T>>,
    kind: &str,
    type_name: &str,
) -> Result<&'a Arc<T>, Diagnostics> {
    registry.get(type_name).ok_or_else(|| {
        Diagnostic::error(
            format!("Unknown {kind} {type_name:?}"),
            format!(
                "This provider has no {kind} of that name. Check the spelling, or upgrade the \
                 provider."
            ),
        )
        .into()
    })
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

#[tonic::async_trait]
impl<P: Provider> ProviderRpc for ProviderService<P> {
    async fn get_metadata(
        &self,
        _req: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        Ok(Response::new(self.metadata()))
    }

    async fn get_provider_schema(
        &self,
        _req: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        log::debug("serving provider schema", &[]);
        Ok(Response::new(self.provider_schema()))
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
        self.validate_resource(req.into_inner()).await
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
        self.upgrade_state(req.into_inner()).await
    }

    async fn get_resource_identity_schemas(
        &self,
        _req: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        Ok(Response::new(self.identity_schemas()))
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        self.upgrade_identity(req.into_inner()).await
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
        self.read(req.into_inner()).await
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        self.plan(req.into_inner()).await
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        self.apply(req.into_inner()).await
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        self.import(req.into_inner()).await
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
        self.call(req.into_inner()).await
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        let req = req.into_inner();
        let diagnostics = self
            .validate_list(&req.type_name, req.config.as_ref())
            .await;
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: diagnostics.to_proto(),
        }))
    }

    type ListResourceStream = lists::ListStream;

    async fn list_resource(
        &self,
        req: Request<pb::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        Ok(self.list(req.into_inner()))
    }

    async fn validate_action_config(
        &self,
        req: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        let req = req.into_inner();
        let diagnostics = self
            .validate_action(&req.type_name, req.config.as_ref())
            .await;
        Ok(Response::new(pb::validate_action_config::Response {
            diagnostics: diagnostics.to_proto(),
        }))
    }

    /// Nothing to plan beyond the checks of validate: an action changes no state.
    async fn plan_action(
        &self,
        req: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        let req = req.into_inner();
        let diagnostics = self
            .validate_action(&req.action_type, req.config.as_ref())
            .await;
        Ok(Response::new(pb::plan_action::Response {
            diagnostics: diagnostics.to_proto(),
        }))
    }

    type InvokeActionStream = actions::InvokeStream;

    async fn invoke_action(
        &self,
        req: Request<pb::invoke_action::Request>,
    ) -> Result<Response<Self::InvokeActionStream>, Status> {
        Ok(self.invoke(req.into_inner()))
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
mod tests;
