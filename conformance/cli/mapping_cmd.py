"""`runconform mappings check` and `runconform map`: thin layers over conformance.mapping."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

import conformance.cli.options as options  # not `from conformance.cli`: its __init__ imports us
from conformance.atomic import atomic_output, refuse_overwriting_input
from conformance.cli.params import RecordingPath
from conformance.errors import ExitCode, InputError
from conformance.report.escape import visible
from conformance.words import plural


@click.group()
def mappings() -> None:
    """The vendor -> canonical run mappings (contracts/mappings/)."""


@mappings.command("check")
@options.errata
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    help="Check mapping files in this folder instead of the bundled ones.",
)
@options.colour
def check(directory: Path | None) -> int:
    """Static checks: coverage, enum totality, terminal states, types, pointers, transforms."""
    from conformance.mapping.spec_checks import check_mappings

    if directory is not None:
        _readable_folder(directory)
    report = check_mappings(directory)
    click.echo(report.render())
    return int(ExitCode.OK) if report.ok else int(ExitCode.BUNDLE)


def _readable_folder(directory: Path) -> None:
    """A --dir that is missing, a file or unreadable is unreadable input (exit 4), not
    "0 problems in 0 files"."""
    try:
        with os.scandir(directory):
            pass
    except OSError as exc:
        raise InputError(
            f"{directory}: cannot read the mappings folder: {exc.strerror or exc}"
        ) from None


@click.command("map")
@options.errata
@click.argument("paths", nargs=-1, required=True, type=RecordingPath())
@click.option(
    "--from",
    "source",
    required=True,
    metavar="VENDOR.OBJECT",
    help="What the records are, e.g. hatchet.V1TaskSummaryList (lists map item by item).",
)
@click.option(
    "--to",
    "target",
    default="canonical",
    show_default=True,
    metavar="TARGET",
    help="canonical, or another vendor object to convert into through the canonical run.",
)
@options.output
@options.colour
def map_records(
    paths: tuple[str | Path, ...], source: str, target: str, output: Path | None
) -> int:
    """Convert recorded responses (any format validate reads) into canonical JSONL.

    A record that cannot be mapped is reported on stderr as `file:line: error: ...`
    and the others still are; exit 1 if any could not, 4 if an input was unreadable.
    """
    from conformance.mapping import MappingError, from_canonical, to_canonical_items
    from conformance.records import ReadProblem, read_records

    refuse_overwriting_input(output, paths, "--output")
    converted = failed = unreadable = 0
    with atomic_output(output) as out:
        for record in read_records(list(paths)):
            if isinstance(record, ReadProblem):
                unreadable += 1
                line = f"{record.locator}: error: {record.message} [{record.kind}]"
                click.echo(visible(line), err=True)
                continue
            try:
                runs = to_canonical_items(record.payload, source)
                if target != "canonical":
                    runs = [from_canonical(run, target) for run in runs]
            except MappingError as exc:
                failed += 1
                click.echo(visible(f"{record.locator}: error: {exc.message}"), err=True)
                continue
            for run in runs:
                out.write(json.dumps(run, ensure_ascii=False) + "\n")
                converted += 1
    click.echo(
        f"{plural(converted, 'run')} written; {plural(failed, 'record')} could not be mapped;"
        f" {plural(unreadable, 'unreadable input')}",
        err=True,
    )
    if unreadable:
        return int(ExitCode.UNREADABLE)
    return int(ExitCode.NON_CONFORMING) if failed else int(ExitCode.OK)
