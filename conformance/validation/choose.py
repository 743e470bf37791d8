"""Choose the schema a record is judged against, before (and apart from) judging it.

Three strategies, tried in this order:

1. **explicit**: the caller named the schema (`--schema vendor.Object`);
2. **contract**: the record is a recorded HTTP exchange, and the vendor contract
   declares a bundled schema for that operation and status;
3. **identified**: `--identify` was given, and the record's shape alone says which
   bundled object it is (never the other way round: a broken record must fail as
   itself, not pass as another).

When none applies the `Choice` has no schema, `chosen_by="none"`, and a routing
finding saying why. Routing and identification load the contracts and the shape
index, so they are imported only when a record needs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from conformance.records import Record
from conformance.report.findings import Finding
from conformance.validation.judge import negative_label

if TYPE_CHECKING:
    from conformance.records import HttpExchange
    from conformance.validation.routing import Route

ChosenBy = Literal["explicit", "contract", "identified", "none"]


@dataclass(frozen=True, slots=True)
class Choice:
    """Which schema one record is judged against, how it was chosen, and what was found
    on the way.

    `findings` come before the verdict in the result, in this order: the contract's
    findings on the recorded exchange (an undeclared status, an ambiguous route) and,
    when no schema could be chosen, the routing finding that says why (an error; an
    info when the routed operation has no bundled schema for the status).
    """

    schema: str | None  # "vendor.Object", or None: nothing to judge against
    chosen_by: ChosenBy
    operation: str | None = None  # contract operation id, when routed
    confidence: float | None = None  # identification confidence, when identified
    findings: tuple[Finding, ...] = ()

    @property
    def routing(self) -> Finding | None:
        """Why no schema was chosen (or that the operation has none), else None."""
        return next((f for f in self.findings if f.kind == "routing"), None)


def choose_schema(
    record: Record, *, schema: str | None = None, vendor: str | None = None, identify: bool = False
) -> Choice:
    """The schema `record` is to be judged against: named, routed or identified."""
    if schema is not None:
        return Choice(schema, "explicit")
    contract: tuple[Finding, ...] = ()
    if record.exchange is not None:
        routed = _routed(record.exchange, vendor, identify)
        if isinstance(routed, Choice):
            return routed
        contract = routed
    if identify:
        return _identified(record, vendor, contract)
    return _none("no schema for this record: give --schema vendor.Object, or --identify")


def _routed(
    exchange: HttpExchange, vendor: str | None, identify: bool
) -> Choice | tuple[Finding, ...]:
    """The choice the contract makes for a recorded exchange; or, when it makes none and
    identification is to try next, the contract's findings to carry over."""
    from conformance.validation.routing import route

    found = route(
        exchange.method,
        # a URL with a variable for its base (Postman's "{{baseUrl}}/runs") routes by path
        exchange.url if "://" in exchange.url else exchange.path,
        exchange.status,
        content_type=exchange.content_type,
        vendor=vendor,
    )
    if found is None:
        return () if identify else _none(_unroutable(exchange, vendor))
    contract = tuple(Finding("error", "contract", "response", "", p) for p in found.problems)
    operation = found.operation.operation_id
    if found.schema is not None:
        return Choice(found.schema, "contract", operation, None, contract)
    if identify:
        return contract
    return Choice(None, "contract", operation, None, (*contract, _no_bundled_schema(found)))


def _unroutable(exchange: HttpExchange, vendor: str | None) -> str:
    from conformance.validation.routing import url_problem

    bad = url_problem(exchange.url)
    if bad:
        return f"cannot route {exchange.method} {exchange.url}: {bad}; give --schema or --identify"
    return (
        f"no {vendor or 'vendor'} contract operation matches "
        f"{exchange.method} {exchange.path}; give --schema or --identify"
    )


def _no_bundled_schema(found: Route) -> Finding:
    op = found.operation
    message = (
        f"{op.method} {op.path_template} ({op.operation_id}) has no bundled response schema "
        f"for status {found.status}"
    )
    return Finding("info", "routing", "no-bundled-schema", "", message)


def _identified(record: Record, vendor: str | None, contract: tuple[Finding, ...]) -> Choice:
    """The bundled object the record's shape says it is (a negative-fixture sidecar: the
    shape of its fixture), or none, with the doubt that stopped the choice."""
    from conformance.validation.identify import identify as identify_shape

    payload = record.payload
    if negative_label(payload) is not None:
        payload = payload["fixture"]  # type: ignore[index]  # a sidecar is a dict
    found = identify_shape(payload, vendor=vendor)
    if found.best is None:
        doubt = found.doubt()
        if found.tied:
            return _none(f"{doubt}; give --schema", contract)
        return _none(
            f"could not identify the object by its shape ({doubt}); give --schema", contract
        )
    return Choice(found.best.name, "identified", None, found.best.confidence, contract)


def _none(message: str, contract: tuple[Finding, ...] = ()) -> Choice:
    return Choice(
        None, "none", findings=(Finding("error", "routing", "no-schema", "", message), *contract)
    )
