"""`runconform validate` and `runconform identify`: thin layers over `conformance.validation`."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

import conformance.cli.options as options  # not `from conformance.cli`: its __init__ imports us
from conformance.atomic import atomic_output, refuse_overwriting_input
from conformance.bundle.formats import CHECKED_FORMATS
from conformance.cli.colour import console, use_colour
from conformance.errors import ExitCode, UsageError
from conformance.records.model import FORMATS as RECORD_FORMATS
from conformance.report.cases import Header, Summary, record_case
from conformance.report.escape import visible
from conformance.report.findings import CleanRecords
from conformance.report.writers import WRITERS, streaming_formats
from conformance.validation.engine import ValidationOptions

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


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int], None]]:
    """A records counter on stderr (rich), only when a person is watching."""
    if not enabled:
        yield lambda _n: None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("validated {task.completed:,} records"),
        TimeElapsedColumn(),
        transient=True,
        console=console(stderr=True),
    ) as bar:
        task = bar.add_task("validate", total=None)
        yield lambda n: bar.update(task, completed=n)


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
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@options.schema
@options.vendor("Route / identify only within this vendor.")
@click.option("--identify", is_flag=True, help="Pick the schema of bare records by their shape.")
@options.as_published
@options.strict
@click.option("--no-drift", is_flag=True, help="Do not report undocumented properties.")
@click.option("--no-invariants", is_flag=True, help="Check the schema only, not run invariants.")
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
@options.quiet
@options.verbose
@options.colour
def validate(
    paths: tuple[Path, ...],
    schema: str | None,
    vendor: str | None,
    identify: bool,
    as_published: bool,
    strict: bool,
    no_drift: bool,
    no_invariants: bool,
    expect_violations: bool,
    formats: tuple[str, ...] | None,
    input_format: str | None,
    fmt: str,
    output: Path | None,
    jobs: int,
    quiet: int,
    verbose: int,
) -> int:
    """Validate recorded responses (JSON, JSONL, YAML, VCR, HAR, Schemathesis, Postman).

    Exit codes: 0 all conform, 1 non-conforming data, 2 usage error (or records
    with no schema), 3 schema/bundle problem, 4 unreadable input.
    \f
    Over 60 lines: the signature alone is one parameter a flag; the rest wires them up.
    """
    from conformance.engines.processes import validate_paths  # heavy, import on use

    if schema and identify:
        raise UsageError("--schema and --identify exclude each other")
    refuse_overwriting_input(output, paths, "--output")
    options = _validation_options(
        as_published, formats, strict, no_drift, no_invariants, expect_violations
    )
    if schema is not None:  # an unknown name is refused before any output starts
        from conformance.bundle.catalog import load_catalog

        load_catalog().resolve(schema)
    summary = Summary()
    with atomic_output(output) as out:
        colour = fmt == "text" and output is None and use_colour(sys.stdout)
        writer = WRITERS[fmt](
            out,
            verbosity=verbose - quiet,
            style=(lambda text, sev: click.style(text, fg=_COLOURS[sev]))
            if colour
            else (lambda text, _sev: text),
        )
        writer.begin(Header("validate"))
        show_progress = sys.stderr.isatty() and not quiet
        with _progress(show_progress) as tick:
            findings_only = _findings_only(fmt, verbose - quiet)
            for result in validate_paths(
                paths,
                schema=schema,
                vendor=vendor,
                identify=identify,
                options=options,
                input_format=input_format,
                jobs=jobs,
                clean="count" if findings_only else "each",
            ):
                if isinstance(result, CleanRecords):
                    summary.add_clean(result)
                    tick(summary.records)
                    continue
                summary.add(result)
                writer.case(record_case(result))
                if summary.records % 1000 == 0:
                    tick(summary.records)
        writer.end(summary.outcome())
    if output is not None and fmt != "text" and not quiet:
        click.echo(summary.line(), err=True)
    return summary.exit_code()


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@options.vendor()
@options.text_or_json
@options.colour
def identify(paths: tuple[Path, ...], vendor: str | None, fmt: str) -> int:
    """Name the vendor.Object each record looks like, with a confidence."""
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
