"""One AWS emulator launcher and one counting, fault-injecting proxy, shared by the demo
(`scripts/emulator.sh`), the benchmark (`bench/run.py`) and the end-to-end tests
(`tests/e2e/harness.rs`, `tests/e2e/faults/proxy.rs`, which run the command line: see `cli`).

- `emulator`: ministack on a free loopback port, in its own process group, ready when it says so.
- `operations`: which AWS operation a request calls (`lambda:UpdateAlias`), in which protocol.
- `faults`: what to do instead of forwarding (seeded random faults; room for quota policies).
- `proxy`: the proxy itself, with statistics and control over HTTP under `/_proxy/`.

Standard library only (Python 3.11).
"""

from .emulator import Emulator, EmulatorError, free_port

__all__ = ["Emulator", "EmulatorError", "Faults", "Proxy", "Rates", "XorShift", "free_port", "operation", "table"]


def __getattr__(name: str):
    # The proxy's modules load on first use: `awslocal serve` (one per end-to-end test) needs
    # only the emulator.
    if name in ("Faults", "Rates", "XorShift"):
        from . import faults
        return getattr(faults, name)
    if name == "operation":
        from .operations import operation
        return operation
    if name in ("Proxy", "table"):
        from . import proxy
        return getattr(proxy, name)
    raise AttributeError(f"module 'awslocal' has no attribute {name!r}")
