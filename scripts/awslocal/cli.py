"""The command line: `python scripts/awslocal COMMAND` (`scripts/emulator.sh` wraps the first four).

  start | stop | status | endpoint
      The long-lived emulator of the demo and of trying the provider by hand. State in .tools/
      (`--state-dir`): emulator.pid, emulator.port, emulator.log, emulator.tmp/ (Lambda code).
  serve --dir DIR [--watch-stdin]
      An emulator in the foreground, for a parent process (the end-to-end tests): logs to
      DIR/ministack.log, Lambda code in DIR/tmp; prints one JSON line on stdout once ready,
      {"endpoint", "port", "pid", "log"} (or {"error"} and exit 1), and stops the emulator on
      SIGTERM or SIGINT, when the emulator exits, and with --watch-stdin when stdin closes (so it
      never outlives its parent).
  proxy --upstream URL [--port N] [--faults JSON] [--aws-quotas] [--watch-stdin]
      The counting, fault-injecting proxy (awslocal/proxy.py) in the foreground: prints
      {"endpoint", "port", "pid"} once listening; stops as `serve` does and prints its counts on
      stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import threading
from pathlib import Path

from . import emulator as E

STATE_DIR = E.ROOT / ".tools"


def say(msg: str):
    print(f"emulator: {msg}", flush=True)


def die(msg: str, code: int = 1):
    print(f"emulator: error: {msg}", file=sys.stderr, flush=True)
    sys.exit(code)


# ---- the demo's long-lived emulator ------------------------------------------------------------

class State:
    def __init__(self, directory: Path):
        self.dir = directory
        self.pid_file = directory / "emulator.pid"
        self.port_file = directory / "emulator.port"
        self.log = directory / "emulator.log"
        self.tmp = directory / "emulator.tmp"

    def running_pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if E.alive(pid) else None

    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port_file.read_text().strip()}"

    def forget(self):
        for f in (self.pid_file, self.port_file):
            f.unlink(missing_ok=True)


def cmd_start(args) -> int:
    state = State(args.state_dir)
    pid = state.running_pid()
    if pid:
        say(f"already running on {state.endpoint()} (pid {pid})")
        return 0
    shutil.rmtree(state.tmp, ignore_errors=True)
    timeout = float(os.environ.get("EMULATOR_READY_TIMEOUT", "30"))
    emulator = E.Emulator(state.log, state.tmp, ready_timeout_s=timeout)
    try:
        emulator.start()
    except E.EmulatorError as e:
        state.forget()
        die(f"{e}\n(full log in {state.log})")
    # ministack lives on in its own session after this command exits.
    state.pid_file.write_text(f"{emulator.pid}\n")
    state.port_file.write_text(f"{emulator.port}\n")
    say(f"ministack ready on {emulator.url} in {emulator.started_in_s * 1000:.0f} ms "
        f"(pid {emulator.pid}, log {state.log})")
    return 0


def cmd_stop(args) -> int:
    state = State(args.state_dir)
    pid = state.running_pid()
    if not pid:
        say("not running")
        state.forget()
        return 0
    E.stop_group(pid, grace_s=5.0)
    state.forget()
    shutil.rmtree(state.tmp, ignore_errors=True)
    say(f"stopped (pid {pid})")
    return 0


def cmd_status(args) -> int:
    state = State(args.state_dir)
    pid = state.running_pid()
    if pid:
        say(f"running on {state.endpoint()} (pid {pid})")
        return 0
    say("not running")
    return 1


def cmd_endpoint(args) -> int:
    state = State(args.state_dir)
    if not state.running_pid():
        die("not running: scripts/emulator.sh start")
    print(state.endpoint())
    return 0


# ---- foreground children -----------------------------------------------------------------------

def _stop_event(watch_stdin: bool) -> threading.Event:
    """Set on SIGTERM, SIGINT, SIGHUP, and with `watch_stdin` when stdin reaches its end."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    if watch_stdin:
        def watch():
            try:
                while os.read(0, 4096):
                    pass
            except OSError:
                pass
            stop.set()
        threading.Thread(target=watch, daemon=True).start()
    return stop


def _announce(doc: dict):
    sys.stdout.write(json.dumps(doc) + "\n")
    sys.stdout.flush()


def cmd_serve(args) -> int:
    directory = Path(args.dir)
    stop = _stop_event(args.watch_stdin)
    emulator = E.Emulator(directory / "ministack.log", directory / "tmp", ready_timeout_s=args.ready_timeout)
    try:
        emulator.start()
    except E.EmulatorError as e:
        _announce({"error": str(e)})
        return 1
    _announce({"endpoint": emulator.url, "port": emulator.port, "pid": emulator.pid, "log": str(emulator.log_path),
               "started_in_s": round(emulator.started_in_s, 3)})
    try:
        while not stop.wait(0.2):
            if not emulator.running():
                print(f"awslocal: ministack exited with {emulator.proc.returncode}", file=sys.stderr)
                return 1
    finally:
        emulator.stop()
    return 0


def cmd_proxy(args) -> int:
    from . import faults as F
    from .proxy import Proxy, table

    stop = _stop_event(args.watch_stdin)
    from .quotas import Quotas

    faults = F.Faults.from_json(json.loads(args.faults)) if args.faults else None
    quotas = Quotas.aws() if args.aws_quotas else None
    proxy = Proxy(args.upstream, port=args.port, faults=faults, quotas=quotas).start()
    _announce({"endpoint": proxy.url, "port": proxy.port, "pid": os.getpid()})
    try:
        while not stop.wait(0.2):
            pass
    finally:
        proxy.stop()
        print(table(proxy.stats()), file=sys.stderr, flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="awslocal", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, fn in (("start", cmd_start), ("stop", cmd_stop), ("status", cmd_status), ("endpoint", cmd_endpoint)):
        p = sub.add_parser(name)
        p.add_argument("--state-dir", type=Path, default=STATE_DIR)
        p.set_defaults(fn=fn)
    p = sub.add_parser("serve")
    p.add_argument("--dir", required=True)
    p.add_argument("--ready-timeout", type=float, default=30.0)
    p.add_argument("--watch-stdin", action="store_true")
    p.set_defaults(fn=cmd_serve)
    p = sub.add_parser("proxy")
    p.add_argument("--upstream", required=True, help="the emulator, http://127.0.0.1:PORT")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--faults", help="a faults document (JSON), see awslocal/faults.py")
    p.add_argument("--aws-quotas", action="store_true",
                   help="throttle what exceeds AWS's default API quotas (see awslocal/quotas.py)")
    p.add_argument("--watch-stdin", action="store_true")
    p.set_defaults(fn=cmd_proxy)
    args = parser.parse_args(argv)
    return args.fn(args)
