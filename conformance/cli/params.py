"""Option checks shared by several commands, so a bad value is a click usage error (exit 2)."""

from __future__ import annotations

import math

import click


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


_UNITS = {"": 1, "b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3}
_UNITS |= {"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30}


class ByteSize(click.ParamType):
    """A positive size in bytes: `16777216`, `16MiB`, `500 KB` (KiB/MiB/GiB are 1024-based)."""

    name = "size"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> int:
        if isinstance(value, int):
            size = value
        else:
            text = str(value).strip().lower()
            number = text.rstrip("bikmg ")
            unit = text[len(number) :].strip()
            if not number.isdigit() or unit not in _UNITS:
                self.fail(
                    f"{value!r} is not a size: bytes, or a number with KiB, MiB, GiB, KB, MB or GB",
                    param,
                    ctx,
                )
            size = int(number) * _UNITS[unit]
        if size <= 0:
            self.fail(f"{value!r} is not a positive size", param, ctx)
        return size
