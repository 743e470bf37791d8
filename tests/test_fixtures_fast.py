"""The bulk path's shortcuts give exactly what the plain code gives: same draws, same fixtures.

`generate()` makes a RandomChooser's decisions inline in its hottest loops (see
`choosers.RandomChooser`) and renders timestamps and uuids from tables. Each
shortcut is compared here with its reference on many seeded inputs, edge
seeds included: a subclass of RandomChooser takes the method path everywhere,
and the old renderings are kept below as the references.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import date
from typing import Any

import pytest

import conformance.generate as generate_module
from conformance.bundle.catalog import load_catalog
from conformance.generate import generate, generate_invalid
from conformance.generate.choosers import LOWER_ALNUM, RandomChooser, is_plain_random
from conformance.generate.schema_values import _free_object
from conformance.generate.values import OFFSETS, PRECISIONS, stamp, uuid4

NAMES = load_catalog().names()
SEEDS = (0, 1, 7, 20261122, -1, 2**64 - 1, 2**130 + 3)


class MethodChooser(RandomChooser):
    """The same random stream, every decision through a method call (no inline shortcut)."""

    __slots__ = ()


def dumped(items: Any) -> list[str]:
    return [json.dumps(x.sidecar() if hasattr(x, "sidecar") else x) for x in items]


def by_methods(monkeypatch: pytest.MonkeyPatch, make: Any) -> list[str]:
    with monkeypatch.context() as patched:
        patched.setattr(generate_module, "RandomChooser", MethodChooser)
        return dumped(make())


def test_the_subclass_takes_the_method_path() -> None:
    assert is_plain_random(RandomChooser(1)) and not is_plain_random(MethodChooser(1))


@pytest.mark.parametrize("name", NAMES)
def test_inline_decisions_give_the_same_fixtures(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for seed in SEEDS:
        for minimal in (False, True):
            fast = dumped(generate(name, 60, seed, minimal=minimal))
            again = lambda s=seed, m=minimal: generate(name, 60, s, minimal=m)  # noqa: E731
            slow = by_methods(monkeypatch, again)
            assert fast == slow, (name, seed, minimal)
    fast = dumped(generate_invalid(name, 30, 5))
    assert fast == by_methods(monkeypatch, lambda: generate_invalid(name, 30, 5)), name


def test_inline_free_objects_match_the_method_path() -> None:
    for seed in SEEDS:
        fast, slow = RandomChooser(seed), MethodChooser(seed)
        for _ in range(3000):
            assert _free_object(fast, 0) == _free_object(slow, 0)
        assert fast.random() == slow.random()  # the same number of draws taken


def test_text_matches_random_choices() -> None:
    for seed in SEEDS:
        chooser, reference = RandomChooser(seed), random.Random(seed)
        for lo, hi in ((0, 0), (1, 1), (4, 6), (12, 16), (0, 40)):
            for alphabet in (LOWER_ALNUM, "x", "0123456789abcdef"):
                size = lo + int(reference.random() * (hi - lo + 1))
                expected = "".join(reference.choices(alphabet, k=size))
                assert chooser.text(alphabet, lo, hi) == expected


def reference_stamp(ms: int, digits: int = 3, offset: int = 0) -> str:
    """The rendering before the tables: divmod and f-strings per field."""
    local = ms + offset * 60_000
    days, rest = divmod(local, 86_400_000)
    hour, rest = divmod(rest, 3_600_000)
    minute, rest = divmod(rest, 60_000)
    second, milli = divmod(rest, 1000)
    day = date.fromordinal(date(1970, 1, 1).toordinal() + days).isoformat()
    text = f"{day}T{hour:02d}:{minute:02d}:{second:02d}"
    if digits == 3:
        text += f".{milli:03d}"
    elif digits == 6:
        text += f".{milli:03d}000"
    if offset == 0:
        return text + "Z"
    sign = "+" if offset > 0 else "-"
    return text + f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"


def test_stamps_match_the_reference_rendering() -> None:
    rng = random.Random(17)
    edges = [
        0,
        -1,
        1,
        999,
        1000,
        86_399_999,
        86_400_000,
        -86_400_000,
        253_402_214_399_999,
    ]  # the last whole day of year 9999
    instants = edges + [rng.randrange(-(10**12), 10**13) for _ in range(30_000)]
    offsets = (*OFFSETS, -59, 1, 59, 840, -720, 61)
    for ms in instants:
        for digits in (*PRECISIONS, 1, 9):
            offset = offsets[rng.randrange(len(offsets))]
            assert stamp(ms, digits, offset) == reference_stamp(ms, digits, offset)
            assert stamp(ms, digits) == reference_stamp(ms, digits)


class FixedBits:
    """A chooser stand-in whose `bits` returns the given values."""

    def __init__(self, values: list[int]) -> None:
        self.values = values

    def bits(self, k: int) -> int:
        assert k == 128
        return self.values.pop()


def test_uuids_match_the_standard_library() -> None:
    rng = random.Random(3)
    values = [0, 2**128 - 1, 1 << 76, 0xF << 76, 0x3 << 62] + [
        rng.getrandbits(128) for _ in range(20_000)
    ]
    chooser = FixedBits(list(reversed(values)))
    for bits in values:
        made = uuid4(chooser)  # type: ignore[arg-type]  # only `bits` is called
        assert made == str(uuid.UUID(int=bits, version=4))
