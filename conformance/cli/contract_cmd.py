"""`runconform contract VENDOR --base-url URL`: a thin layer over conformance.contract."""

from __future__ import annotations

import math
from pathlib import Path

import click

from conformance.cli.credentials import request_headers
from conformance.cli.params import Seconds, check_base_url, max_body_size_option
from conformance.errors import UsageError
from conformance.report.escape import visible


def _pair(text: str, flag: str, sep: str) -> tuple[str, str]:
    name, found, value = text.partition(sep)
    if not found or not name.strip() or not value.strip():
        raise UsageError(f"{flag} wants NAME{sep}VALUE, got {text!r}")
    return name.strip(), value.strip()


def _rate(text: str) -> float:
    """`10`, `10/s` or `600/m` requests per second; 0 means unlimited."""
    number, _, unit = text.partition("/")
    try:
        value = float(number)
    except ValueError:
        raise UsageError(f"--rate-limit wants N, N/s or N/m, got {text!r}") from None
    per = {"": 1.0, "s": 1.0, "m": 60.0}.get(unit)
    if per is None or not 0 <= value < math.inf:  # also refuses nan
        raise UsageError(f"--rate-limit wants N, N/s or N/m, got {text!r}")
    return value / per


@click.command()
@click.argument("vendor")
@click.option(
    "--base-url", required=True, callback=check_base_url, help="The API to test (http or https)."
)
@click.option(
    "--contract",
    type=click.Path(path_type=Path),
    help="Your own OpenAPI document instead of the bundled one.",
)
@click.option(
    "--header",
    "headers",
    multiple=True,
    metavar="'NAME: VALUE'",
    help="Sent with every request; never written to a report (repeatable).",
)
@click.option("--token-env", metavar="VAR", help="Send 'Authorization: Bearer $VAR'.")
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
    metavar="NAME=VALUE",
    help="A fixed path parameter, e.g. a known run id (repeatable).",
)
@click.option("--max-examples", type=click.IntRange(1, 10_000), default=10, show_default=True)
@click.option(
    "--rate-limit",
    default="10/s",
    show_default=True,
    help="Requests per second: N, N/s or N/m (0: unlimited, for local servers only).",
)
@click.option(
    "--timeout",
    type=Seconds(),
    default=5.0,
    show_default=True,
    help="Seconds per request, from sending it to its last byte.",
)
@click.option(
    "--max-time",
    type=Seconds(),
    default=300.0,
    show_default=True,
    help="Seconds for the whole run; what it cuts off is untested (exit 2).",
)
@max_body_size_option("Largest response body read; a larger one is an error of its operation.")
@click.option(
    "--expect",
    "expects",
    multiple=True,
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
    "--allow-untested",
    is_flag=True,
    help="Pass although some operation checked no response body against a run schema.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FORMATS",
    help="json, junit, har, vcr (comma-separated or repeated); credentials scrubbed.",
)
@click.option(
    "--report-dir",
    type=click.Path(path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Where --report files go (contract-VENDOR.FORMAT).",
)
def contract(
    vendor: str,
    base_url: str,
    contract: Path | None,
    headers: tuple[str, ...],
    token_env: str | None,
    operations: tuple[str, ...],
    path_params: tuple[str, ...],
    max_examples: int,
    rate_limit: str,
    timeout: float,
    max_time: float,
    max_body_size: int,
    expects: tuple[str, ...],
    stateful: bool,
    allow_writes: bool,
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
    """
    # here, not at the top: `runconform validate` does not load Schemathesis and Hypothesis
    from conformance.contract import ContractOptions, run_contract
    from conformance.contract.reports import parse_formats, write_reports
    from conformance.report.files import ensure_writable

    formats = parse_formats(reports)
    if formats:
        ensure_writable(report_dir)  # before any request, not after the whole run

    pairs = request_headers(headers, token_env)
    fixed = [_pair(item, "--path-param", "=") for item in path_params]
    options = ContractOptions(
        base_url=base_url,
        contract=contract,
        headers=pairs,
        operations=operations,
        path_parameters=tuple(fixed),
        max_examples=max_examples,
        rate_limit=_rate(rate_limit),
        timeout=timeout,
        max_time=max_time,
        max_body_size=max_body_size,
        allow_writes=allow_writes,
        seed=seed,
        record=bool({"har", "vcr"} & set(formats)),
        stateful=stateful,
        expect=tuple(_pair(e, "--expect", "=") for e in expects),
        allow_untested=allow_untested,
    )
    result = run_contract(vendor, options)
    for note in result.notes:
        click.echo(visible(f"note: {note}"), err=True)
    for run in result.runs:
        for line in run.lines():
            click.echo(visible(line))
    for operation, reason in result.skipped:
        click.echo(visible(f"{operation}: skipped ({reason})"))
    click.echo(result.summary())
    if result.verdict:  # a network failure is an error line, like an unreachable host
        error = "runconform: error: " if result.unreachable else ""
        click.echo(visible(error + result.verdict), err=True)
    for path in write_reports(result, result.exchanges, formats, report_dir) if formats else ():
        click.echo(visible(f"wrote {path}"), err=True)
    return result.exit_code
