"""A counting, fault-injecting HTTP proxy between AWS clients and the emulator.

Every request is named by its AWS operation (`operations.operation`), counted, and then either
forwarded to the emulator or answered by a fault its policies chose (`faults`). Per operation it
counts calls, each kind of fault, delayed calls, and the calls that came after an injected fault
on the same operation (the retries), with the gap before each: a test sees that retries happen
and back off.

Control and statistics are plain HTTP on the proxy's own port, under `/_proxy/` (no AWS API uses
that path; S3 bucket names cannot start with `_`):

    GET  /_proxy/ready          200 once listening
    GET  /_proxy/stats          {"elapsed_s", "operations": {"lambda:UpdateAlias": {"calls", ...}}}
    POST /_proxy/stats/reset    zero the statistics and the request log
    GET  /_proxy/requests       [[seconds since reset, operation, function name or ""], ...]
    GET  /_proxy/faults         the faults document (`faults.Faults.to_json`)
    PUT  /_proxy/faults         replace it (`?reseed=1` also restarts the generator from its seed)
    POST /_proxy/heal           no faults from now on

In-process: `Proxy(upstream_url).start()`, then the same as methods. Keep-alive on both sides
(one upstream connection per client connection), HTTP/1.1.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import faults as F
from . import operations
from .quotas import Quotas

HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
    "expect",  # the proxy already answered 100-continue and holds the whole body
}
CONTROL = "/_proxy/"


class OperationStats:
    __slots__ = ("calls", "throttle", "unavailable", "internal", "reset", "delayed", "retries",
                 "retry_gaps_s", "last_fault")

    def __init__(self):
        self.calls = self.delayed = self.retries = 0
        self.throttle = self.unavailable = self.internal = self.reset = 0
        self.retry_gaps_s: list[float] = []
        self.last_fault: float | None = None

    def faults(self) -> int:
        return self.throttle + self.unavailable + self.internal + self.reset

    def to_json(self) -> dict:
        return {
            "calls": self.calls,
            "throttled": self.throttle,
            "unavailable": self.unavailable,
            "internal": self.internal,
            "reset": self.reset,
            "delayed": self.delayed,
            "retries": self.retries,
            "retry_gaps_s": list(self.retry_gaps_s),
        }


class Stats:
    """Per-operation counts since the last reset, and a log of every call."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.since = time.monotonic()
        self.operations: dict[str, OperationStats] = {}
        # (seconds since the reset, operation, function name or "") of every call.
        self.log: list[tuple[float, str, str]] = []

    def record(self, operation: str, function: str, now: float, decision: F.Decision):
        """Counts one call (the lock is held by the caller)."""
        op = self.operations.get(operation)
        if op is None:
            op = self.operations[operation] = OperationStats()
        op.calls += 1
        self.log.append((now - self.since, operation, function))
        if op.last_fault is not None:
            op.retries += 1
            op.retry_gaps_s.append(now - op.last_fault)
            op.last_fault = None
        if decision.delay_s > 0:
            op.delayed += 1
        if decision.fault:
            setattr(op, decision.fault, getattr(op, decision.fault) + 1)
            op.last_fault = now

    def to_json(self) -> dict:
        with self.lock:
            ops = {name: op.to_json() for name, op in sorted(self.operations.items())}
            return {"elapsed_s": time.monotonic() - self.since, "operations": ops}


class _Server(ThreadingHTTPServer):
    # listen() runs in the constructor, so the backlog is a class attribute. The default (5)
    # overflows when 50 rollouts open their connections at once.
    request_queue_size = 512
    daemon_threads = True


class Proxy:
    def __init__(self, upstream: str, port: int = 0, faults: F.Faults | None = None, host: str = "127.0.0.1",
                 quotas: "Quotas | None" = None):
        parsed = urllib.parse.urlsplit(upstream)
        self.upstream = (parsed.hostname or "127.0.0.1", parsed.port or 80)
        self.stats_ = Stats()
        self.random_faults = F.RandomFaults(faults)
        # Asked in order for each call: AWS's quotas (when enforced), then the random faults.
        self.policies: list[F.Policy] = [self.random_faults]
        if quotas is not None:
            self.policies.insert(0, quotas)
        self._local = threading.local()
        self.server = _Server((host, port), _handler(self))
        self.port = self.server.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self._thread: threading.Thread | None = None

    # ---- life ----------------------------------------------------------------------------------

    def start(self) -> "Proxy":
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- statistics and faults -----------------------------------------------------------------

    def stats(self) -> dict:
        return self.stats_.to_json()

    def counts(self) -> Counter:
        """Calls per operation."""
        with self.stats_.lock:
            return Counter({name: op.calls for name, op in self.stats_.operations.items()})

    def requests(self) -> list[tuple[float, str, str]]:
        with self.stats_.lock:
            return list(self.stats_.log)

    def reset_stats(self):
        with self.stats_.lock:
            self.stats_.reset()

    def set_faults(self, faults: F.Faults, reseed: bool = False):
        self.random_faults.set(faults, reseed)

    def heal(self):
        self.random_faults.heal()

    def faults(self) -> F.Faults:
        return F.Faults.from_json(self.random_faults.to_json())

    # ---- one call ------------------------------------------------------------------------------

    def decide(self, operation: str, function: str) -> F.Decision:
        now = time.monotonic()
        decision = F.Decision()
        for policy in self.policies:
            d = policy.decide(operation, now)
            decision.delay_s += d.delay_s
            if d.fault:
                decision.fault = d.fault
                break
        with self.stats_.lock:
            self.stats_.record(operation, function, now, decision)
        return decision

    def _upstream(self, fresh: bool) -> tuple[http.client.HTTPConnection, bool]:
        conn = getattr(self._local, "conn", None)
        if conn is not None and not fresh:
            return conn, True
        if conn is not None:
            conn.close()
        conn = http.client.HTTPConnection(*self.upstream, timeout=300)
        self._local.conn = conn
        return conn, False

    def forward(self, method: str, target: str, headers: list, body: bytes):
        """(status, reason, headers, body) from the emulator. A kept-alive connection the emulator
        closed meanwhile is retried once on a new one; a new connection's failure is a 502."""
        for attempt in (0, 1):
            conn, reused = self._upstream(fresh=attempt > 0)
            try:
                conn.request(method, target, body=body, headers=dict(headers))
                resp = conn.getresponse()
                return resp.status, resp.reason, resp.getheaders(), resp.read()
            except (http.client.HTTPException, OSError) as e:
                conn.close()
                self._local.conn = None
                if not reused:
                    return 502, "Bad Gateway", [("Content-Type", "text/plain")], f"emulator unreachable: {e}".encode()
        raise AssertionError("unreachable")


