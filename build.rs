//! Generates the tfplugin6, go-plugin and health gRPC servers from `proto/` with a vendored
//! `protoc`, so a bare machine builds without a system protobuf compiler.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os("PROTOC").is_none() {
        std::env::set_var("PROTOC", protoc_bin_vendored::protoc_bin_path()?);
    }
    let protos = [
        "proto/tfplugin6.proto",
        "proto/go_plugin.proto",
        "proto/health.proto",
    ];
    for proto in protos {
        println!("cargo:rerun-if-changed={proto}");
    }
    tonic_prost_build::configure()
        .build_client(false)
        .compile_protos(&protos, &["proto"])?;
    Ok(())
}
