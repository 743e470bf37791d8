"""A reference run API per vendor, conforming to its bundled contract, for contract tests.

    from conformance.simulator import Faults, start
    with start("xceptor", seed=1, faults=Faults(drift="wrong-enum")) as sim:
        ...  # call sim.url over HTTP; sim.advance(seconds) moves its clock

`python -m conformance.simulator VENDOR [--port 0]` serves until SIGINT/SIGTERM and prints
the URL on its first line.
"""

from __future__ import annotations

from conformance.simulator.faults import DRIFT_FIELD, DRIFT_KINDS, Faults
from conformance.simulator.server import VENDORS, Simulator, serve_forever, start
from conformance.simulator.store import QUEUE_SECONDS, RUN_SECONDS

__all__ = [
    "DRIFT_FIELD",
    "DRIFT_KINDS",
    "QUEUE_SECONDS",
    "RUN_SECONDS",
    "VENDORS",
    "Faults",
    "Simulator",
    "serve_forever",
    "start",
]
