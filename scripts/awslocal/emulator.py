"""The AWS emulator (ministack) on a free loopback port.

ministack answers its readiness URL (`GET /_ministack/ready`, 200) about 0.2 s after it starts.
It runs in its own process group (a new session), so stopping it also ends the Lambda workers it
spawned to run function code. The port is picked before ministack binds it, so another process
may take it first: ministack then exits at once saying the address is in use, and another port is
tried.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
MINISTACK = ROOT / ".venv" / "bin" / "ministack"
READY_PATH = "/_ministack/ready"
ATTEMPTS = 5
STOP_GRACE_S = 3.0


class EmulatorError(Exception):
    pass


class _PortTaken(Exception):
    pass


def free_port() -> int:
    """A free TCP port on the loopback interface (free now; see the module's note on races)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready(port: int, timeout: float = 1.0) -> bool:
    """Whether ministack on `port` answers its readiness URL with 200. (A bare socket: http.client
    costs tens of milliseconds to import, paid by every end-to-end test's launcher.)"""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(f"GET {READY_PATH} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
            status_line = s.makefile("rb").readline()
    except OSError:
        return False
    return status_line.split()[1:2] == [b"200"]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def stop_group(pid: int, grace_s: float = STOP_GRACE_S, proc: subprocess.Popen | None = None):
    """SIGTERM to the process group `pid` leads, up to `grace_s` for the leader to exit, then
    SIGKILL to whatever is left of the group (Lambda workers)."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        if (proc.poll() is not None) if proc else not alive(pid):
            break
        time.sleep(0.025)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if proc:
        proc.wait()


class Emulator:
    """One ministack. `Emulator(log, tmp).start()`; `.url`, `.port`, `.pid`; `.stop()`.

    `log` gets ministack's output; `tmp` is its TMPDIR, where it unpacks Lambda code. Also a
    context manager.
    """

    def __init__(self, log: Path, tmp: Path, *, ministack: Path = MINISTACK, ready_timeout_s: float = 30.0,
                 attempts: int = ATTEMPTS, env: dict | None = None):
        self.log_path, self.tmp = Path(log), Path(tmp)
        self.ministack = Path(ministack)
        self.ready_timeout_s = ready_timeout_s
        self.attempts = attempts
        self.env = env
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.started_in_s = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc else 0

    def start(self) -> "Emulator":
        if not self.ministack.exists():
            raise EmulatorError(f"{self.ministack} is missing: run `make tools` (scripts/setup-tools.sh) first")
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        for _ in range(self.attempts):
            self.port = free_port()
            self._spawn()
            try:
                self._wait_until_ready()
                self.started_in_s = time.monotonic() - started
                return self
            except _PortTaken:
                self.stop()
            except EmulatorError:
                self.stop()
                raise
        raise EmulatorError(f"ministack could not bind a free loopback port in {self.attempts} attempts")

    def _spawn(self):
        env = dict(os.environ if self.env is None else self.env)
        env.update(GATEWAY_PORT=str(self.port), BIND_HOST="127.0.0.1", TMPDIR=str(self.tmp))
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen([str(self.ministack)], env=env, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=log, start_new_session=True)

    def _wait_until_ready(self):
        deadline = time.monotonic() + self.ready_timeout_s
        while True:
            code = self.proc.poll()
            if code is not None:
                if "already in use" in self.log_text():
                    raise _PortTaken()
                raise EmulatorError(f"ministack exited with {code} at start; last lines of {self.log_path}:\n"
                                    + self.log_tail())
            if ready(self.port):
                return
            if time.monotonic() > deadline:
                raise EmulatorError(f"ministack did not answer on port {self.port} within {self.ready_timeout_s:g}s; "
                                    f"last lines of {self.log_path}:\n" + self.log_tail())
            time.sleep(0.025)

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace_s: float = STOP_GRACE_S):
        if self.proc is not None:
            stop_group(self.proc.pid, grace_s, self.proc)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
