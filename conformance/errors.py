"""Exceptions and exit codes shared by every layer.

Each exception carries the exit code the CLI maps it to, so the mapping lives in
one place and the library never has to know about processes.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes: one meaning each (documented in the README)."""

    OK = 0
    NON_CONFORMING = 1
    USAGE = 2
    BUNDLE = 3
    UNREADABLE = 4


#: What each exit code means, in the words every report and the README use.
EXIT_MEANINGS: dict[int, str] = {
    ExitCode.OK: "all conform",
    ExitCode.NON_CONFORMING: "non-conforming data",
    ExitCode.USAGE: "usage error",
    ExitCode.BUNDLE: "schema or bundle problem",
    ExitCode.UNREADABLE: "unreadable input",
}


class ConformanceError(Exception):
    """Base of every error runconform raises on purpose; carries an exit code."""

    exit_code: ExitCode = ExitCode.BUNDLE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(ConformanceError):
    """The caller asked for something that does not exist or cannot be combined."""

    exit_code = ExitCode.USAGE


class UnknownObjectError(UsageError):
    """A `vendor.Object` name that the bundle does not hold, or holds more than once."""

    def __init__(self, name: str, candidates: tuple[str, ...], *, ambiguous: bool = False) -> None:
        self.name = name
        self.candidates = candidates
        if ambiguous:
            message = f"ambiguous object name {name!r}: matches {', '.join(candidates)}"
        elif candidates:
            message = f"unknown object {name!r}; did you mean: {', '.join(candidates)}?"
        else:
            message = f"unknown object {name!r}; `runconform schemas list` shows the bundle"
        super().__init__(message)


class BundleError(ConformanceError):
    """A schema, contract, manifest or erratum is missing, malformed or inconsistent."""

    exit_code = ExitCode.BUNDLE

    def __init__(self, message: str, *, file: str | None = None, pointer: str | None = None):
        self.file = file
        self.pointer = pointer
        where = ""
        if file:
            where = file + (f"#{pointer}" if pointer is not None else "") + ": "
        super().__init__(where + message)


class InputError(ConformanceError):
    """An input file could not be read."""

    exit_code = ExitCode.UNREADABLE


#: Optional dependencies: top-level module -> (its name, what needs it, the extra installing it).
#: The core install validates, identifies, maps, generates fixtures, serves and lints; the
#: heavy property-testing engines come with an extra, so a pre-commit hook stays light.
OPTIONAL: dict[str, tuple[str, str, str]] = {
    "schemathesis": ("Schemathesis", "contract testing", "contract"),
    "requests": ("requests", "contract testing", "contract"),
    "hypothesis": ("Hypothesis", "Hypothesis strategies", "hypothesis"),
    "hypothesis_jsonschema": ("hypothesis-jsonschema", "its backend", "hypothesis"),
    "dask": ("Dask", "--engine dask", "dask"),
    "distributed": ("Dask distributed", "--engine dask", "dask"),
    "zstandard": ("zstandard", "reading zstd-compressed recordings", "compressed"),
    "fsspec": ("fsspec", "reading recordings from URLs", "remote"),
}


class MissingExtraError(UsageError):
    """A command needs an optional dependency this install lacks; says which extra has it."""

    def __init__(self, module: str) -> None:
        name, purpose, extra = OPTIONAL[module]
        self.extra = extra
        super().__init__(
            f"{purpose} needs {name}, which is not installed: pip install 'runconform[{extra}]'"
        )


def missing_extra(error: ImportError) -> MissingExtraError | None:
    """The `MissingExtraError` an import failure stands for; None when it is not one."""
    module = (error.name or "").partition(".")[0]
    return MissingExtraError(module) if module in OPTIONAL else None
