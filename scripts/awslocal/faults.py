"""What the proxy does to a call instead of (or before) forwarding it.

A *policy* looks at each call (its `service:Operation` name and the time) and returns a
[`Decision`]: a fault to answer with instead of forwarding, and a delay before either. The proxy
asks its policies in order; the first fault wins and delays add up. [`RandomFaults`] is the one
policy the fault tests use: seeded, per-operation probabilities. `quotas.Quotas` is the other:
a token bucket per AWS quota, a throttle when its bucket is empty.

Faults answer in the caller's own protocol (see `operations.protocol`): a throttle is Lambda's
429 `TooManyRequestsException`, CloudWatch's `Throttling` in CBOR, SNS's `Throttling` in XML,
`ThrottlingException` for awsJson.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field, fields
from typing import Protocol

from . import operations

# Faults, in the order their probabilities are drawn.
THROTTLE = "throttle"
UNAVAILABLE = "unavailable"
INTERNAL = "internal"
RESET = "reset"  # the connection closes without an answer; the request never reaches AWS
FAULTS = (THROTTLE, UNAVAILABLE, INTERNAL, RESET)


@dataclass
class Decision:
    fault: str | None = None
    delay_s: float = 0.0


class Policy(Protocol):
    """What the proxy asks about each call, in order (`Proxy.policies`)."""

    name: str

    def decide(self, operation: str, now: float) -> Decision:
        """`now` is `time.monotonic()`; a token bucket refills from it."""
        ...

    def to_json(self) -> dict:
        ...


@dataclass
class Rates:
    """Probabilities in 0..1 for one operation's calls: at most one fault per call, drawn in the
    order of FAULTS; latency comes on top (a share of calls delayed by up to `max_latency_ms`)."""

    throttle: float = 0.0
    unavailable: float = 0.0
    internal: float = 0.0
    reset: float = 0.0
    latency: float = 0.0
    max_latency_ms: int = 0

    @classmethod
    def from_json(cls, doc: dict) -> "Rates":
        known = {f.name for f in fields(cls)}
        unknown = set(doc) - known
        if unknown:
            raise ValueError(f"unknown rate(s) {sorted(unknown)}; known: {sorted(known)}")
        return cls(**doc)


@dataclass
class Faults:
    """Rates for every operation, with per-operation overrides keyed by `service:Operation` or
    by the bare operation name (`UpdateAlias`)."""

    seed: int = 1
    default: Rates = field(default_factory=Rates)
    per_operation: dict[str, Rates] = field(default_factory=dict)

    def rates(self, operation: str) -> Rates:
        found = self.per_operation.get(operation)
        if found is None:
            found = self.per_operation.get(operation.split(":", 1)[-1])
        return found or self.default

    @classmethod
    def from_json(cls, doc: dict) -> "Faults":
        unknown = set(doc) - {"seed", "default", "per_operation"}
        if unknown:
            raise ValueError(f"unknown field(s) {sorted(unknown)} in a faults document")
        return cls(
            seed=int(doc.get("seed", 1)),
            default=Rates.from_json(doc.get("default") or {}),
            per_operation={k: Rates.from_json(v) for k, v in (doc.get("per_operation") or {}).items()},
        )

    def to_json(self) -> dict:
        return {
            "seed": self.seed,
            "default": asdict(self.default),
            "per_operation": {k: asdict(v) for k, v in self.per_operation.items()},
        }


class XorShift:
    """xorshift64*: seeded, reproducible, the same sequence as the Rust tests' generator."""

    MASK = (1 << 64) - 1

    def __init__(self, seed: int):
        # Zero is xorshift's one fixed point; mix the seed so nearby seeds diverge at once.
        self.state = ((seed * 0x9E3779B97F4A7C15) & self.MASK) | 1

    def next_u64(self) -> int:
        x = self.state
        x ^= x >> 12
        x ^= (x << 25) & self.MASK
        x ^= x >> 27
        self.state = x
        return (x * 0x2545F4914F6CDD1D) & self.MASK

    def unit(self) -> float:
        """Uniform in [0, 1)."""
        return (self.next_u64() >> 11) / float(1 << 53)

    def between(self, lo: int, hi: int) -> int:
        """Uniform in [lo, hi); lo when the range is empty."""
        return lo if hi <= lo else lo + self.next_u64() % (hi - lo)


