//! The fault-injecting proxy between the provider and the emulator, as the tests drive it.
//!
//! The proxy itself is the project's one counting/fault proxy, `scripts/awslocal/proxy.py` (the
//! benchmark counts calls with it too); this is its client. [`FaultProxy::start`] runs
//! `scripts/awslocal proxy` as a child (see [`AwsLocal`]), which prints its port once listening;
//! the rates go to it and the statistics come back as JSON over HTTP on the proxy's own port
//! (`/_proxy/faults`, `/_proxy/stats`, ...).
//!
//! What it does: the provider's `endpoints` point at the proxy; it forwards each request to the
//! emulator and, per AWS operation and with a seeded xorshift64* generator (the one of
//! [`super::rng`]), answers instead with a throttle (429 in the protocol's own error shape), a 500
//! or 503, drops the connection without an answer, or adds latency. It counts the calls of every
//! operation and the calls that came back after an injected fault (the SDK's or the engine's
//! retries) with the gap before them, so a test can show that retries happen and back off.
//!
//! Operations are named `service:Operation` (`lambda:UpdateAlias`): from `X-Amz-Target` (JSON
//! protocols), the `/service/S/operation/OP` path (rpc-v2-cbor: CloudWatch), the `Action` form
//! field (query protocols: SNS, ELBv2) or the method and path of Lambda's REST API. Per-operation
//! rates may name an operation with or without its service.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};

use crate::harness::{unique_dir, AwsLocal};

/// What can go wrong with one call, as probabilities in `0.0..=1.0`, drawn in this order
/// (at most one fault per call; latency comes on top of forwarding).
#[derive(Clone, Copy, Debug, Default)]
pub struct Rates {
    /// 429 `TooManyRequestsException` (Lambda), `Throttling` (CloudWatch, SNS).
    pub throttle: f64,
    /// 503 Service Unavailable.
    pub unavailable: f64,
    /// 500 (`ServiceException` for Lambda).
    pub internal: f64,
    /// The connection is closed without an answer; the request never reached the emulator.
    pub reset: f64,
    /// How often a forwarded call is delayed, and by at most how long.
    pub latency: f64,
    pub max_latency: Duration,
}

impl Rates {
    fn to_json(self) -> Value {
        json!({
            "throttle": self.throttle,
            "unavailable": self.unavailable,
            "internal": self.internal,
            "reset": self.reset,
            "latency": self.latency,
            "max_latency_ms": u64::try_from(self.max_latency.as_millis()).unwrap_or(u64::MAX),
        })
    }
}

/// Rates for every operation, with per-operation overrides (`UpdateAlias` or
/// `lambda:UpdateAlias`).
#[derive(Clone, Debug, Default)]
pub struct Faults {
    pub seed: u64,
    pub default: Rates,
    pub per_operation: BTreeMap<String, Rates>,
}

impl Faults {
    /// No faults: the proxy only forwards and counts.
    pub fn none() -> Faults {
        Faults {
            seed: 1,
            ..Faults::default()
        }
    }

    fn to_json(&self) -> Value {
        let per_operation: serde_json::Map<String, Value> = self
            .per_operation
            .iter()
            .map(|(op, rates)| (op.clone(), rates.to_json()))
            .collect();
        json!({
            "seed": self.seed,
            "default": self.default.to_json(),
            "per_operation": per_operation,
        })
    }
}

/// What happened to one operation's calls.
#[derive(Clone, Debug, Default)]
pub struct OperationStats {
    pub calls: u64,
    pub throttled: u64,
    pub unavailable: u64,
    pub internal: u64,
    pub reset: u64,
    pub delayed: u64,
    /// Calls that came after an injected fault on the same operation: the retries.
    pub retries: u64,
    /// Gaps between a faulted call and the retry that followed it.
    pub retry_gaps: Vec<Duration>,
}

impl OperationStats {
    pub fn faults(&self) -> u64 {
        self.throttled + self.unavailable + self.internal + self.reset
    }

