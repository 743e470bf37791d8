"""`runconform fixtures`: write generated run objects (a thin layer over conformance.fixtures)."""

from __future__ import annotations

from pathlib import Path

import click

from conformance.errors import InputError

FORMAT_SUFFIXES = {".json": "json", ".jsonl": "jsonl", ".yaml": "yaml", ".yml": "yaml"}


def output_target(out: str | None, name: str, fmt: str, invalid: bool) -> Path | None:
    """`-`/None: stdout; a path ending in a format suffix: that file; else a folder for it."""
    if out is None or out == "-":
        return None
    path = Path(out)
    is_file = path.suffix in FORMAT_SUFFIXES and not path.is_dir()
    folder = path.parent if is_file else path
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"{folder}: cannot create the output folder: {exc.strerror or exc}"
        ) from None
    return path if is_file else path / f"{name}{'.invalid' if invalid else ''}.{fmt}"


@click.command()
@click.argument("name")
@click.option(
    "-n",
    "count",
    type=int,
    default=10,
    show_default=True,
    help="How many fixtures (at most 10,000,000).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same bytes.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "jsonl", "yaml"]),
    default="jsonl",
    show_default=True,
)
@click.option(
    "--out",
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
def fixtures(name: str, count: int, seed: int, fmt: str, out: str | None, invalid: bool) -> int:
    """Generate schema-valid, semantically sane run objects (or negative ones).

    NAME is a bundled vendor.Object (see `runconform schemas list`).
    """
    from conformance.catalog import load_catalog
    from conformance.fixtures import MAX_FIXTURES, write_fixtures

    resolved = load_catalog().resolve(name)  # unknown names fail before any file is touched
    if not 0 <= count <= MAX_FIXTURES:  # refuse before creating any folder
        write_fixtures(resolved, count, seed, fmt, None, valid=not invalid)  # raises UsageError
    target = output_target(out, resolved, fmt, invalid)
    written = write_fixtures(resolved, count, seed, fmt, target, valid=not invalid)
    if target is not None:
        click.echo(
            f"wrote {written:,} {'negative ' if invalid else ''}fixtures of {resolved} to {target}",
            err=True,
        )
    return 0
