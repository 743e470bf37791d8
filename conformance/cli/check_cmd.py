"""`runconform check`: the whole tour, progress on stderr, a summary table, five reports."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

import conformance.cli.colour as colour
import conformance.cli.options as options  # not `from conformance.cli`: its __init__ imports us
from conformance.cli.credentials import request_headers
from conformance.cli.params import RecordingPath
from conformance.errors import UsageError
from conformance.report.escape import visible
from conformance.words import plural

if TYPE_CHECKING:  # the check machinery is imported only when the command runs
    from conformance.check.highlights import StageHighlights
    from conformance.check.tour import Progress
    from conformance.report.model import Report, StageResult

#: How check's help names the options of its contract stage.
_STAGE = "Contract stage"
_STYLE = {"passed": "green", "failed": "red", "error": "yellow", "skipped": "dim"}


def _report_formats() -> tuple[str, ...]:
    """The check reports (asked only when --report is given: the CLI starts fast)."""
    from conformance.report.files import FORMATS

    return tuple(FORMATS)


@click.command()
@options.errata
@click.argument("paths", nargs=-1, type=RecordingPath())
@click.option("--vendor", "vendors", multiple=True, help="Only this vendor (repeatable).")
@options.schema
@options.url("Contract-test this API (needs one --vendor) instead of the simulators.")
@options.credentials
@options.report_formats(
    _report_formats,
    "Only these reports (json, junit, markdown, sarif, html; default: all), "
    "comma-separated or repeated.",
)
@options.report_dir("Folder for the reports.", old=["--out"])
@options.as_published
@options.strict
@click.option(
    "--fixtures",
    "fixture_count",
    type=click.IntRange(1, 100_000),
    default=100,
    show_default=True,
    help="Fixtures per object and polarity in the self-check.",
)
@options.max_examples(_STAGE)
@options.allow_untested(_STAGE)
@options.max_body_size(_STAGE)
@options.seed
@click.option("-q", "--quiet", is_flag=True, help="No progress and no table; reports only.")
@options.colour
def check(
    paths: tuple[str | Path, ...],
    schema: str | None,
    vendors: tuple[str, ...],
    base_url: str | None,
    headers: tuple[tuple[str, str], ...],
    token_env: str | None,
    reports: tuple[str, ...],
    report_dir: Path,
    as_published: bool,
    strict: bool,
    fixture_count: int,
    max_examples: int,
    allow_untested: bool,
    max_body_size: int,
    seed: int,
    quiet: bool,
) -> int:
    """Run every check and write reports: on the bundle with no arguments, or on your
    recordings (PATHS) and API (--url).

    Exit code: the highest of any stage (0 all conform, 1 non-conforming, 2 usage,
    3 schema/bundle, 4 unreadable input or unreachable API).
    """
    from conformance.check import CheckOptions, run_check
    from conformance.report.files import ensure_writable, write_reports
    from conformance.report.status import what_happened

    sent = request_headers(headers, token_env)
    if sent and not base_url:
        raise UsageError("--header and --token-env are sent to --url; give one")
    ensure_writable(report_dir)  # before minutes of work, not after
    settings = CheckOptions(
        paths=paths,
        schema=schema,
        vendors=vendors,
        base_url=base_url,
        headers=sent,
        variant="published" if as_published else "corrected",
        strict=strict,
        fixtures=fixture_count,
        max_examples=max_examples,
        seed=seed,
        allow_untested=allow_untested,
        max_body_size=max_body_size,
    )
    with _progress(not quiet) as progress:
        report = run_check(settings, progress)
    written = write_reports(report, report_dir, reports)
    if not quiet:
        _summary(report)
        _worst_findings(report, written)
        for path in written:
            click.echo(visible(f"wrote {path}"))
    status = visible(what_happened(report))
    click.echo(f"exit {report.exit_code}: {status} ({report.elapsed:.1f} s)", err=True)
    return report.exit_code


@contextmanager
def _progress(show: bool) -> Iterator[Progress | None]:
    """Per stage: a spinner with elapsed time on a terminal, one line per stage otherwise."""
    if not show:
        yield None
        return
    if not sys.stderr.isatty():

        def plain(name: str, title: str, result: StageResult | None) -> None:
            if result is None:
                click.echo(f"{title} ...", err=True)
            else:
                note = f": {visible(result.message)}" if result.message else ""
                click.echo(f"{title}: {result.status} ({result.elapsed:.1f} s){note}", err=True)

        yield plain
        return
    from rich.progress import Progress as Bar
    from rich.progress import SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

    console = colour.console(stderr=True)
    with Bar(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def rich_progress(name: str, title: str, result: StageResult | None) -> None:
            if result is None:
                tasks[name] = bar.add_task(title, total=1)
            else:
                style = _STYLE[result.status]
                bar.update(
                    tasks[name],
                    completed=1,
                    description=f"{result.title}: [{style}]{result.status}[/]",
                )

        yield rich_progress


def _summary(report: Report) -> None:
    """The final table: a stage per row, on stdout."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title="runconform check")
    for column in ("stage", "status", "passed", "failed", "time", "note"):
        table.add_column(
            column, justify="right" if column in ("passed", "failed", "time") else "left"
        )
    for s in report.stages:
        table.add_row(
            s.title,
            f"[{_STYLE[s.status]}]{s.status}[/]",
            str(s.passed),
            str(s.failed),
            f"{s.elapsed:.1f} s",
            Text(visible(s.message or "")),  # Text: a file name is not rich markup
        )
    colour.console(soft_wrap=True).print(table)


def _stage_lines(h: StageHighlights, where: str) -> list[str]:
    """`stage: 2 errors`, the findings shown, `and N more`; notes on a line of their own."""
    from conformance.report.text import finding_line

    lines = []
    if h.shown:
        counts = [plural(n, noun) for n, noun in ((h.errors, "error"), (h.warnings, "warning"))]
        lines.append(f"{h.stage}: {', '.join(c for c in counts if not c.startswith('0 '))}")
        lines += [f"  {finding_line(f)}" for f in h.shown]
        if h.more:
            lines.append(f"  and {h.more} more, see {where}")
    elif h.more:
        lines.append(f"{h.stage}: {plural(h.more, 'info finding')}, see {where}")
    if h.bundle_notes:
        notes = plural(h.bundle_notes, "note")
        lines.append(f"{h.stage}: {notes} about the bundled schemas (not your files), see {where}")
    return lines


def _worst_findings(report: Report, written: tuple[Path, ...]) -> None:
    """The worst few findings of each stage, on stdout, and which report holds them all."""
    from conformance.check.highlights import highlights
    from conformance.report.files import FORMATS

    where = visible(str(next(p for p in written if p.name == FORMATS["json"])))
    for stage in highlights(report).stages:
        for line in _stage_lines(stage, where):
            click.echo(line)
