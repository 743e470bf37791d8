"""What `runconform check` is asked to check: one frozen value every stage reads."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from conformance.contract.safety import DEFAULT_MAX_BODY_SIZE, REDACTED, shown_url


@dataclass(frozen=True, repr=False)
class CheckOptions:
    """What to check. Empty `paths` and no `base_url`: the bundled tour."""

    paths: tuple[str | Path, ...] = ()  # a str: a URL (`records.inputs`)
    schema: str | None = None  # for every record of `paths`; else routed or identified
    vendors: tuple[str, ...] = ()  # empty: every bundled vendor
    base_url: str | None = None
    headers: tuple[tuple[str, str], ...] = ()  # sent to base_url; never shown
    variant: str = "corrected"
    strict: bool = False
    fixtures: int = 100
    max_examples: int = 10
    seed: int = 0
    allow_untested: bool = False  # contract: operations that checked no body do not fail
    max_body_size: int = DEFAULT_MAX_BODY_SIZE  # contract: bytes of one response body

    def __repr__(self) -> str:
        """Header values and the base URL's credentials never shown (`pytest -l` prints it)."""
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        shown["base_url"] = shown_url(self.base_url) if self.base_url else None
        shown["headers"] = tuple((name, REDACTED) for name, _ in self.headers)
        return f"CheckOptions({', '.join(f'{k}={v!r}' for k, v in shown.items())})"
