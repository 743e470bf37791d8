"""What `--engine dask` commands share: the refusals of its flags without it, and the
number of workers of a local cluster. Dask itself is imported by the commands, on use."""

from __future__ import annotations

import click
from click.core import ParameterSource

from conformance.errors import UsageError

__all__ = ["dask_workers", "refuse_dask_flags"]


def refuse_dask_flags(engine: str, scheduler: str | None, jobs: int, command: str) -> None:
    """--scheduler and --jobs are refused without --engine dask, for a `command` that
    runs in one process on this machine."""
    if scheduler is not None and engine != "dask":
        raise UsageError("--scheduler needs --engine dask")
    if jobs != 1 and engine != "dask":
        raise UsageError(f"--jobs needs --engine dask ({command} on this machine is one process)")


def dask_workers(jobs: int) -> int:
    """Workers of a local cluster: --jobs when given, else 2."""
    source = click.get_current_context().get_parameter_source("jobs")
    return 2 if source is ParameterSource.DEFAULT else jobs
