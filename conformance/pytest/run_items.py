"""Runs as pytest items (`--runconform-lifecycle`): one per run observed more than once.

The recordings are read once, when they are collected (`items.RecordingFile`): every run
each record shows is handed to the session's `LifecycleTracker` as it streams by. When
collection ends, each run seen twice or more becomes an item, failing with its lifecycle
findings; when no run was seen twice, one item fails (nothing checked is never a pass).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.pytest.state import STATE, relative
from conformance.report.escape import visible
from conformance.words import plural


def observer(config: pytest.Config, path: Path) -> Callable[[Any], None] | None:
    """What hands the runs of `path`'s records to the session's tracker; None when the
    session does not follow runs."""
    state = config.stash.get(STATE, None)
    if state is None or state.runs is None:
        return None
    from conformance.lifecycle.observations import observations_of
    from conformance.records import Record
    from conformance.validation.choose import choose_schema

    tracker, schema = state.runs, state.schema_for(path)
    shown = visible(relative(path, config.rootpath))  # as the records' items name the file

    def observe(entry: Any) -> None:
        if not isinstance(entry, Record):
            return  # its own item fails it
        entry = entry._replace(locator=entry.locator._replace(file=shown))
        chosen = choose_schema(entry, schema=schema, vendor=state.vendor, identify=state.identify)
        for seen in observations_of(entry, chosen.schema, tracker.observations):
            tracker.observe(seen)

    return observe


def pytest_collection_modifyitems(session: pytest.Session, items: list[pytest.Item]) -> None:
    state = session.config.stash.get(STATE, None)
    if state is None or state.runs is None:
        return
    tracker, state.runs = state.runs, None  # collected once, even if collection runs again
    tracker.finish()
    runs = [run for run in tracker.runs() if run.observations > 1]
    if not runs:
        items.append(
            RunItem.from_parent(
                session,
                name="lifecycle",
                nodeid="runconform::lifecycle",
                run=None,
                observations=tracker.observations,
            )
        )
        return
    for run in runs:
        name = f"run[{visible(run.run_id)}]"
        nodeid = f"runconform::lifecycle::{visible(run.lifecycle)}::{name}"
        items.append(
            RunItem.from_parent(
                session, name=name, nodeid=nodeid, run=run, observations=run.observations
            )
        )


class LifecycleFailure(Exception):
    """A run that broke its lifecycle (or no run to follow): the lines to show."""


class RunItem(pytest.Item):
    """One run followed through the recordings."""

    def __init__(self, *, run: Any, observations: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run = run
        self.observations = observations

    def runtest(self) -> None:
        if self.run is None:
            raise LifecycleFailure(
                "no run was observed twice in the recordings "
                f"({plural(self.observations, 'observation')}): no lifecycle was checked"
            )
        if not self.run.findings:
            return
        from conformance.report.text import finding_line, location

        lines = [f"run {self.run.run_id} ({self.run.lifecycle}) broke its lifecycle:"]
        for finding in self.run.findings:
            lines.append(finding_line(finding, location(finding)))
        raise LifecycleFailure("\n".join(lines))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, LifecycleFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[str, int | None, str]:
        return "runconform", None, self.name