def _handler(proxy: Proxy):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def _handle(self):
            body = _read_body(self)
            if self.path.startswith(CONTROL):
                return _control(proxy, self, body)
            headers = {k.lower(): v for k, v in self.headers.items()}
            operation = operations.operation(self.command, self.path, headers, body)
            decision = proxy.decide(operation, operations.function_name(self.path))
            if decision.delay_s:
                time.sleep(decision.delay_s)
            if decision.fault == F.RESET:
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if decision.fault:
                protocol = operations.protocol(self.path, headers)
                _answer(self, *F.error_response(decision.fault, protocol, headers.get("content-type", "")))
                return
            forward_headers = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP]
            forward_headers.append(("Content-Length", str(len(body))))
            status, reason, resp_headers, data = proxy.forward(self.command, self.path, forward_headers, body)
            _answer(self, status, reason, resp_headers, data, head=self.command == "HEAD")

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle

        def finish(self):
            # This thread served one client connection; its upstream connection goes with it.
            conn = getattr(proxy._local, "conn", None)
            if conn is not None:
                conn.close()
                proxy._local.conn = None
            super().finish()

    return Handler


def _answer(h: BaseHTTPRequestHandler, status: int, reason: str, headers, body: bytes, head: bool = False):
    h.send_response_only(status, reason)
    length = None
    for k, v in headers:
        lower = k.lower()
        if lower == "content-length":
            length = v
        elif lower not in HOP_BY_HOP:
            h.send_header(k, v)
    # A HEAD answer keeps the length of the body it did not send (S3's HeadObject reports sizes so).
    h.send_header("Content-Length", length if head and length is not None else str(len(body)))
    h.end_headers()
    if not head:
        h.wfile.write(body)


def _json(h: BaseHTTPRequestHandler, status: int, doc):
    _answer(h, status, "OK" if status == 200 else "Error", [("Content-Type", "application/json")],
            json.dumps(doc).encode())


def _control(proxy: Proxy, h: BaseHTTPRequestHandler, body: bytes):
    path, query = operations.split_target(h.path)
    route = (h.command, path[len(CONTROL):].rstrip("/"))
    try:
        if route == ("GET", "ready"):
            return _json(h, 200, {"ready": True})
        if route == ("GET", "stats"):
            return _json(h, 200, proxy.stats())
        if route in (("POST", "stats/reset"), ("DELETE", "stats")):
            proxy.reset_stats()
            return _json(h, 200, {"reset": True})
        if route == ("GET", "requests"):
            return _json(h, 200, proxy.requests())
        if route == ("GET", "faults"):
            return _json(h, 200, proxy.faults().to_json())
        if route == ("PUT", "faults"):
            reseed = urllib.parse.parse_qs(query).get("reseed", ["0"])[0] not in ("0", "false", "")
            proxy.set_faults(F.Faults.from_json(json.loads(body or b"{}")), reseed=reseed)
            return _json(h, 200, proxy.faults().to_json())
        if route == ("POST", "heal"):
            proxy.heal()
            return _json(h, 200, proxy.faults().to_json())
    except (ValueError, TypeError) as e:
        return _json(h, 400, {"error": str(e)})
    return _json(h, 404, {"error": f"no control route {h.command} {path}"})


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


def table(stats: dict) -> str:
    """One line per operation, for test output and figures."""
    lines = ["operation                                  calls   429   503   500  reset  delayed  retries"]
    for name, o in stats["operations"].items():
        lines.append(f"{name:<40} {o['calls']:>7} {o['throttled']:>5} {o['unavailable']:>5} {o['internal']:>5} "
                     f"{o['reset']:>6} {o['delayed']:>8} {o['retries']:>8}")
    return "\n".join(lines)
