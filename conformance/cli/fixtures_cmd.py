"""`runconform fixtures`: write generated run objects (a thin layer over conformance.generate)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import SupportsInt, cast

import click

import conformance.cli.options as options  # not `from conformance.cli`: its __init__ imports us
import conformance.cli.progress as progress
from conformance.errors import ExitCode, InputError, UsageError
from conformance.records.recording_files import SUFFIX_FORMATS
from conformance.report.escape import visible
from conformance.words import plural

#: Longer digit strings are above every scenario parameter's bound (and may be too long
#: for int() to convert).
_MAX_DIGITS = 18
#: The formats fixtures are written in.
FIXTURE_FORMATS = ("json", "jsonl", "yaml")
#: The --output names that are a file, not a folder: a recording suffix of a fixture format.
FORMAT_SUFFIXES = {s: f for s, f in SUFFIX_FORMATS.items() if f in FIXTURE_FORMATS}


def output_target(out: str | None, name: str, fmt: str, invalid: bool) -> Path | None:
    """`-`/None: stdout; a path ending in a format suffix: that file; else a folder for it."""
    if out is None or out == "-":
        return None
    path = Path(out)
    is_file = path.suffix in FORMAT_SUFFIXES and not path.is_dir()
    make_folder(path.parent if is_file else path)
    return path if is_file else path / f"{name}{'.invalid' if invalid else ''}.{fmt}"


def make_folder(folder: Path) -> None:
    """Create the output folder (and its parents); exit 4 naming it when that fails."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"{folder}: cannot create the output folder: {exc.strerror or exc}"
        ) from None


@click.command()
@options.errata
@click.argument("name", required=False)
@click.option(
    "-n",
    "--count",
    "count",
    type=int,
    default=10,
    show_default=True,
    help="How many fixtures (at most 10,000,000).",
)
@options.seed
@options.output_format(FIXTURE_FORMATS, "jsonl", "The data format of the fixtures.")
@options.option(
    "-o",
    "--output",
    "out",
    old=["--out"],
    metavar="DIR|FILE|-",
    help="A folder (file named vendor.Object[.invalid].FORMAT), a .json/.jsonl/.yaml "
    "file, or - for stdout (the default). Written atomically.",
)
@click.option(
    "--invalid",
    is_flag=True,
    help="Negative fixtures: each breaks exactly one named rule, written as "
    '{"fixture": ..., "violates": {"kind", "keyword", "pointer"}}.',
)
@click.option(
    "--minimal",
    is_flag=True,
    help="Only what the schema and the run invariants require, not what real runs always "
    "carry (workflow, start and end times): for testing a client's robustness to sparse "
    "but schema-valid runs. Such runs may not map to the canonical run.",
)
@click.option(
    "--scenario",
    metavar="NAME",
    help="A logical run (queued, running, succeeded, failed-on-step, "
    "cancelled-while-running, paused, page) in each vendor's shape.",
)
@click.option(
    "--vendor",
    default="all",
    show_default=True,
    metavar="all|VENDOR|VENDOR.OBJECT",
    help="With --scenario: whose shape.",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="With --scenario: step=3 and steps=5 (each 1 to 1,000), n=50 (page size, 1 to "
    "1,000), total=500 (1 to 1,000,000,000), statuses=succeeded,failed ...",
)
@options.colour
def fixtures(
    name: str | None,
    count: int,
    seed: int,
    fmt: str,
    out: str | None,
    invalid: bool,
    minimal: bool,
    scenario: str | None,
    vendor: str,
    params: tuple[str, ...],
) -> int:
    """Generate schema-valid, semantically sane run objects (or negative ones).

    NAME is a bundled vendor.Object (see `runconform schemas list`); or give
    --scenario to render one logical run into every vendor's shape. Written to a file,
    fixtures show a progress bar on a terminal (stderr); with CI set, stderr gets one
    line when writing starts and one when it ends.
    """
    from conformance.bundle.catalog import load_catalog
    from conformance.generate import MAX_FIXTURES, write_fixtures

    if scenario is not None:
        if name is not None or invalid:
            raise UsageError("--scenario takes no NAME and no --invalid")
        if minimal:
            raise UsageError("--minimal applies to NAME fixtures; a --scenario sets its own fields")
        return _scenario(scenario, vendor, seed, params, fmt, out)
    if name is None:
        raise UsageError("give a vendor.Object NAME, or --scenario NAME")

    resolved = load_catalog().resolve(name)  # unknown names fail before any file is touched
    if not 0 <= count <= MAX_FIXTURES:  # refuse before creating any folder
        write_fixtures(resolved, count, seed, fmt, None, valid=not invalid)  # raises UsageError
    target = output_target(out, resolved, fmt, invalid)
    terminal_out = target is None and sys.stdout.isatty()  # a bar would scribble over them
    with progress.display("fixtures", int(terminal_out)) as shown:
        written = write_fixtures(
            resolved,
            count,
            seed,
            fmt,
            target,
            valid=not invalid,
            minimal=minimal,
            progress=shown.on_progress,
        )
        shown.finished(f"{written:,} {'negative ' if invalid else ''}fixtures of {resolved}")
    if target is not None:
        what = plural(written, "negative fixture" if invalid else "fixture")
        click.echo(visible(f"wrote {what} of {resolved} to {target}"), err=True)
    return 0


