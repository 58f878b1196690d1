"""AWS's API quotas, enforced by the proxy: one token bucket per quota, shared by every client of
the proxy (as a real account and region shares them), and a throttle in the caller's own
protocol when a bucket is empty. Nothing is delayed: a call the bucket cannot pay for is
answered at once, as AWS answers, and counted as throttled.

Default rates (`Quotas.aws()`), from the Lambda quotas page and CloudWatch's service quotas:
Lambda's control plane 15 requests/s for every API together except invocation, GetFunction
(100/s of its own) and GetPolicy (15/s of its own); CloudWatch DescribeAlarms 9/s,
DescribeAlarmHistory 20/s, GetMetricData 500/s. A bucket holds one second's worth.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .faults import THROTTLE, Decision

LAMBDA_INVOKE = {"Invoke", "InvokeAsync", "InvokeWithResponseStream"}

AWS_RATES = {
    "lambda-control": 15.0,
    "lambda-get-function": 100.0,
    "lambda-get-policy": 15.0,
    "cloudwatch-describe-alarms": 9.0,
    "cloudwatch-describe-alarm-history": 20.0,
    "cloudwatch-get-metric-data": 500.0,
}


def quota_of(operation: str) -> str | None:
    """The quota a `service:Operation` counts against, or None when it has none here."""
    service, _, op = operation.partition(":")
    if service == "lambda":
        if op in LAMBDA_INVOKE:
            return None
        return {"GetFunction": "lambda-get-function", "GetPolicy": "lambda-get-policy"}.get(
            op, "lambda-control")
    if service == "cloudwatch":
        return {
            "DescribeAlarms": "cloudwatch-describe-alarms",
            "DescribeAlarmHistory": "cloudwatch-describe-alarm-history",
            "GetMetricData": "cloudwatch-get-metric-data",
        }.get(op)
    return None


@dataclass
class Bucket:
    rate: float
    tokens: float
    at: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.rate, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Quotas:
    """A proxy policy (see `faults.Policy`): throttles what exceeds a quota's rate."""

    name = "quotas"

    def __init__(self, rates: dict[str, float]):
        self._lock = threading.Lock()
        self.rates = dict(rates)
        self.buckets: dict[str, Bucket] = {}

    @classmethod
    def aws(cls) -> "Quotas":
        return cls(AWS_RATES)

    def decide(self, operation: str, now: float) -> Decision:
        quota = quota_of(operation)
        if quota is None or quota not in self.rates:
            return Decision()
        with self._lock:
            bucket = self.buckets.get(quota)
            if bucket is None:
                rate = self.rates[quota]
                bucket = self.buckets[quota] = Bucket(rate=rate, tokens=rate, at=now)
            allowed = bucket.take(now)
        return Decision() if allowed else Decision(fault=THROTTLE)

    def to_json(self) -> dict:
        return {"rates": dict(self.rates)}
