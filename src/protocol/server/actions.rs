//! Actions: their configuration checked at validate and plan, and an invoke streamed back as
//! progress lines followed by one completion carrying the diagnostics.

use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::Stream;
use tonic::{Response, Status};

use super::{decode, ProviderService};
use crate::protocol::diagnostics::{Diagnostic, Diagnostics};
use crate::protocol::registry::{Action, Provider};
use crate::protocol::tfplugin6 as pb;
use crate::protocol::value::Value;

pub type InvokeStream =
    Pin<Box<dyn Stream<Item = Result<pb::invoke_action::Event, Status>> + Send>>;

/// Progress lines an invoke may queue before it waits for Terraform to read them.
const QUEUED_EVENTS: usize = 64;

impl<P: Provider> ProviderService<P> {
    fn action(&self, type_name: &str) -> Result<&Arc<dyn Action>, Diagnostics> {
        self.actions.get(type_name).ok_or_else(|| {
            Diagnostic::error(
                format!("Unknown action type {type_name:?}"),
                "This provider does not implement that action. Check the spelling, or upgrade the provider.",
            )
            .into()
        })
    }

    /// The action and its configuration, decoded with the action's schema.
    fn action_config(
        &self,
        type_name: &str,
        config: Option<&pb::DynamicValue>,
    ) -> Result<(Arc<dyn Action>, Value), Diagnostics> {
        let action = self.action(type_name)?.clone();
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
        let (tx, rx) = mpsc::channel(QUEUED_EVENTS);
        let found = self.action_config(&req.action_type, req.config.as_ref());
        let ctx = self.ctx();
        tokio::spawn(async move {
            let diagnostics = match found {
                Err(d) => d,
                Ok((action, config)) => {
                    let progress = |message: String| {
                        let event = pb::invoke_action::event::Type::Progress(
                            pb::invoke_action::event::Progress { message },
                        );
                        // Terraform gone: the action still runs to its end (a rollback must).
                        let _ = tx.try_send(Ok(pb::invoke_action::Event {
                            r#type: Some(event),
                        }));
                    };
                    action.invoke(&ctx, config, &progress).await
                }
            };
            let completed =
                pb::invoke_action::event::Type::Completed(pb::invoke_action::event::Completed {
                    diagnostics: diagnostics.to_proto(),
                });
            let _ = tx
                .send(Ok(pb::invoke_action::Event {
                    r#type: Some(completed),
                }))
                .await;
        });
        Response::new(Box::pin(ReceiverStream::new(rx)))
    }
}
