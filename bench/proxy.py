"""A counting HTTP proxy in front of the AWS emulator, for `make bench`.

Every request is forwarded unchanged to the emulator and counted under the AWS operation it
names: the `X-Amz-Target` header (JSON protocols), the CloudWatch rpc-v2-cbor path
`/service/GraniteServiceVersion20100801/operation/<Op>`, the `Action=` of a query-protocol form
body (IAM, STS, CloudWatch as hashicorp/aws 3.39 speaks it), or the Lambda REST method and path.

Standalone: `python bench/proxy.py UPSTREAM_URL [PORT]` prints the counts on Ctrl-C. In-process:
`CountingProxy(upstream).start()`, then `.snapshot()` / `.reset()`.
"""

from __future__ import annotations

import http.client
import re
import sys
import threading
import time
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
}

# Lambda REST routes: (method, path regex after the API date) -> operation.
_SEG = r"[^/]+"
LAMBDA_ROUTES = [
    ("POST", r"/functions/?", "CreateFunction"),
    ("GET", r"/functions/?", "ListFunctions"),
    ("GET", rf"/functions/{_SEG}", "GetFunction"),
    ("DELETE", rf"/functions/{_SEG}", "DeleteFunction"),
    ("GET", rf"/functions/{_SEG}/configuration", "GetFunctionConfiguration"),
    ("PUT", rf"/functions/{_SEG}/configuration", "UpdateFunctionConfiguration"),
    ("PUT", rf"/functions/{_SEG}/code", "UpdateFunctionCode"),
    ("POST", rf"/functions/{_SEG}/versions", "PublishVersion"),
    ("GET", rf"/functions/{_SEG}/versions", "ListVersionsByFunction"),
    ("POST", rf"/functions/{_SEG}/aliases", "CreateAlias"),
    ("GET", rf"/functions/{_SEG}/aliases", "ListAliases"),
    ("GET", rf"/functions/{_SEG}/aliases/{_SEG}", "GetAlias"),
    ("PUT", rf"/functions/{_SEG}/aliases/{_SEG}", "UpdateAlias"),
    ("DELETE", rf"/functions/{_SEG}/aliases/{_SEG}", "DeleteAlias"),
    ("GET", rf"/functions/{_SEG}/policy", "GetPolicy"),
    ("POST", rf"/functions/{_SEG}/policy", "AddPermission"),
    ("DELETE", rf"/functions/{_SEG}/policy/{_SEG}", "RemovePermission"),
    ("POST", rf"/functions/{_SEG}/invocations", "Invoke"),
    ("GET", rf"/functions/{_SEG}/concurrency", "GetFunctionConcurrency"),
    ("PUT", rf"/functions/{_SEG}/concurrency", "PutFunctionConcurrency"),
    ("GET", rf"/functions/{_SEG}/code-signing-config", "GetFunctionCodeSigningConfig"),
    ("GET", rf"/functions/{_SEG}/event-invoke-config", "GetFunctionEventInvokeConfig"),
    ("GET", rf"/functions/{_SEG}/url", "GetFunctionUrlConfig"),
    ("GET", r"/event-source-mappings/?", "ListEventSourceMappings"),
    ("POST", r"/event-source-mappings/?", "CreateEventSourceMapping"),
    ("GET", rf"/event-source-mappings/{_SEG}", "GetEventSourceMapping"),
    ("PUT", rf"/event-source-mappings/{_SEG}", "UpdateEventSourceMapping"),
    ("DELETE", rf"/event-source-mappings/{_SEG}", "DeleteEventSourceMapping"),
    ("GET", rf"/tags/{_SEG}", "ListTags"),
    ("POST", rf"/tags/{_SEG}", "TagResource"),
    ("DELETE", rf"/tags/{_SEG}", "UntagResource"),
]
_LAMBDA = re.compile(r"^/(\d{4}-\d{2}-\d{2})(/.*)$")
_CBOR = re.compile(r"^/service/(\w+?)(?:Version\d+)?/operation/(\w+)$")
_CBOR_SERVICES = {"GraniteService": "cloudwatch"}
_FUNCTION = re.compile(r"/functions/(?:arn:[^/]*?:function:)?([^/?:]+)")


