//! go-plugin serving: magic cookie, AutoMTLS, the handshake line, and shutdown.
//!
//! Terraform starts the binary with `TF_PLUGIN_MAGIC_COOKIE` and, for AutoMTLS, its own client
//! certificate in `PLUGIN_CLIENT_CERT`. We answer with one line on stdout:
//! `1|6|tcp|127.0.0.1:PORT|grpc|<our certificate, DER, base64 without padding>` and then
//! serve gRPC over TLS, accepting only that exact client certificate.

use std::net::SocketAddr;
use std::sync::Arc;

use base64::Engine as _;
use tokio::net::TcpListener;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::transport::Server;

use super::registry::Provider;
use super::server::ProviderService;
use super::tls;
use super::{go_plugin, health, tfplugin6};
use crate::log;

pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const CORE_PROTOCOL_VERSION: u32 = 1;
pub const APP_PROTOCOL_VERSION: u32 = 6;
/// Big plans and states travel in one message; Terraform's own limit is effectively unbounded.
const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

#[derive(Debug)]
pub enum ServeError {
    NotLaunchedByTerraform,
    UnsupportedProtocol(String),
    /// No `PLUGIN_CLIENT_CERT`, and plain gRPC not allowed.
    NoClientCertificate,
    Setup(String),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::NotLaunchedByTerraform => write!(
                f,
                "This binary is a plugin for Terraform. It is not meant to be run directly.\n\
                 Install it as the provider gitmoxi/gitmoxi (see the README: `make install`, or a \
                 `dev_overrides` entry in your Terraform CLI configuration) and run `terraform init`."
            ),
            ServeError::UnsupportedProtocol(v) => write!(
                f,
                "Terraform offered plugin protocol versions {v:?}, but this provider speaks only \
                 protocol {APP_PROTOCOL_VERSION}. Use Terraform 1.0 or later."
            ),
            ServeError::NoClientCertificate => write!(
                f,
                "PLUGIN_CLIENT_CERT is not set: Terraform sets it when it starts the provider. \
                 Without it the provider would serve plain gRPC that any local process could \
                 drive, so it refuses; set {PLAINTEXT_OPT_IN}=1 to allow that (for debugging \
                 only)."
            ),
            ServeError::Setup(e) => write!(f, "could not start the plugin server: {e}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// Checks the environment Terraform sets when it launches a plugin.
pub fn check_launch_environment() -> Result<(), ServeError> {
    if std::env::var(MAGIC_COOKIE_KEY).ok().as_deref() != Some(MAGIC_COOKIE_VALUE) {
        return Err(ServeError::NotLaunchedByTerraform);
    }
    if let Ok(versions) = std::env::var("PLUGIN_PROTOCOL_VERSIONS") {
        let six = APP_PROTOCOL_VERSION.to_string();
        if !versions.is_empty() && !versions.split(',').any(|v| v.trim() == six) {
            return Err(ServeError::UnsupportedProtocol(versions));
        }
    }
    if client_certificate().is_none() && !plaintext_allowed() {
        return Err(ServeError::NoClientCertificate);
    }
    Ok(())
}

/// The certificate Terraform will present (AutoMTLS), PEM.
fn client_certificate() -> Option<String> {
    std::env::var("PLUGIN_CLIENT_CERT")
        .ok()
        .filter(|s| !s.trim().is_empty())
}

pub fn handshake_line(addr: SocketAddr, server_cert_der: Option<&[u8]>) -> String {
    let mut line = format!("{CORE_PROTOCOL_VERSION}|{APP_PROTOCOL_VERSION}|tcp|{addr}|grpc");
    if let Some(der) = server_cert_der {
        line.push('|');
        line.push_str(&base64::engine::general_purpose::STANDARD_NO_PAD.encode(der));
    }
    line
}

struct Controller {
    shutdown: CancellationToken,
}

#[tonic::async_trait]
impl go_plugin::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(
        &self,
        _req: tonic::Request<go_plugin::Empty>,
    ) -> Result<tonic::Response<go_plugin::Empty>, tonic::Status> {
        log::debug("GRPCController.Shutdown received", &[]);
        self.shutdown.cancel();
        Ok(tonic::Response::new(go_plugin::Empty {}))
    }
}

struct Health;

#[tonic::async_trait]
impl health::health_server::Health for Health {
    async fn check(
        &self,
        _req: tonic::Request<health::HealthCheckRequest>,
    ) -> Result<tonic::Response<health::HealthCheckResponse>, tonic::Status> {
        Ok(tonic::Response::new(health::HealthCheckResponse {
            status: health::health_check_response::ServingStatus::Serving as i32,
        }))
    }
}

/// A terminal's Ctrl-C reaches the whole process group, the provider included. Terraform then
/// asks us to stop (StopProvider) and waits for the rollback; dying on the signal instead would
/// leave an alias split between two versions.
fn ignore_interrupts() {
    #[cfg(unix)]
    if let Ok(mut sigint) =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
    {
        tokio::spawn(async move {
            while sigint.recv().await.is_some() {
                log::debug(
                    "SIGINT ignored: Terraform stops running operations with StopProvider",
                    &[],
                );
            }
        });
    }
}

/// Serves `provider` until Terraform asks for shutdown (or closes stdin's parent, killing us).
pub async fn serve<P: Provider>(provider: P) -> Result<(), ServeError> {
    check_launch_environment()?;
    ignore_interrupts();
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| ServeError::Setup(e.to_string()))?;
    let addr = listener
        .local_addr()
        .map_err(|e| ServeError::Setup(e.to_string()))?;

