"""`make bench`: terraform-provider-gitmoxi side by side with hashicorp/aws 3.39.0.

Runs against one ministack emulator, behind the project's counting proxy (scripts/awslocal, the
same launcher and proxy the end-to-end tests use), and prints one
table: each row ours vs the baseline, the ratio (ours / baseline) and the issue's target where it
has one. Medians over repeated runs. See docs/benchmarks.md for what each figure means.

Environment (all optional):
  BENCH_HANDSHAKE_RUNS   start-to-handshake runs per provider (default 20)
  BENCH_PLAN_RUNS        plans per provider and N (default 3)
  BENCH_APPLY_RUNS       code-change applies of ours (default 3)
  BENCH_AWS_APPLY_RUNS   code-change applies of hashicorp/aws (default 1: over 4 minutes each)
  BENCH_SIZES            plan sizes, comma separated (default 50,200)
  BENCH_APPLY_N          functions changed by one apply (default 50)
  BENCH_QUOTA_N          functions planned and released under AWS's API quotas (default 200; 0 skips)
  GITMOXI_BINARY         provider to measure (default target/release/terraform-provider-gitmoxi)
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from awslocal import Emulator, EmulatorError, Proxy  # noqa: E402
from awslocal.quotas import Quotas, quota_of  # noqa: E402
from terraform import (  # noqa: E402
    ALARM, AWS, AWS_BINARY, AWS_VERSION, LOGS, MAGIC_COOKIE, MINISTACK, OURS, OURS_BINARY, REGION,
    TERRAFORM, WORK, Workspace, cli_config, package,
)

HANDSHAKE_RUNS = int(os.environ.get("BENCH_HANDSHAKE_RUNS", "20"))
PLAN_RUNS = int(os.environ.get("BENCH_PLAN_RUNS", "3"))
APPLY_RUNS = int(os.environ.get("BENCH_APPLY_RUNS", "3"))
# hashicorp/aws uploads `filename` code one function at a time (a provider-wide lock held through
# the upload, the wait and the publish: about 5 s a function here), so one apply of 50 takes
# minutes: one run by default.
AWS_APPLY_RUNS = int(os.environ.get("BENCH_AWS_APPLY_RUNS", "1"))
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "50,200").split(",")]
QUOTA_N = int(os.environ.get("BENCH_QUOTA_N", "200"))
# Lambda's control-plane quota (requests per second), which bounds a release of many functions.
CONTROL_RATE = 15.0
APPLY_N = int(os.environ.get("BENCH_APPLY_N", "50"))
# The rollout measured: LINEAR 50% every 2s = two steps (50%, 100%), one 2s wait.
WAIT_SECONDS = 2.0
STEPS = 2
# Default check_interval of the provider (engine: every 3s during waits, and before each shift).
CHECK_INTERVAL = 3.0


def say(msg: str):
    print(f"bench: {msg}", flush=True)


# ---- machine -----------------------------------------------------------------------------------

def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(int(l.split()[1]) for l in Path("/proc/meminfo").read_text().splitlines()
                  if l.startswith("MemTotal"))
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# ---- provider start to handshake ---------------------------------------------------------------

def client_cert() -> str:
    """A self-signed ECDSA P-521 CA certificate, as Terraform's AutoMTLS makes one."""
    key, cert = WORK / "client-key.pem", WORK / "client-cert.pem"
    if not cert.exists():
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp521r1",
                        "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "basicConstraints=critical,CA:TRUE",
                        "-addext", "keyUsage=digitalSignature,keyEncipherment,keyCertSign"],
                       check=True, capture_output=True)
    return cert.read_text()


