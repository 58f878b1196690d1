//! A fault-injecting HTTP proxy between the provider and the emulator.
//!
//! The provider's `endpoints` point at the proxy; the proxy forwards each request to the emulator
//! on a fresh connection and, per AWS operation and with a seeded RNG, answers instead with a
//! throttle (429 in the protocol's own error shape), a 500 or 503, drops the connection without
//! an answer, or adds latency. It counts the calls of every operation and the calls that came
//! back after an injected fault (the SDK's or the engine's retries) with the gap before them, so
//! a test can show that retries happen and back off. The benchmark reuses [`Stats`] to count
//! calls.
//!
//! Operations are named as AWS names them: from `X-Amz-Target` (JSON protocols), the
//! `/service/S/operation/OP` path (rpc-v2-cbor: CloudWatch), the `Action` form field (query
//! protocols: SNS, ELBv2) or the method and path of Lambda's REST API.
//!
//! Plain std threads (one per connection): the SDK opens a handful of connections, and a thread
//! per connection keeps the forwarding code obvious. HTTP/1.1 only, which is what the SDK speaks
//! to an `http://` endpoint.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{Ipv4Addr, Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// Rates for every operation, with per-operation overrides.
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

    fn rates(&self, operation: &str) -> Rates {
        self.per_operation
            .get(operation)
            .copied()
            .unwrap_or(self.default)
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
    last_fault: Option<Instant>,
}

impl OperationStats {
    pub fn faults(&self) -> u64 {
        self.throttled + self.unavailable + self.internal + self.reset
    }
}

/// Per-operation counts, keyed by operation name (`UpdateAlias`, `DescribeAlarms`, …).
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub operations: BTreeMap<String, OperationStats>,
}

impl Stats {
    /// Calls of one operation (the benchmark counts these).
    #[allow(dead_code)]
    pub fn calls(&self, operation: &str) -> u64 {
        self.operations.get(operation).map_or(0, |o| o.calls)
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
            "operation                         calls  429  503  500  reset  delayed  retries\n",
        );
        for (name, o) in &self.operations {
            out.push_str(&format!(
                "{name:<32} {:>6} {:>4} {:>4} {:>4} {:>6} {:>8} {:>8}\n",
                o.calls, o.throttled, o.unavailable, o.internal, o.reset, o.delayed, o.retries
            ));
        }
        out
    }
}

/// A tiny xorshift64* generator: seeded, reproducible, no crate.
#[derive(Clone, Debug)]
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> XorShift {
        // Zero is xorshift's one fixed point; mix the seed so nearby seeds diverge at once.
        XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in `[lo, hi)`; `lo` when the range is empty.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            lo
        } else {
            lo + self.next_u64() % (hi - lo)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    Throttle,
    Unavailable,
    Internal,
    Reset,
}

struct Shared {
    upstream: u16,
    faults: Mutex<Faults>,
    rng: Mutex<XorShift>,
    stats: Mutex<Stats>,
    stop: AtomicBool,
}

/// The proxy: listening on a free loopback port until dropped.
pub struct FaultProxy {
    port: u16,
    shared: Arc<Shared>,
}

