"""The Dask side of a command run with `--engine dask`: its flags checked, its client.

`validate`, `drift` and `coverage` share it, so `--scheduler`, `--jobs` and the dashboard
line mean the same everywhere. Dask itself is imported only when a session opens (the
`dask` extra; without it the command says which extra to install, exit 2).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

import conformance.cli.progress as progress
from conformance.errors import UsageError

if TYPE_CHECKING:
    from distributed import Client


def refuse_engine_flags(engine: str, scheduler: str | None, jobs: int | None = None) -> None:
    """`--scheduler` (and, where one process is all there is, `--jobs`) need Dask."""
    if scheduler is not None and engine != "dask":
        raise UsageError("--scheduler needs --engine dask")
    if jobs is not None and jobs != 1 and engine != "dask":
        command = click.get_current_context().info_name
        raise UsageError(f"--jobs needs --engine dask ({command} on this machine is one process)")


@contextmanager
def dask_session(scheduler: str | None, jobs: int, quiet: int = 0) -> Iterator[Client]:
    """A client of the cluster at `scheduler`, else of a local one of `jobs` workers (2
    unless --jobs was given); on a terminal, where Dask's own dashboard shows the tasks
    and each worker's memory (CI keeps its one line a stage)."""
    from conformance.engines.cluster import dashboard, dask_client  # needs the dask extra

    context = click.get_current_context()
    default = context.get_parameter_source("jobs") is ParameterSource.DEFAULT
    with dask_client(scheduler, 2 if default else jobs) as client:
        link = dashboard(client) if progress.display_mode(quiet) == "bar" else None
        if link:
            click.echo(f"runconform {context.info_name}: Dask dashboard at {link}", err=True)
        yield client
