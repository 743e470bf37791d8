"""Observations of runs: what one response says about each run it carries.

A get-one body is one observation; a list page, a run detail or a task tree carries one
per run inside it (the run profiles' `children` say where). An observation keeps only
what the lifecycle rules compare, so following a million of them costs memory per run,
not per observation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from conformance.bundle.lifecycles import Lifecycle, lifecycle_of
from conformance.bundle.run_profiles import load_profiles
from conformance.records import Record
from conformance.report.findings import pointer_to_path
from conformance.validation.instants import get, parse_instant

#: Longest text an observation keeps whole. A longer id or field value is kept as a
#: digest and a preview, so a run's state stays small whatever a response holds.
KEPT_CHARS = 200

#: How observations of one run were put in time order, best first.
ORDERED_BY_EXCHANGE = "the time each request was sent"
ORDERED_BY_FILE = "file order"


@dataclass(frozen=True, slots=True)
class Observation:
    """One run as one response showed it."""

    lifecycle: Lifecycle
    run_id: str
    status: str | None
    values: dict[str, Any]  # pointer -> value, for the lifecycle's field rules
    file: str
    line: int | None
    label: str
    pointer: str  # where the run is in the response ("" for the body itself)
    time: datetime | None  # when it was observed, when the recording says
    ordered_by: str  # how `time` was known (ORDERED_BY_*, or the run's own field)
    seq: int  # arrival order, the last resort

    @property
    def key(self) -> tuple[str, str]:
        """Observations with the same key are of the same run."""
        return (self.lifecycle.family, self.run_id)

    @property
    def where(self) -> str:
        """Where a person finds this observation: `runs.har:57`, `runs.jsonl:3 $.rows[1]`."""
        place = f"{self.file}:{self.line}" if self.line is not None else self.file
        if self.line is None and self.label:
            place = f"{self.file}:{self.label}"
        return place if not self.pointer else f"{place} {pointer_to_path(self.pointer)}"


@dataclass(frozen=True, slots=True)
class Digest:
    """A long value, kept as its SHA-256 (compared) and its first characters (shown)."""

    sha256: str
    preview: str

    def __str__(self) -> str:
        return self.preview


def kept(value: Any) -> Any:
    """`value` as an observation keeps it: as it is when small, else as a `Digest`."""
    if value is None or type(value) in (bool, int, float):
        return value
    if type(value) is str and len(value) <= KEPT_CHARS:
        return value
    text = value if type(value) is str else json.dumps(value, sort_keys=True, ensure_ascii=False)
    if len(text) <= KEPT_CHARS:
        return value
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return Digest(digest, text[:60] + "…")


def _run_key(run_id: str) -> str:
    """A run id short enough to keep per run (a long one: its start and a digest)."""
    if len(run_id) <= KEPT_CHARS:
        return run_id
    digest = hashlib.sha256(run_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{run_id[:60]}…#{digest[:16]}"


def observations_of(record: Record, schema: str | None, seq: int) -> Iterator[Observation]:
    """Every run `record` shows, judged as `schema`, in the order they appear in it."""
    if schema is None:
        return
    sent = None
    if record.exchange is not None and record.exchange.started is not None:
        sent = parse_instant(record.exchange.started)
    yield from _walk(record, schema, record.payload, "", sent, seq, 0)


def _walk(
    record: Record, name: str, node: Any, pointer: str, sent: datetime | None, seq: int, depth: int
) -> Iterator[Observation]:
    profile = load_profiles().get(name)
    if profile is None or type(node) is not dict or depth > 8:  # children of children, bounded
        return
    lifecycle = lifecycle_of(name)
    if lifecycle is not None:
        found = _observed(record, lifecycle, profile, node, pointer, sent, seq)
        if found is not None:
            yield found
    for child in profile.get("children", ()):
        if "item" in child:
            yield from _walk(
                record,
                child["profile"],
                get(node, child["item"]),
                pointer + child["item"],
                sent,
                seq,
                depth + 1,
            )
            continue
        items = get(node, child["items"])
        for index, item in enumerate(items if type(items) is list else ()):
            at = f"{pointer}{child['items']}/{index}"
            yield from _walk(record, child["profile"], item, at, sent, seq, depth + 1)


def _observed(
    record: Record,
    lifecycle: Lifecycle,
    profile: dict[str, Any],
    node: dict[str, Any],
    pointer: str,
    sent: datetime | None,
    seq: int,
) -> Observation | None:
    """The observation of one run object; None when it has no usable id."""
    run_id = get(node, lifecycle.id_pointer)
    if type(run_id) not in (str, int) or run_id == "":
        return None  # not a run anyone could follow: validation says what is wrong with it
    status = get(node, lifecycle.status_pointer)
    rules = (*lifecycle.fixed, *lifecycle.forward, *lifecycle.counters)
    time, ordered_by = sent, ORDERED_BY_EXCHANGE
    if time is None and "updated" in profile:
        time = parse_instant(get(node, profile["updated"]))
        ordered_by = f"the run's own {pointer_to_path(profile['updated'])}"
    if time is None:
        ordered_by = ORDERED_BY_FILE
    loc = record.locator
    return Observation(
        lifecycle,
        _run_key(str(run_id)),
        status if type(status) is str and len(status) <= KEPT_CHARS else None,
        {rule.pointer: kept(get(node, rule.pointer)) for rule in rules},
        loc.file,
        loc.line,
        loc.label,
        pointer,
        time,
        ordered_by,
        seq,
    )
