"""`runconform validate` and `runconform identify`: thin layers over `conformance.validation`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import click

import conformance.cli.options as options  # not `from conformance.cli`: its __init__ imports us
import conformance.cli.progress as progress
from conformance.atomic import atomic_output, refuse_overwriting_input
from conformance.bundle.formats import CHECKED_FORMATS
from conformance.cli.colour import use_colour
from conformance.cli.dask_session import dask_session, refuse_engine_flags
from conformance.cli.params import RecordingPath
from conformance.cli.shown import TERMINAL_CASES, ShownCases
from conformance.errors import ExitCode, UsageError
from conformance.records.model import FORMATS as RECORD_FORMATS
from conformance.report.cases import Header, Outcome, Summary, TalliedResults, record_case
from conformance.report.escape import visible
from conformance.report.findings import CleanRecords, ValidationResult
from conformance.report.writers import WRITERS, streaming_formats
from conformance.validation.engine import ValidationOptions
from conformance.words import plural

if TYPE_CHECKING:
    from conformance.lifecycle.check import LifecycleResult

_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}


def _asserted_formats(
    _ctx: click.Context, _param: click.Parameter, no_formats: tuple[str, ...]
) -> tuple[str, ...] | None:
    """Callback of --no-format: the formats still asserted (None: the engine's default)."""
    unknown = sorted(set(no_formats) - set(CHECKED_FORMATS) - {"all"})
    if unknown:
        raise UsageError(
            f"unknown format for --no-format: {', '.join(unknown)} "
            f"(known: {', '.join(CHECKED_FORMATS)}, all)"
        )
    if not no_formats:
        return None
    return () if "all" in no_formats else tuple(f for f in CHECKED_FORMATS if f not in no_formats)


def _validation_options(
    as_published: bool,
    formats: tuple[str, ...] | None,
    strict: bool,
    no_drift: bool,
    no_invariants: bool,
    expect_violations: bool,
) -> ValidationOptions:
    """The engine's options from `validate`'s flags."""
    return ValidationOptions(
        variant="published" if as_published else "corrected",
        formats=formats,
        strict=strict,
        drift=not no_drift,
        invariants=not no_invariants,
        expect_violations=expect_violations,
    )


def _findings_only(fmt: str, verbosity: int) -> bool:
    """Outputs that show only findings do not need one result per clean record."""
    return fmt in ("github", "sarif") or (fmt == "text" and verbosity <= 0)


@click.command()
@options.errata
@click.argument("paths", nargs=-1, required=True, type=RecordingPath())
@options.schema
@options.vendor("Route / identify only within this vendor.")
@click.option("--identify", is_flag=True, help="Pick the schema of bare records by their shape.")
@options.as_published
@options.strict
@click.option("--no-drift", is_flag=True, help="Do not report undocumented properties.")
@click.option("--no-invariants", is_flag=True, help="Check the schema only, not run invariants.")
@click.option(
    "--lifecycle",
    is_flag=True,
    help="Also follow each run through its observations (get-one bodies and list items, "
    "in time order) and check its lifecycle: allowed transitions, terminal states, fields "
    "fixed once set, timestamps and counters that never go back.",
)
@options.stuck_after("judged where observations have times: HAR, the run's own updated field")
@click.option(
    "--expect-violations",
    is_flag=True,
    help="For negative fixtures (runconform fixtures --invalid): a record passes when "
    "exactly its labelled violation is reported.",
)
@click.option(
    "--no-format",
    "formats",
    multiple=True,
    callback=_asserted_formats,
    metavar="FORMAT",
    help="Do not assert this format (repeatable; 'all' for none).",
)
@click.option(
    "--input-format",
    type=click.Choice(RECORD_FORMATS),
    help="Read every input as this format (default: detected by content).",
)
@options.output_format(streaming_formats(), "text", "Format of the report (stdout or --output).")
@options.output
@options.jobs
@options.engine
@options.scheduler
@options.max_failures("failures (failing records or unreadable inputs)")
@options.show
@options.quiet
@options.verbose
@options.colour
def validate(
    paths: tuple[str | Path, ...],
    schema: str | None,
    vendor: str | None,
    identify: bool,
    as_published: bool,
    strict: bool,
    no_drift: bool,
    no_invariants: bool,
    lifecycle: bool,
    stuck_after: float | None,
    expect_violations: bool,
    formats: tuple[str, ...] | None,
    input_format: str | None,
    fmt: str,
    output: Path | None,
    jobs: int,
    engine: str,
    scheduler: str | None,
    max_failures: int | None,
    show: int | None,
    quiet: int,
    verbose: int,
) -> int:
    """Validate recorded responses (JSON, JSONL, YAML, VCR, HAR, Schemathesis, Postman).

    A PATH of - reads standard input (its format detected from its content, or given by
    --input-format); its findings name the file <stdin>. On a terminal, a progress bar
    runs on stderr and the text output shows the first 50 records with findings (all of
    them go to --output FILE and to --output-format json); with CI set, stderr gets one line
    when the run starts and one when it ends.

    --engine dask judges on a Dask cluster (pip install 'runconform[dask]'): the one at
    --scheduler, else a local one of --jobs workers; the output is the same as here.

    Exit codes: 0 all conform, 1 non-conforming data (or a run that broke its
    lifecycle), 2 usage error (or records with no schema, or --lifecycle and no run
    observed twice), 3 schema/bundle problem, 4 unreadable input.
    \f
    Over 60 lines: the signature alone is one parameter a flag; the rest wires them up.
    """
    judging = _engine(engine, scheduler, jobs, quiet)  # entered (extra, cluster) before any output
    if schema and identify:
        raise UsageError("--schema and --identify exclude each other")
    if stuck_after is not None and not lifecycle:
        raise UsageError("--stuck-after needs --lifecycle")
    if sum(str(path) == "-" for path in paths) > (0 if lifecycle else 1):
        raise UsageError(
            "--lifecycle reads its inputs twice, and - (standard input) can be read only "
            "once: save it to a file"
            if lifecycle
            else "- (standard input) can be read only once"
        )
    refuse_overwriting_input(output, paths, "--output")
    options = _validation_options(
        as_published, formats, strict, no_drift, no_invariants, expect_violations
    )
    if schema is not None:  # an unknown name is refused before any output starts
        from conformance.bundle.catalog import load_catalog

        load_catalog().resolve(schema)
    summary = Summary()
    with (
        judging as (validate_paths, check_lifecycle),
        progress.display("validate", quiet) as shown,
        atomic_output(output) as out,
    ):
        colour = fmt == "text" and output is None and use_colour(sys.stdout)
        stream = shown.stdout(out) if output is None else out
        writer = WRITERS[fmt](
            stream,
            verbosity=verbose - quiet,
            style=(lambda text, sev: click.style(text, fg=_COLOURS[sev]))
            if colour
            else (lambda text, _sev: text),
        )
        capped = fmt == "text" and output is None and verbose <= 0 and out.isatty()
        limit = show if show is not None else TERMINAL_CASES if capped else None
        shown_cases = ShownCases(writer, limit, sample=show is not None)
        writer.begin(Header("validate"))
        results = validate_paths(
            paths,
            schema=schema,
            vendor=vendor,
            identify=identify,
            options=options,
            input_format=input_format,
            # a stop may fall inside a block whose clean records are counted at its end
            clean="count"
            if (show is not None or _findings_only(fmt, verbose - quiet)) and not max_failures
            else "each",
            keep=show,  # workers reading a whole file send no more than the report holds
            errors_only=verbose - quiet < 0,
            progress=shown.on_progress,
        )
        stopped = _tally(results, summary, shown_cases, max_failures)
        if lifecycle and not stopped:
            found = check_lifecycle(
                paths,
                schema=schema,
                vendor=vendor,
                identify=identify,
                input_format=input_format,
                stuck_after=stuck_after,
            )
            _follow_runs(found, summary, shown_cases)
        shown.stop()
        shown_cases.say_hidden(stream)
        outcome = _outcome(summary, stopped, shown_cases)
        writer.end(outcome)
    shown.finished(outcome.line)
    if output is not None and fmt != "text" and not quiet:
        click.echo(outcome.line, err=True)
    return summary.exit_code()


class _Judge(Protocol):
    def __call__(
        self, paths: Iterable[str | Path], **how: Any
    ) -> Iterator[ValidationResult | CleanRecords | TalliedResults]: ...


@contextmanager
def _engine(
    engine: str, scheduler: str | None, jobs: int, quiet: int
) -> Iterator[tuple[_Judge, Callable[..., LifecycleResult]]]:
    """`validate_paths` and `check_lifecycle` of the engine asked for, with its cluster
    while the run lasts."""
    refuse_engine_flags(engine, scheduler)
    if engine == "local":
        from conformance.engines.processes import validate_paths  # heavy, import on use
        from conformance.lifecycle.check import check_lifecycle

        yield partial(validate_paths, jobs=jobs), check_lifecycle
        return
    from conformance.engines.cluster import validate_on_dask
    from conformance.lifecycle.on_dask import check_lifecycle_on_dask

    with dask_session(scheduler, jobs, quiet) as client:
        yield (
            partial(validate_on_dask, client=client),
            partial(check_lifecycle_on_dask, client=client),
        )


def _tally(
    results: Iterator[ValidationResult | CleanRecords | TalliedResults],
    summary: Summary,
    shown: ShownCases,
    max_failures: int | None,
) -> int:
    """Count and show `results`; stop reading after `max_failures` failures (and say how
    many stopped it: 0 when the input was read to its end)."""
    limit = max_failures or 0
    for result in results:
        if isinstance(result, CleanRecords):
            summary.add_clean(result)
            continue
        if isinstance(result, TalliedResults):  # `--show N`: a worker sent only counts
            summary.add_tallied(result)
            shown.hidden += result.cases
            continue
        summary.add(result)
        shown.case(record_case(result))
        if limit and summary.failing + summary.unreadable >= limit:
            close = getattr(results, "close", None)
            if close is not None:
                close()  # stop reading: the open file and any worker pool are let go
            return limit
    return 0


def _follow_runs(result: LifecycleResult, summary: Summary, shown: ShownCases) -> None:
    """`--lifecycle`: the runs' cases after the records', and their counts."""
    from conformance.lifecycle.check import lifecycle_cases

    for case in lifecycle_cases(result):
        shown.case(case)
    findings = (f for run in result.failing for f in run.findings)
    summary.add_lifecycle(result.line, len(result.followed), len(result.failing), findings)


def _outcome(summary: Summary, stopped: int, shown: ShownCases) -> Outcome:
    """The summary's outcome; after --max-failures, the line and counts say it stopped;
    with --show, what of the cases the report holds."""
    outcome = summary.outcome()
    line, counts = outcome.line, outcome.counts
    if stopped:
        line = (
            f"{line}; stopped after {plural(stopped, 'failure')} (--max-failures {stopped}): "
            "the rest of the input was not checked"
        )
        counts = {**counts, "stopped_after": stopped}
    if shown.sampled:
        line = f"{line}; {shown.sampled}"
        counts = {**counts, "cases_written": shown.written, "cases_not_written": shown.hidden}
    return replace(outcome, line=line, counts=counts)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=RecordingPath())
