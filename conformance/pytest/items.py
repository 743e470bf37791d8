"""Recorded responses as pytest items: one item per record of every configured recording.

Registered by ``conformance.pytest.plugin`` (its ``pytest_plugins``). A file matched by the
``runconform_recordings`` ini option becomes a collector; each record it holds, and each
problem reading it, becomes an item whose failure shows the validator's lines.

Streamed, as the CLI reads: collection reads a file's records only to name its items and
keeps none of them; an item reads its file again when it runs. pytest keeps every item
(and its reports) for the whole session, so a file of more than ``MAX_RECORD_ITEMS``
records is one item, ``FILE::records``, that judges them all as it streams them.

Paths pytest's own walk passes over are items too, failing as ``runconform validate``
reports them: a configured path that does not exist, a broken link, a link loop, a FIFO, a
configured folder holding no recording file (nothing checked is never a pass). As the CLI's
walk, a folder's recordings are what it holds without following a folder link, and a
folder link that leads back above itself is not walked at all (pytest would walk the loop
until the kernel refuses, collecting its recordings again at every level).

Item names count from 1, as the lines users see: `line[3]` is line 3, `record[1]`,
`document[1]`, `interaction[1]` and `entries[1]` the first of their file (the readers'
labels count from 0, as indices into the file's array). A failure's first line is
what is wrong, so that pytest's one-line summary (`-ra`) shows it; where it is follows.

Names and node ids show a file name as the CLI does (``xmlescape.visible``): a newline in
it would start an output line of its own, and ``::error ...`` is a GitHub workflow command.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from conformance.pytest.run_items import observer
from conformance.pytest.state import STATE, describe, failure_lines, first_error, relative
from conformance.records.recording_files import recording_files
from conformance.report.escape import visible

_SPACED_LABEL = re.compile(r"^(\w+) (\d+)$")
_INDEXED_LABEL = re.compile(r"^(\w+)\[(\d+)\]$")
#: Above this many records a file is one item: an item costs pytest kilobytes for the session.
MAX_RECORD_ITEMS = 1000
#: The failing records a `FILE::records` item shows; the report holds every verdict.
MAX_SHOWN = 20
_JUDGED = pytest.StashKey[dict[Path, "_Verdicts"]]()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    state = parent.config.stash.get(STATE, None)
    if state is None or not state.recordings or not state.matches(file_path):
        return None
    return RecordingFile.at(parent, file_path)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """A folder link under the recordings that leads back to a folder above it is not
    walked: what it holds is collected once, where it is."""
    state = config.stash.get(STATE, None)
    if state is None or not state.recordings or not _loops(collection_path):
        return None
    return True if state.under_recordings(collection_path) else None


def _loops(path: Path) -> bool:
    """Whether `path` is a link to a folder the walk came through to reach it."""
    if not path.is_symlink():
        return False
    target = os.path.realpath(path)
    return any(os.path.realpath(above) == target for above in Path(os.path.abspath(path)).parents)


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, Any]:
    """Add what pytest's walk skips: missing configured paths, broken links, link loops,
    FIFOs, configured folders without a recording."""
    report = yield
    state = collector.config.stash.get(STATE, None)
    if state is None or not state.recordings or not report.passed:
        return report
    if isinstance(collector, pytest.Session):
        extra = _missing(collector, state)
    elif isinstance(collector, pytest.Directory):
        extra = _not_regular(collector, state) + _empty(collector, state)
    else:
        extra = []
    report.result.extend(RecordingFile.at(collector, path) for path in extra)
    return report


def _missing(session: pytest.Session, state: Any) -> list[Path]:
    """Configured paths (not globs) that do not exist, under what this session collects."""
    config = session.config
    roots = [Path(config.invocation_params.dir, arg.split("::")[0]) for arg in config.args]
    roots = [Path(os.path.abspath(root)) for root in roots]
    found = []
    for entry in state.recordings:
        path = Path(os.path.abspath(state.rootpath / entry))
        if any(c in entry for c in "*?[") or path.exists():
            continue
        if any(root == path or root in path.parents for root in roots):
            state.special.add(path)
            found.append(path)
    return found


def _not_regular(directory: pytest.Directory, state: Any) -> list[Path]:
    """Entries of a walked directory that are neither files nor folders (FIFOs, broken
    links, sockets) and that the configuration names as recordings."""
    found = []
    try:
        entries = sorted(os.scandir(directory.path), key=lambda e: e.name)
    except OSError:  # pytest's own walk reports an unreadable directory
        return []
    for entry in entries:
        path = Path(entry.path)
        try:
            regular = entry.is_dir() or entry.is_file()
        except OSError:  # a link loop (ELOOP): pytest's walk drops it, the CLI cannot read it
            regular = False
        if regular or path in state.special:
            continue
        if directory.ihook.pytest_ignore_collect(collection_path=path, config=directory.config):
            continue
        if state.matches(path):
            state.special.add(path)
            found.append(path)
    return found


def _empty(directory: pytest.Directory, state: Any) -> list[Path]:
    """The walked directory, when the configuration names it and it holds no recording."""
    where = Path(os.path.abspath(directory.path))
    real = Path(os.path.realpath(where))
    if where not in state.folders() or real in state.special or _holds_recordings(where):
        return []
    state.special.add(real)
    return [where]


def _holds_recordings(top: Path) -> bool:
    """Whether `runconform validate TOP` finds a recording file: its walk skips hidden
    names and follows no folder link. An unreadable folder counts: pytest reports it."""
    errors: list[OSError] = []
    return next(recording_files(str(top), errors), None) is not None or bool(errors)


class RecordingFile(pytest.File):
    """A recording file: one item per record, one failing item per read problem."""

    @classmethod
    def at(cls, parent: pytest.Collector, path: Path) -> RecordingFile:
        """The recording at `path`, named as `visible` shows its file name."""
        node = cls.from_parent(parent, path=path)
        name, nodeid = visible(node.name), visible(node.nodeid)
        if (name, nodeid) == (node.name, node.nodeid):
            return node
        return cls.from_parent(parent, path=path, name=name, nodeid=nodeid)

    def collect(self) -> list[pytest.Item]:
        from conformance.records import ReadProblem, read_records

        slots: list[tuple[str, int | None]] = []
        observe = observer(self.config, self.path)
        stream = read_records(self.path)
        try:
            for entry in stream:
                if observe is not None:
                    observe(entry)
                if len(slots) == MAX_RECORD_ITEMS:  # too many to be items: one for them all
                    while observe is not None and (rest := next(stream, None)) is not None:
                        observe(rest)  # the runs of the rest are still followed
                    nodeid = f"{self.nodeid}::records"
                    return [RecordsItem.from_parent(self, name="records", nodeid=nodeid)]
                fallback = entry.kind if isinstance(entry, ReadProblem) else "record[{}]"
                index = entry.locator.index
                name = _item_name(entry.locator.label) or fallback.format((index or 0) + 1)
                slots.append((name, entry.locator.line))
        finally:
            stream.close()
        seen: dict[str, int] = {}
        items: list[pytest.Item] = []
        for position, (name, line) in enumerate(slots):
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:
                name = f"{name}#{seen[name]}"
            # nodeid given whole: pytest >= 9 parses "[...]" of stored ids (--lf) as params
            nodeid = f"{self.nodeid}::{name}"
            items.append(
                RecordItem.from_parent(self, name=name, nodeid=nodeid, position=position, line=line)
            )
        return items


def _item_name(label: str) -> str:
    """`line 3` -> `line[3]`, `record[0]` -> `record[1]`: every number counts from 1."""
    match = _SPACED_LABEL.match(label)
    if match:
        return f"{match[1]}[{match[2]}]"
    match = _INDEXED_LABEL.match(label)
    return f"{match[1]}[{int(match[2]) + 1}]" if match else visible(label)


class RecordFailure(Exception):
    """A record that does not conform: the lines to show."""


class _Judge:
    """Judges the records of one file: what the file decides (schema, name) worked out once."""

    def __init__(self, config: pytest.Config, path: Path) -> None:
        state = config.stash[STATE]
        self.path = path
        self.rel = visible(relative(path, config.rootpath))
        self.schema = state.schema_for(path)
        self.vendor, self.identify, self.options = state.vendor, state.identify, state.options()

    def __call__(self, entry: Any) -> tuple[Any, str | None]:
        """The verdict on one record (or read problem), and its failure text if any."""
        from conformance.records import ReadProblem
        from conformance.validation.engine import validate_record

        problem = isinstance(entry, ReadProblem)
        result = validate_record(
            entry,
            schema=None if problem else self.schema,
            vendor=self.vendor,
            identify=self.identify,
            options=self.options,
        )
        if result.ok and not problem:
            return result, None
        line = entry.locator.line
        where = self.rel if line is None else f"{self.rel}:{line}"
        if problem:
            from conformance.report.findings import Finding
            from conformance.report.text import finding_line, location

            message = "cannot read: " + entry.message.removeprefix("cannot read: ")
            unread = Finding("error", "read", entry.kind, "", message)
            said = finding_line(unread, location(unread, where))  # as the CLI's
            return result, f"{message} [{entry.kind}]\n{said}"
        from conformance.report.placement import placed

        result = placed(result)
        lines = [
            first_error(result),
            f"{where}: {describe(result)}",
            *failure_lines(result, where, self.rel),
        ]
        if result.chosen_by == "none":
            lines.append(
                "(set the runconform_schema ini option for this file, "
                "or pass --runconform-identify)"
            )
        return result, "\n".join(lines)


_Verdicts = list[tuple[Any, "str | None"] | None]


def _judge_file(config: pytest.Config, path: Path) -> _Verdicts:
    """The verdicts on a file's records (no more than its items), judged in one pass."""
    from conformance.records import read_records

    verdicts: _Verdicts = []
    judge = _Judge(config, path)
    stream = read_records(path)
    try:
        for entry in stream:
            if len(verdicts) > MAX_RECORD_ITEMS:
                break
            verdicts.append(judge(entry))
    finally:
        stream.close()
    return verdicts