impl FaultProxy {
    /// Starts forwarding `127.0.0.1:<free port>` to `127.0.0.1:upstream_port`.
    pub fn start(upstream_port: u16, faults: Faults) -> FaultProxy {
        let listener =
            TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("binding the proxy's port");
        let port = listener.local_addr().expect("proxy address").port();
        let shared = Arc::new(Shared {
            upstream: upstream_port,
            rng: Mutex::new(XorShift::new(faults.seed)),
            faults: Mutex::new(faults),
            stats: Mutex::new(Stats::default()),
            stop: AtomicBool::new(false),
        });
        let accept = Arc::clone(&shared);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accept.stop.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let conn = Arc::clone(&accept);
                std::thread::spawn(move || {
                    let _ = serve(stream, &conn);
                });
            }
        });
        FaultProxy { port, shared }
    }

    /// `http://127.0.0.1:PORT`: what the provider's `endpoints` point at.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Changes the fault rates from now on (the RNG keeps its sequence).
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.shared.faults) = faults;
    }

    /// Stops injecting faults (forwarding and counting go on).
    pub fn heal(&self) {
        let seed = lock(&self.shared.faults).seed;
        self.set_faults(Faults {
            seed,
            ..Faults::default()
        });
    }

    pub fn stats(&self) -> Stats {
        lock(&self.shared.stats).clone()
    }

    pub fn reset_stats(&self) {
        *lock(&self.shared.stats) = Stats::default();
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One HTTP request as read from the client: its head (request line and headers, verbatim) and
/// its body.
struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Serves one client connection: one request per connection (every answer says
/// `Connection: close`, so the SDK never reuses a connection the proxy has let go).
fn serve(client: TcpStream, shared: &Shared) -> io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let Some(request) = read_request(&mut reader)? else {
        return Ok(());
    };
    let operation = operation_name(&request);
    let (fault, delay) = decide(shared, &operation);
    if let Some(delay) = delay {
        std::thread::sleep(delay);
    }
    let mut client = client;
    match fault {
        Some(Fault::Reset) => {
            let _ = client.shutdown(Shutdown::Both);
            Ok(())
        }
        Some(fault) => {
            let answer = fault_response(fault, protocol_of(&request));
            client.write_all(&answer)?;
            client.flush()
        }
        None => {
            let answer = forward(&request, shared.upstream)?;
            client.write_all(&answer)?;
            client.flush()
        }
    }
}

/// Draws this call's fault and latency and records the call.
fn decide(shared: &Shared, operation: &str) -> (Option<Fault>, Option<Duration>) {
    let rates = lock(&shared.faults).rates(operation);
    let (fault, delay) = {
        let mut rng = lock(&shared.rng);
        let draw = rng.unit();
        let mut edge = 0.0;
        let mut fault = None;
        for (rate, kind) in [
            (rates.throttle, Fault::Throttle),
            (rates.unavailable, Fault::Unavailable),
            (rates.internal, Fault::Internal),
            (rates.reset, Fault::Reset),
        ] {
            edge += rate;
            if fault.is_none() && draw < edge {
                fault = Some(kind);
            }
        }
        let delay = (rng.unit() < rates.latency).then(|| {
            Duration::from_millis(rng.between(0, rates.max_latency.as_millis() as u64 + 1))
        });
        (fault, delay)
    };
    let now = Instant::now();
    let mut stats = lock(&shared.stats);
    let op = stats.operations.entry(operation.to_string()).or_default();
    op.calls += 1;
    if let Some(at) = op.last_fault.take() {
        op.retries += 1;
        op.retry_gaps.push(now.duration_since(at));
    }
    if delay.is_some() {
        op.delayed += 1;
    }
    match fault {
        Some(Fault::Throttle) => op.throttled += 1,
        Some(Fault::Unavailable) => op.unavailable += 1,
        Some(Fault::Internal) => op.internal += 1,
        Some(Fault::Reset) => op.reset += 1,
        None => {}
    }
    if fault.is_some() {
        op.last_fault = Some(now);
    }
    (fault, delay)
}

fn read_request(reader: &mut BufReader<TcpStream>) -> io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let headers = read_headers(reader)?;
    let body = read_body(reader, &headers, false)?;
    Ok(Some(Request {
        method,
        target,
        headers,
        body,
    }))
}

fn read_headers(reader: &mut impl BufRead) -> io::Result<Vec<(String, String)>> {
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    Ok(headers)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Reads a body by Content-Length, or de-chunks it; `to_eof` reads an unframed response body.
fn read_body(
    reader: &mut impl BufRead,
    headers: &[(String, String)],
    to_eof: bool,
) -> io::Result<Vec<u8>> {
    if let Some(len) = header(headers, "content-length").and_then(|v| v.parse::<usize>().ok()) {
        let mut body = vec![0; len];
        reader.read_exact(&mut body)?;
        return Ok(body);
    }
    let chunked = header(headers, "transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        let mut body = Vec::new();
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            if size == 0 {
                // Trailers, then the blank line.
                read_headers(reader)?;
                return Ok(body);
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            body.extend_from_slice(&chunk[..size]);
        }
    }
    let mut body = Vec::new();
    if to_eof {
        reader.read_to_end(&mut body)?;
    }
    Ok(body)
}

/// Sends the request to the emulator on a new connection and returns the answer, re-framed with
/// Content-Length and `Connection: close`.
fn forward(request: &Request, upstream: u16) -> io::Result<Vec<u8>> {
    let mut server = TcpStream::connect((Ipv4Addr::LOCALHOST, upstream))?;
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method, request.target);
    for (k, v) in &request.headers {
        let skip = [
            "connection",
            "content-length",
            "transfer-encoding",
            "keep-alive",
        ];
        if !skip.iter().any(|s| k.eq_ignore_ascii_case(s)) {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        request.body.len()
    ));
    server.write_all(head.as_bytes())?;
    server.write_all(&request.body)?;
    server.flush()?;

    let mut reader = BufReader::new(server);
    let mut status = String::new();
    reader.read_line(&mut status)?;
    let headers = read_headers(&mut reader)?;
    let no_body = request.method == "HEAD"
        || status
            .split_whitespace()
            .nth(1)
            .is_some_and(|c| c == "204" || c == "304");
    let body = if no_body {
        Vec::new()
    } else {
        read_body(&mut reader, &headers, true)?
    };
    Ok(response(status.trim_end(), &headers, &body))
}

