"""The run invariants' fast screen against the full check, on seeded hostile records.

`check_invariants` answers () straight from the screen (`invariant_screen.screen`) and
runs the full check (`semantics._check`, the reference) only when the screen says no.
So the screen must never say yes where the full check reports: every record below is
judged both ways and the findings (severity, kind, keyword, pointer, message, order)
must be the same. The records are each profiled example with its timestamps rewritten
(out of order, other precisions, offsets, leap seconds, ISO week dates, `HHMMSS`, comma
fractions, non-ASCII digits, lone surrogates...) and its other invariant fields broken
(missing, null, wrong types, negative, unhashable), so both tiers and the shape test run.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from conftest import example, example_names
from corpus import mutate_once

from conformance.bundle.run_profiles import load_profiles
from conformance.validation.instants import parse_instant
from conformance.validation.invariant_screen import _tiers, screen
from conformance.validation.run_facts import uniform_instants
from conformance.validation.semantics import _check, check_invariants, invariants_hold

PROFILED = sorted(set(load_profiles()) & set(example_names()))
ROUNDS = 1_500


def _digits(text: str, rng: random.Random) -> str:
    """`text` with one ASCII digit swapped for an Arabic-Indic one (\\d in Python's re)."""
    spots = [i for i, c in enumerate(text) if c.isdigit()]
    i = rng.choice(spots)
    return text[:i] + chr(0x660 + int(text[i])) + text[i + 1 :]


def stamp(instant: datetime, rng: random.Random, hostile: float) -> Any:
    """`instant` as text: usually the common `...SS.fffZ`, else one of the shapes that sort
    differently as text, or no instant at all."""
    if rng.random() >= hostile:
        return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"
    digits = rng.choice((0, 1, 2, 3, 6, 7, 9))
    fraction = f"{instant.microsecond:06d}{rng.randrange(1000):03d}"[:digits]
    base = instant.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if digits else "")
    roll = rng.randrange(16)
    if roll == 0:
        offset = timezone(timedelta(minutes=rng.choice((-330, -300, 0, 60, 120, 345))))
        return instant.astimezone(offset).isoformat(timespec="seconds")  # +02:00, -05:30
    if roll == 1:
        return instant.strftime("%Y-%m-%dT23:59:60") + (f".{fraction}" if digits else "") + "Z"
    if roll == 2:
        iso = instant.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}-{iso.weekday}" + base[10:] + "Z"
    if roll == 3:
        return base[:19] + "," + (fraction or "5") + "Z"
    if roll == 4:
        return base[:11] + base[11:19].replace(":", "") + "." + (fraction or "5") + "Z"
    if roll == 5:
        return _digits(base + "Z", rng)
    if roll == 6:
        return base[:10] + "t" + base[11:] + rng.choice("Zz")
    if roll == 7:
        return base + "Z\ud800"[: rng.randrange(1, 3)]
    if roll == 8:
        return base + "Z\n"
    if roll == 9:
        return base[:11] + "24:00:00Z"
    if roll == 10:
        return base[:5] + "13" + base[7:] + "Z"
    if roll == 11:
        return base + "Z|" + base + "Z"
    if roll == 12:
        return rng.choice((None, 0, 1.5, [], {}, "", "yesterday", True))
    if roll == 13:
        return base + "+00:00"
    return base + "Z"  # another precision


def _is_stamp(value: Any) -> bool:
    return parse_instant(value) is not None


def _stamped_paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _stamped_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _stamped_paths(value, (*prefix, i))
    elif _is_stamp(node):
        yield prefix


def _set(root: Any, path: tuple[Any, ...], value: Any) -> None:
    node = root
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def restamp(instance: Any, rng: random.Random, hostile: float) -> Any:
    """Every timestamp of `instance` rewritten: all moved by one shift (order and durations
    kept), or jumbled; of one shape, or not."""
    record = copy.deepcopy(instance)
    shift = timedelta(days=rng.randrange(-900, 900), milliseconds=rng.randrange(-(10**6), 10**6))
    jumble = rng.random() < 0.3
    for path in _stamped_paths(record):
        instant = parse_instant(_get_path(record, path))
        assert instant is not None
        instant += shift
        if jumble:
            instant += timedelta(seconds=rng.uniform(-5, 5))
        _set(record, path, stamp(instant, rng, hostile))
    return record