    fn from_json(doc: &Value) -> OperationStats {
        let n = |key: &str| doc[key].as_u64().unwrap_or(0);
        OperationStats {
            calls: n("calls"),
            throttled: n("throttled"),
            unavailable: n("unavailable"),
            internal: n("internal"),
            reset: n("reset"),
            delayed: n("delayed"),
            retries: n("retries"),
            retry_gaps: doc["retry_gaps_s"]
                .as_array()
                .map(|gaps| {
                    gaps.iter()
                        .filter_map(Value::as_f64)
                        .map(Duration::from_secs_f64)
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// Per-operation counts, keyed by operation name (`lambda:UpdateAlias`,
/// `cloudwatch:DescribeAlarms`, …).
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub operations: BTreeMap<String, OperationStats>,
}

impl Stats {
    fn from_json(doc: &Value) -> Stats {
        let operations = doc["operations"]
            .as_object()
            .map(|ops| {
                ops.iter()
                    .map(|(name, op)| (name.clone(), OperationStats::from_json(op)))
                    .collect()
            })
            .unwrap_or_default();
        Stats { operations }
    }

    /// Calls of one operation, named with or without its service.
    pub fn calls(&self, operation: &str) -> u64 {
        self.operations
            .iter()
            .filter(|(name, _)| {
                name.as_str() == operation
                    || name.split_once(':').map(|(_, op)| op) == Some(operation)
            })
            .map(|(_, o)| o.calls)
            .sum()
    }
    pub fn total_calls(&self) -> u64 {
        self.operations.values().map(|o| o.calls).sum()
    }
    pub fn total_faults(&self) -> u64 {
        self.operations.values().map(OperationStats::faults).sum()
    }
    pub fn total_retries(&self) -> u64 {
        self.operations.values().map(|o| o.retries).sum()
    }
    pub fn retry_gaps(&self) -> Vec<Duration> {
        let mut gaps: Vec<Duration> = self
            .operations
            .values()
            .flat_map(|o| o.retry_gaps.iter().copied())
            .collect();
        gaps.sort();
        gaps
    }
    /// One line per operation, for test output and `make faults` figures.
    pub fn table(&self) -> String {
        let mut out = String::from(
            "operation                                 calls  429  503  500  reset  delayed  retries\n",
        );
        for (name, o) in &self.operations {
            out.push_str(&format!(
                "{name:<40} {:>6} {:>4} {:>4} {:>4} {:>6} {:>8} {:>8}\n",
                o.calls, o.throttled, o.unavailable, o.internal, o.reset, o.delayed, o.retries
            ));
        }
        out
    }
}

/// The proxy, listening on a free loopback port until dropped.
pub struct FaultProxy {
    launcher: AwsLocal,
    port: u16,
    dir: PathBuf,
}

impl FaultProxy {
    /// Starts forwarding `127.0.0.1:<free port>` to `127.0.0.1:upstream_port`. The proxy's
    /// generator is seeded with `faults.seed`.
    pub fn start(upstream_port: u16, faults: Faults) -> FaultProxy {
        let dir = unique_dir("fault-proxy");
        let upstream = format!("http://127.0.0.1:{upstream_port}");
        let faults = faults.to_json().to_string();
        let launcher = AwsLocal::spawn(
            &["proxy", "--upstream", &upstream, "--faults", &faults],
            &dir.join("proxy.log"),
        )
        .unwrap_or_else(|reason| panic!("the fault proxy did not start: {reason}"));
        let port = launcher.port();
        FaultProxy {
            launcher,
            port,
            dir,
        }
    }

    /// `http://127.0.0.1:PORT`: what the provider's `endpoints` point at.
    pub fn endpoint(&self) -> String {
        self.launcher.endpoint()
    }

    /// Changes the fault rates from now on (the generator keeps its sequence).
    pub fn set_faults(&self, faults: Faults) {
        self.control("PUT", "faults", Some(&faults.to_json()));
    }

    /// Stops injecting faults (forwarding and counting go on).
    pub fn heal(&self) {
        self.control("POST", "heal", None);
    }

    pub fn stats(&self) -> Stats {
        Stats::from_json(&self.control("GET", "stats", None))
    }

    pub fn reset_stats(&self) {
        self.control("POST", "stats/reset", None);
    }

    /// One request to the proxy's control API (`/_proxy/...`); its JSON answer.
    fn control(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let body = body.map(Value::to_string).unwrap_or_default();
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port))
            .unwrap_or_else(|e| panic!("connecting to the fault proxy on {}: {e}", self.port));
        let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
        let request = format!(
            "{method} /_proxy/{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream
            .write_all(request.as_bytes())
            .unwrap_or_else(|e| panic!("{method} /_proxy/{path}: {e}"));
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .unwrap_or_else(|e| panic!("{method} /_proxy/{path}: {e}"));
        let (head, json) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        if head.split_whitespace().nth(1) != Some("200") {
            panic!("{method} /_proxy/{path} answered:\n{answer}");
        }
        serde_json::from_str(json)
            .unwrap_or_else(|e| panic!("{method} /_proxy/{path}: not JSON ({e}): {json}"))
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.launcher.stop(Duration::from_secs(5));
        if std::thread::panicking() {
            eprintln!("fault proxy log kept: {}", self.dir.display());
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use aws_sdk_lambda::error::ProvideErrorMetadata;

    use super::{FaultProxy, Faults, Rates};
    use crate::harness::{repo_root, Emulator, REGION};

    /// The Python side's own tests (naming, seeded draws, error shapes, statistics, the
    /// launcher's port retry), run with the project's Python.
    #[test]
    fn awslocal_unit_tests_pass() {
        let out = std::process::Command::new(repo_root().join(".venv/bin/python"))
            .args(["-m", "unittest", "awslocal.tests"])
            .current_dir(repo_root().join("scripts"))
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .output()
            .expect("running python -m unittest awslocal.tests");
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The SDK reads each injected throttle in its protocol's own shape (Lambda's REST-JSON,
    /// CloudWatch's rpc-v2-cbor), retries it, and the proxy counts the calls, the faults and
    /// the retries per operation.
    #[tokio::test]
    async fn the_sdk_reads_injected_throttles_and_the_proxy_counts_its_retries() {
        let emulator = Emulator::start();
        let throttled = Rates {
            throttle: 1.0,
            ..Rates::default()
        };
        let proxy = FaultProxy::start(
            emulator.port(),
            Faults {
                seed: 3,
                per_operation: [
                    ("ListFunctions".to_string(), throttled),
                    ("cloudwatch:DescribeAlarms".to_string(), throttled),
                ]
                .into(),
                ..Faults::none()
            },
        );

        let lambda = {
            use aws_sdk_lambda::config::{
                retry::RetryConfig, BehaviorVersion, Credentials, Region,
            };
            let config = aws_sdk_lambda::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new(REGION))
                .credentials_provider(Credentials::new("test", "test", None, None, "e2e"))
                .retry_config(RetryConfig::standard().with_max_attempts(2))
                .endpoint_url(proxy.endpoint())
                .build();
            aws_sdk_lambda::Client::from_conf(config)
        };
        let cloudwatch = {
            use aws_sdk_cloudwatch::config::{
                retry::RetryConfig, BehaviorVersion, Credentials, Region,
            };
            let config = aws_sdk_cloudwatch::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new(REGION))
                .credentials_provider(Credentials::new("test", "test", None, None, "e2e"))
                .retry_config(RetryConfig::standard().with_max_attempts(2))
                .endpoint_url(proxy.endpoint())
                .build();
            aws_sdk_cloudwatch::Client::from_conf(config)
        };

        let err = lambda.list_functions().send().await.unwrap_err();
        assert_eq!(err.code(), Some("TooManyRequestsException"), "{err:?}");
        let err = cloudwatch.describe_alarms().send().await.unwrap_err();
        assert_eq!(err.code(), Some("Throttling"), "{err:?}");
        lambda
            .get_account_settings()
            .send()
            .await
            .expect("an operation without faults passes");

        let stats = proxy.stats();
        let list = &stats.operations["lambda:ListFunctions"];
        assert_eq!(
            (list.calls, list.throttled, list.retries),
            (2, 2, 1),
            "{}",
            stats.table()
        );
        assert_eq!(stats.calls("DescribeAlarms"), 2, "{}", stats.table());
        assert_eq!(stats.total_faults(), 4, "{}", stats.table());
        assert_eq!(stats.retry_gaps().len(), 2, "{}", stats.table());
        assert!(stats.retry_gaps()[0] > Duration::ZERO);

        proxy.heal();
        lambda.list_functions().send().await.expect("healed");
        let stats = proxy.stats();
        assert_eq!(stats.calls("lambda:ListFunctions"), 3, "{}", stats.table());
        assert_eq!(
            stats.total_retries(),
            3,
            "the call after the last fault is a retry"
        );
        proxy.reset_stats();
        assert_eq!(proxy.stats().total_calls(), 0);
    }
}
