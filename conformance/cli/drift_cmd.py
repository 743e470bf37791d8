"""`runconform drift`: a thin layer over `conformance.drift`."""

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
from conformance.errors import UsageError
from conformance.records.model import FORMATS as RECORD_FORMATS
from conformance.report.writers import WRITERS, write_cases

if TYPE_CHECKING:
    from conformance.drift.model import DriftReport


@click.command()
@click.argument("paths", nargs=-1, required=True, type=RecordingPath())
@options.errata
@options.vendor("Only this vendor's objects (and route and identify within it).")
@options.schema
@click.option("--identify", is_flag=True, help="Pick the object of bare records by their shape.")
@click.option(
    "--input-format",
    type=click.Choice(RECORD_FORMATS),
    help="Read every input as this format (default: detected by content).",
)
@options.output_format(sorted(WRITERS), "text", "Format of the report (stdout or --output).")
@options.output
@click.option(
    "--propose-errata",
    "errata",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write errata that would cover the drift (YAML, for a person to review) to FILE.",
)
@click.option(
    "--examples",
    type=click.IntRange(0, 1000),
    default=5,
    show_default=True,
    help="Locators of the first records kept per item.",
)
@options.jobs
@options.engine
@options.scheduler
@options.colour
def drift(
    paths: tuple[str | Path, ...],
    vendor: str | None,
    schema: str | None,
    identify: bool,
    input_format: str | None,
    fmt: str,
    output: Path | None,
    errata: Path | None,
    examples: int,
    jobs: int,
    engine: str,
    scheduler: str | None,
) -> int:
    """What a vendor really sends: over a whole corpus, per object, what its records
    carry that the schema does not document.

    Undocumented properties (with the JSON types seen and a schema inferred from them),
    enum values never documented, null where it is not allowed, format breaks, required
    properties sometimes absent, and documented properties never seen; each with how
    many records show it and the first of them, most records first. Memory stays
    bounded: counters and the first locators only. Records are routed and identified
    as `validate` does them. A PATH of - reads standard input.

    --engine dask profiles on a Dask cluster (pip install 'runconform[dask]'): the one at
    --scheduler, else a local one of --jobs workers; the report is the same as here.

    Exit codes: 0 no drift, 1 drift found, 2 usage error or nothing counted,
    4 unreadable input (the other inputs are still counted).
    """
    from conformance.drift.cases import drift_cases, drift_outcome
    from conformance.drift.profile import drift_of
    from conformance.report.cases import Header

    refuse_engine_flags(engine, scheduler, jobs)
    refuse_corpus_flags(paths, schema, identify)
    refuse_overwriting_input(output, paths, "--output")
    refuse_overwriting_input(errata, paths, "--propose-errata")
    if errata is not None and output is not None and str(errata) == str(output):
        raise UsageError("--propose-errata and --output name the same file")
    profile = drift_of if engine == "local" else partial(_on_dask, scheduler=scheduler, jobs=jobs)
    with progress.display("drift", 0) as shown:
        report = profile(
            paths,
            vendor=vendor,
            schema=schema,
            identify=identify,
            input_format=input_format,
            examples=examples,
            progress=shown.on_progress,
        )
        outcome = drift_outcome(report)
        shown.finished(outcome.line)
    with atomic_output(output) as out:
        header = Header("drift", "runconform drift")
        write_cases(fmt, out, header, drift_cases(report), outcome, verbosity=1)
    if errata is not None:
        from conformance.drift.propose import errata_yaml, propose_errata

        proposal = propose_errata(report)
        with atomic_output(errata) as out:
            out.write(errata_yaml(proposal))
        click.echo(
            f"{len(proposal.errata):,} errata proposed in {errata}"
            + (
                f"; {len(proposal.unproposable):,} drift items have none"
                if proposal.unproposable
                else ""
            ),
            err=True,
        )
    if output is not None and fmt != "text":
        click.echo(outcome.line, err=True)
    return outcome.exit_code


def _on_dask(
    paths: tuple[str | Path, ...], *, scheduler: str | None, jobs: int, **how: Any
) -> DriftReport:
    """The drift of `paths` profiled on the Dask cluster of `dask_session`."""
    from conformance.drift.on_dask import drift_on_dask  # needs the dask extra

    with dask_session(scheduler, jobs) as client:
        return drift_on_dask(paths, client, **how)