def time_to_handshake(binary: Path, protocol: str, cert: str) -> tuple[float, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE,
        "PLUGIN_PROTOCOL_VERSIONS": protocol,
        "PLUGIN_CLIENT_CERT": cert,
    }
    started = time.perf_counter()
    proc = subprocess.Popen([str(binary)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - started
    proc.kill()
    proc.wait()
    proc.stdout.close()
    text = line.decode(errors="replace").strip()
    if not text.startswith(f"1|{protocol}|"):
        raise SystemExit(f"{binary.name} printed no handshake line (got {text[:80]!r})")
    return elapsed, text


def bench_handshake() -> dict:
    cert = client_cert()
    runs = {OURS: [], AWS: []}
    # One unmeasured start each brings the binaries into the page cache (the aws one is ~200 MB).
    time_to_handshake(OURS_BINARY, "6", cert)
    time_to_handshake(AWS_BINARY, "5", cert)
    for _ in range(HANDSHAKE_RUNS):
        runs[OURS].append(time_to_handshake(OURS_BINARY, "6", cert)[0])
        runs[AWS].append(time_to_handshake(AWS_BINARY, "5", cert)[0])
    return runs


# ---- the benchmark -----------------------------------------------------------------------------

def median(xs):
    return statistics.median(xs) if xs else float("nan")


def main():
    if sys.argv[1:] == ["--render"]:
        # The table again from the last run's raw figures (after a change to this script).
        print(render(json.loads((WORK / "results.json").read_text())))
        return
    for path, hint in ((TERRAFORM, "make tools"), (MINISTACK, "make tools"), (AWS_BINARY, "make tools"),
                       (OURS_BINARY, "scripts/build-release.sh")):
        if not path.exists():
            raise SystemExit(f"{path} is missing: run `{hint}`")
    if not shutil.which("openssl"):
        raise SystemExit("the openssl command is needed to make the client certificate")
    WORK.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(LOGS, ignore_errors=True)
    LOGS.mkdir(parents=True)
    results: dict = {"machine": machine(), "load_start": load(), "started": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    say(f"machine: {results['machine']}; load average {results['load_start']}")
    t0 = time.perf_counter()

    say(f"start to handshake: {HANDSHAKE_RUNS} runs each")
    results["handshake_s"] = bench_handshake()

    emulator = start_emulator()
    proxy = Proxy(emulator.url).start()
    say(f"ministack on {emulator.url}, counting proxy on {proxy.url}")
    try:
        run_terraform_benchmarks(proxy, emulator, results)
    finally:
        proxy.stop()
        emulator.stop()
    results["load_end"] = load()
    results["duration_s"] = round(time.perf_counter() - t0)
    (WORK / "results.json").write_text(json.dumps(results, indent=2, sort_keys=True))
    table = render(results)
    (WORK / "results.md").write_text(table + "\n")
    print()
    print(table)
    print(f"\n(raw figures: {WORK / 'results.json'}; Terraform logs: {LOGS})")


def start_emulator() -> Emulator:
    tmp = WORK / "emulator.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        return Emulator(WORK / "ministack.log", tmp).start()
    except EmulatorError as e:
        raise SystemExit(str(e))


def run_terraform_benchmarks(proxy: Proxy, emulator: Emulator, results: dict):
    import boto3  # in .venv (scripts/requirements-tools.txt)

    cw = boto3.client("cloudwatch", endpoint_url=emulator.url, region_name=REGION,
                      aws_access_key_id="test", aws_secret_access_key="test")
    cw.put_metric_alarm(AlarmName=ALARM, Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum",
                        Period=60, EvaluationPeriods=1, Threshold=1,
                        ComparisonOperator="GreaterThanOrEqualToThreshold")
    cw.set_alarm_state(AlarmName=ALARM, StateValue="OK", StateReason="bench")

    cli = cli_config()
    v0 = str(package(0))
    sizes = sorted(set(SIZES) | {APPLY_N} | ({QUOTA_N} if QUOTA_N else set()))
    spaces: dict[tuple[str, int], Workspace] = {}
    for n in sizes:
        for kind in (OURS, AWS):
            ws = Workspace(kind, n, proxy.url, cli)
            ws.tf("init", "-input=false", "-no-color")
            say(f"{kind}: creating {n} functions")
            if kind == OURS:
                ws.tf("apply", "-auto-approve", "-input=false", "-parallelism=50", f"-var=package_file={v0}")
            else:
                ws.populate_aws(emulator.url, v0)
            # A plan that finds nothing to change proves both workspaces hold what AWS holds.
            ws.tf("plan", "-input=false", "-lock=false", "-detailed-exitcode", f"-var=package_file={v0}")
            spaces[(kind, n)] = ws

    results["plan"] = {}
    for n in SIZES:
        say(f"plan (refresh) of {n} functions: {PLAN_RUNS} runs each")
        entry = {k: {"wall_s": [], "rss_mib": [], "calls": []} for k in (OURS, AWS)}
        for _ in range(PLAN_RUNS):
            for kind in (OURS, AWS):
                proxy.reset_stats()
                wall, rss = spaces[(kind, n)].tf("plan", "-input=false", "-lock=false", "-detailed-exitcode",
                                                 f"-var=package_file={v0}", sample_rss=True)
                entry[kind]["wall_s"].append(wall)
                entry[kind]["rss_mib"].append(rss)
                entry[kind]["calls"].append(sum(proxy.counts().values()))
        results["plan"][str(n)] = entry

    say(f"apply of a code change to {APPLY_N} functions at -parallelism=50: {APPLY_RUNS} runs of ours, "
        f"{AWS_APPLY_RUNS} of hashicorp/aws")
    entry = {k: {"wall_s": [], "calls": [], "by_operation": [], "span_s": []} for k in (OURS, AWS)}
    for i in range(1, max(APPLY_RUNS, AWS_APPLY_RUNS) + 1):
        release = str(package(i))
        for kind in [k for k, runs in ((OURS, APPLY_RUNS), (AWS, AWS_APPLY_RUNS)) if i <= runs]:
            ws = spaces[(kind, APPLY_N)]
            ws.tf("plan", "-input=false", "-lock=false", "-parallelism=50", "-out=release.tfplan",
                  f"-var=package_file={release}")
            proxy.reset_stats()
            wall, _ = ws.tf("apply", "-input=false", "-lock=false", "-parallelism=50", "release.tfplan")
            counts = proxy.counts()
            requests = proxy.requests()
            (LOGS / f"{kind}-{APPLY_N}-release-{i}-requests.json").write_text(json.dumps(requests))
            entry[kind]["span_s"].append(median(list(function_spans(requests).values())))
            entry[kind]["wall_s"].append(wall)
            entry[kind]["calls"].append(sum(counts.values()))
            entry[kind]["by_operation"].append(dict(counts))
    results["apply"] = entry
    results["apply_sfn"] = run_step_functions_benchmark(emulator, proxy, spaces[(OURS, APPLY_N)])
    if QUOTA_N:
        run_quota_benchmarks(emulator, spaces, results)


def run_step_functions_benchmark(emulator: Emulator, proxy: Proxy, ws: Workspace) -> dict:
    """The same code change to APPLY_N functions, the rollouts run by Step Functions with
    `wait_for_rollout = false`: the apply returns after each function's first shift, and the
    executions finish on their own (waited for here, before the next run)."""
    say(f"apply of a code change to {APPLY_N} functions through Step Functions, wait_for_rollout = false: "
        f"{APPLY_RUNS} runs")
    sfn_vars = ["-var=orchestrator=step_functions", "-var=wait_for_rollout=false"]
    entry: dict = {"wall_s": [], "calls": [], "finished_s": [], "by_operation": []}
    for i in range(1, APPLY_RUNS + 1):
        release = str(package(100 + i))
        ws.tf("plan", "-input=false", "-lock=false", "-parallelism=50", "-out=release.tfplan",
              f"-var=package_file={release}", *sfn_vars)
        proxy.reset_stats()
        started = time.perf_counter()
        wall, _ = ws.tf("apply", "-input=false", "-lock=false", "-parallelism=50", "release.tfplan")
        entry["calls"].append(sum(proxy.counts().values()))
        entry["by_operation"].append(dict(proxy.counts()))
        entry["wall_s"].append(wall)
        entry["finished_s"].append(executions_finished(emulator, started))
    # Every execution ended: a plan that reads them finds nothing left to do.
    ws.tf("plan", "-input=false", "-lock=false", "-detailed-exitcode", f"-var=package_file={release}",
          *sfn_vars)
    return entry


def executions_finished(emulator: Emulator, started: float, limit: float = 300.0) -> float:
    """Seconds from `started` until no Step Functions execution runs (polled every 0.2 s)."""
    import boto3  # in .venv (scripts/requirements-tools.txt)

    sfn = boto3.client("stepfunctions", endpoint_url=emulator.url, region_name=REGION,
                       aws_access_key_id="test", aws_secret_access_key="test")
    while time.perf_counter() - started < limit:
        running = [e for m in sfn.list_state_machines()["stateMachines"]
                   for e in sfn.list_executions(stateMachineArn=m["stateMachineArn"],
                                                statusFilter="RUNNING")["executions"]]
        if not running:
            return time.perf_counter() - started
        time.sleep(0.2)
    raise SystemExit(f"Step Functions executions still running after {limit:.0f} s")


def run_quota_benchmarks(emulator: Emulator, spaces: dict, results: dict):
    """The same emulator behind a proxy that enforces AWS's default API quotas: a plan of
    QUOTA_N functions for both providers, then a release of all of them at once for ours."""
    n = QUOTA_N
    proxy = Proxy(emulator.url, quotas=Quotas.aws()).start()
    say(f"under AWS's quotas (proxy {proxy.url}): plan of {n} functions each, then a release of {n}")
    v0 = str(package(0))
    quota = {}
    try:
        for kind in (OURS, AWS):
            ws = spaces[(kind, n)]
            ws.retarget(proxy.url)
            proxy.reset_stats()
            wall, _ = ws.tf("plan", "-input=false", "-lock=false", f"-var=package_file={v0}", check=False)
            quota[f"plan_{kind}"] = {"wall_s": abs(wall), "ok": wall >= 0, **throttling(proxy.stats())}
        ws = spaces[(OURS, n)]
        release = str(package(99))
        ws.tf("plan", "-input=false", "-lock=false", "-parallelism=200", "-out=release.tfplan",
              f"-var=package_file={release}")
        proxy.reset_stats()
        wall, _ = ws.tf("apply", "-input=false", "-lock=false", "-parallelism=200", "release.tfplan",
                        check=False)
        stats = proxy.stats()
        counts = {op: o["calls"] for op, o in stats["operations"].items()}
        control = control_calls(counts)
        quota["apply_ours"] = {"wall_s": abs(wall), "ok": wall >= 0, "control_calls": control,
                               "floor_s": control / CONTROL_RATE + WAIT_SECONDS, "by_operation": counts,
                               **throttling(stats)}
    finally:
        proxy.stop()
    results["quota"] = quota


def throttling(stats: dict) -> dict:
    ops = stats["operations"].values()
    return {"calls": sum(o["calls"] for o in ops), "throttled": sum(o["throttled"] for o in ops),
            "retries": sum(o["retries"] for o in ops)}


def function_spans(requests) -> dict[str, float]:
    """First to last AWS call naming each function: its rollout without Terraform around it."""
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    for t, _op, function in requests:
        if function.startswith("bench-"):
            first.setdefault(function, t)
            last[function] = t
    return {f: last[f] - first[f] for f in first}


# ---- the table ---------------------------------------------------------------------------------

def render(r: dict) -> str:
    rows = []

    def row(metric, ours, aws, unit, fmt, target=None, met=None):
        ratio = ours / aws if aws else float("nan")
        rows.append((metric, f"{fmt.format(ours)} {unit}", f"{fmt.format(aws)} {unit}", f"{ratio:.3f}",
                     target or "", "" if met is None else ("met" if met else "NOT met")))

    hs = r["handshake_s"]
    o, a = median(hs[OURS]) * 1000, median(hs[AWS]) * 1000
    row("provider start to handshake line", o, a, "ms", "{:.1f}", "ratio <= 1/20", o <= a / 20)
    for n, e in sorted(r["plan"].items(), key=lambda kv: int(kv[0])):
        o, a = median(e[OURS]["rss_mib"]), median(e[AWS]["rss_mib"])
        target = "ratio <= 1/10" if n == "200" else None
        row(f"provider peak RSS, plan of N={n}", o, a, "MiB", "{:.1f}", target, (o <= a / 10) if target else None)
    for n, e in sorted(r["plan"].items(), key=lambda kv: int(kv[0])):
        row(f"plan wall time (refresh), N={n}", median(e[OURS]["wall_s"]), median(e[AWS]["wall_s"]), "s", "{:.2f}")
    ap = r["apply"]
    n = APPLY_N
    o, a = median(ap[OURS]["wall_s"]), median(ap[AWS]["wall_s"])
    row(f"apply of a code change, N={n}, -parallelism=50", o, a, "s", "{:.2f}")
    row("  same, minus configured waits (2s / 0s)", o - WAIT_SECONDS, a, "s", "{:.2f}")
    # Lambda's control-plane quota bounds a release of many functions: what is left above that.
    floor = control_calls(median_run(ap[OURS]["by_operation"])) / CONTROL_RATE + WAIT_SECONDS
    row("  same, minus the quota-bound floor (control calls / 15/s + waits)", o - floor, a, "s", "{:.2f}",
        "ours <= 2 s", o - floor <= 2.0)
    o, a = median(ap[OURS]["span_s"]), median(ap[AWS]["span_s"])
    row("  one function's first to last AWS call, minus waits", o - WAIT_SECONDS, a, "s", "{:.2f}")
    sfn = r.get("apply_sfn")
    if sfn:
        # Beside our own in-process apply (not hashicorp/aws): the same release, handed to Step
        # Functions with wait_for_rollout = false.
        o, inproc = median(sfn["wall_s"]), median(ap[OURS]["wall_s"])
        rows.append(("  same through Step Functions, wait_for_rollout = false", f"{o:.2f} s",
                     f"in-process: {inproc:.2f} s", f"{o / inproc:.3f}", "", ""))
        rows.append(("  the executions' end, from the apply's start", f"{median(sfn['finished_s']):.2f} s",
                     "", "", "", ""))
    o_calls, a_calls = median(ap[OURS]["calls"]) / n, median(ap[AWS]["calls"]) / n
    minimum = minimum_calls()
    row("AWS API calls per deployment", o_calls, a_calls, "", "{:.1f}",
        f"ours <= {minimum} (4 + 2x{STEPS} steps + 1 alarm poll)", o_calls <= minimum)
    for n_plan, e in sorted(r["plan"].items(), key=lambda kv: int(kv[0])):
        row(f"AWS API calls per function, plan of N={n_plan}", median(e[OURS]["calls"]) / int(n_plan),
            median(e[AWS]["calls"]) / int(n_plan), "", "{:.1f}")

    q = r.get("quota")
    if q:
        qn = QUOTA_N
        po, pa = q[f"plan_{OURS}"], q[f"plan_{AWS}"]
        rows.append((f"under AWS quotas: plan of N={qn}", outcome(po), outcome(pa), "", "succeeds, 0 throttled",
                     "met" if po["ok"] and po["throttled"] == 0 else "NOT met"))
        ap_q = q["apply_ours"]
        rows.append((f"under AWS quotas: release of N={qn} at once (LINEAR 50%/2s)", outcome(ap_q), "not run", "",
                     f"0 throttled, <= 1.2 x floor {ap_q['floor_s']:.0f} s",
                     "met" if ap_q["ok"] and ap_q["throttled"] == 0 and ap_q["wall_s"] <= 1.2 * ap_q["floor_s"]
                     else "NOT met"))

    header = ("metric", "gitmoxi", f"hashicorp/aws {AWS_VERSION}", "ratio", "target", "")
    widths = [max(len(str(x[i])) for x in rows + [header]) for i in range(len(header))]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(x) for x in rows]
    m = r["machine"]
    out.append("")
    out.append(f"Medians: handshake {HANDSHAKE_RUNS} runs, plan {PLAN_RUNS} runs per provider, apply {APPLY_RUNS} runs of ours "
               f"and {AWS_APPLY_RUNS} of hashicorp/aws. "
               f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gib']} GiB; load average "
               f"{r['load_start']} at start, {r['load_end']} at end; whole run {r['duration_s']} s.")
    out.append("")
    out.append("API calls per deployment by operation (median run / N):")
    for kind in (OURS, AWS):
        out.append(f"  {kind}: {per_operation(median_run(ap[kind]['by_operation']), n)}")
    if sfn and sfn.get("by_operation"):
        out.append(f"  {OURS} through Step Functions, wait_for_rollout = false: "
                   f"{per_operation(median_run(sfn['by_operation']), n)}")
    if q and "by_operation" in q["apply_ours"]:
        out.append(f"  {OURS}, release of {QUOTA_N} under quotas: "
                   f"{per_operation(q['apply_ours']['by_operation'], QUOTA_N)}")
    return "\n".join(out)


def median_run(runs: list[dict]) -> dict:
    """The run whose total number of calls is the median."""
    return sorted(runs, key=lambda c: sum(c.values()))[len(runs) // 2]


def control_calls(counts: dict) -> int:
    return sum(v for op, v in counts.items() if quota_of(op) == "lambda-control")


def per_operation(counts: dict, n: int) -> str:
    return ", ".join(f"{op.split(':', 1)[1]} {v / n:.3g}" for op, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def outcome(e: dict) -> str:
    """A run under quotas in one cell: time, throttled requests, retries, or the failure."""
    state = "" if e["ok"] else "FAILED after "
    return f"{state}{e['wall_s']:.1f} s, {e['throttled']} throttled, {e['retries']} retried"


def minimum_calls() -> int:
    """What one deployment of this rollout cannot do with fewer calls (docs/benchmarks.md):
    fixed 4 (read the alias, update the code, one read seeing the update settled, publish), 2 per
    step (the alarm check before the shift, one batched DescribeAlarms, and UpdateAlias), plus the
    other alarm polls: one before the rollout starts, and one per check_interval during waits
    beyond the check that ends the wait (none for a 2s wait at 3s)."""
    polls_during_waits = max(0, int((WAIT_SECONDS - 1e-9) // CHECK_INTERVAL))
    return 4 + 2 * STEPS + 1 + polls_during_waits

if __name__ == "__main__":
    main()
