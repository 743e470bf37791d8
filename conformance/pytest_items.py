"""Recorded responses as pytest items: one item per record of every configured recording.

Registered by ``conformance.pytest_plugin`` (its ``pytest_plugins``). A file matched by the
``runconform_recordings`` ini option becomes a collector; each record it holds, and each
problem reading it, becomes an item whose failure shows the validator's lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.pytest_state import STATE, describe, failure_lines, relative

_SPACED_LABEL = re.compile(r"^(\w+) (\d+)$")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    state = parent.config.stash.get(STATE, None)
    if state is None or not state.recordings or not state.matches(file_path):
        return None
    return RecordingFile.from_parent(parent, path=file_path)


class RecordingFile(pytest.File):
    """A recording file: one item per record, one failing item per read problem."""

    def collect(self) -> Iterator[pytest.Item]:
        from conformance.records import ReadProblem, read_records

        seen: dict[str, int] = {}
        for entry in read_records(self.path):
            if isinstance(entry, ReadProblem):
                name = _item_name(entry.locator.label) or entry.kind
            else:
                name = _item_name(entry.locator.label) or f"record[{entry.locator.index}]"
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:
                name = f"{name}#{seen[name]}"
            # nodeid given whole: pytest >= 9 parses "[...]" of stored ids (--lf) as params
            nodeid = f"{self.nodeid}::{name}"
            yield RecordItem.from_parent(self, name=name, nodeid=nodeid, entry=entry)


def _item_name(label: str) -> str:
    match = _SPACED_LABEL.match(label)
    return f"{match[1]}[{match[2]}]" if match else label


class RecordFailure(Exception):
    """A record that does not conform: the lines to show."""


class RecordItem(pytest.Item):
    """One record (or one read problem) of a recording file."""

    def __init__(self, *, entry: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entry = entry

    def _where(self) -> str:
        rel = relative(self.path, self.config.rootpath)
        line = self.entry.locator.line
        return f"{rel}:{line}" if line is not None else rel

    def runtest(self) -> None:
        from conformance.records import ReadProblem
        from conformance.validation import validate_record

        state = self.config.stash[STATE]
        entry = self.entry
        result = validate_record(
            entry,
            schema=None if isinstance(entry, ReadProblem) else state.schema_for(self.path),
            vendor=state.vendor,
            identify=state.identify,
            options=state.options(),
        )
        state.record(self.nodeid, "recording", result)
        if isinstance(entry, ReadProblem):
            raise RecordFailure(f"{self._where()}: cannot read: {entry.message} [{entry.kind}]")
        if not result.ok:
            lines = [f"{self._where()}: {describe(result)}", *failure_lines(result)]
            if result.chosen_by == "none":
                lines.append(
                    "(set the runconform_schema ini option for this file, "
                    "or pass --runconform-identify)"
                )
            raise RecordFailure("\n".join(lines))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, RecordFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.entry.locator.line
        return self.path, None if line is None else line - 1, self.name