fn response(status_line: &str, headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{status_line}\r\n");
    for (k, v) in headers {
        let skip = [
            "connection",
            "content-length",
            "transfer-encoding",
            "keep-alive",
        ];
        if !skip.iter().any(|s| k.eq_ignore_ascii_case(s)) {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Protocol {
    /// Lambda's REST-JSON: error type in `x-amzn-ErrorType`.
    RestJson,
    /// CloudWatch's rpc-v2-cbor: a CBOR map with `__type`.
    Cbor,
    /// SNS / ELBv2 query protocol: an XML ErrorResponse.
    Query,
    /// awsJson 1.0/1.1 (`X-Amz-Target`): JSON with `__type`.
    Json,
}

fn protocol_of(request: &Request) -> Protocol {
    if request.header("x-amz-target").is_some() {
        Protocol::Json
    } else if request.target.starts_with("/service/") {
        Protocol::Cbor
    } else if request
        .header("content-type")
        .is_some_and(|v| v.contains("x-www-form-urlencoded"))
    {
        Protocol::Query
    } else {
        Protocol::RestJson
    }
}

/// The answer AWS gives for an injected fault, in the protocol's own error shape.
fn fault_response(fault: Fault, protocol: Protocol) -> Vec<u8> {
    let (status, code, message) = match fault {
        Fault::Throttle => (
            "429 Too Many Requests",
            "TooManyRequestsException",
            "Rate exceeded",
        ),
        Fault::Unavailable => (
            "503 Service Unavailable",
            "ServiceUnavailableException",
            "injected 503",
        ),
        Fault::Internal => (
            "500 Internal Server Error",
            "ServiceException",
            "injected 500",
        ),
        Fault::Reset => unreachable!("a reset has no answer"),
    };
    let request_id = (
        "x-amzn-RequestId".to_string(),
        "gitmoxi-fault-proxy".to_string(),
    );
    match protocol {
        Protocol::RestJson => {
            let body = format!(
                r#"{{"Type":"User","message":"{message}","Reason":"CallerRateLimitExceeded"}}"#
            );
            let headers = vec![
                ("Content-Type".to_string(), "application/json".to_string()),
                ("x-amzn-ErrorType".to_string(), code.to_string()),
                request_id,
            ];
            response(&format!("HTTP/1.1 {status}"), &headers, body.as_bytes())
        }
        Protocol::Json => {
            let code = if fault == Fault::Throttle {
                "ThrottlingException"
            } else {
                code
            };
            let body = format!(r#"{{"__type":"{code}","message":"{message}"}}"#);
            let headers = vec![
                (
                    "Content-Type".to_string(),
                    "application/x-amz-json-1.1".to_string(),
                ),
                request_id,
            ];
            response(&format!("HTTP/1.1 {status}"), &headers, body.as_bytes())
        }
        Protocol::Cbor => {
            let code = if fault == Fault::Throttle {
                "Throttling"
            } else {
                code
            };
            let headers = vec![
                ("Content-Type".to_string(), "application/cbor".to_string()),
                ("smithy-protocol".to_string(), "rpc-v2-cbor".to_string()),
                request_id,
            ];
            response(
                &format!("HTTP/1.1 {status}"),
                &headers,
                &cbor_error(code, message),
            )
        }
        Protocol::Query => {
            let code = if fault == Fault::Throttle {
                "Throttling"
            } else {
                code
            };
            let body = format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>\
                 <Message>{message}</Message></Error><RequestId>gitmoxi-fault-proxy</RequestId>\
                 </ErrorResponse>"
            );
            let headers = vec![
                ("Content-Type".to_string(), "text/xml".to_string()),
                request_id,
            ];
            response(&format!("HTTP/1.1 {status}"), &headers, body.as_bytes())
        }
    }
}

/// `{"__type": code, "message": message}` in CBOR (two short text strings).
fn cbor_error(code: &str, message: &str) -> Vec<u8> {
    fn text(out: &mut Vec<u8>, s: &str) {
        let len = s.len();
        if len < 24 {
            out.push(0x60 | len as u8);
        } else {
            out.push(0x78);
            out.push(len as u8);
        }
        out.extend_from_slice(s.as_bytes());
    }
    let mut out = vec![0xA2];
    text(&mut out, "__type");
    text(&mut out, code);
    text(&mut out, "message");
    text(&mut out, message);
    out
}

/// The AWS operation a request calls.
fn operation_name(request: &Request) -> String {
    if let Some(target) = request.header("x-amz-target") {
        return target.rsplit('.').next().unwrap_or(target).to_string();
    }
    let path = request.target.split('?').next().unwrap_or_default();
    if let Some(rest) = path.strip_prefix("/service/") {
        if let Some(op) = rest.split("/operation/").nth(1) {
            return op.to_string();
        }
    }
    if let Some(action) = form_field(&request.body, "Action") {
        return action;
    }
    lambda_operation(&request.method, path)
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Lambda's REST API: `/<api-version>/functions/NAME/aliases/ALIAS` and friends.
fn lambda_operation(method: &str, path: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let rest: &[&str] = match segments.first() {
        Some(v) if v.starts_with("20") => &segments[1..],
        _ => &segments[..],
    };
    let name = match (method, rest) {
        ("GET", ["functions"]) => "ListFunctions",
        ("POST", ["functions"]) => "CreateFunction",
        ("GET", ["functions", _]) => "GetFunction",
        ("DELETE", ["functions", _]) => "DeleteFunction",
        ("GET", ["functions", _, "configuration"]) => "GetFunctionConfiguration",
        ("PUT", ["functions", _, "configuration"]) => "UpdateFunctionConfiguration",
        ("PUT", ["functions", _, "code"]) => "UpdateFunctionCode",
        ("GET", ["functions", _, "versions"]) => "ListVersionsByFunction",
        ("POST", ["functions", _, "versions"]) => "PublishVersion",
        ("GET", ["functions", _, "aliases"]) => "ListAliases",
        ("POST", ["functions", _, "aliases"]) => "CreateAlias",
        ("GET", ["functions", _, "aliases", _]) => "GetAlias",
        ("PUT", ["functions", _, "aliases", _]) => "UpdateAlias",
        ("DELETE", ["functions", _, "aliases", _]) => "DeleteAlias",
        ("POST", ["functions", _, "invocations"]) => "Invoke",
        ("GET", ["functions", _, "policy"]) => "GetPolicy",
        ("POST", ["functions", _, "policy"]) => "AddPermission",
        ("DELETE", ["functions", _, "policy", _]) => "RemovePermission",
        ("GET", ["event-source-mappings"]) => "ListEventSourceMappings",
        ("POST", ["event-source-mappings"]) => "CreateEventSourceMapping",
        ("GET", ["event-source-mappings", _]) => "GetEventSourceMapping",
        ("PUT", ["event-source-mappings", _]) => "UpdateEventSourceMapping",
        ("DELETE", ["event-source-mappings", _]) => "DeleteEventSourceMapping",
        ("GET", ["tags", ..]) => "ListTags",
        ("POST", ["tags", ..]) => "TagResource",
        ("DELETE", ["tags", ..]) => "UntagResource",
        _ => {
            let shape: Vec<&str> = rest.iter().take(1).copied().collect();
            return format!("{method} /{}", shape.join("/"));
        }
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_paths_name_their_operations() {
        assert_eq!(
            lambda_operation("PUT", "/2015-03-31/functions/f/aliases/live"),
            "UpdateAlias"
        );
        assert_eq!(
            lambda_operation("POST", "/2015-03-31/functions/f/versions"),
            "PublishVersion"
        );
        assert_eq!(
            lambda_operation("DELETE", "/2015-03-31/functions/f"),
            "DeleteFunction"
        );
        assert_eq!(lambda_operation("GET", "/2017-03-31/tags/arn"), "ListTags");
    }

    #[test]
    fn xorshift_is_seeded_and_roughly_uniform() {
        let mut a = XorShift::new(7);
        let mut b = XorShift::new(7);
        assert_eq!(a.next_u64(), b.next_u64());
        let hits = (0..10_000).filter(|_| a.unit() < 0.1).count();
        assert!((800..1200).contains(&hits), "{hits}");
    }

    #[test]
    fn cbor_error_is_a_two_entry_map() {
        let bytes = cbor_error("Throttling", "Rate exceeded");
        assert_eq!(bytes[0], 0xA2);
        assert_eq!(&bytes[1..8], b"\x66__type");
    }
}
