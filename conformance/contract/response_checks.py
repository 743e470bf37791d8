"""runconform's own checks on a live response, added to Schemathesis' built-in ones.

Each looks at one response the way `runconform validate` looks at a recorded
one: the corrected bundled schema for the operation and status, the run
invariants, the mapping into the canonical run, and the list's own paging.
They are plain functions so the runner can register them with Schemathesis
and name them in reports.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

from conformance.bundle.run_profiles import load_profiles
from conformance.mapping import MappingError, to_canonical_items
from conformance.mapping.spec import shipped_objects
from conformance.records import loads_strict
from conformance.report.findings import Finding
from conformance.validation.engine import validate

_PAGE_SIZE_PARAMS = ("limit", "page_size")
_MALFORMED = "malformed-json"  # the read-problem kind `validate` gives such a body


@dataclass(frozen=True)
class Observed:
    """What a check needs of one exchange, independent of the HTTP library."""

    vendor: str
    method: str
    url: str
    status: int
    body: bytes
    schema: str | None = None  # the run schema the body must meet (see `routes`)


@dataclass(frozen=True)
class _Analysis:
    """Everything the checks need of one response, computed once for all of them."""

    schema: str | None
    body: Any
    findings: tuple[Finding, ...]  # validate() findings with invariants and drift (strict)


@lru_cache(maxsize=64)
def _analyse(observed: Observed) -> _Analysis:
    schema = observed.schema
    try:
        body = loads_strict(observed.body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _Analysis(None, None, ())  # not JSON: Schemathesis' own checks say so
    except ValueError as refused:  # 1e400, NaN: would pass as infinity, or as "null"
        return _Analysis(schema, None, (Finding("error", "read", _MALFORMED, "", str(refused)),))
    if schema is None:
        return _Analysis(None, body, ())
    return _Analysis(schema, body, validate(body, schema, strict=True).findings)


def checked_schema(observed: Observed) -> str | None:
    """The run schema a 2xx JSON body is checked against; None when nothing is checked
    (an error status, a body that is not JSON, an operation with no run schema)."""
    return _analyse(observed).schema if 200 <= observed.status < 300 else None


def run_schema(observed: Observed) -> tuple[Finding, ...]:
    """The body conforms to the corrected bundled schema of the operation and status
    (and is JSON a double can hold: `validate` refuses 1e400 as a read problem too)."""
    return tuple(f for f in _analyse(observed).findings if f.kind in ("schema", "read"))


def run_undocumented(observed: Observed) -> tuple[Finding, ...]:
    """No property the schema does not document (drift) in a schema-valid body."""
    return tuple(f for f in _analyse(observed).findings if f.kind == "drift")


def run_invariants(observed: Observed) -> tuple[Finding, ...]:
    """The run invariants hold (time order, durations, terminal end times, paging)."""
    return tuple(f for f in _analyse(observed).findings if f.kind == "invariant")


def run_maps_to_canonical(observed: Observed) -> tuple[Finding, ...]:
    """The body maps to a valid canonical run (for run objects with a mapping)."""
    analysis = _analyse(observed)
    schema = analysis.schema
    if schema not in shipped_objects() or any(
        f.kind in ("schema", "read") for f in analysis.findings
    ):
        return ()  # nothing to map, or the schema check already reports why
    try:
        to_canonical_items(analysis.body, str(schema))
    except MappingError as exc:
        return (_contract("runconform_canonical", exc.message),)
    return ()


def run_paging(observed: Observed) -> tuple[Finding, ...]:
    """A list honours the page size it was asked for."""
    analysis = _analyse(observed)
    schema, body = analysis.schema, analysis.body
    profile = load_profiles().get(schema or "")
    if not isinstance(body, dict) or not profile or "page" not in profile:
        return ()
    query = parse_qs(urlsplit(observed.url).query)
    asked = next((query[p][0] for p in _PAGE_SIZE_PARAMS if p in query), None)
    items_pointer = profile["children"][0]["items"].strip("/")
    items = body.get(items_pointer)
    if asked is None or not asked.isdigit() or not isinstance(items, list):
        return ()
    if int(asked) > 0 and len(items) > int(asked):
        message = f"asked for at most {asked} items, got {len(items)}"
        return (_contract("runconform_paging", message, f"/{items_pointer}"),)
    return ()


def _contract(check: str, message: str, pointer: str = "") -> Finding:
    """A finding of one of our checks that is not a schema keyword nor a run invariant."""
    return Finding("error", "contract", check, pointer, message)


#: Our checks by the name reports use.
CHECKS: dict[str, Callable[[Observed], tuple[Finding, ...]]] = {
    "runconform_schema": run_schema,
    "runconform_undocumented": run_undocumented,
    "runconform_invariants": run_invariants,
    "runconform_canonical": run_maps_to_canonical,
    "runconform_paging": run_paging,
}
