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
from conformance.records import loads_strict
from conformance.validation.engine import validate
from conformance.validation.routing import route

_PAGE_SIZE_PARAMS = ("limit", "page_size")


@dataclass(frozen=True)
class Observed:
    """What a check needs of one exchange, independent of the HTTP library."""

    vendor: str
    method: str
    url: str
    status: int
    content_type: str | None
    body: bytes
    expected: str | None = None  # the bundled schema --expect says a 2xx body must meet


@dataclass(frozen=True)
class _Analysis:
    """Everything the checks need of one response, computed once for all of them."""

    schema: str | None
    body: Any
    findings: tuple[Any, ...]  # validate() findings with invariants and drift
    problem: str | None = None  # well-formed JSON holding what JSON cannot mean (1e400)


def schema_of(observed: Observed) -> str | None:
    """The bundled schema a body must meet: the one --expect names for a 2xx body,
    else the one the vendor's contract routes the operation and status to."""
    if observed.expected is not None and 200 <= observed.status < 300:
        return observed.expected
    found = route(
        observed.method,
        observed.url,
        observed.status,
        content_type=observed.content_type,
        vendor=observed.vendor,
    )
    return found.response.schema if found is not None and found.response else None


@lru_cache(maxsize=64)
def _analyse(observed: Observed) -> _Analysis:
    schema = schema_of(observed)
    try:
        body = loads_strict(observed.body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _Analysis(None, None, ())  # not JSON: Schemathesis' own checks say so
    except ValueError as refused:  # 1e400, NaN: would pass as infinity, or as "null"
        return _Analysis(schema, None, (), str(refused))
    if schema is None:
        return _Analysis(None, body, ())
    result = validate(body, schema, strict=True)
    return _Analysis(schema, body, result.findings)


def checked_schema(observed: Observed) -> str | None:
    """The run schema a 2xx JSON body is checked against; None when nothing is checked
    (an error status, a body that is not JSON, an operation with no run schema)."""
    return _analyse(observed).schema if 200 <= observed.status < 300 else None


def run_schema(observed: Observed) -> list[str]:
    """The body conforms to the corrected bundled schema of the operation and status."""
    analysis = _analyse(observed)
    if analysis.problem is not None:
        return [f"$: {analysis.problem} ({analysis.schema or 'no run schema'})"]
    return [
        f"{f.path}: {f.message} [{f.keyword}] ({analysis.schema})"
        for f in analysis.findings
        if f.kind == "schema"
    ]


def run_undocumented(observed: Observed) -> list[str]:
    """No property the schema does not document (drift) in a schema-valid body."""
    return [f"{f.path}: {f.message}" for f in _analyse(observed).findings if f.kind == "drift"]


def run_invariants(observed: Observed) -> list[str]:
    """The run invariants hold (time order, durations, terminal end times, paging)."""
    return [
        f"{f.pointer or '/'}: {f.message} [{f.keyword}]"
        for f in _analyse(observed).findings
        if f.kind == "invariant"
    ]


def run_maps_to_canonical(observed: Observed) -> list[str]:
    """The body maps to a valid canonical run (for run objects with a mapping)."""
    from conformance.mapping import MappingError, to_canonical_items
    from conformance.mapping.spec import shipped_objects

    analysis = _analyse(observed)
    if (
        analysis.schema not in shipped_objects()
        or analysis.problem is not None
        or any(f.kind == "schema" for f in analysis.findings)
    ):
        return []  # nothing to map, or the schema check already reports why
    try:
        to_canonical_items(analysis.body, analysis.schema)  # type: ignore[arg-type]
    except MappingError as exc:
        return [exc.message]
    return []


def run_paging(observed: Observed) -> list[str]:
    """A list honours the page size it was asked for."""
    analysis = _analyse(observed)
    schema, body = analysis.schema, analysis.body
    profile = load_profiles().get(schema or "")
    if not isinstance(body, dict) or not profile or "page" not in profile:
        return []
    query = parse_qs(urlsplit(observed.url).query)
    asked = next((query[p][0] for p in _PAGE_SIZE_PARAMS if p in query), None)
    items_pointer = profile["children"][0]["items"].strip("/")
    items = body.get(items_pointer)
    if asked is None or not asked.isdigit() or not isinstance(items, list):
        return []
    if int(asked) > 0 and len(items) > int(asked):
        return [f"asked for at most {asked} items, got {len(items)}"]
    return []


#: Our checks by the name reports use.
CHECKS: dict[str, Callable[[Observed], list[str]]] = {
    "runconform_schema": run_schema,
    "runconform_undocumented": run_undocumented,
    "runconform_invariants": run_invariants,
    "runconform_canonical": run_maps_to_canonical,
    "runconform_paging": run_paging,
}
