"""Which run schema the responses of one operation are judged against, decided once.

The operation is known (Schemathesis called it), so its responses are looked up by
method and path template in the vendor's routed contract, once per operation, not by
routing every response's URL again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from conformance.validation.routing import ResponseSpec, load_operations, select_response


@dataclass(frozen=True)
class OperationRoute:
    """The schemas of one operation's responses: the one --expect names for a 2xx body,
    else the bundled one its contract declares for the status."""

    expected: str | None = None  # the bundled schema --expect names for 2xx bodies
    responses: Mapping[str, ResponseSpec] = field(default_factory=lambda: MappingProxyType({}))

    def schema_for(self, status: int) -> str | None:
        if self.expected is not None and 200 <= status < 300:
            return self.expected
        spec = select_response(status, self.responses)
        return spec.schema if spec is not None else None

    @property
    def returns_bundled_schema(self) -> bool:
        """A 2xx response of the operation is a bundled run schema (without --expect)."""
        return any(
            status.startswith("2") and spec.schema is not None
            for status, spec in self.responses.items()
        )


def route_operation(
    vendor: str, method: str, path: str, expected: str | None = None
) -> OperationRoute:
    """The route of `method path` in `vendor`'s bundled contract (none: no responses)."""
    for candidate in load_operations(vendor):
        if candidate.method == method.upper() and candidate.path_template == path:
            return OperationRoute(expected, candidate.responses)
    return OperationRoute(expected)
