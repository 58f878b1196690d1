//! The Terraform plugin protocol (version 6) over gRPC, in layers: values and types
//! ([`value`]), schemas ([`schema`]), diagnostics ([`diagnostics`]), the provider-facing traits
//! ([`registry`]), the gRPC service ([`server`]) and go-plugin serving with AutoMTLS
//! ([`plugin`], [`tls`]). Nothing here knows about AWS.

pub mod diagnostics;
pub mod plugin;
pub mod registry;
pub mod schema;
pub mod server;
pub mod tls;
pub mod value;

#[allow(clippy::all, clippy::pedantic)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

#[allow(clippy::all, clippy::pedantic)]
pub mod go_plugin {
    tonic::include_proto!("plugin");
}

#[allow(clippy::all, clippy::pedantic)]
pub mod health {
    tonic::include_proto!("grpc.health.v1");
}
