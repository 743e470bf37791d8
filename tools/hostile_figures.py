"""The figures of the hostile-input tests, from the log `tests/hostile.py` writes.

Run the hostile tests with RUNCONFORM_HOSTILE_LOG=/tmp/hostile.jsonl, then
`python tools/hostile_figures.py` (or give the log's path): how many cases and child runs,
how many ended in exit 70, printed a traceback or were killed at the time bound, the worst
time and the worst peak RSS, and one row per case, largest peak RSS first. These are the
numbers the README's reliability section quotes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

LOG_ENV = "RUNCONFORM_HOSTILE_LOG"


class LogError(Exception):
    """The log cannot be read, or a line of it is not what `tests/hostile.py` writes."""


@dataclass(frozen=True)
class ChildRun:
    """One line of the log: one child process run by `run_child`."""

    case: str
    returncode: int
    seconds: float
    peak_rss_mib: float
    timed_out: bool
    traceback: bool


@dataclass(frozen=True)
class CaseFigures:
    """Every run of one case: its exit codes, its worst time and its worst peak RSS."""

    case: str
    runs: int
    exit_codes: tuple[int, ...]
    worst_seconds: float
    peak_rss_mib: float


@dataclass(frozen=True)
class Figures:
    """The whole log summed up."""

    cases: tuple[CaseFigures, ...]  # largest peak RSS first
    runs: int
    exit_70: int
    tracebacks: int
    timed_out: int
    slowest: ChildRun
    largest: ChildRun


def parse_line(text: str, where: str) -> ChildRun:
    """One JSON line of the log; `LogError` naming `where` when it is not one."""
    try:
        row = json.loads(text)
        run = ChildRun(
            case=row["case"],
            returncode=row["returncode"],
            seconds=row["seconds"],
            peak_rss_mib=row["peak_rss_mib"],
            timed_out=row["timed_out"],
            traceback=row["traceback"],
        )
    except (ValueError, KeyError, TypeError) as error:
        raise LogError(f"{where}: not a run_child record ({error})") from None
    kinds = (
        (run.case, str),
        (run.returncode, int),
        (run.seconds, (int, float)),
        (run.peak_rss_mib, (int, float)),
        (run.timed_out, bool),
        (run.traceback, bool),
    )
    if not all(isinstance(value, kind) for value, kind in kinds):
        raise LogError(f"{where}: not a run_child record (a field has the wrong type)")
    return run


def read_log(path: Path) -> list[ChildRun]:
    """Every run in the log at `path`, in order (blank lines skipped)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise LogError(f"{path}: cannot read: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise LogError(f"{path}: cannot read: not UTF-8 ({error.reason})") from None
    return [
        parse_line(line, f"{path}:{number}")
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip()
    ]


def summarize(runs: Sequence[ChildRun]) -> Figures:
    """The figures of `runs` (at least one)."""
    if not runs:
        raise LogError("the log holds no runs")
    by_case: dict[str, list[ChildRun]] = {}
    for run in runs:
        by_case.setdefault(run.case, []).append(run)
    cases = [
        CaseFigures(
            case=name,
            runs=len(group),
            exit_codes=tuple(sorted({r.returncode for r in group})),
            worst_seconds=max(r.seconds for r in group),
            peak_rss_mib=max(r.peak_rss_mib for r in group),
        )
        for name, group in by_case.items()
    ]
    cases.sort(key=lambda c: (-c.peak_rss_mib, c.case))
    return Figures(
        cases=tuple(cases),
        runs=len(runs),
        exit_70=sum(r.returncode == 70 for r in runs),
        tracebacks=sum(r.traceback for r in runs),
        timed_out=sum(r.timed_out for r in runs),
        slowest=max(runs, key=lambda r: r.seconds),
        largest=max(runs, key=lambda r: r.peak_rss_mib),
    )


def render(figures: Figures) -> Iterable[str]:
    """The summary lines, then the per-case table."""
    yield f"cases: {len(figures.cases)}"
    yield f"child runs: {figures.runs}"
    yield f"exit 70: {figures.exit_70}"
    yield f"tracebacks: {figures.tracebacks}"
    yield f"timed out: {figures.timed_out}"
    yield f"worst time: {figures.slowest.seconds:.2f} s ({figures.slowest.case})"
    yield f"worst peak RSS: {figures.largest.peak_rss_mib:.1f} MiB ({figures.largest.case})"
    yield ""
    codes = {c.case: ",".join(map(str, c.exit_codes)) for c in figures.cases}
    width = max(len("case"), *map(len, codes))
    exits = max(len("exit"), *map(len, codes.values()))
    yield f"{'case':<{width}}  runs  {'exit':<{exits}}  worst s  peak RSS MiB"
    for c in figures.cases:
        yield (
            f"{c.case:<{width}}  {c.runs:>4}  {codes[c.case]:<{exits}}  {c.worst_seconds:>7.2f}"
            f"  {c.peak_rss_mib:>12.1f}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="hostile_figures",
        description="Sum up the run_child log of the hostile-input tests.",
    )
    default = os.environ.get(LOG_ENV)
    parser.add_argument(
        "log",
        nargs="?" if default else None,
        type=Path,
        default=Path(default) if default else None,
        help=f"the JSON-lines log (default: ${LOG_ENV})",
    )
    args = parser.parse_args(argv)
    try:
        figures = summarize(read_log(args.log))
    except LogError as error:
        print(f"hostile_figures: error: {error}", file=sys.stderr)
        return 4
    try:
        sys.stdout.write("".join(f"{line}\n" for line in render(figures)))
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
