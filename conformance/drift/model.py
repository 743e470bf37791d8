"""What `drift` found: frozen values, one item per thing a vendor sends undocumented."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conformance.drift.classify import KINDS
from conformance.drift.locate import Place
from conformance.records import ReadProblem

#: Distinct undocumented properties tracked per object; more are counted, not itemised.
MAX_UNDOCUMENTED = 1_000
#: Locators kept per item unless asked otherwise (`--examples N`).
EXAMPLES = 5


@dataclass(frozen=True)
class DriftItem:
    """One thing records of `object` carry that its schema does not say (or one
    documented field never seen): how many records, and the first ones."""

    object: str  # the records' object ("vendor.Object"), as chosen for them
    kind: str  # one of classify.KINDS
    field: str  # where in the records: "$.rows[*].region"
    detail: str  # property name, JSON-encoded enum value, format, keyword
    records: int  # records that show it (once each, however often inside one)
    of: int  # records of `object`
    examples: tuple[str, ...] = ()  # locators of the first records that show it
    place: Place | None = None  # the schema node that declares it (a patch's target)
    types: tuple[str, ...] = ()  # undocumented: the JSON types seen, most common first
    inferred: Mapping[str, Any] | None = None  # undocumented: GenSON's schema of the values
    message: str = ""  # other: the first error message
    #: file and line of the first record that shows it: where a SARIF result or a GitHub
    #: annotation points (a corpus-wide item has no one place of its own)
    first: tuple[str, int | None] | None = None

    @property
    def share(self) -> str:
        """`8.1 %`; `<0.1 %` for a share too small to show, never a misleading 0.0."""
        if not self.of:
            return "0.0 %"
        percent = 100 * self.records / self.of
        if 0 < percent < 0.05:
            return "<0.1 %"
        return f"{percent:.1f} %"

    @property
    def is_drift(self) -> bool:
        return self.kind != "unseen"

    def order(self) -> tuple[int, int, str, str, str]:
        return (-self.records, KINDS.index(self.kind), self.object, self.field, self.detail)


@dataclass(frozen=True)
class ObjectDrift:
    """One object's records and what they showed."""

    name: str
    records: int
    items: tuple[DriftItem, ...]
    untracked: int = 0  # sightings of undocumented properties past MAX_UNDOCUMENTED


@dataclass(frozen=True)
class DriftReport:
    """Drift over a corpus: per object, items ordered by the records they affect."""

    objects: tuple[ObjectDrift, ...]
    records: int  # records read
    unattributed: int  # records no object could be chosen for (not counted)
    problems: tuple[ReadProblem, ...]

    @property
    def counted(self) -> int:
        return self.records - self.unattributed

    @property
    def items(self) -> tuple[DriftItem, ...]:
        """Every item of every object, most records first."""
        return tuple(sorted((i for o in self.objects for i in o.items), key=DriftItem.order))

    @property
    def drift(self) -> tuple[DriftItem, ...]:
        return tuple(i for i in self.items if i.is_drift)
