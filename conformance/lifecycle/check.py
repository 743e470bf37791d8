"""Checking the lifecycles of the runs in a set of recordings: the library entry point.

Every record is given the schema validation would judge it against (named, routed or
identified, `conformance.validation.choose`), every run it shows is observed, and the
observations of each run are compared in time order. The result becomes report cases
(one per run seen more than once), so every writer shows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from conformance.lifecycle.observations import observations_of
from conformance.lifecycle.tracker import LifecycleTracker, RunTally, short_id
from conformance.records import Record, read_records
from conformance.report.cases import Case
from conformance.validation.choose import choose_schema
from conformance.words import plural


@dataclass(frozen=True)
class LifecycleResult:
    """The runs followed through a set of recordings and what their lifecycles broke."""

    runs: tuple[RunTally, ...]
    observations: int
    ordered_by: tuple[tuple[str, int], ...]  # (how pairs were put in time order, pairs)

    @property
    def followed(self) -> tuple[RunTally, ...]:
        """The runs observed more than once: the only ones a lifecycle can be checked on."""
        return tuple(run for run in self.runs if run.observations > 1)

    @property
    def failing(self) -> tuple[RunTally, ...]:
        return tuple(run for run in self.runs if run.findings)

    @property
    def line(self) -> str:
        """One line for a footer: what was followed and what broke."""
        if not self.followed:
            return (
                f"lifecycle: no run was observed twice ({plural(self.observations, 'observation')}"
                f" of {plural(len(self.runs), 'run')}): nothing to compare"
            )
        order = ", ".join(f"{how} ({plural(n, 'pair')})" for how, n in self.ordered_by)
        return (
            f"lifecycle: {plural(len(self.followed), 'run')} followed over "
            f"{plural(self.observations, 'observation')}, {len(self.failing):,} broke a rule; "
            f"ordered by {order}"
        )


def check_lifecycle(
    paths: Iterable[str | Path],
    *,
    schema: str | None = None,
    vendor: str | None = None,
    identify: bool = False,
    input_format: str | None = None,
    stuck_after: float | None = None,
) -> LifecycleResult:
    """Follow every run in `paths` through its observations (unreadable inputs are
    skipped here: validation reports them); `stuck_after`: see `LifecycleTracker`."""
    tracker = LifecycleTracker(stuck_after)
    seq = 0
    for record in read_records(list(paths), format=input_format):
        if not isinstance(record, Record):
            continue
        chosen = choose_schema(record, schema=schema, vendor=vendor, identify=identify)
        for seen in observations_of(record, chosen.schema, seq):
            tracker.observe(seen)
        seq += 1
    tracker.finish()
    return LifecycleResult(
        tuple(tracker.runs()), tracker.observations, tuple(tracker.ordered_by.most_common())
    )


def lifecycle_cases(result: LifecycleResult) -> Iterator[Case]:
    """One case per run observed more than once: failed when it broke a rule; or one
    untested case when no run was observed twice (nothing was checked, never a pass)."""
    if not result.followed:
        yield Case(
            "lifecycle", "lifecycle", "runconform.lifecycle", "untested", message=result.line
        )
        return
    for run in result.followed:
        yield Case(
            "lifecycle",
            f"run {short_id(run.run_id)} ({plural(run.observations, 'observation')}, "
            f"first at {run.first})",
            run.lifecycle,
            "failed" if run.findings else "passed",
            run.findings,
            run.findings[0].file if run.findings else None,
            run.findings[0].line if run.findings else None,
            details={"run_id": run.run_id, "observations": run.observations},
        )
