"""What coverage is made of: a sighting (what one record showed) and a kind's result.

A counter (`coverage_kinds`) `observe`s every `Sighting` and, at the end, answers one
`CoverageKind` per vendor: what is declared, which of it was seen, what was seen that
is not declared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar, Protocol, Self

from conformance.records import Record
from conformance.validation.routing import Route


@dataclass(frozen=True)
class Sighting:
    """What one record showed, attributed to one vendor.

    `objects` are the run objects in its body (`vendor.Object`, the object), nested ones
    (list items, a details page's run) included; `statuses` the run status values it
    showed, per object (a bare status body, as Hatchet's get-status returns, counts for
    every run object whose status field is that schema).
    """

    vendor: str
    record: Record
    route: Route | None
    objects: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    statuses: tuple[tuple[str, object], ...] = ()
    schema: str | None = None  # the object the record was judged as


@dataclass(frozen=True)
class CoverageKind:
    """One kind of coverage of one vendor: declared items, and which of them were seen.

    `seen` holds declared items only, in declared order; `undeclared` what was seen that
    the vendor does not declare. `notes` are further labelled lists of unseen items
    (fields: `only ever null`); `message` says why a kind could not be seen at all.
    """

    vendor: str
    name: str
    verb: str  # what happens to an item when it is covered: "called", "seen", "present"
    declared: tuple[str, ...]
    seen: tuple[str, ...]
    undeclared: tuple[str, ...] = ()
    notes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    message: str = ""

    @property
    def unseen(self) -> tuple[str, ...]:
        covered = set(self.seen)
        return tuple(item for item in self.declared if item not in covered)

    @property
    def percent(self) -> Fraction | None:
        """Exactly seen / declared * 100; None when nothing is declared."""
        return Fraction(100 * len(self.seen), len(self.declared)) if self.declared else None

    @property
    def shown_percent(self) -> str:
        return shown_percent(self.percent)

    def never(self, item: str) -> str:
        """The sentence a person reads about an unseen item."""
        for label, items in self.notes:
            if item in items:
                return f"{item} was {label}"
        return f"{item} was never {self.verb}"


def floor_tenth(percent: Fraction) -> Fraction:
    """Rounded down to a tenth: 99.96 % shows as 99.9 %, never as a 100 % it is not."""
    return Fraction(int(percent * 10), 10)


def shown_percent(percent: Fraction | None) -> str:
    """`16.6 %` (rounded down to a tenth), or `n/a` when nothing is declared."""
    if percent is None:
        return "n/a"
    tenths = int(percent * 10)
    return f"{tenths // 10}.{tenths % 10} %"


class Counter(Protocol):
    """One kind: sees every sighting, then reports per vendor. The counts of a `part()`
    of the input `merge` after the counts of the parts before it (associatively)."""

    name: ClassVar[str]

    @classmethod
    def part(cls) -> Self: ...

    def observe(self, seen: Sighting) -> None: ...

    def merge(self, other: Self) -> None: ...

    def result(self, vendor: str) -> CoverageKind: ...
