"""How to validate: the settings every verdict depends on, checked once when made."""

from __future__ import annotations

from dataclasses import dataclass

from conformance.bundle.catalog import Variant
from conformance.bundle.formats import CHECKED_FORMATS
from conformance.errors import UsageError


@dataclass(frozen=True)
class ValidationOptions:
    """How to validate: which schema variant, which formats, how strict."""

    variant: Variant = "corrected"
    formats: tuple[str, ...] | None = None  # None: every known format asserted
    strict: bool = False  # invariant violations and undocumented properties are errors
    invariants: bool = True
    drift: bool = True  # report undocumented properties (info), on schema-valid records
    details: str = "jsonschema-rs"  # engine for the errors of failing records: or "jsonschema"
    expect_violations: bool = False  # negative-fixture sidecars pass iff exactly their label fails

    def __post_init__(self) -> None:
        if self.variant not in ("corrected", "published"):
            raise UsageError(f"unknown schema variant {self.variant!r}: corrected or published")
        if self.details not in ("jsonschema-rs", "jsonschema"):
            raise UsageError(
                f"unknown details engine {self.details!r}: jsonschema-rs or jsonschema"
            )
        if self.formats is not None:
            formats = tuple(self.formats)
            unknown = sorted(set(formats) - set(CHECKED_FORMATS))
            if unknown:
                raise UsageError(
                    f"unknown format(s) {', '.join(unknown)}; known: {', '.join(CHECKED_FORMATS)}"
                )
            object.__setattr__(self, "formats", formats)
