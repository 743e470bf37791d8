"""`python -m conformance.simulator VENDOR`: serve one vendor's run API until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import sys

from conformance.errors import ConformanceError
from conformance.simulator.faults import Faults
from conformance.simulator.server import VENDORS, serve_forever


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m conformance.simulator", description="Serve a reference run API."
    )
    parser.add_argument("vendor", choices=VENDORS)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port (default)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=25, help="seeded runs (default 25)")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated s per real s")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="latency=MS, error-rate=R, reset-rate=R, drift=KIND (repeatable)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log requests to stderr")
    args = parser.parse_args(argv)
    try:
        return serve_forever(
            args.vendor,
            host=args.host,
            port=args.port,
            seed=args.seed,
            faults=Faults.parse(args.fault),
            runs=args.runs,
            speed=args.speed,
            log=sys.stderr if args.verbose else None,
        )
    except ConformanceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return int(exc.exit_code)


if __name__ == "__main__":
    sys.exit(main())
