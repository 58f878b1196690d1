"""Unit tests of awslocal: `python -m unittest awslocal.tests` from scripts/ (the end-to-end
suite runs them too: `cargo test --test e2e awslocal`). No emulator needed: a stand-in upstream
and a stand-in ministack are made here."""

from __future__ import annotations

import http.client
import json
import os
import socket
import stat
import sys
import tempfile
import textwrap
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import emulator as E
from . import faults as F
from . import operations as O
from . import quotas as Q
from .proxy import Proxy, table

SIGNED = "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/{}/aws4_request, SignedHeaders=host"


class Operations(unittest.TestCase):
    def op(self, method, target, headers=None, body=b""):
        return O.operation(method, target, {k.lower(): v for k, v in (headers or {}).items()}, body)

    def test_lambda_paths_name_their_operations(self):
        self.assertEqual(self.op("PUT", "/2015-03-31/functions/f/aliases/live"), "lambda:UpdateAlias")
        self.assertEqual(self.op("POST", "/2015-03-31/functions/f/versions"), "lambda:PublishVersion")
        self.assertEqual(self.op("DELETE", "/2015-03-31/functions/f"), "lambda:DeleteFunction")
        self.assertEqual(self.op("GET", "/2017-03-31/tags/arn:aws:lambda:us-east-1:0:function:f"), "lambda:ListTags")
        self.assertEqual(self.op("GET", "/2015-03-31/functions/"), "lambda:ListFunctions")
        self.assertEqual(self.op("GET", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A0%3Afunction%3Af/"
                                        "configuration?Qualifier=2"), "lambda:GetFunctionConfiguration")
        self.assertEqual(self.op("GET", "/2019-09-25/functions/f/event-invoke-config"),
                         "lambda:GetFunctionEventInvokeConfig")
        self.assertEqual(self.op("GET", "/2015-03-31/functions/f/nothing"), "lambda:GET /functions/NAME/nothing")

    def test_json_cbor_and_query_protocols(self):
        self.assertEqual(self.op("POST", "/", {"X-Amz-Target": "Logs_20140328.CreateLogGroup"}), "logs:CreateLogGroup")
        self.assertEqual(self.op("POST", "/", {"X-Amz-Target": "AmazonSSM.GetParameter",
                                               "Authorization": SIGNED.format("ssm")}), "ssm:GetParameter")
        self.assertEqual(self.op("POST", "/service/GraniteServiceVersion20100801/operation/DescribeAlarms"),
                         "cloudwatch:DescribeAlarms")
        self.assertEqual(self.op("POST", "/", {"Content-Type": "application/x-www-form-urlencoded",
                                               "Authorization": SIGNED.format("monitoring")}, b"Action=DescribeAlarms"),
                         "cloudwatch:DescribeAlarms")
        form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Authorization": SIGNED.format("sns")}
        self.assertEqual(self.op("POST", "/", form, b"Action=Publish&Version=2010-03-31"), "sns:Publish")
        self.assertEqual(self.op("POST", "/", {"Content-Type": "application/x-www-form-urlencoded"}, b"Action=X"),
                         "query:X")
        self.assertEqual(self.op("GET", "/?Action=DescribeTargetGroups&Version=2015-12-01",
                                 {"Authorization": SIGNED.format("elasticloadbalancing")}),
                         "elasticloadbalancing:DescribeTargetGroups")

    def test_other_rest_apis_are_named_by_method_and_first_segment(self):
        self.assertEqual(self.op("GET", "/v2/apis/abc", {"Authorization": SIGNED.format("apigateway")}),
                         "apigateway:GET /v2")
        self.assertEqual(self.op("PUT", "/bucket/key", {"Authorization": SIGNED.format("s3")}), "s3:PUT /bucket")
        self.assertEqual(self.op("GET", "/"), "other:GET /")

    def test_protocols_and_function_names(self):
        self.assertEqual(O.protocol("/service/X/operation/Y", {}), O.CBOR)
        self.assertEqual(O.protocol("/", {"x-amz-target": "A.B"}), O.JSON)
        self.assertEqual(O.protocol("/", {"content-type": "application/x-www-form-urlencoded"}), O.QUERY)
        self.assertEqual(O.protocol("/2015-03-31/functions/f", {}), O.REST_JSON)
        self.assertEqual(O.function_name("/2015-03-31/functions/orders/aliases/live"), "orders")
        self.assertEqual(O.function_name("/2015-03-31/functions/arn:aws:lambda:r:0:function:orders:live"), "orders")
        self.assertEqual(O.function_name("/service/X/operation/Y"), "")


