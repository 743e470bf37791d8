"""A reference run API per vendor, conforming to its bundled contract, for contract tests.

    from conformance.simulator import Faults, start
    with start("xceptor", seed=1, faults=Faults(drift="wrong-enum")) as sim:
        ...  # call sim.url over HTTP; sim.advance(seconds) moves its clock

`python -m conformance.simulator VENDOR [--port 0]` serves until SIGINT/SIGTERM and prints
the URL on its first line.

Exports resolve on first use, so the CLI can read `drift_kinds` (the help of `serve`)
without loading the store, the generator and the server.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .drift_kinds import BODY_DRIFT_KINDS, DRIFT_KINDS, LIFECYCLE_DRIFT_KINDS
    from .faults import DRIFT_FIELD, Faults
    from .server import VENDORS, Simulator, serve_forever, start
    from .store import QUEUE_SECONDS, RUN_SECONDS

_HOME = {
    "BODY_DRIFT_KINDS": ".drift_kinds",
    "DRIFT_FIELD": ".faults",
    "DRIFT_KINDS": ".drift_kinds",
    "LIFECYCLE_DRIFT_KINDS": ".drift_kinds",
    "QUEUE_SECONDS": ".store",
    "RUN_SECONDS": ".store",
    "VENDORS": ".server",
    "Faults": ".faults",
    "Simulator": ".server",
    "serve_forever": ".server",
    "start": ".server",
}

__all__ = [
    "BODY_DRIFT_KINDS",
    "DRIFT_FIELD",
    "DRIFT_KINDS",
    "LIFECYCLE_DRIFT_KINDS",
    "QUEUE_SECONDS",
    "RUN_SECONDS",
    "VENDORS",
    "Faults",
    "Simulator",
    "serve_forever",
    "start",
]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_HOME[name], __name__), name)
    globals()[name] = value
    return value