def _get_path(root: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        root = root[part]
    return root


BREAKS: tuple[Any, ...] = (
    None, -1, -0.5, 0, 1.0, True, float("nan"), 2**80, -(2**80), "3", [], {}, ["running"],
    "running", "completed", "COMPLETED", "queued", "failed", "pending", "cancelled",
)  # fmt: skip


def break_fields(record: Any, name: str, rng: random.Random) -> Any:
    """One invariant field (or its holder) of `record` removed, nulled or mistyped."""
    profile = load_profiles()[name]
    pointers = [p for k, p in profile.items() if isinstance(p, str) and p.startswith("/")]
    pointers += profile.get("counts", ())
    pointers += [c.get("items") or c["item"] for c in profile.get("children", ())]
    key = rng.choice(pointers)[1:].split("/")[0]
    if not isinstance(record, dict):
        return record
    if rng.random() < 0.3:
        record.pop(key, None)
    else:
        record[key] = copy.deepcopy(rng.choice(BREAKS))
    return record


def records(name: str, n: int) -> Iterator[Any]:
    """`n` seeded records of `name`: restamped examples, some with fields broken too."""
    rng = random.Random(name)
    seed = example(name)
    for i in range(n):
        record = restamp(seed, rng, hostile=rng.choice((0.0, 0.0, 0.1, 0.5)))
        roll = rng.random()
        if roll < 0.25:
            record = break_fields(record, name, rng)
        elif roll < 0.4:
            for _ in range(rng.randint(1, 2)):
                record = mutate_once(record, rng)
        elif roll < 0.45 and i % 2:
            record = _children_broken(record, name, rng)
        yield record


def _children_broken(record: Any, name: str, rng: random.Random) -> Any:
    """A nested run object (a step, a row) broken instead of the record itself."""
    for child in load_profiles()[name].get("children", ()):
        items = record.get((child.get("items") or child["item"])[1:])
        if isinstance(items, list) and items and isinstance(items[0], dict):
            target = rng.randrange(len(items))
            items[target] = break_fields(items[target], child["profile"], rng)
        elif isinstance(items, dict):
            break_fields(items, child["profile"], rng)
    return record


def fast_tier_says_clean(record: Any, name: str) -> bool:
    """The first tier's own yes (as `screen` asks it), without the exact second tier."""
    stamps: list[Any] = []
    try:
        return bool(
            isinstance(record, dict)
            and _tiers(name)[0]((record,), stamps)
            and (not stamps or uniform_instants(stamps))
        )
    except TypeError:
        return False


def reference(record: Any, name: str) -> tuple[Any, ...]:
    """The full check alone: what `check_invariants` must answer."""
    if not isinstance(record, dict):
        return ()
    return tuple(_check(record, load_profiles()[name], "", name))


@pytest.mark.parametrize("name", PROFILED)
def test_the_screen_agrees_with_the_full_check(name: str) -> None:
    hold = invariants_hold(name)
    fast_yes = broken = 0
    for record in records(name, ROUNDS):
        expected = reference(record, name)
        assert check_invariants(record, name) == expected, record
        assert hold(record) is (expected == ()), record
        fast_yes += fast_tier_says_clean(record, name)
        broken += expected != ()
    # Both kinds are there: the fast tier answered for many, the full check reported for many.
    assert fast_yes > ROUNDS // 10
    assert broken >= 20


@pytest.mark.parametrize("name", PROFILED)
def test_a_clean_record_of_the_common_shape_is_answered_by_the_fast_tier(name: str) -> None:
    """The fast tier is the one that runs on clean records (else nothing got faster)."""
    rng = random.Random(name)
    for _ in range(50):
        record = restamp(example(name), rng, hostile=0.0)
        if reference(record, name) == () and list(_stamped_paths(record)):
            assert fast_tier_says_clean(record, name), record


def test_text_order_is_time_order_for_uniform_instants() -> None:
    """Where `uniform_instants` says yes, `<=` on the texts never contradicts `<=` on the
    parsed instants (the one fact the fast tier's time order rests on)."""
    rng = random.Random(17)
    base = datetime(2016, 12, 31, 23, 59, 58, tzinfo=UTC)
    agreed = 0
    for _ in range(20_000):
        first, second = (
            stamp(base + timedelta(seconds=rng.uniform(-3, 3)), rng, hostile=0.6) for _ in "ab"
        )
        if not uniform_instants((first, second)):
            continue
        agreed += 1
        early, late = parse_instant(first), parse_instant(second)
        if early is not None and late is not None and first <= second:
            assert early <= late, (first, second)
    assert agreed > 1_000


@pytest.mark.parametrize(
    ("created", "finished"),
    [
        ("2020-01-01T10:00:00.100000Z", "2020-W01-1T10:00:00.100000Z"),  # ISO week: 2019-12-30
        ("2020-01-01T10:00:00,900Z", "2020-01-01T10:00:00.100Z"),  # comma sorts before dot
        ("2020-01-01T10:00:00.9Z", "2020-01-01T100000.123Z"),  # HHMMSS sorts before HH:MM
        ("2020-01-01T10:00:00.999Z", "2020-01-01T10:00:00.١٢٣Z"),  # noqa: RUF001 (digits)
        ("2020-01-01T10:00:00Z", "2020-01-01t09:00:00Z"),  # 't' sorts after 'T'
    ],
)
def test_shapes_that_sort_otherwise_as_text_are_compared_as_instants(
    created: str, finished: str
) -> None:
    """Each pair is in order as text and out of order in time: the run is reported (the
    screen before this one compared them as text and called the run clean)."""
    run = example("restack.WorkflowRunStatus") | {"createdAt": created, "completedAt": finished}
    found = [(f.keyword, f.pointer) for f in check_invariants(run, "restack.WorkflowRunStatus")]
    assert ("time-order", "/completedAt") in found
    assert found == [(f.keyword, f.pointer) for f in reference(run, "restack.WorkflowRunStatus")]


def test_an_unreadable_middle_time_hides_no_order() -> None:
    """created after finished, with a started that is no instant between them: the full
    check compares created with finished, and so must the screen."""
    name = "canonical.WorkflowRun"
    run = example(name) | {
        "created_at": "2026-11-20T10:00:00Z",
        "started_at": "not a time",
        "finished_at": "2026-11-20T09:00:00Z",
    }
    assert not screen(name)(run)
    assert "time-order" in {f.keyword for f in check_invariants(run, name)}