def operation(method: str, path: str, headers, body: bytes) -> str:
    """`service:Operation` of one request, as the benchmark counts it."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(path).path)
    target = headers.get("X-Amz-Target")
    if target:
        service, _, op = target.rpartition(".")
        return f"{service.split('_')[0].lower()}:{op}"
    m = _CBOR.match(path)
    if m:
        return f"{_CBOR_SERVICES.get(m.group(1), m.group(1).lower())}:{m.group(2)}"
    m = _LAMBDA.match(path)
    if m:
        rest = m.group(2)
        for route_method, pattern, op in LAMBDA_ROUTES:
            if method == route_method and re.fullmatch(pattern, rest):
                return f"lambda:{op}"
        return f"lambda:{method} {re.sub(r'/functions/[^/]+', '/functions/NAME', rest)}"
    content_type = headers.get("Content-Type", "")
    if body and "x-www-form-urlencoded" in content_type:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        action = form.get("Action", [""])[0]
        if action:
            service = _query_service(headers, action)
            return f"{service}:{action}"
    return f"other:{method} {path}"


def _query_service(headers, action: str) -> str:
    # The SigV4 credential scope names the service: Credential=KEY/DATE/REGION/SERVICE/aws4_request
    auth = headers.get("Authorization", "")
    m = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", auth)
    if m:
        return m.group(1)
    return "query"


class _Server(ThreadingHTTPServer):
    # listen() runs in the constructor: the backlog must be a class attribute. The default (5)
    # overflows when 50 rollouts open their connections at once.
    request_queue_size = 512
    daemon_threads = True


class CountingProxy:
    def __init__(self, upstream: str, port: int = 0):
        parsed = urllib.parse.urlsplit(upstream)
        self.upstream_host = parsed.hostname or "127.0.0.1"
        self.upstream_port = parsed.port or 80
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        # (seconds since the last reset, operation, function name or "") of every request.
        self._log: list[tuple[float, str, str]] = []
        self._since = time.monotonic()
        self._local = threading.local()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _handle(self):
                proxy._forward(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

        self.server = _Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> "CountingProxy":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()

    def reset(self):
        with self._lock:
            self._counts.clear()
            self._log = []
            self._since = time.monotonic()

    def requests(self) -> list[tuple[float, str, str]]:
        with self._lock:
            return list(self._log)

    def snapshot(self) -> Counter:
        with self._lock:
            return Counter(self._counts)

    def _upstream(self, fresh: bool = False) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None or fresh:
            if conn is not None:
                conn.close()
            conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=300)
            self._local.conn = conn
        return conn

    def _forward(self, h: BaseHTTPRequestHandler):
        body = _read_body(h)
        op = operation(h.command, h.path, h.headers, body)
        m = _FUNCTION.search(urllib.parse.unquote(h.path))
        with self._lock:
            self._counts[op] += 1
            self._log.append((time.monotonic() - self._since, op, m.group(1) if m else ""))
        headers = {k: v for k, v in h.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["Content-Length"] = str(len(body))
        for attempt in (0, 1):
            conn = self._upstream(fresh=attempt > 0)
            try:
                conn.request(h.command, h.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, OSError):
                if attempt:
                    h.send_error(502, "emulator unreachable")
                    return
        h.send_response_only(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(data)


def _read_body(h: BaseHTTPRequestHandler) -> bytes:
    if h.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(h.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while h.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(h.rfile.read(size))
            h.rfile.readline()
    length = int(h.headers.get("Content-Length") or 0)
    return h.rfile.read(length) if length else b""


if __name__ == "__main__":
    p = CountingProxy(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0).start()
    print(f"counting proxy on {p.url} -> {sys.argv[1]}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        for op, n in sorted(p.snapshot().items()):
            print(f"{n:8d}  {op}")
