"""`runconform diff OLD NEW`: a thin layer over `conformance.diff`."""

from __future__ import annotations

from pathlib import Path

import click

import conformance.cli.options as options  # not `from conformance.cli`: its __init__ imports us
from conformance.atomic import atomic_output, refuse_overwriting_input
from conformance.diff.rules import FAIL_ON
from conformance.errors import UsageError
from conformance.report.writers import WRITERS, write_cases


@click.command()
@click.argument("old", type=click.Path(exists=True, allow_dash=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, allow_dash=True, path_type=Path))
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Compare every operation and schema (default: the run objects and run operations).",
)
@click.option(
    "--recordings",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Validate these recordings against OLD and NEW and count where they disagree "
    "(repeatable).",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="any",
    show_default=True,
    help="Exit 1 on a change breaking for clients or servers (any), clients, servers, or never.",
)
@options.output_format(sorted(WRITERS), "text", "Format of the report (stdout or --output).")
@options.output
@click.option("-q", "--quiet", is_flag=True, help="Breaking changes and the summary only.")
@options.colour
def diff(
    old: Path,
    new: Path,
    everything: bool,
    recordings: tuple[Path, ...],
    fail_on: str,
    fmt: str,
    output: Path | None,
    quiet: bool,
) -> int:
    """What changed between two versions of a vendor's contract, and whom it breaks.

    OLD and NEW are each an OpenAPI file, a folder with openapi.yaml (multi-file), a
    bundle build (manifest.json), a vendor's contracts folder (manifest.yaml), or a folder
    of OpenAPI files read as one. Every change is classified by a rule as breaking for
    clients, for servers, for both, or compatible.

    Exit codes: 0 nothing breaking (as --fail-on counts), 1 a breaking change, 2 usage
    error, 3 a contract that cannot be read, 4 unreadable recordings (the others are
    still counted).
    """
    from conformance.diff.cases import diff_cases, diff_outcome
    from conformance.diff.compare import catalog_scope, diff_contracts
    from conformance.diff.recordings import diff_recordings
    from conformance.diff.sources import load_contract
    from conformance.report.cases import Header

    if str(old) == "-" and str(new) == "-":
        raise UsageError("- (standard input) can be read only once")
    refuse_overwriting_input(output, (old, new, *recordings), "--output")
    before = load_contract(old)
    after = load_contract(new)
    found = diff_contracts(before, after, catalog_scope(everything))
    recorded = diff_recordings(before, after, recordings) if recordings else None
    cases = diff_cases(found, fail_on, recorded)
    outcome = diff_outcome(found, fail_on, recorded)
    with atomic_output(output) as out:
        header = Header("diff", "runconform diff")
        write_cases(fmt, out, header, cases, outcome, verbosity=0 if quiet else 1)
    if output is not None and fmt != "text" and not quiet:
        click.echo(outcome.line, err=True)
    return outcome.exit_code