class Faults(unittest.TestCase):
    def test_xorshift_is_the_rust_generator(self):
        a = F.XorShift(7)
        # The first outputs of tests/e2e/faults/rng.rs's XorShift::new(7).
        self.assertEqual([a.next_u64() for _ in range(3)],
                         [7430617906488651703, 7486449783762807604, 10902827877105278336])
        self.assertEqual(F.XorShift(1).unit(), 0.052790873358508184)
        hits = sum(a.unit() < 0.1 for _ in range(10_000))
        self.assertTrue(800 <= hits < 1200, hits)

    def test_rates_per_operation_by_full_or_bare_name(self):
        faults = F.Faults.from_json({"seed": 3, "default": {"throttle": 0.1},
                                     "per_operation": {"UpdateAlias": {"reset": 1.0},
                                                       "cloudwatch:DescribeAlarms": {"internal": 1.0}}})
        self.assertEqual(faults.rates("lambda:UpdateAlias").reset, 1.0)
        self.assertEqual(faults.rates("cloudwatch:DescribeAlarms").internal, 1.0)
        self.assertEqual(faults.rates("lambda:GetAlias").throttle, 0.1)
        self.assertEqual(F.Faults.from_json(faults.to_json()), faults)
        with self.assertRaises(ValueError):
            F.Faults.from_json({"default": {"throttel": 1}})

    def test_draws_are_seeded_and_in_order(self):
        policy = F.RandomFaults(F.Faults(seed=5, default=F.Rates(throttle=0.25, unavailable=0.25, internal=0.25,
                                                                  reset=0.25, latency=1.0, max_latency_ms=10)))
        decisions = [policy.decide("lambda:GetAlias", 0.0) for _ in range(400)]
        kinds = {d.fault for d in decisions}
        self.assertEqual(kinds, set(F.FAULTS))
        self.assertTrue(all(0 <= d.delay_s <= 0.010 for d in decisions))
        again = F.RandomFaults(F.Faults(seed=5, default=policy.faults.default))
        self.assertEqual([again.decide("x", 0.0) for _ in range(400)], decisions)

    def test_setting_faults_keeps_the_sequence_unless_reseeded(self):
        a, b = F.RandomFaults(F.Faults(seed=1)), F.RandomFaults(F.Faults(seed=1))
        a.decide("x", 0)
        b.decide("x", 0)
        a.set(F.Faults(seed=99))
        self.assertEqual(a.rng.state, b.rng.state)
        a.set(F.Faults(seed=99), reseed=True)
        self.assertEqual(a.rng.state, F.XorShift(99).state)

    def test_error_shapes(self):
        bytes_ = F.cbor_error("Throttling", "Rate exceeded")
        self.assertEqual(bytes_[0], 0xA2)
        self.assertEqual(bytes_[1:8], b"\x66__type")
        status, _, headers, body = F.error_response(F.THROTTLE, O.REST_JSON)
        self.assertEqual(status, 429)
        self.assertIn(("x-amzn-ErrorType", "TooManyRequestsException"), headers)
        status, _, _, body = F.error_response(F.THROTTLE, O.QUERY)
        self.assertIn(b"<Code>Throttling</Code>", body)
        status, _, headers, body = F.error_response(F.UNAVAILABLE, O.JSON, "application/x-amz-json-1.0")
        self.assertEqual((status, json.loads(body)["__type"]), (503, "ServiceUnavailableException"))
        self.assertIn(("Content-Type", "application/x-amz-json-1.0"), headers)


