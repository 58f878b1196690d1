//! Serves the provider to Terraform over go-plugin.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let provider = terraform_provider_gitmoxi::provider::GitmoxiProvider::new();
    match terraform_provider_gitmoxi::protocol::plugin::serve(provider).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            std::process::ExitCode::FAILURE
        }
    }
}