    let shutdown = CancellationToken::new();
    let stop = CancellationToken::new();
    let provider_svc =
        tfplugin6::provider_server::ProviderServer::new(ProviderService::new(provider, stop))
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
            .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let router = Server::builder()
        .add_service(provider_svc)
        .add_service(
            go_plugin::grpc_controller_server::GrpcControllerServer::new(Controller {
                shutdown: shutdown.clone(),
            }),
        )
        .add_service(health::health_server::HealthServer::new(Health));

    let client_cert = client_certificate();
    let done = shutdown.clone();
    match client_cert {
        Some(pem) => {
            let identity = tls::ServerIdentity::generate().map_err(ServeError::Setup)?;
            let config = identity.server_config(&pem).map_err(ServeError::Setup)?;
            println!("{}", handshake_line(addr, Some(identity.cert_der())));
            let incoming = tls::accept_loop(listener, Arc::new(config), shutdown.clone());
            router
                .serve_with_incoming_shutdown(ReceiverStream::new(incoming), done.cancelled_owned())
                .await
                .map_err(|e| ServeError::Setup(e.to_string()))
        }
        None => {
            // go-plugin without AutoMTLS, by explicit choice (checked above; a debugger
            // attached by hand).
            println!("{}", handshake_line(addr, None));
            let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
            router
                .serve_with_incoming_shutdown(incoming, done.cancelled_owned())
                .await
                .map_err(|e| ServeError::Setup(e.to_string()))
        }
    }
}

/// Set to `1` to serve plain gRPC when Terraform gave no client certificate.
pub const PLAINTEXT_OPT_IN: &str = "GITMOXI_PLUGIN_PLAINTEXT";

fn plaintext_allowed() -> bool {
    std::env::var(PLAINTEXT_OPT_IN).is_ok_and(|v| v == "1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshake_line_has_go_plugin_shape() {
        let addr: SocketAddr = "127.0.0.1:40123".parse().unwrap();
        assert_eq!(handshake_line(addr, None), "1|6|tcp|127.0.0.1:40123|grpc");
        let line = handshake_line(addr, Some(&[0xde, 0xad, 0xbe, 0xef, 0x01]));
        // base64 without padding, as go-plugin's RawStdEncoding expects
        assert_eq!(line, "1|6|tcp|127.0.0.1:40123|grpc|3q2+7wE");
    }
}
