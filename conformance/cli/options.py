"""The options several commands offer, each declared once: name, type, default, help.

A command stacks the decorators it offers (`@options.strict`), so `validate` and
`check` cannot drift apart on what `--strict` means or how `--header` is parsed. The
values arrive parsed (`cli.params`): a body never splits a header or a rate itself.
Where a command offers an option in one of its stages, the help says so through
`stage=` ("Contract stage: ..."), not through a second copy of the text.

One name per concept across every command (`CONCEPTS` is the table). A spelling that
was renamed stays accepted for a release as a `HiddenAlias`: not in `--help`, and it
prints nothing extra, so scripts and CI logs see exactly what they saw before.
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

#: concept -> its spellings; a flag means one concept on every command (tests walk this).
CONCEPTS: dict[str, tuple[str, ...]] = {
    "where the main output goes": ("-o", "--output"),
    "the format of the main output": ("--output-format",),
    "the format of the input": ("--input-format",),
    "the folder reports go to": ("--report-dir",),
    "which reports are written": ("--report",),
    "the API under test": ("-u", "--url"),
    "a request header": ("-H", "--header"),
    "the credential variable": ("--token-env",),
    "seconds per request": ("--request-timeout",),
    "how many to generate": ("-n", "--max-examples", "--count"),
    "how many cases a report holds": ("--show",),
    "processes": ("-j", "--jobs"),
    "where the work runs": ("--engine",),
    "a Dask scheduler to use": ("--scheduler",),
    "random seed": ("--seed",),
    "colour": ("--color", "--no-color"),
    "less output": ("-q", "--quiet"),
    "more output": ("-v", "--verbose"),
}


class HiddenAlias(click.Option):
    """An old spelling of an option, accepted for a release and left out of `--help`.

    It has the name (destination) of the option that replaced it, so click's parser keeps
    one value for both spellings: the same type and callback parse it, a bad value is
    refused with the message the old spelling always gave, and nothing extra is printed.
    """

    def __init__(self, param_decls: Sequence[str], *, replaced_by: str, **attrs: Any) -> None:
        super().__init__(param_decls, **attrs)
        self.hidden = True
        self.replaced_by = replaced_by


def option(*decls: str, old: Sequence[str] = (), **attrs: Any) -> Callable[[F], F]:
    """`click.option(*decls, **attrs)`, plus a `HiddenAlias` for the `old` spellings."""
    current = click.Option(decls, **attrs)
    if not old:
        return click.option(*decls, **attrs)
    alias = {k: v for k, v in attrs.items() if k not in ("required", "help", "show_default")}
    return _stacked(
        click.option(*decls, **attrs),
        click.option(
            *old,
            str(current.name),
            cls=HiddenAlias,
            replaced_by=max(current.opts, key=len),
            **alias,
        ),
    )


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


def _published_only(_ctx: click.Context, _param: click.Parameter, flag: bool) -> bool:
    """--as-published judges by the vendors' text, so no erratum (bundled or yours) applies."""
    from conformance.bundle.user_errata import active_errata

    if flag and active_errata() is not None:
        raise click.UsageError(
            "--errata patches the corrected schemas; --as-published judges by the vendors' "
            "text, without any errata: give one or the other"
        )
    return flag


as_published = click.option(
    "--as-published",
    is_flag=True,
    callback=_published_only,
    help="The vendors' schemas as published, without errata.",
)
strict = click.option(
    "--strict",
    is_flag=True,
    help="Run-invariant violations and undocumented properties are errors.",
)


def _layer_errata(
    ctx: click.Context, _param: click.Parameter, paths: tuple[Path, ...]
) -> tuple[Path, ...]:
    """Callback of --errata: read the files, layer them on the bundle for this command
    (taken off again when it ends) and say which errata are in force."""
    if paths:
        from conformance.bundle.user_errata import applied, read_user_errata, use_errata
        from conformance.report.text import user_errata_line

        errata = read_user_errata(paths)
        if errata.errata:
            use_errata(errata)
            ctx.call_on_close(lambda: use_errata(None))
            click.echo(f"runconform: {user_errata_line(applied(errata))}", err=True)
    return paths


errata = click.option(
    "--errata",
    "errata_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    callback=_layer_errata,
    expose_value=False,
    is_eager=True,
    metavar="FILE",
    help="Layer your own errata (YAML or JSON, as `drift --propose-errata` writes them) "
    "on the bundled schemas for this run (repeatable).",
)


def vendor(help: str = "Only this vendor's objects.") -> Callable[[F], F]:
    """`--vendor NAME`, one vendor of the catalog; an unknown name is a usage error."""
    return click.option("--vendor", type=VendorName(), help=help)


