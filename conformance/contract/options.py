"""How a contract run goes: where, with what, how much, how fast (`ContractOptions`)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from conformance.contract.safety import DEFAULT_MAX_BODY_SIZE, REDACTED, shown_url


@dataclass(frozen=True, repr=False)
class ContractOptions:
    """How to run: where, with what, how much, how fast."""

    base_url: str
    contract: Path | None = None
    headers: tuple[tuple[str, str], ...] = ()
    operations: tuple[str, ...] = ()  # operation ids; empty = every allowed one
    path_parameters: tuple[tuple[str, str], ...] = ()  # fixed values, e.g. known run ids
    max_examples: int = 10
    rate_limit: float = 10.0  # requests per second
    timeout: float = 5.0  # seconds per request, from its start to its last body byte
    max_time: float = 300.0  # seconds for the whole run
    allow_writes: bool = False
    seed: int = 0
    our_checks: bool = True  # without them no body is checked: every operation is untested
    record: bool = False  # keep every exchange (scrubbed) for HAR / cassette reports
    stateful: bool = False  # ids seen in list responses feed the operations that need them
    expect: tuple[tuple[str, str], ...] = ()  # (operation id, "vendor.Object") for 2xx bodies
    allow_untested: bool = False  # operations that checked no body do not fail the run
    max_body_size: int = DEFAULT_MAX_BODY_SIZE  # bytes of one response body

    def __repr__(self) -> str:
        """Header values and the base URL's credentials never shown (`pytest -l` prints it)."""
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        shown["base_url"] = shown_url(self.base_url)
        shown["headers"] = tuple((name, REDACTED) for name, _ in self.headers)
        return f"ContractOptions({', '.join(f'{k}={v!r}' for k, v in shown.items())})"