class RandomFaults:
    """Seeded random faults and latency, per operation. Changing the rates keeps the generator's
    sequence (the seed is the one the policy was made with) unless `reseed` is asked for."""

    name = "faults"

    def __init__(self, faults: Faults | None = None):
        self._lock = threading.Lock()
        self.faults = faults or Faults()
        self.rng = XorShift(self.faults.seed)

    def set(self, faults: Faults, reseed: bool = False):
        with self._lock:
            self.faults = faults
            if reseed:
                self.rng = XorShift(faults.seed)

    def heal(self):
        """No more faults (forwarding and counting go on)."""
        with self._lock:
            self.faults = Faults(seed=self.faults.seed)

    def to_json(self) -> dict:
        with self._lock:
            return self.faults.to_json()

    def decide(self, operation: str, now: float) -> Decision:
        with self._lock:
            rates = self.faults.rates(operation)
            draw = self.rng.unit()
            edge, fault = 0.0, None
            for kind in FAULTS:
                edge += getattr(rates, kind)
                if fault is None and draw < edge:
                    fault = kind
            delay = 0.0
            if self.rng.unit() < rates.latency:
                delay = self.rng.between(0, rates.max_latency_ms + 1) / 1000.0
        return Decision(fault, delay)


# ---- the answers -------------------------------------------------------------------------------

REQUEST_ID = "awslocal-fault-proxy"

_STATUS = {
    THROTTLE: (429, "Too Many Requests", "TooManyRequestsException", "Rate exceeded"),
    UNAVAILABLE: (503, "Service Unavailable", "ServiceUnavailableException", "injected 503"),
    INTERNAL: (500, "Internal Server Error", "ServiceException", "injected 500"),
}


def error_response(fault: str, protocol: str, request_content_type: str = "") -> tuple[int, str, list, bytes]:
    """(status, reason, headers, body) of the answer AWS gives for `fault` in `protocol`."""
    status, reason, code, message = _STATUS[fault]
    headers = [("x-amzn-RequestId", REQUEST_ID)]
    if protocol == operations.REST_JSON:
        body = ('{"Type":"User","message":"%s","Reason":"CallerRateLimitExceeded"}' % message).encode()
        headers += [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
    elif protocol == operations.JSON:
        code = "ThrottlingException" if fault == THROTTLE else code
        body = ('{"__type":"%s","message":"%s"}' % (code, message)).encode()
        content_type = request_content_type if request_content_type.startswith("application/x-amz-json") \
            else "application/x-amz-json-1.1"
        headers += [("Content-Type", content_type)]
    elif protocol == operations.CBOR:
        code = "Throttling" if fault == THROTTLE else code
        body = cbor_error(code, message)
        headers += [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
    else:
        code = "Throttling" if fault == THROTTLE else code
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
                f"<Message>{message}</Message></Error><RequestId>{REQUEST_ID}</RequestId>"
                f"</ErrorResponse>").encode()
        headers += [("Content-Type", "text/xml")]
    return status, reason, headers, body


def cbor_error(code: str, message: str) -> bytes:
    """`{"__type": code, "message": message}` in CBOR (a map of two short text strings)."""
    def text(s: str) -> bytes:
        raw = s.encode()
        head = bytes([0x60 | len(raw)]) if len(raw) < 24 else bytes([0x78, len(raw)])
        return head + raw

    return b"\xa2" + text("__type") + text(code) + text("message") + text(message)
