"""The options several commands offer, each declared once: name, type, default, help.

A command stacks the decorators it offers (`@options.strict`), so `validate` and
`check` cannot drift apart on what `--strict` means or how `--header` is parsed. The
values arrive parsed (`cli.params`): a body never splits a header or a rate itself.
Where a command offers an option in one of its stages, the help says so through
`stage=` ("Contract stage: ..."), not through a second copy of the text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from conformance.cli.params import (
    ByteSize,
    CommaSeparatedChoice,
    Header,
    Seconds,
    VendorName,
    check_base_url,
    flatten_unique,
)

F = TypeVar("F", bound=Callable[..., Any])


def _stacked(*decorators: Callable[[Any], Any]) -> Callable[[F], F]:
    """Several options as one decorator, listed in `--help` in the order given."""

    def apply(command: F) -> F:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


def _in(stage: str | None, text: str) -> str:
    """`text` as the help of an option that acts in one stage of a command."""
    return f"{stage}: {text[0].lower()}{text[1:]}" if stage else text


# -- what is checked ------------------------------------------------------------------------

schema = click.option("--schema", help="Validate every record of PATHS against this vendor.Object.")
as_published = click.option(
    "--as-published", is_flag=True, help="The vendors' schemas as published, without errata."
)
strict = click.option(
    "--strict",
    is_flag=True,
    help="Run-invariant violations and undocumented properties are errors.",
)


def vendor(help: str = "Only this vendor's objects.") -> Callable[[F], F]:
    """`--vendor NAME`, one vendor of the catalog; an unknown name is a usage error."""
    return click.option("--vendor", type=VendorName(), help=help)


# -- what is written ------------------------------------------------------------------------

text_or_json = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
output = click.option(
    "--output",
    type=click.Path(path_type=Path),
    help="Write the output to this file (atomically) instead of stdout.",
)
quiet = click.option("-q", "--quiet", "quiet", count=True, help="Errors and the summary only.")
verbose = click.option(
    "-v", "--verbose", "verbose", count=True, help="Also info findings and passes."
)
jobs = click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Validate in N processes.",
)


def report_formats(
    choices: Sequence[str] | Callable[[], Sequence[str]], help: str
) -> Callable[[F], F]:
    """`--report junit,json --report har` -> ("junit", "json", "har"), each one of `choices`."""
    return click.option(
        "--report",
        "reports",
        multiple=True,
        metavar="FORMATS",
        type=CommaSeparatedChoice(choices, what="report format"),
        callback=flatten_unique,
        help=help,
    )


def reports_folder(flag: str, help: str) -> Callable[[F], F]:
    """The folder reports are written to (`check --out`, `contract --report-dir`)."""
    return click.option(
        flag, type=click.Path(path_type=Path), default=Path("reports"), show_default=True, help=help
    )


# -- a live API ---------------------------------------------------------------------------

seed = click.option(
    "--seed", type=int, default=0, show_default=True, help="Same seed, same random choices."
)


def base_url(help: str, *, required: bool = False) -> Callable[[F], F]:
    """`--base-url`: an unparseable or non-http(s) URL is refused before any work."""
    return click.option("--base-url", required=required, callback=check_base_url, help=help)


credentials = _stacked(
    click.option(
        "--header",
        "headers",
        multiple=True,
        type=Header(),
        metavar="'NAME: VALUE'",
        help="Sent with every request to --base-url; never written to a report (repeatable).",
    ),
    click.option(
        "--token-env", metavar="VAR", help="Send 'Authorization: Bearer $VAR' to --base-url."
    ),
)


def max_examples(stage: str | None = None) -> Callable[[F], F]:
    """`--max-examples`: how many requests Schemathesis generates per operation."""
    return click.option(
        "--max-examples",
        type=click.IntRange(1, 10_000),
        default=10,
        show_default=True,
        help=_in(stage, "Generated requests per operation."),
    )


def max_body_size(stage: str | None = None) -> Callable[[F], F]:
    """`--max-body-size`: one name, grammar and default on `contract` and `check`."""
    return click.option(
        "--max-body-size",
        type=ByteSize(),
        default="16MiB",
        show_default=True,
        help=_in(stage, "Largest response body read; a larger one is an error of its operation."),
    )


def allow_untested(stage: str | None = None) -> Callable[[F], F]:
    """`--allow-untested`: an operation that checked no body does not fail the run."""
    text = "Pass although some operation checked no response body against a run schema."
    return click.option("--allow-untested", is_flag=True, help=_in(stage, text))


def _seconds(flag: str, default: float, help: str) -> Callable[[F], F]:
    return click.option(flag, type=Seconds(), default=default, show_default=True, help=help)


time_limits = _stacked(
    _seconds("--timeout", 5.0, "Seconds per request, from sending it to its last byte."),
    _seconds(
        "--max-time", 300.0, "Seconds for the whole run; what it cuts off is untested (exit 2)."
    ),
)


# -- long runs ------------------------------------------------------------------------------


_EXITFIRST_CLASH = "-x is --max-failures 1; give one or the other"


def _exitfirst(ctx: click.Context, _param: click.Parameter, exitfirst: bool) -> None:
    """Callback of -x: it sets --max-failures to 1 (another N with it is refused)."""
    if exitfirst:
        ctx.meta["runconform.exitfirst"] = True
        if ctx.params.get("max_failures") not in (None, 1):
            raise click.UsageError(_EXITFIRST_CLASH, ctx)
        ctx.params["max_failures"] = 1


def _max_failures(ctx: click.Context, _param: click.Parameter, value: int | None) -> int | None:
    """Callback of --max-failures: 1 when -x came first on the command line."""
    if ctx.meta.get("runconform.exitfirst"):
        if value not in (None, 1):
            raise click.UsageError(_EXITFIRST_CLASH, ctx)
        return 1
    return value


def max_failures(what: str) -> Callable[[F], F]:
    """`--max-failures N` and `-x/--exitfirst` (= 1): stop reading after N `what` (plural)."""
    return _stacked(
        click.option(
            "--max-failures",
            type=click.IntRange(min=1),
            metavar="N",
            callback=_max_failures,
            help=f"Stop after N {what}; the summary says so and the rest is not checked.",
        ),
        click.option(
            "-x",
            "--exitfirst",
            is_flag=True,
            expose_value=False,
            callback=_exitfirst,
            help="Stop at the first failure: --max-failures 1.",
        ),
    )
