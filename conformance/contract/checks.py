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
from typing import Any
from urllib.parse import parse_qs, urlsplit

from conformance.routing import route
from conformance.semantics import check_invariants, load_profiles
from conformance.validate import validate

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


def _json(observed: Observed) -> Any:
    try:
        return json.loads(observed.body)
    except ValueError:
        return None


def _schema(observed: Observed) -> str | None:
    found = route(
        observed.method,
        observed.url,
        observed.status,
        content_type=observed.content_type,
        vendor=observed.vendor,
    )
    if found is None or found.response is None:
        return None
    return found.response.schema


def run_schema(observed: Observed) -> list[str]:
    """The body conforms to the corrected bundled schema of the operation and status."""
    schema = _schema(observed)
    body = _json(observed)
    if schema is None or body is None:
        return []
    result = validate(body, schema, invariants=False, drift=False)
    return [
        f"{f.path}: {f.message} [{f.keyword}] ({schema})"
        for f in result.findings
        if f.severity == "error"
    ]


def run_undocumented(observed: Observed) -> list[str]:
    """No property the schema does not document (drift) in a schema-valid body."""
    schema = _schema(observed)
    body = _json(observed)
    if schema is None or body is None:
        return []
    result = validate(body, schema, invariants=False)
    return [f"{f.path}: {f.message}" for f in result.findings if f.kind == "drift"]


def run_invariants(observed: Observed) -> list[str]:
    """The run invariants hold (time order, durations, terminal end times, paging)."""
    schema = _schema(observed)
    body = _json(observed)
    if schema is None or body is None:
        return []
    return [f"{v.pointer or '/'}: {v.message} [{v.rule}]" for v in check_invariants(body, schema)]


def run_maps_to_canonical(observed: Observed) -> list[str]:
    """The body maps to a valid canonical run (for run objects with a mapping)."""
    from conformance.mapping import MappingError, to_canonical_items
    from conformance.mapping.spec import shipped_objects

    schema = _schema(observed)
    body = _json(observed)
    if schema is None or body is None or schema not in shipped_objects():
        return []
    if not validate(body, schema, invariants=False, drift=False).ok:
        return []  # the schema check already reports it
    try:
        to_canonical_items(body, schema)
    except MappingError as exc:
        return [exc.message]
    return []


def run_paging(observed: Observed) -> list[str]:
    """A list honours the page size it was asked for."""
    schema = _schema(observed)
    body = _json(observed)
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