def _shown(path: Path) -> str:
    """The path an item reports (pytest -vv prints it, JUnit XML's file= holds it)."""
    return visible(os.fspath(path))


class _RecordingItem(pytest.Item):
    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, RecordFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class RecordItem(_RecordingItem):
    """One record (or one read problem) of a recording file; read again when it runs."""

    def __init__(self, *, position: int, line: int | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.position = position
        self.line = line

    def runtest(self) -> None:
        # Every file's verdicts are judged when its first item runs (items may run in any
        # order: pytest-randomly mixes files); each item takes its own, freeing its memory.
        judged = self.config.stash.setdefault(_JUDGED, {})
        verdicts = judged.get(self.path)
        if verdicts is None or self.position >= len(verdicts) or verdicts[self.position] is None:
            verdicts = judged[self.path] = _judge_file(self.config, self.path)  # or run again
        if self.position >= len(verdicts):
            rel = visible(relative(self.path, self.config.rootpath))
            raise RecordFailure(f"{rel}: changed since collection; {self.name} is gone")
        verdict, verdicts[self.position] = verdicts[self.position], None
        assert verdict is not None
        result, failure = verdict
        self.config.stash[STATE].record(self.nodeid, "recording", result)
        if failure is not None:
            raise RecordFailure(failure)

    def reportinfo(self) -> tuple[str, int | None, str]:
        return _shown(self.path), None if self.line is None else self.line - 1, self.name


class RecordsItem(_RecordingItem):
    """Every record of a file too big to be an item per record, judged as it streams."""

    def runtest(self) -> None:
        from conformance.records import read_records

        state = self.config.stash[STATE]
        judge = _Judge(self.config, self.path)
        shown: list[str] = []
        total = failed = 0
        stream = read_records(self.path)
        try:
            for entry in stream:
                result, failure = judge(entry)
                state.record(self.nodeid, "recording", result)
                total += 1
                if failure is not None:
                    failed += 1
                    if len(shown) < MAX_SHOWN:  # the headline of each is the count's
                        shown.append(failure.partition("\n")[2] or failure)
        finally:
            stream.close()
        if failed:
            records = "record" if total == 1 else "records"
            lines = [f"{failed} of {total} {records} failed in {judge.rel}:", *shown]
            if failed > len(shown):
                more = failed - len(shown)
                lines.append(f"... and {more} more (every verdict: --runconform-report PATH)")
            raise RecordFailure("\n".join(lines))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return _shown(self.path), None, self.name
