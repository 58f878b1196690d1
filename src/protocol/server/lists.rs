//! List resources (`terraform query`): their configuration checked, and a listing streamed back
//! one found object per event, each carrying the identity of the managed resource type of the
//! same name and, when asked for, the object as that resource's state.

use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;
use tokio_stream::Stream;
use tonic::{Response, Status};

use super::{decode, encode, registered, ProviderService};
use crate::protocol::diagnostics::{Diagnostic, Diagnostics};
use crate::protocol::registry::{ListResource, Listed, Provider};
use crate::protocol::tfplugin6 as pb;
use crate::protocol::value::Value;

pub type ListStream = Pin<Box<dyn Stream<Item = Result<pb::list_resource::Event, Status>> + Send>>;

impl<P: Provider> ProviderService<P> {
    fn list_config(
        &self,
        type_name: &str,
        config: Option<&pb::DynamicValue>,
    ) -> Result<(Arc<dyn ListResource>, Value), Diagnostics> {
        let list = registered(&self.lists, "list resource type", type_name)?.clone();
        let config = decode(config, &list.schema().value_type(), "list configuration")?;
        Ok((list, config))
    }

    pub(super) async fn validate_list(
        &self,
        type_name: &str,
        config: Option<&pb::DynamicValue>,
    ) -> Diagnostics {
        match self.list_config(type_name, config) {
            Ok((list, config)) => list.validate(&config).await,
            Err(d) => d,
        }
    }

    pub(super) fn list(&self, req: pb::list_resource::Request) -> Response<ListStream> {
        let (tx, rx) = mpsc::unbounded_channel();
        let found = self.list_config(&req.type_name, req.config.as_ref());
        let ctx = self.ctx();
        let limit = usize::try_from(req.limit.max(0)).unwrap_or(usize::MAX);
        let include = req.include_resource_object;
        let errors = tx.clone();
        let run = tokio::spawn(async move {
            let (list, config) = found?;
            let send =
                |item: Result<Listed, Diagnostics>| tx.send(Ok(event(item, include))).is_ok();
            list.list(&ctx, config, include, limit, &send).await;
            Ok::<_, Diagnostics>(())
        });
        tokio::spawn(async move {
            let failed = match run.await {
                Ok(Ok(())) => return,
                Ok(Err(d)) => d,
                Err(e) => Diagnostic::error(
                    "The listing stopped unexpectedly",
                    format!("{e}. This is a bug in the provider; please report it."),
                )
                .into(),
            };
            let _ = errors.send(Ok(event(Err(failed), include)));
        });
        Response::new(Box::pin(UnboundedReceiverStream::new(rx)))
    }
}

fn event(item: Result<Listed, Diagnostics>, include: bool) -> pb::list_resource::Event {
    match item {
        Ok(found) => pb::list_resource::Event {
            identity: Some(pb::ResourceIdentityData {
                identity_data: encode(&found.identity),
            }),
            display_name: found.display_name,
            resource_object: found
                .resource_object
                .filter(|_| include)
                .and_then(|o| encode(&o)),
            diagnostic: vec![],
        },
        Err(d) => pb::list_resource::Event {
            diagnostic: d.to_proto(),
            ..Default::default()
        },
    }
}