class QuotaBuckets(unittest.TestCase):
    def test_operations_count_against_aws_quotas(self):
        self.assertEqual(Q.quota_of("lambda:UpdateAlias"), "lambda-control")
        self.assertEqual(Q.quota_of("lambda:ListVersionsByFunction"), "lambda-control")
        self.assertEqual(Q.quota_of("lambda:GetFunction"), "lambda-get-function")
        self.assertEqual(Q.quota_of("lambda:GetPolicy"), "lambda-get-policy")
        self.assertIsNone(Q.quota_of("lambda:Invoke"))
        self.assertEqual(Q.quota_of("cloudwatch:DescribeAlarms"), "cloudwatch-describe-alarms")
        self.assertIsNone(Q.quota_of("sns:Publish"))

    def test_a_bucket_pays_its_rate_and_throttles_beyond_it(self):
        quotas = Q.Quotas({"lambda-control": 15.0})
        # A burst of 20 at one instant: the bucket holds 15.
        burst = [quotas.decide("lambda:UpdateAlias", 100.0).fault for _ in range(20)]
        self.assertEqual(burst.count(F.THROTTLE), 5)
        # One second later, 15 more are paid for; GetFunction has its own quota (none here).
        later = [quotas.decide("lambda:PublishVersion", 101.0).fault for _ in range(16)]
        self.assertEqual(later.count(F.THROTTLE), 1)
        self.assertIsNone(quotas.decide("lambda:GetFunction", 101.0).fault)
        # At 15/s, a fifteenth of a second later one more call is paid for.
        self.assertIsNone(quotas.decide("lambda:GetAlias", 101.07).fault)


