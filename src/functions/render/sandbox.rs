//! Rendering in a child process: the provider runs its own executable with [`RENDERER_ARG`],
//! sends the template and its values on stdin and reads the result on stdout. The child limits
//! its own address space and CPU time before it reads anything, so a template that builds
//! gigabytes (doubling a string in a loop or a recursive macro) or spins ends the child, never
//! the provider; the parent also stops waiting after a wall-clock limit.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

use super::{render, RenderError, MAX_OUTPUT};

/// The argument that makes the provider's executable a renderer instead of a plugin server.
pub const RENDERER_ARG: &str = "render-template-in-sandbox";

/// Address space of the renderer: the executable and a few templates' worth of values.
const MEMORY_LIMIT: u64 = 512 * 1024 * 1024;
/// CPU seconds the renderer may use; the step budget normally stops a template well before.
const CPU_LIMIT_SECONDS: u64 = 5;
/// How long the provider waits for the renderer.
const WALL_LIMIT: Duration = Duration::from_secs(10);

#[derive(Serialize, Deserialize)]
struct Request {
    template: String,
    vars: serde_json::Value,
}

#[derive(Serialize, Deserialize)]
enum Reply {
    Rendered(String),
    Failed(RenderError),
}

/// Renders `template` in a child process of `program` (the provider's executable).
pub async fn render_isolated(
    program: &Path,
    template: &str,
    vars: &serde_json::Value,
) -> Result<String, RenderError> {
    let request = serde_json::to_vec(&Request {
        template: template.to_string(),
        vars: vars.clone(),
    })
    .map_err(|e| {
        exhausted(format!(
            "the values could not be passed to the renderer: {e}"
        ))
    })?;
    let mut child = Command::new(program)
        .arg(RENDERER_ARG)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| exhausted(format!("the renderer could not be started: {e}")))?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(exhausted("the renderer has no pipes".into()));
    };
    let exchange = async {
        let send = async {
            // A child that stopped reading (it hit a limit) closes the pipe: its exit says why.
            let _ = stdin.write_all(&request).await;
            drop(stdin);
        };
        let mut reply = Vec::new();
        // JSON escaping can make the text up to six times longer.
        let mut limited = stdout.take(6 * MAX_OUTPUT as u64 + 4096);
        let receive = limited.read_to_end(&mut reply);
        let (_, received) = tokio::join!(send, receive);
        let status = child.wait().await;
        (received.map(|_| reply), status)
    };
    // On timeout the exchange, and with it the child, is dropped: kill_on_drop ends it.
    let Ok((reply, status)) = tokio::time::timeout(WALL_LIMIT, exchange).await else {
        return Err(exhausted(format!(
            "rendering took longer than {} s",
            WALL_LIMIT.as_secs()
        )));
    };
    let status = status.map_err(|e| exhausted(format!("the renderer was lost: {e}")))?;
    if !status.success() {
        return Err(exhausted(ended_because(status)));
    }
    let reply = reply.map_err(|e| exhausted(format!("the renderer's answer was lost: {e}")))?;
    match serde_json::from_slice(&reply) {
        Ok(Reply::Rendered(text)) => Ok(text),
        Ok(Reply::Failed(e)) => Err(e),
        Err(e) => Err(exhausted(format!("the renderer answered nonsense: {e}"))),
    }
}

fn exhausted(detail: String) -> RenderError {
    RenderError::Exhausted { detail }
}

/// Why the renderer ended without an answer, as the user can act on it.
fn ended_because(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    const SIGABRT: i32 = 6;
    const SIGKILL: i32 = 9;
    const SIGSEGV: i32 = 11;
    const SIGXCPU: i32 = 24;
    match status.signal() {
        Some(SIGABRT | SIGSEGV) => format!(
            "it needed more than {} MiB of memory; a template that builds values this large \
             cannot be meant for a configuration file",
            MEMORY_LIMIT / (1024 * 1024)
        ),
        Some(SIGXCPU | SIGKILL) => format!(
            "it used more than {CPU_LIMIT_SECONDS} s of CPU time; a template this slow cannot \
             be meant for a configuration file"
        ),
        _ => format!("the renderer ended with {status}"),
    }
}

/// The renderer's whole life: limit itself, read the request, render, answer.
pub fn run_renderer() -> ExitCode {
    limit_resources();
    let mut input = Vec::new();
    if std::io::stdin().read_to_end(&mut input).is_err() {
        return ExitCode::FAILURE;
    }
    let reply = match serde_json::from_slice::<Request>(&input) {
        Ok(r) => match render(&r.template, &r.vars) {
            Ok(text) => Reply::Rendered(text),
            Err(e) => Reply::Failed(e),
        },
        Err(e) => Reply::Failed(RenderError::Exhausted {
            detail: format!("the renderer could not read its request: {e}"),
        }),
    };
    let Ok(bytes) = serde_json::to_vec(&reply) else {
        return ExitCode::FAILURE;
    };
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&bytes).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

/// Caps this process's address space and CPU time. Allocation past the cap fails, which Rust
/// answers by aborting; CPU past the cap is SIGXCPU. Either ends only this process.
fn limit_resources() {
    for (resource, value) in [
        (libc::RLIMIT_AS, MEMORY_LIMIT),
        (libc::RLIMIT_CPU, CPU_LIMIT_SECONDS),
    ] {
        let limit = libc::rlimit {
            rlim_cur: value,
            rlim_max: value,
        };
        // SAFETY: setrlimit reads the struct we pass and changes only this process's limits.
        unsafe {
            libc::setrlimit(resource, &limit);
        }
    }
}
