"""`runconform serve VENDOR`: run the reference simulator, a thin layer over the library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

import conformance.cli.options as options  # not `from conformance.cli`: its __init__ imports us
from conformance.bundle.vendors import VENDORS
from conformance.cli.credentials import env_token
from conformance.simulator.drift_kinds import drift_help  # names only: loads no simulator


@click.command()
@click.argument("vendor", type=click.Choice(VENDORS))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="0: any free port."
)
@options.seed
@click.option(
    "--runs",
    type=click.IntRange(0, 100_000),
    default=25,
    show_default=True,
    help="Runs in the store at start.",
)
@click.option(
    "--speed",
    type=float,
    default=1.0,
    show_default=True,
    help="Simulated seconds per real second for runs created by writes.",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    metavar="NAME=VALUE",
    help=f"latency=MS, error-rate=R, reset-rate=R, drift=KIND. {drift_help()}.",
)
@click.option(
    "--token-env",
    metavar="VAR",
    help="The bearer token every request needs (401 otherwise, as the contracts declare); "
    "without it, serve makes one and prints it.",
)
@click.option(
    "--db",
    type=click.Path(path_type=Path),
    help="Keep runs in this SQLite file across restarts (default: memory only).",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Log requests to stderr (query strings redacted)."
)
@options.colour
def serve(
    vendor: str,
    host: str,
    port: int,
    seed: int,
    runs: int,
    speed: float,
    faults: tuple[str, ...],
    token_env: str | None,
    db: Path | None,
    verbose: bool,
) -> int:
    """Serve a vendor's run API, conforming to its bundled contract, until Ctrl-C.

    Prints its URL on the first line of stdout, then how to authenticate and a
    `runconform contract` command, ready to paste, that tests it with the ids it holds.
    Every request needs 'Authorization: Bearer TOKEN': the value of --token-env VAR, or a
    token made for this run and printed there (only there: -v never logs a header).
    """
    from conformance.simulator import Faults, serve_forever

    token = env_token(token_env) if token_env else None
    return serve_forever(
        vendor,
        token_env=token_env,
        host=host,
        port=port,
        seed=seed,
        faults=Faults.parse(faults),
        runs=runs,
        speed=speed,
        log=sys.stderr if verbose else None,
        token=token,
        db=db,
    )
