"""`runconform contract VENDOR --url URL`: a thin layer over conformance.contract."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

import conformance.cli.options as options  # not `from conformance.cli`: its __init__ imports us
import conformance.cli.progress as progress
from conformance.cli.credentials import request_headers
from conformance.cli.params import NameValue, Rate
from conformance.errors import UsageError
from conformance.report.escape import visible

if TYPE_CHECKING:  # loaded with the run, not at CLI start-up
    from conformance.contract.options import ContractOptions
    from conformance.contract.results import ContractResult
    from conformance.report.cases import Case


def _report_formats() -> tuple[str, ...]:
    """The contract reports (asked only when --report is given: the CLI starts fast)."""
    from conformance.contract.report_files import report_formats

    return report_formats()


@click.command()
@options.errata
@click.argument("vendor")
@options.url("The API to test (http or https).", required=True)
@click.option(
    "--contract",
    type=click.Path(path_type=Path),
    help="Your own OpenAPI document (- reads standard input) instead of the bundled one.",
)
@options.credentials
@click.option(
    "--operation",
    "operations",
    multiple=True,
    metavar="ID",
    help="Only this operation id (repeatable).",
)
@click.option(
    "--path-param",
    "path_params",
    multiple=True,
    type=NameValue(),
    metavar="NAME=VALUE",
    help="A fixed path parameter, e.g. a known run id (repeatable).",
)
@options.max_examples()
@click.option(
    "--rate-limit",
    type=Rate(),
    default="10/s",
    show_default=True,
    help="Requests per second: N, N/s or N/m (0: unlimited, for local servers only).",
)
@options.time_limits
@options.max_body_size()
@click.option(
    "--expect",
    "expects",
    multiple=True,
    type=NameValue(),
    metavar="OPERATION_ID=VENDOR.OBJECT",
    help="The bundled run schema an operation's 2xx bodies must meet; with --contract, "
    "what makes your operations tested (repeatable).",
)
@click.option(
    "--stateful",
    is_flag=True,
    help="Test lists first and feed the run ids they return to the other operations.",
)
@click.option("--allow-writes", is_flag=True, help="Also send POST/PUT/PATCH/DELETE requests.")
@click.option(
    "--lifecycle",
    is_flag=True,
    help="Instead of property tests, poll the runs the list and get-one operations show and "
    "check each run's lifecycle between polls; with --allow-writes, make a run and follow "
    "it to its end (and cancel or replay one where the contract can).",
)
@click.option(
    "--polls",
    type=click.IntRange(2, 10_000),
    default=5,
    show_default=True,
    help="With --lifecycle: rounds of polling (runs it made are followed until they end, "
    "within --max-time).",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(0, 3600),
    default=1.0,
    show_default=True,
    help="With --lifecycle: seconds between rounds.",
)
@options.stuck_after("default: runs it made get the polls' window, others are not judged")
@options.allow_untested()
@options.seed
@options.report_formats(
    _report_formats,
    "Finding reports (json, junit, sarif, github, text) and recordings of the exchanges "
    "(har, vcr); comma-separated or repeated; credentials scrubbed.",
)
@options.report_dir("Where --report files go (contract-VENDOR.FORMAT).")
@options.colour
def contract(
    vendor: str,
    base_url: str,
    contract: Path | None,
    headers: tuple[tuple[str, str], ...],
    token_env: str | None,
    operations: tuple[str, ...],
    path_params: tuple[tuple[str, str], ...],
    max_examples: int,
    rate_limit: float,
    request_timeout: float,
    max_time: float,
    max_body_size: int,
    expects: tuple[tuple[str, str], ...],
    stateful: bool,
    allow_writes: bool,
    lifecycle: bool,
    polls: int,
    poll_interval: float,
    stuck_after: float | None,
    allow_untested: bool,
    seed: int,
    reports: tuple[str, ...],
    report_dir: Path,
) -> int:
    """Property-test a live run API with Schemathesis plus runconform's checks.

    Safe by default: positive data, GET/HEAD only, rate-limited, every request
    bounded in time and size. An operation is untested when no response body was
    checked against a run schema. Exit 0 all checks pass, 1 failures, 2 usage,
    untested operations (see --allow-untested) or --max-time ran out, 3 bad contract,
    4 unreachable (or not one request answered) or --report-dir unwritable.
    On a terminal, a progress bar of the operations runs on stderr; with CI set, stderr
    gets one line when the run starts and one when it ends.
    \f
    Over 60 lines: the signature alone is one parameter a flag; the rest wires them up.
    """
    # here, not at the top: `runconform validate` does not load Schemathesis and Hypothesis
    from conformance.contract import ContractOptions, run_contract
    from conformance.contract.coverage_section import contract_coverage
    from conformance.contract.report_files import write_contract_reports
    from conformance.report.files import ensure_writable

    if reports:
        ensure_writable(report_dir)  # before any request, not after the whole run

    pairs = request_headers(headers, token_env)
    polling = click.get_current_context().get_parameter_source
    asked = [f"--{n.replace('_', '-')}" for n in ("polls", "poll_interval", "stuck_after")]
    if not lifecycle and any(_given(polling(n)) for n in ("polls", "poll_interval", "stuck_after")):
        raise UsageError(f"{', '.join(asked)} need --lifecycle")
    settings = ContractOptions(
        base_url=base_url,
        contract=contract,
        headers=pairs,
        operations=operations,
        path_parameters=path_params,
        max_examples=max_examples,
        rate_limit=rate_limit,
        timeout=request_timeout,
        max_time=max_time,
        max_body_size=max_body_size,
        allow_writes=allow_writes,
        seed=seed,
        # a run keeps its exchanges for the coverage section; polls (unbounded in count)
        # only for a recording of them
        record=not lifecycle or bool({"har", "vcr"} & set(reports)),
        stateful=stateful,
        expect=expects,
        allow_untested=allow_untested,
    )
    if lifecycle:
        return _lifecycle(
            vendor, settings, (polls, poll_interval, stuck_after), reports, report_dir
        )
    with progress.display("contract", 0) as shown:
        result = run_contract(vendor, settings, shown.on_progress)
        shown.finished(result.summary())
    coverage = contract_coverage(result, settings)
    _echo(result, coverage)
    written = write_contract_reports(result, reports, report_dir, coverage) if reports else ()
    for path in written:
        click.echo(visible(f"wrote {path}"), err=True)
    return result.exit_code


def _given(source: click.core.ParameterSource | None) -> bool:
    return source is not None and source is not click.core.ParameterSource.DEFAULT


def _lifecycle(
    vendor: str,
    settings: ContractOptions,
    poll: tuple[int, float, float | None],
    reports: tuple[str, ...],
    report_dir: Path,
) -> int:
    """`--lifecycle`: poll, print each finding, the notes and the summary; write reports."""
    from conformance.contract.lifecycle_poll import poll_lifecycle
    from conformance.contract.lifecycle_result import PollOptions, write_poll_reports
    from conformance.report.text import finding_line

    result = poll_lifecycle(vendor, settings, PollOptions(*poll))
    for note in result.notes:
        click.echo(visible(f"note: {note}"), err=True)
    for case in result.cases():
        for finding in case.findings:
            click.echo(finding_line(finding))
    click.echo(result.summary())
    if result.verdict:
        error = "runconform: error: " if result.exit_code == 4 else ""
        click.echo(visible(error + result.verdict), err=True)
    for path in write_poll_reports(result, reports, report_dir) if reports else ():
        click.echo(visible(f"wrote {path}"), err=True)
    return result.exit_code


def _echo(result: ContractResult, coverage: tuple[Case, ...]) -> None:
    """The run on the terminal: notes, each operation and its findings, skips, the
    coverage table, the verdict."""
    from conformance.report.coverage_table import coverage_rows, text_table

    for note in result.notes:
        click.echo(visible(f"note: {note}"), err=True)
    for run in result.runs:
        for line in run.lines():
            click.echo(visible(line))
    for operation, reason in result.skipped:
        click.echo(visible(f"{operation}: skipped ({reason})"))
    click.echo(text_table(coverage_rows(coverage)), nl=False)
    click.echo(result.summary())
    if result.verdict:  # a network failure is an error line, like an unreachable host
        error = "runconform: error: " if result.unreachable else ""
        click.echo(visible(error + result.verdict), err=True)
