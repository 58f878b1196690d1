//! The calls about one resource: validate, upgrade its stored state, read, plan, apply and import.
//! Each finds the resource by type name, decodes the values it carries with the resource's schema
//! and encodes the answer.

use tonic::{Response, Status};

use super::identity::{identity_of, import_id};
use super::{decode, encode, ProviderService};
use crate::protocol::diagnostics::{Diagnostic, Diagnostics};
use crate::protocol::registry::{ApplyRequest, PlanRequest, Provider};
use crate::protocol::tfplugin6 as pb;
use crate::protocol::value::Value;

impl<P: Provider> ProviderService<P> {
    pub(super) async fn validate_resource(
        &self,
        req: pb::validate_resource_config::Request,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
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
        let mut diags = resource.validate(&config).await;
        let write_only_allowed = req
            .client_capabilities
            .is_some_and(|c| c.write_only_attributes_allowed);
        if !write_only_allowed {
            diags.extend(resource.schema().block.write_only_unsupported(&config));
        }
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    pub(super) async fn upgrade_state(
        &self,
        req: pb::upgrade_resource_state::Request,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
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

    pub(super) async fn read(
        &self,
        req: pb::read_resource::Request,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let empty = pb::read_resource::Response::default();
        let resource = try_diags!(self.resource(&req.type_name), empty);
        let ty = resource.schema().value_type();
        let state = try_diags!(
            decode(req.current_state.as_ref(), &ty, "current state"),
            empty
        );
        let resp = resource.read(&self.ctx(), state, req.private).await;
        let block = &resource.schema().block;
        Ok(Response::new(pb::read_resource::Response {
            new_identity: identity_of(resource.as_ref(), &resp.new_state),
            new_state: encode(&block.without_write_only(resp.new_state)),
            diagnostics: resp.diagnostics.to_proto(),
            private: resp.private,
        }))
    }

    pub(super) async fn plan(
        &self,
        req: pb::plan_resource_change::Request,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
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
        let block = &resource.schema().block;
        // A destroy plans no state: the identity stays what it was until the object is gone.
        let planned_identity = match resp.planned_state.is_null() {
            true => req.prior_identity,
            false => identity_of(resource.as_ref(), &resp.planned_state),
        };
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_identity,
            planned_state: encode(&block.without_write_only(resp.planned_state)),
            requires_replace: resp.requires_replace.iter().map(|p| p.to_proto()).collect(),
            planned_private: resp.planned_private,
            diagnostics: resp.diagnostics.to_proto(),
        }))
    }

    pub(super) async fn apply(
        &self,
        req: pb::apply_resource_change::Request,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
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
        let block = &resource.schema().block;
        Ok(Response::new(pb::apply_resource_change::Response {
            new_identity: identity_of(resource.as_ref(), &resp.new_state),
            new_state: encode(&block.without_write_only(resp.new_state)),
            private: resp.private,
            diagnostics: resp.diagnostics.to_proto(),
        }))
    }

    pub(super) async fn import(
        &self,
        req: pb::import_resource_state::Request,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let empty = pb::import_resource_state::Response::default();
        let resource = try_diags!(self.resource(&req.type_name), empty);
        let id = try_diags!(
            import_id(resource.as_ref(), &req.id, req.identity.as_ref()),
            empty
        );
        let resp = resource.import(&self.ctx(), &id).await;
        let block = &resource.schema().block;
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: resp
                .state
                .map(|s| pb::import_resource_state::ImportedResource {
                    type_name: req.type_name.clone(),
                    identity: identity_of(resource.as_ref(), &s),
                    state: encode(&block.without_write_only(s)),
                    private: resp.private,
                })
                .into_iter()
                .collect(),
            diagnostics: resp.diagnostics.to_proto(),
        }))
    }
}
