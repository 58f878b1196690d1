//! Actions: their configuration checked at validate and plan, and an invoke streamed back as
//! progress lines followed by one completion carrying the diagnostics.

use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_stream::wrappers::UnboundedReceiverStream;
use tokio_stream::Stream;
use tonic::{Response, Status};

use super::{decode, registered, ProviderService};
use crate::protocol::diagnostics::{Diagnostic, Diagnostics};
use crate::protocol::registry::{Action, Provider};
use crate::protocol::tfplugin6 as pb;
use crate::protocol::value::Value;
use pb::invoke_action::event;

pub type InvokeStream =
    Pin<Box<dyn Stream<Item = Result<pb::invoke_action::Event, Status>> + Send>>;

impl<P: Provider> ProviderService<P> {
    /// The action and its configuration, decoded with the action's schema.
    fn action_config(
        &self,
        type_name: &str,
        config: Option<&pb::DynamicValue>,
    ) -> Result<(Arc<dyn Action>, Value), Diagnostics> {
        let action = registered(&self.actions, "action type", type_name)?.clone();
        let ty = action.schema().value_type();
        let config = decode(config, &ty, "action configuration")?;
        Ok((action, config))
    }

    pub(super) async fn validate_action(
        &self,
        type_name: &str,
        config: Option<&pb::DynamicValue>,
    ) -> Diagnostics {
        match self.action_config(type_name, config) {
            Ok((action, config)) => action.validate(&config).await,
            Err(d) => d,
        }
    }

    pub(super) fn invoke(&self, req: pb::invoke_action::Request) -> Response<InvokeStream> {
        // Unbounded: an action's events are few, and none may be lost, the report included.
        let (tx, rx) = mpsc::unbounded_channel();
        let found = self.action_config(&req.action_type, req.config.as_ref());
        let ctx = self.ctx();
        let progress_tx = tx.clone();
        let run = tokio::spawn(async move {
            let (action, config) = found?;
            let progress = |message: String| {
                let progress = event::Type::Progress(event::Progress { message });
                // Terraform gone: the action still runs to its end (a rollback must).
                let _ = progress_tx.send(Ok(pb::invoke_action::Event {
                    r#type: Some(progress),
                }));
            };
            Ok::<_, Diagnostics>(action.invoke(&ctx, config, &progress).await)
        });
        tokio::spawn(async move {
            let diagnostics = match run.await {
                Ok(Ok(d)) | Ok(Err(d)) => d,
                Err(e) => Diagnostic::error(
                    "The action stopped unexpectedly",
                    format!("{e}. This is a bug in the provider; please report it."),
                )
                .into(),
            };
            let completed = event::Type::Completed(event::Completed {
                diagnostics: diagnostics.to_proto(),
            });
            let _ = tx.send(Ok(pb::invoke_action::Event {
                r#type: Some(completed),
            }));
        });
        Response::new(Box::pin(UnboundedReceiverStream::new(rx)))
    }
}
