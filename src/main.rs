//! Serves the provider to Terraform over go-plugin; started with the renderer argument, renders
//! one template instead (see `functions::render`).

use std::process::ExitCode;

use terraform_provider_gitmoxi::functions::render::{run_renderer, RENDERER_ARG};

fn main() -> ExitCode {
    cap_malloc_arenas();
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == RENDERER_ARG)
    {
        return run_renderer();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let provider = terraform_provider_gitmoxi::provider::GitmoxiProvider::new();
    match runtime.block_on(terraform_provider_gitmoxi::protocol::plugin::serve(
        provider,
    )) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// glibc gives each thread that allocates its own malloc arena (up to 8 per CPU), each with
/// pages of its own; the provider's threads mostly wait on the network, so two arenas serve them.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn cap_malloc_arenas() {
    // SAFETY: mallopt only sets an allocator parameter; called before any thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn cap_malloc_arenas() {}