@options.vendor()
@options.text_or_json
@options.colour
def identify(paths: tuple[str | Path, ...], vendor: str | None, fmt: str) -> int:
    """Name the vendor.Object each record looks like, with a confidence.

    A PATH of - reads standard input (its records name the file <stdin>).
    """
    from conformance.records import ReadProblem, read_records
    from conformance.validation.identify import identify as identify_shape

    unknown = unreadable = 0
    for record in read_records(list(paths)):
        if isinstance(record, ReadProblem):
            unreadable += 1
            click.echo(visible(f"{record.locator}: error: {record.message} [{record.kind}]"))
            continue
        found = identify_shape(record.payload, vendor=vendor)
        unknown += found.unknown
        if fmt == "json":
            click.echo(
                json.dumps(
                    {
                        "locator": str(record.locator),
                        "object": found.best.name if found.best else None,
                        "confidence": found.best.confidence if found.best else None,
                        "candidates": [
                            {
                                "object": c.name,
                                "confidence": c.confidence,
                                "reasons": list(c.reasons),
                            }
                            for c in found.candidates
                        ],
                    }
                )
            )
        elif found.best is None:
            click.echo(f"{visible(str(record.locator))}: unknown ({found.doubt()})")
        else:
            reasons = "; ".join(found.best.reasons[:3])
            click.echo(
                f"{visible(str(record.locator))}: {found.best.name} "
                f"(confidence {found.best.confidence:.2f}: {reasons})"
            )
    if unreadable:
        return int(ExitCode.UNREADABLE)
    return int(ExitCode.NON_CONFORMING) if unknown else int(ExitCode.OK)