# -- what is written ------------------------------------------------------------------------


def _dash_is_stdout(
    _ctx: click.Context, _param: click.Parameter, value: Path | None
) -> Path | None:
    """Callback of `-o/--output`: `-` is stdout, as no path at all."""
    return None if value is not None and str(value) == "-" else value


output = option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    callback=_dash_is_stdout,
    help="Write the output to this file (atomically) instead of stdout ('-': stdout).",
)


def output_format(choices: Sequence[str], default: str, help: str) -> Callable[[F], F]:
    """`--output-format`: what `-o/--output` (or stdout) is written as; old `--format`."""
    return option(
        "--output-format",
        "fmt",
        old=["--format"],
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help=help,
    )


text_or_json = output_format(("text", "json"), "text", "Output format.")
quiet = click.option("-q", "--quiet", "quiet", count=True, help="Errors and the summary only.")
verbose = click.option(
    "-v", "--verbose", "verbose", count=True, help="Also info findings and passes."
)
jobs = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Work in N processes (validate; drift and coverage only with --engine dask): with "
    "--engine dask, N workers of a local cluster, default 2.",
)
engine = click.option(
    "--engine",
    type=click.Choice(("local", "dask")),
    default="local",
    show_default=True,
    help="Where records are judged (validate), profiled (drift) or counted (coverage): this "
    "machine or a Dask cluster (the dask extra; same results, same order).",
)
scheduler = click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="--engine dask: the running Dask scheduler to use (tcp://host:8786); without it "
    "a local cluster of --jobs workers is started and stopped.",
)


def _set_colour(ctx: click.Context, _param: click.Parameter, flag: bool | None) -> None:
    """Callback of `--color/--no-color`: the flag, else NO_COLOR / FORCE_COLOR, else a
    terminal decides; kept on the context, where `click.echo` and `colour` read it."""
    from conformance.cli.colour import chosen

    if flag is not None or ctx.color is None:  # else: as `runconform --no-color` decided
        ctx.color = chosen(flag)


colour = click.option(
    "--color/--no-color",
    "color",
    default=None,
    is_eager=True,
    expose_value=False,
    callback=_set_colour,
    help="Colour the output, or not (default: on a terminal; NO_COLOR and FORCE_COLOR "
    "are honoured).",
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


def report_dir(help: str, old: Sequence[str] = ()) -> Callable[[F], F]:
    """`--report-dir`: the folder reports are written to (`check`, `contract`)."""
    return option(
        "--report-dir",
        old=old,
        type=click.Path(path_type=Path),
        default=Path("reports"),
        show_default=True,
        help=help,
    )


# -- a live API ---------------------------------------------------------------------------

seed = click.option(
    "--seed", type=int, default=0, show_default=True, help="Same seed, same random choices."
)


def url(help: str, *, required: bool = False) -> Callable[[F], F]:
    """`-u/--url` (old `--base-url`): an unparseable or non-http(s) URL is refused before
    any work."""
    return option(
        "-u",
        "--url",
        "base_url",
        old=["--base-url"],
        metavar="URL",
        required=required,
        callback=check_base_url,
        help=help,
    )


credentials = _stacked(
    click.option(
        "-H",
        "--header",
        "headers",
        multiple=True,
        type=Header(),
        metavar="'NAME: VALUE'",
        help="Sent with every request to --url; never written to a report (repeatable).",
    ),
    click.option("--token-env", metavar="VAR", help="Send 'Authorization: Bearer $VAR' to --url."),
)


def max_examples(stage: str | None = None) -> Callable[[F], F]:
    """`--max-examples`: how many requests Schemathesis generates per operation."""
    return click.option(
        "-n",
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


def stuck_after(default: str) -> Callable[[F], F]:
    """`--stuck-after SECONDS` of a lifecycle check; `default` says what happens without it."""
    return click.option(
        "--stuck-after",
        type=click.FloatRange(min=0),
        metavar="SECONDS",
        help="With --lifecycle: a run seen in its initial state (queued) for longer than this "
        f"is stuck ({default}).",
    )


def _seconds(flag: str, default: float, help: str, old: Sequence[str] = ()) -> Callable[[F], F]:
    return option(flag, old=old, type=Seconds(), default=default, show_default=True, help=help)


time_limits = _stacked(
    _seconds(
        "--request-timeout",
        5.0,
        "Seconds per request, from sending it to its last byte.",
        old=["--timeout"],
    ),
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


show = click.option(
    "--show",
    type=click.IntRange(min=0),
    metavar="N",
    help="Write only the first N records with errors or warnings in full, in any output "
    "format, and no passing ones; the summary still counts every record and says what was "
    "left out (a bounded report of any input). Default: all (50 on a terminal).",
)


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