def _param(text: str) -> tuple[str, object]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise UsageError(f"--param wants KEY=VALUE, got {text!r}")
    if key in _bounds():
        return key, _bounded(key, value)
    if value.lstrip("-").isdecimal() and len(value) <= _MAX_DIGITS:
        return key, int(value)
    return key, value.split(",") if "," in value or key == "statuses" else value


def _bounds() -> Mapping[str, tuple[int, int]]:
    from conformance.mapping.scenarios import PARAM_BOUNDS  # import on use: the CLI starts fast

    return PARAM_BOUNDS


def _bounded(key: str, value: str) -> int:
    """An integer parameter in its documented range, or a click usage error naming both."""
    low, high = _bounds()[key]
    digits = value.lstrip("-")
    if digits.isdecimal() and len(digits) > _MAX_DIGITS:  # too long for int(), and out of range
        raise click.BadParameter(
            f"{key}: a {len(digits)}-digit number is not in the range {low}<=x<={high}.",
            param_hint="'--param'",
        )
    try:
        # click types INT's input as SupportsInt; it parses text: "'x' is not a valid integer."
        number = click.INT.convert(cast("SupportsInt", value), None, None)
        return int(click.IntRange(low, high).convert(number, None, None))
    except click.BadParameter as exc:
        raise click.BadParameter(f"{key}: {exc.message}", param_hint="'--param'") from None


def _scenario(
    name: str, vendor: str, seed: int, params: tuple[str, ...], fmt: str, out: str | None
) -> int:
    """Render a scenario for the chosen vendor objects; say which cannot express it, and why."""
    from conformance.atomic import atomic_output
    from conformance.generate import write_items
    from conformance.mapping.scenarios import RUN_OBJECTS, Rendered, render_all, scenario

    scenario(name)  # an unknown scenario is a usage error before anything is written
    if vendor == "all":
        objects = RUN_OBJECTS
    elif "." in vendor:
        objects = (vendor,)
    else:
        objects = tuple(o for o in RUN_OBJECTS if o.startswith(f"{vendor}."))
        if not objects:
            vendors = sorted({o.split(".")[0] for o in RUN_OBJECTS})
            raise UsageError(f"unknown vendor {vendor!r}; known: all, {', '.join(vendors)}")
    results = render_all(name, seed=seed, objects=objects, **dict(map(_param, params)))
    rendered = [r for r in results.values() if isinstance(r, Rendered)]
    for result in results.values():
        if not isinstance(result, Rendered):
            click.echo(
                visible(f"{result.object}: cannot express {name}: {result.reason}"), err=True
            )
    target = None if out in (None, "-") else Path(out)
    if target is not None and target.parent != Path():
        make_folder(target.parent)
    with atomic_output(target) as stream:
        write_items(
            stream,
            ({"scenario": name, "object": r.object, "fixture": r.value} for r in rendered),
            fmt,
        )
    return int(ExitCode.OK) if rendered else int(ExitCode.NON_CONFORMING)
