//! What the provider declares: its metadata (the types it serves) and every schema, built from
//! the registry.

use std::collections::HashMap;

use super::ProviderService;
use crate::protocol::registry::Provider;
use crate::protocol::tfplugin6 as pb;

impl<P: Provider> ProviderService<P> {
    pub(super) fn metadata(&self) -> pb::get_metadata::Response {
        pb::get_metadata::Response {
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
            list_resources: self
                .lists
                .keys()
                .map(|n| pb::get_metadata::ListResourceMetadata {
                    type_name: n.to_string(),
                })
                .collect(),
        }
    }

    pub(super) fn provider_schema(&self) -> pb::get_provider_schema::Response {
        pb::get_provider_schema::Response {
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
            list_resource_schemas: self
                .lists
                .iter()
                .map(|(n, l)| (n.to_string(), l.schema().to_proto()))
                .collect(),
            action_schemas: self
                .actions
                .iter()
                .map(|(n, a)| {
                    let schema = Some(a.schema().to_proto());
                    (n.to_string(), pb::ActionSchema { schema })
                })
                .collect(),
        }
    }
}