class _Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list = []

    def log_message(self, *args):
        pass

    def _any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        _Upstream.seen.append((self.command, self.path, body))
        reply = json.dumps({"path": self.path, "body": body.decode()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any


class ProxyOverHttp(unittest.TestCase):
    def setUp(self):
        _Upstream.seen = []
        self.upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
        threading.Thread(target=self.upstream.serve_forever, args=(0.05,), daemon=True).start()
        self.proxy = Proxy(f"http://127.0.0.1:{self.upstream.server_address[1]}").start()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.proxy.port, timeout=10)

    def tearDown(self):
        self.conn.close()
        self.proxy.stop()
        self.upstream.shutdown()
        self.upstream.server_close()

    def call(self, method, path, body=None, headers=None):
        self.conn.request(method, path, body=body, headers=headers or {})
        resp = self.conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()

    def control(self, method, path, doc=None):
        status, _, body = self.call(method, f"/_proxy/{path}", json.dumps(doc) if doc is not None else None)
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def test_forwards_counts_and_keeps_the_connection(self):
        status, _, body = self.call("PUT", "/2015-03-31/functions/f/aliases/live", b'{"x":1}')
        self.assertEqual((status, json.loads(body)["body"]), (200, '{"x":1}'))
        status, headers, body = self.call("HEAD", "/2015-03-31/functions/f")
        self.assertEqual((status, body, headers["Content-Length"]), (200, b"", str(len(
            json.dumps({"path": "/2015-03-31/functions/f", "body": ""})))))
        self.call("PUT", "/2015-03-31/functions/f/aliases/live", b"{}")
        stats = self.control("GET", "stats")
        self.assertEqual(stats["operations"]["lambda:UpdateAlias"]["calls"], 2)
        self.assertEqual(stats["operations"]["lambda:HEAD /functions/NAME"]["calls"], 1)
        self.assertEqual([r[1:] for r in self.control("GET", "requests")][0], ["lambda:UpdateAlias", "f"])
        self.assertEqual(self.proxy.counts()["lambda:UpdateAlias"], 2)
        self.assertIn("lambda:UpdateAlias", table(stats))
        self.control("POST", "stats/reset")
        self.assertEqual(self.control("GET", "stats")["operations"], {})

    def test_faults_retries_and_healing(self):
        self.control("PUT", "faults", {"seed": 4, "per_operation": {"UpdateAlias": {"throttle": 1.0}}})
        status, headers, body = self.call("PUT", "/2015-03-31/functions/f/aliases/live", b"{}")
        self.assertEqual((status, headers["x-amzn-ErrorType"]), (429, "TooManyRequestsException"))
        self.assertEqual(len(_Upstream.seen), 0, "a faulted call never reaches the emulator")
        status, _, _ = self.call("GET", "/2015-03-31/functions/f/aliases/live")
        self.assertEqual(status, 200, "other operations pass")
        time.sleep(0.05)
        self.control("POST", "heal")
        self.assertEqual(self.call("PUT", "/2015-03-31/functions/f/aliases/live", b"{}")[0], 200)
        op = self.control("GET", "stats")["operations"]["lambda:UpdateAlias"]
        self.assertEqual((op["calls"], op["throttled"], op["retries"]), (2, 1, 1))
        self.assertGreaterEqual(op["retry_gaps_s"][0], 0.05)

    def test_reset_closes_the_connection_without_an_answer(self):
        self.control("PUT", "faults", {"default": {"reset": 1.0}})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.call("POST", "/service/GraniteServiceVersion20100801/operation/DescribeAlarms", b"\xa0",
                      {"Content-Type": "application/cbor"})
        self.conn.close()
        self.assertEqual(self.control("GET", "stats")["operations"]["cloudwatch:DescribeAlarms"]["reset"], 1)

    def test_bad_control_requests_are_400_and_404(self):
        self.assertEqual(self.call("PUT", "/_proxy/faults", b'{"nope": 1}')[0], 400)
        self.assertEqual(self.call("GET", "/_proxy/nothing")[0], 404)


FAKE_MINISTACK = textwrap.dedent("""\
    #!{python}
    import os, sys
    from http.server import BaseHTTPRequestHandler, HTTPServer
    class H(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/_ministack/ready" else 404)
            self.end_headers()
    try:
        server = HTTPServer(("127.0.0.1", int(os.environ["GATEWAY_PORT"])), H)
    except OSError:
        print("[Errno 98] error while attempting to bind: address already in use", flush=True)
        sys.exit(1)
    print("tmp", os.environ["TMPDIR"], flush=True)
    server.serve_forever()
""")


class Launcher(unittest.TestCase):
    def test_start_retries_a_taken_port_and_stop_ends_the_group(self):
        with tempfile.TemporaryDirectory() as d:
            fake = Path(d) / "ministack"
            fake.write_text(FAKE_MINISTACK.format(python=sys.executable))
            fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
            taken = socket.socket()
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            taken_port = taken.getsockname()[1]
            ports = iter([taken_port])
            real_free_port = E.free_port
            E.free_port = lambda: next(ports, None) or real_free_port()
            try:
                emulator = E.Emulator(Path(d) / "log", Path(d) / "tmp", ministack=fake).start()
            finally:
                E.free_port = real_free_port
                taken.close()
            self.assertNotEqual(emulator.port, taken_port, "a second port after the taken one")
            self.assertTrue(E.ready(emulator.port))
            self.assertEqual(os.getpgid(emulator.pid), emulator.pid, "its own process group")
            self.assertIn(f"tmp {Path(d) / 'tmp'}", emulator.log_text())
            emulator.stop()
            self.assertFalse(emulator.running())
            self.assertFalse(E.ready(emulator.port))


if __name__ == "__main__":
    unittest.main()
