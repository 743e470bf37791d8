"""The library's progress events on stderr: a bar on a terminal, one line a stage in CI.

A command opens a `Display` for its stage and hands `display.on_progress` to the library
(`validate_paths`, `write_fixtures`, `run_contract`). How it shows depends on where
stderr goes, decided once (`display_mode`):

* a terminal: a rich bar with a percentage, the amount done of the total (bytes for
  `validate` of files, fixtures for `fixtures -n`, operations for `contract`) and an ETA,
  redrawn a few times a second; its last state stays on the screen;
* not a terminal with `CI` set (every CI service sets it): one line when the stage starts
  and one when it ends, with counts and the time taken;
* otherwise (a pipe, a file, `-q`): nothing, as before.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

import click

import conformance.cli.colour as colour
from conformance.report.escape import visible
from conformance.report.progress import OnProgress, Progress

if TYPE_CHECKING:  # rich is imported only when a bar is drawn
    from rich.progress import Progress as RichProgress
    from rich.progress import ProgressColumn, Task, TaskID
    from rich.text import Text

#: How often a bar is redrawn, per second.
REFRESH_PER_SECOND = 4


def display_mode(quiet: int) -> str:
    """ "bar", "lines" or "off": see the module docstring."""
    if quiet:
        return "off"
    if sys.stderr.isatty():
        return "bar"
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return "lines"
    return "off"


def amount(done: int, unit: str) -> str:
    """`160.2 MB`, `300,000 fixtures`, `1 operation`: an amount as a person reads it."""
    if unit == "bytes":
        from rich.filesize import decimal

        return decimal(done)
    noun = unit[:-1] if done == 1 and unit.endswith("s") else unit
    return f"{done:,} {noun}"


class Display:
    """One stage's progress on stderr (`mode`: "bar", "lines" or "off")."""

    def __init__(self, stage: str, mode: str) -> None:
        self.stage = stage
        self.mode = mode
        self._started = time.monotonic()
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None

    @property
    def on_progress(self) -> OnProgress | None:
        """What the library is given: None when nothing is drawn, so it does no counting."""
        return None if self.mode == "off" else self

    def __call__(self, event: Progress) -> None:
        if self.mode == "lines":
            if event.phase == "start":
                self._started = time.monotonic()
                whole = "standard input" if event.total is None else amount(event.total, event.unit)
                click.echo(visible(f"runconform {self.stage}: started ({whole})"), err=True)
        elif self.mode == "bar":
            self._draw(event)

    def _draw(self, event: Progress) -> None:
        if self._bar is None:
            self._bar = _new_bar(event)
            self._bar.start()
            self._task = self._bar.add_task(self.stage, total=event.total, unit=event.unit)
        assert self._task is not None
        described = f"{self.stage} {event.label}".strip()
        self._bar.update(self._task, completed=event.done, description=described)
        if event.phase == "finish" and event.total is not None:
            self._bar.update(self._task, completed=event.total)

    def stdout(self, stream: IO[str]) -> IO[str]:
        """Where to write what goes to `stream` while a bar may be drawn: above the bar
        when `stream` is the terminal too, so lines and the bar do not overwrite each other."""
        if self.mode != "bar" or not stream.isatty():
            return stream
        return _AboveTheBar(self, stream)  # type: ignore[return-value]  # writes like a file

    def stop(self) -> None:
        """Leave the bar's last state on the screen; later output goes below it."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def finished(self, summary: str) -> None:
        """The stage is over: in CI, its line with `summary` and the time it took."""
        self.stop()
        if self.mode == "lines":
            took = time.monotonic() - self._started
            line = f"runconform {self.stage}: finished in {took:.1f} s: {summary}"
            click.echo(visible(line), err=True)


class _AboveTheBar:
    """A text stream whose whole lines are printed above the live bar (through its console)."""

    def __init__(self, display: Display, stream: IO[str]) -> None:
        self._display = display
        self._stream = stream
        self._pending = ""

    def write(self, text: str) -> int:
        bar = self._display._bar
        if bar is None:
            self._flush_pending()
            return self._stream.write(text)
        from rich.text import Text

        lines = (self._pending + text).split("\n")
        self._pending = lines.pop()
        for line in lines:
            bar.console.print(Text.from_ansi(line), soft_wrap=True, highlight=False)
        return len(text)

    def _flush_pending(self) -> None:
        if self._pending:
            self._stream.write(self._pending)
            self._pending = ""

    def flush(self) -> None:
        if self._display._bar is None:
            self._flush_pending()
        self._stream.flush()

    def isatty(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _new_bar(first: Progress) -> RichProgress:
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        SpinnerColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.progress import Progress as RichProgress

    known = first.total is not None
    count = DownloadColumn() if first.unit == "bytes" else MofNCompleteColumn()
    columns = [
        TextColumn("{task.description}"),
        BarColumn() if known else SpinnerColumn(),
        *([TaskProgressColumn()] if known else []),
        count,
        TimeElapsedColumn(),
        *([_eta_column()] if known else []),
    ]
    return RichProgress(
        *columns,
        console=colour.console(stderr=True),
        refresh_per_second=REFRESH_PER_SECOND,
        redirect_stdout=False,
        redirect_stderr=False,
    )


def _eta_column() -> ProgressColumn:
    """`eta 0:01:05` from the rate so far (rich's own column waits for a speed sample)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Eta(ProgressColumn):
        def render(self, task: Task) -> Text:
            if task.finished or not task.total:
                return Text("")
            if not task.completed or not task.elapsed:
                return Text("eta -:--:--", style="progress.remaining")
            left = task.elapsed * (task.total - task.completed) / task.completed
            minutes, seconds = divmod(int(left + 0.5), 60)
            hours, minutes = divmod(minutes, 60)
            return Text(f"eta {hours}:{minutes:02d}:{seconds:02d}", style="progress.remaining")

    return Eta()


@contextmanager
def display(stage: str, quiet: int) -> Iterator[Display]:
    """A `Display` for `stage`, its bar removed from the live screen however the block ends."""
    shown = Display(stage, display_mode(quiet))
    try:
        yield shown
    finally:
        shown.stop()
