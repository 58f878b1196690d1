//! Resource identity (Terraform 1.12 and later): the identity schemas, stored identities of an
//! older version, and the identity each read, plan, apply and import hands back. Resources only
//! say what identifies a state; this file turns that into the protocol's messages.

use tonic::{Response, Status};

use super::{decode, encode, ProviderService};
use crate::protocol::diagnostics::{Diagnostic, Diagnostics};
use crate::protocol::registry::{Provider, Resource};
use crate::protocol::tfplugin6 as pb;
use crate::protocol::value::Value;

impl<P: Provider> ProviderService<P> {
    pub(super) fn identity_schemas(&self) -> pb::get_resource_identity_schemas::Response {
        pb::get_resource_identity_schemas::Response {
            identity_schemas: self
                .resources
                .iter()
                .filter_map(|(name, r)| Some((name.to_string(), r.identity_schema()?.to_proto())))
                .collect(),
            diagnostics: vec![],
        }
    }

    /// Every identity this provider ever stored has the current version: read it as it is.
    pub(super) async fn upgrade_identity(
        &self,
        req: pb::upgrade_resource_identity::Request,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let empty = pb::upgrade_resource_identity::Response::default();
        let resource = try_diags!(self.resource(&req.type_name), empty);
        let Some(schema) = resource.identity_schema() else {
            let d = Diagnostic::error(
                format!("{} has no identity", req.type_name),
                "Remove the identity from the state (terraform state rm, then import by id).",
            );
            return Ok(Response::new(pb::upgrade_resource_identity::Response {
                upgraded_identity: None,
                diagnostics: vec![d.to_proto()],
            }));
        };
        let raw = req.raw_identity.unwrap_or_default();
        let identity = try_diags!(
            Value::from_json(&raw.json, &schema.value_type()).map_err(|e| {
                Diagnostics::from(Diagnostic::error(
                    "Stored identity could not be read",
                    format!("{e}. Remove the resource from state and import it again."),
                ))
            }),
            empty
        );
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity: data(&identity),
            diagnostics: vec![],
        }))
    }
}

/// The identity of `state` as the protocol carries it; None when there is none to give.
pub(super) fn identity_of(
    resource: &dyn Resource,
    state: &Value,
) -> Option<pb::ResourceIdentityData> {
    resource.identity_schema()?;
    data(&resource.identity(state)?)
}

fn data(identity: &Value) -> Option<pb::ResourceIdentityData> {
    Some(pb::ResourceIdentityData {
        identity_data: encode(identity),
    })
}

/// The id an import asks for: the id itself, or the one its identity names (an `import` block
/// with `identity` sends an empty id).
pub(super) fn import_id(
    resource: &dyn Resource,
    id: &str,
    identity: Option<&pb::ResourceIdentityData>,
) -> Result<String, Diagnostics> {
    let given = identity.and_then(|i| i.identity_data.as_ref());
    match (id.is_empty(), given, resource.identity_schema()) {
        (true, Some(data), Some(schema)) => {
            let identity = decode(Some(data), &schema.value_type(), "identity")?;
            resource.import_id(&identity)
        }
        _ => Ok(id.to_string()),
    }
}
