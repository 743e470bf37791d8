"""Option checks shared by several commands, so a bad value is a click usage error (exit 2)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

import click

from conformance.records.sizes import parse_size

F = TypeVar("F", bound=Callable[..., Any])


def check_base_url(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Callback of `--base-url`: an unparseable or non-http(s) URL is refused before any work."""
    if value is None:
        return None
    from conformance.contract.safety import base_url_problem

    problem = base_url_problem(value)
    if problem:
        raise click.BadParameter(problem)
    return value


class Seconds(click.FloatRange):
    """A positive, finite number of seconds (`nan` and `inf` pass a plain FloatRange)."""

    name = "seconds"

    def __init__(self) -> None:
        super().__init__(0, min_open=True)

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        seconds = super().convert(value, param, ctx)
        if not math.isfinite(seconds):
            self.fail(f"{value!r} is not a finite number of seconds", param, ctx)
        return float(seconds)


class ByteSize(click.ParamType):
    """A positive size in bytes: `16777216`, `16MiB`, `500 KB` (`records.sizes`)."""

    name = "size"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> int:
        try:
            return parse_size(value if isinstance(value, int) else str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def max_body_size_option(help: str) -> Callable[[F], F]:
    """`--max-body-size`: one name, grammar and default on `contract` and `check`."""
    return click.option(
        "--max-body-size",
        type=ByteSize(),
        default="16MiB",
        show_default=True,
        help=help,
    )
