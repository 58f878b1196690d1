"""`make hot-code`: the functions of the provider a plan and an apply run, in the order the
release link places them (release/hot-code.txt, read by scripts/build-release.sh).

A process's resident text is not the code it runs but every 64 KiB window that code touches: the
kernel maps the cached pages around each page fault. Spread through a 12 MB text, the ~2 MB a plan
runs would keep almost all of it resident; placed together, it keeps ~2.5 MiB.

This builds the provider as it ships but with its symbol table, runs Terraform on the local
emulator with the provider under valgrind's callgrind (an apply that creates N deployments, a plan,
then an apply of new code, which is a rollout), and lists every function of the binary that ran:
the plan's first (a plan is what runs most often, and what the benchmark measures), then what only
the release added, then what only the create added. Whether a function runs does not depend on N,
so a small N finds what a plan of 200 runs.

Needs valgrind and nm (Debian: apt-get install valgrind binutils) and the tools (`make tools`).
Environment: HOT_CODE_N (default 10).
"""
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import terraform as T  # noqa: E402
from awslocal import Emulator  # noqa: E402

NAME = "terraform-provider-gitmoxi"
ORDER = T.ROOT / "release" / "hot-code.txt"
DIR = T.ROOT / "target" / "hot-code"
N = int(os.environ.get("HOT_CODE_N", "10"))


def say(msg: str):
    print(f"hot-code: {msg}", flush=True)


def build_with_symbols() -> Path:
    """The shipped build with its symbol table, copied aside (the next build replaces it)."""
    subprocess.run([str(T.ROOT / "scripts" / "build-release.sh")], check=True,
                   env={**os.environ, "KEEP_SYMBOLS": "1"})
    binary = DIR / "provider"
    shutil.copy2(T.ROOT / "target" / "release" / NAME, binary)
    return binary


def under_callgrind(binary: Path) -> Path:
    """A folder holding a provider executable that runs the real one under callgrind."""
    folder = DIR / "bin"
    folder.mkdir(parents=True, exist_ok=True)
    wrapper = folder / NAME
    wrapper.write_text(
        "#!/bin/sh\n"
        "exec valgrind --tool=callgrind --demangle=no --compress-strings=no --compress-pos=no \\\n"
        f"  --callgrind-out-file='{DIR}/callgrind.%p' --log-file='{DIR}/valgrind.%p.log' \\\n"
        f"  '{binary}' \"$@\"\n")
    wrapper.chmod(0o755)
    return folder


def defined_functions(binary: Path) -> set[str]:
    """The functions the binary's own text defines (callgrind also names the PLT's entries to
    shared libraries, and code it has no symbol for by address)."""
    listing = subprocess.run(["nm", "--defined-only", str(binary)], capture_output=True, text=True,
                             check=True).stdout
    return {parts[2] for parts in map(str.split, listing.splitlines())
            if len(parts) == 3 and parts[1] in "tTwW"}


def functions_run(binary: Path, defined: set[str], outputs: list[Path]) -> list[str]:
    """The binary's functions that ran in these callgrind outputs, in order of first appearance."""
    names: dict[str, None] = {}
    for out in outputs:
        obj = None
        for line in out.read_text(errors="replace").splitlines():
            if line.startswith("ob="):
                obj = line[3:].strip()
            elif line.startswith("fn=") and obj == str(binary):
                # callgrind marks recursion depth as NAME'2.
                name = re.sub(r"'\d+$", "", line[3:].strip())
                if name in defined:
                    names.setdefault(name, None)
    return list(names)


def profile(binary: Path, folder: Path) -> dict[str, list[str]]:
    """Runs the three phases; returns each phase's functions."""
    import boto3  # in .venv (scripts/requirements-tools.txt)

    T.WORK.mkdir(parents=True, exist_ok=True)
    T.LOGS.mkdir(parents=True, exist_ok=True)
    emulator = Emulator(DIR / "ministack.log", DIR / "ministack").start()
    try:
        cw = boto3.client("cloudwatch", endpoint_url=emulator.url, region_name=T.REGION,
                          aws_access_key_id="test", aws_secret_access_key="test")
        cw.put_metric_alarm(AlarmName=T.ALARM, Namespace="AWS/Lambda", MetricName="Errors",
                            Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1,
                            ComparisonOperator="GreaterThanOrEqualToThreshold")
        cli = DIR / "terraformrc"
        cli.write_text(T.cli_config().read_text().replace(str(T.OURS_BINARY.parent), str(folder)))
        space = T.Workspace(T.OURS, N, emulator.url, cli)
        space.tf("init", "-input=false")
        defined = defined_functions(binary)
        phases = {}
        for phase, args in (("create", ("apply", "-auto-approve", f"-var=package_file={T.package(0)}")),
                            ("plan", ("plan", "-lock=false", f"-var=package_file={T.package(0)}")),
                            ("release", ("apply", "-auto-approve", f"-var=package_file={T.package(1)}"))):
            before = set(DIR.glob("callgrind.*"))
            started = time.perf_counter()
            space.tf(*args, "-input=false")
            outputs = sorted(set(DIR.glob("callgrind.*")) - before, key=lambda p: p.stat().st_mtime)
            phases[phase] = functions_run(binary, defined, outputs)
            say(f"{phase}: {len(outputs)} provider processes, {len(phases[phase])} functions, "
                f"{time.perf_counter() - started:.0f} s under callgrind")
        return phases
    finally:
        emulator.stop()


def write(phases: dict[str, list[str]]):
    order: dict[str, None] = {}
    for phase in ("plan", "release", "create"):
        for name in phases[phase]:
            order.setdefault(name, None)
    rustc = subprocess.run(["rustc", "-V"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=T.ROOT,
                            capture_output=True, text=True).stdout.strip() or "unknown"
    header = (
        "# The provider's functions a plan runs, then those a release and a create add: the release\n"
        "# link places them first and together (scripts/build-release.sh). Written by `make hot-code`\n"
        f"# (bench/hot_code.py) from {rustc} at commit {commit}, {time.strftime('%Y-%m-%d')}.\n")
    ORDER.parent.mkdir(parents=True, exist_ok=True)
    ORDER.write_text(header + "".join(f"{name}\n" for name in order))
    say(f"{len(order)} functions written to {ORDER.relative_to(T.ROOT)}")


def main():
    for tool, package in (("valgrind", "valgrind"), ("nm", "binutils")):
        if not shutil.which(tool):
            raise SystemExit(f"hot-code: {tool} is needed (Debian: apt-get install {package})")
    for path in (T.TERRAFORM, T.MINISTACK):
        if not path.exists():
            raise SystemExit(f"hot-code: {path} is missing: run `make tools`")
    shutil.rmtree(DIR, ignore_errors=True)
    DIR.mkdir(parents=True)
    binary = build_with_symbols()
    write(profile(binary, under_callgrind(binary)))
    say("building the shipped binary again with the new order")
    subprocess.run([str(T.ROOT / "scripts" / "build-release.sh")], check=True)


if __name__ == "__main__":
    main()
