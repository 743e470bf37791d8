"""`runconform coverage`: a thin layer over `conformance.lifecycle.coverage`."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

import conformance.cli.options as options  # not `from conformance.cli`: its __init__ imports us
import conformance.cli.progress as progress
from conformance.atomic import atomic_output, refuse_overwriting_input
from conformance.cli.dask_session import dask_session, refuse_engine_flags
from conformance.cli.params import RecordingPath, refuse_corpus_flags
from conformance.records.model import FORMATS as RECORD_FORMATS
from conformance.report.writers import WRITERS, write_cases

if TYPE_CHECKING:  # loaded with the run, not at CLI start-up
    from conformance.lifecycle.coverage import CoverageReport
    from conformance.lifecycle.coverage_cases import Gate


def _gates(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[Gate, ...]:
    """Callback of --min-coverage: each KIND=PERCENT parsed, a bad one refused at once."""
    from conformance.lifecycle.coverage_cases import parse_gate

    return tuple(parse_gate(value) for value in values)


@click.command()
@options.errata
@click.argument("paths", nargs=-1, required=True, type=RecordingPath())
@options.vendor("Report only this vendor (and route and identify within it).")
@click.option(
    "--input-format",
    type=click.Choice(RECORD_FORMATS),
    help="Read every input as this format (default: detected by content).",
)
@options.schema
@click.option("--identify", is_flag=True, help="Pick the object of bare records by their shape.")
@options.output_format(sorted(WRITERS), "text", "Format of the report (stdout or --output).")
@options.output
@click.option(
    "--min-coverage",
    "gates",
    multiple=True,
    metavar="KIND=PERCENT",
    callback=_gates,
    help="Exit 1 when a vendor's KIND (operations, responses, statuses, fields, transitions, "
    "parameters) is covered less than PERCENT (repeatable).",
)
@click.option("-q", "--quiet", is_flag=True, help="The table and the summary only.")
@options.jobs
@options.engine
@options.scheduler
@options.colour
def coverage(
    paths: tuple[str | Path, ...],
    vendor: str | None,
    input_format: str | None,
    schema: str | None,
    identify: bool,
    fmt: str,
    output: Path | None,
    gates: tuple[Gate, ...],
    quiet: bool,
    jobs: int,
    engine: str,
    scheduler: str | None,
) -> int:
    """What recordings exercised of the vendor contracts, and what they never did.

    Per vendor: operations called, response statuses recorded, run statuses seen, run
    object fields present, lifecycle transitions seen and query parameters sent, each
    against what the contract, schemas and lifecycles declare. Records are routed and
    identified as `validate` does them. A PATH of - reads standard input.

    --engine dask counts on a Dask cluster (pip install 'runconform[dask]'): the one at
    --scheduler, else a local one of --jobs workers; the report is the same as here.

    Exit codes: 0 ok, 1 a kind below --min-coverage, 2 usage error or nothing counted,
    4 unreadable input (the other inputs are still reported).
    """
    from conformance.lifecycle.coverage import coverage_of
    from conformance.lifecycle.coverage_cases import coverage_cases, coverage_outcome
    from conformance.report.cases import Header
    from conformance.report.coverage_table import coverage_rows, text_table

    refuse_engine_flags(engine, scheduler, jobs)
    refuse_corpus_flags(paths, schema, identify)
    refuse_overwriting_input(output, paths, "--output")
    count = (
        coverage_of
        if engine == "local"
        else partial(_on_dask, scheduler=scheduler, jobs=jobs, quiet=quiet)
    )
    with progress.display("coverage", int(quiet)) as shown:
        report = count(
            paths,
            vendor=vendor,
            input_format=input_format,
            schema=schema,
            identify=identify,
            progress=shown.on_progress,
        )
        cases = coverage_cases(report, gates)
        outcome = coverage_outcome(report, gates)
        shown.finished(outcome.line)
    with atomic_output(output) as out:
        if fmt == "text":
            out.write(text_table(coverage_rows(cases)))
        # what was never exercised is info findings: shown, unless -q (then errors only)
        header = Header("coverage", "runconform coverage")
        write_cases(fmt, out, header, cases, outcome, verbosity=-1 if quiet else 1)
    if output is not None and fmt != "text" and not quiet:
        click.echo(outcome.line, err=True)
    return outcome.exit_code


def _on_dask(
    paths: tuple[str | Path, ...], *, scheduler: str | None, jobs: int, quiet: bool, **how: Any
) -> CoverageReport:
    """The coverage of `paths` counted on the Dask cluster of `dask_session`."""
    from conformance.lifecycle.coverage_on_dask import coverage_on_dask  # needs the dask extra

    with dask_session(scheduler, jobs, int(quiet)) as client:
        return coverage_on_dask(paths, client, **how)
