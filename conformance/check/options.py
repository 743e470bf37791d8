"""What `runconform check` is asked to check: one frozen value every stage reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class CheckOptions:
    """What to check. Empty `paths` and no `base_url`: the bundled tour."""

    paths: tuple[Path, ...] = ()
    schema: str | None = None  # for every record of `paths`; else routed or identified
    vendors: tuple[str, ...] = ()  # empty: every bundled vendor
    base_url: str | None = None
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # never shown
    variant: str = "corrected"
    strict: bool = False
    fixtures: int = 100
    max_examples: int = 10
    seed: int = 0
    allow_untested: bool = False  # contract: operations that checked no body do not fail
