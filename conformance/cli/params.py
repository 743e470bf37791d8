"""Click parameter types: an option's value is parsed once, where it is declared.

Two kinds of refusal, each kept as it always read. Range-like types (`Seconds`,
`ByteSize`) call `self.fail`, which click shows as `Error: Invalid value for '--flag':
...` after the usage line. The types that replaced hand parsers in command bodies
(`Header`, `NameValue`, `Rate`, `CommaSeparatedChoice`, `VendorName`) raise
`conformance.errors.UsageError`, so the message stays the one line
`runconform: error: ...` (exit 2) that users and tests already know; click lets an
exception that is not its own pass through parsing unchanged.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import click
from click.shell_completion import CompletionItem

from conformance.bundle.vendors import CANONICAL, VENDORS
from conformance.errors import UsageError
from conformance.records.inputs import is_url
from conformance.records.sizes import parse_size


def check_base_url(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Callback of `-u/--url`: an unparseable or non-http(s) URL is refused before any work."""
    if value is None:
        return None
    from conformance.contract.safety import base_url_problem

    problem = base_url_problem(value)
    if problem:
        raise click.BadParameter(problem)
    return value


def refuse_corpus_flags(paths: Sequence[str | Path], schema: str | None, identify: bool) -> None:
    """What a command reading a corpus (`drift`, `coverage`) refuses before any work:
    --schema with --identify, and standard input named more than once."""
    if schema and identify:
        raise UsageError("--schema and --identify exclude each other")
    if sum(str(path) == "-" for path in paths) > 1:
        raise UsageError("- (standard input) can be read only once")


def flag_of(param: click.Parameter | None) -> str:
    """The long name of an option (`--path-param`), as messages name it."""
    if param is None:
        return "value"
    names = [*param.opts, *param.secondary_opts]
    return max(names, key=len) if names else str(param.name)


class Seconds(click.FloatRange):
    """A positive, finite number of seconds (`nan` and `inf` pass a plain FloatRange)."""

    name = "seconds"

    def __init__(self) -> None:
        super().__init__(0, min_open=True)

    def convert(
        self, value: float, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        seconds = super().convert(value, param, ctx)
        if not math.isfinite(seconds):
            self.fail(f"{value!r} is not a finite number of seconds", param, ctx)
        return float(seconds)


class ByteSize(click.ParamType[int, str | int]):
    """A positive size in bytes: `16777216`, `16MiB`, `500 KB` (`records.sizes`)."""

    name = "size"

    def convert(
        self, value: str | int, param: click.Parameter | None, ctx: click.Context | None
    ) -> int:
        try:
            return parse_size(value if isinstance(value, int) else str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class Header(click.ParamType[tuple[str, str], str | tuple[str, str]]):
    """`'Name: value'` -> `(name, value)`; the value may be empty, the name may not.

    A malformed header is refused without echoing it: it is still likely to hold a
    credential.
    """

    name = "header"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, str]:
        if isinstance(value, tuple):  # already parsed (a default)
            return (str(value[0]), str(value[1]))
        name, sep, text = str(value).partition(":")
        if not sep or not name.strip():
            raise UsageError("--header wants 'Name: value'; one has no name before a ':'")
        return name.strip(), text.strip()


class NameValue(click.ParamType[tuple[str, str], str | tuple[str, str]]):
    """`NAME=VALUE` -> `(name, value)`, both non-empty once stripped (`--path-param`,
    `--expect`)."""

    name = "name=value"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, str]:
        if isinstance(value, tuple):
            return (str(value[0]), str(value[1]))
        text = str(value)
        name, found, rest = text.partition("=")
        if not found or not name.strip() or not rest.strip():
            raise UsageError(f"{flag_of(param)} wants NAME=VALUE, got {text!r}")
        return name.strip(), rest.strip()


class Rate(click.ParamType[float, str | float]):
    """`10`, `10/s` or `600/m` -> requests per second (a float); 0 means unlimited."""

    name = "rate"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, (int, float)):
            return float(value)
        text = str(value)
        number, _, unit = text.partition("/")
        wrong = f"{flag_of(param)} wants N, N/s or N/m, got {text!r}"
        try:
            rate = float(number)
        except ValueError:
            raise UsageError(wrong) from None
        per = {"": 1.0, "s": 1.0, "m": 60.0}.get(unit)
        if per is None or not 0 <= rate < math.inf:  # also refuses nan
            raise UsageError(wrong)
        return rate / per


class CommaSeparatedChoice(click.ParamType[tuple[str, ...], str | tuple[str, ...]]):
    """`junit,json` -> `("junit", "json")`, each one of `choices`; empty parts are skipped.

    `choices` may be a function, called only when a value is given, so a command need not
    import the module that knows them at start-up. With `multiple=True` click hands back
    a tuple per occurrence: `flatten_unique` is the callback that joins them.
    """

    name = "list"

    def __init__(
        self, choices: Sequence[str] | Callable[[], Sequence[str]], what: str = "value"
    ) -> None:
        self._choices = choices
        self.what = what

    @property
    def choices(self) -> Sequence[str]:
        return self._choices() if callable(self._choices) else self._choices

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, ...]:
        if isinstance(value, tuple):
            return tuple(str(v) for v in value)
        names = tuple(filter(None, (part.strip() for part in str(value).split(","))))
        known = self.choices
        for name in names:
            if name not in known:
                raise UsageError(f"unknown {self.what} {name!r}; choose from {', '.join(known)}")
        return names


def flatten_unique(
    _ctx: click.Context, _param: click.Parameter, value: tuple[tuple[str, ...], ...]
) -> tuple[str, ...]:
    """Callback of a repeatable `CommaSeparatedChoice`: `--report junit,json --report har`
    -> `("junit", "json", "har")`, first mention first, each once."""
    return tuple(dict.fromkeys(name for names in value for name in names))


class VendorName(click.ParamType[str, str]):
    """One vendor of the catalog: an API vendor (`bundle.vendors.VENDORS`) or `canonical`."""

    name = "text"  # the metavar stays TEXT, as it was before this was a type
    known = tuple(sorted((CANONICAL, *VENDORS)))

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        vendor = str(value)
        if vendor not in self.known:
            raise UsageError(f"unknown vendor {vendor!r}; known: {', '.join(self.known)}")
        return vendor


class RecordingPath(click.ParamType[str | Path, str | os.PathLike[str]]):
    """A recording to read: a local path (a `Path`), `-`, or a URL kept as typed (a `str`:
    a `Path` would fold `memory://bucket` into `memory:/bucket`); see `records.inputs`."""

    name = "path"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str | Path:
        if isinstance(value, Path):
            return value
        text = os.fsdecode(value) if isinstance(value, str | bytes | os.PathLike) else str(value)
        return text if is_url(text) else Path(text)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        return [CompletionItem(incomplete, type="file")]
