"""Errata proposed from drift: RFC 6902 patches with an id, a rationale and the evidence.

One erratum per change a person would review on its own: an undocumented property is
added with the schema GenSON inferred from its values; the new values of one enum are
added together (guarded by a test of the current enum); null is allowed where it was
seen; a broken `format` is removed; required properties seen absent are made optional.
Each patch targets the document that declares the node (`locate.py`), on the corrected
schema as `runconform schemas show` prints it. Every proposal is applied, in file
order, before it is written: one that would not apply is left out (and counted).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import jsonpatch
import yaml

from conformance.bundle.catalog import Catalog, load_catalog
from conformance.drift.classify import KINDS
from conformance.drift.locate import Locator, Place, escape, locator_for
from conformance.drift.model import DriftItem, DriftReport

_PROPOSED = ("undocumented", "enum", "null", "format", "required")


@dataclass(frozen=True)
class Erratum:
    """One proposed erratum, as the errata file holds it."""

    id: str
    object: str
    rationale: str
    evidence: str
    records: int
    of: int
    examples: tuple[str, ...]
    patch: tuple[Mapping[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": self.object,
            "rationale": self.rationale,
            "evidence": self.evidence,
            "observed": {"records": self.records, "of": self.of, "examples": list(self.examples)},
            "patch": [dict(op) for op in self.patch],
        }


@dataclass(frozen=True)
class Proposal:
    errata: tuple[Erratum, ...]
    records: int  # records the drift was counted over
    unproposable: tuple[DriftItem, ...] = field(default=())  # drift no patch could cover


def propose_errata(report: DriftReport, *, catalog: Catalog | None = None) -> Proposal:
    """Errata for every proposable drift item of `report`, in kind order, each checked
    to apply on top of the ones before it."""
    catalog = catalog or load_catalog()
    where = locator_for(catalog)
    groups: dict[tuple[str, Place, str], list[DriftItem]] = {}
    left: list[DriftItem] = []
    for item in report.drift:
        if item.kind not in _PROPOSED or item.place is None:
            left.append(item)
            continue
        node = where.node(item.place)
        # one enum, one required list, one node without `properties`: one erratum each
        whole = item.kind in ("enum", "required", "null", "format") or "properties" not in node
        detail = "" if whole else item.detail
        groups.setdefault((item.kind, item.place, detail), []).append(item)
    taken = set(catalog.errata())
    schemas: dict[str, Any] = {}
    errata: list[Erratum] = []
    ordered = sorted(groups.items(), key=lambda kv: (KINDS.index(kv[0][0]), _sort(kv[0])))
    for (kind, place, _), items in ordered:
        patch = _patch(kind, place, items, where)
        if not patch:
            left.extend(items)
            continue
        current = schemas.get(place.object)
        if current is None:
            current = schemas[place.object] = catalog.schema(place.object)
        try:
            patched = jsonpatch.apply_patch(current, patch)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException):
            left.extend(items)
            continue
        schemas[place.object] = patched
        ident = _unique(_ident(kind, place, items), taken)
        errata.append(_erratum(ident, kind, place, items, patch))
    return Proposal(tuple(errata), report.counted, tuple(left))


def _sort(key: tuple[str, Place, str]) -> tuple[str, str, str]:
    return key[1].object, key[1].pointer, key[2]


def _patch(kind: str, place: Place, items: Sequence[DriftItem], where: Locator) -> list[Any]:
    node = where.node(place)
    at = place.pointer
    if kind == "undocumented":
        new = {i.detail: dict(i.inferred or {}) for i in items}
        if "properties" in node:
            return [{"op": "add", "path": f"{at}/properties/{escape(n)}", "value": v}
                    for n, v in new.items()]  # fmt: skip
        return [{"op": "add", "path": f"{at}/properties", "value": new}]
    if kind == "enum" and isinstance(node.get("enum"), list):
        values = _values(items)
        guard = {"op": "test", "path": f"{at}/enum", "value": copy.deepcopy(node["enum"])}
        return [guard, *({"op": "add", "path": f"{at}/enum/-", "value": v} for v in values)]
    if kind == "null":
        return _allow_null(node, at)
    if kind == "format" and "format" in node:
        return [
            {"op": "test", "path": f"{at}/format", "value": node["format"]},
            {"op": "remove", "path": f"{at}/format"},
        ]
    if kind == "required" and isinstance(node.get("required"), list):
        absent = {i.detail for i in items}
        kept = [name for name in node["required"] if name not in absent]
        guard = {"op": "test", "path": f"{at}/required", "value": list(node["required"])}
        if not kept:
            return [guard, {"op": "remove", "path": f"{at}/required"}]
        return [guard, {"op": "replace", "path": f"{at}/required", "value": kept}]
    return []


def _values(items: Iterable[DriftItem]) -> list[Any]:
    import json

    seen: dict[str, Any] = {}
    for item in items:
        seen.setdefault(item.detail, json.loads(item.detail))
    return list(seen.values())


def _allow_null(node: Mapping[str, Any], at: str) -> list[Any]:
    ops: list[Any] = []
    kind = node.get("type")
    if isinstance(kind, str) and kind != "null":
        ops += [
            {"op": "test", "path": f"{at}/type", "value": kind},
            {"op": "replace", "path": f"{at}/type", "value": [kind, "null"]},
        ]
    elif isinstance(kind, list) and "null" not in kind:
        ops.append({"op": "add", "path": f"{at}/type/-", "value": "null"})
    if isinstance(node.get("enum"), list) and None not in node["enum"]:
        ops.append({"op": "add", "path": f"{at}/enum/-", "value": None})
    if kind is None:
        for branches in ("anyOf", "oneOf"):
            if isinstance(node.get(branches), list):
                ops.append({"op": "add", "path": f"{at}/{branches}/-", "value": {"type": "null"}})
                break
    return ops


_SUFFIX = {"enum": "enum", "null": "null", "format": "format", "required": "required"}


def _ident(kind: str, place: Place, items: Sequence[DriftItem]) -> str:
    vendor, _, obj = place.object.partition(".")
    tokens = [t for t in place.pointer.split("/")[1:] if t not in ("properties", "items")]
    if kind == "undocumented" and len(items) == 1:
        tokens.append(items[0].detail)
    elif kind == "undocumented":
        tokens.append("properties")
    else:
        tokens.append(_SUFFIX[kind])
    slug = re.sub(r"[^A-Za-z0-9_]+", "-", "-".join(tokens)).strip("-") or kind
    return f"drift-{vendor}-{obj}-{slug}"


def _unique(ident: str, taken: set[str]) -> str:
    candidate, n = ident, 2
    while candidate in taken:
        candidate, n = f"{ident}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _subject(kind: str, items: Sequence[DriftItem]) -> str:
    if kind == "undocumented":
        return ", ".join(f"`{i.detail}`" for i in _first_per(items, lambda i: i.detail))
    if kind == "enum":
        return ", ".join(i.detail for i in _first_per(items, lambda i: i.detail))
    if kind == "required":
        return ", ".join(f"`{i.detail}`" for i in _first_per(items, lambda i: i.detail))
    return f"`{items[0].field}`"


def _first_per(items: Sequence[DriftItem], key: Any) -> list[DriftItem]:
    seen: dict[str, DriftItem] = {}
    for item in items:
        seen.setdefault(key(item), item)
    return list(seen.values())


def _rationale(kind: str, place: Place, items: Sequence[DriftItem]) -> str:
    at = f"{place.object}{' at ' + place.pointer if place.pointer else ''}"
    what = _subject(kind, items)
    return {
        "undocumented": f"Records carry {what}, which {at} does not document; the patch adds "
        "it with the schema inferred (GenSON) from the values seen.",
        "enum": f"Records use {what}, not among the values {at} documents; the patch adds "
        f"{'it' if len({i.detail for i in items}) == 1 else 'them'} to the enum.",
        "null": f"Records have null at {what}, which {at} does not allow; the patch allows null.",
        "format": f"Records break the format `{items[0].detail}` at {what}; the patch removes "
        f"the format assertion of {at}.",
        "required": f"Records lack {what}, which {at} requires; the patch makes "
        f"{'it' if len({i.detail for i in items}) == 1 else 'them'} optional.",
    }[kind]


def evidence_line(item: DriftItem) -> str:
    """`812 of 10,000 records (8.1 %) of hatchet.V1TaskSummary carry ...; e.g. a:3`."""
    what = {
        "undocumented": f"carry `{item.field}` ({' or '.join(item.types) or 'no value'})",
        "enum": f"have `{item.field}` = {item.detail}",
        "null": f"have `{item.field}` null",
        "format": f"have `{item.field}` breaking format {item.detail}",
        "required": f"lack required `{item.field}`",
        "other": f"fail `{item.detail}` at `{item.field}`",
        "unseen": f"never carry documented `{item.field}`",
    }[item.kind]
    head = f"{item.records:,} of {item.of:,} records ({item.share}) of {item.object} {what}"
    return head + (f"; e.g. {', '.join(item.examples)}" if item.examples else "")


def _erratum(
    ident: str, kind: str, place: Place, items: Sequence[DriftItem], patch: list[Any]
) -> Erratum:
    totals = {i.object: i.of for i in items}
    examples: list[str] = []
    for item in items:
        examples += [e for e in item.examples if e not in examples]
    keep = max(len(i.examples) for i in items)
    return Erratum(
        ident,
        place.object,
        _rationale(kind, place, items),
        "; ".join(evidence_line(i) for i in items),
        sum(i.records for i in items),
        sum(totals.values()),
        tuple(examples[:keep]),
        tuple(patch),
    )


def errata_yaml(proposal: Proposal, when: date | None = None) -> str:
    """The errata file: a header comment, then `errata:` (the format `--errata` reads)."""
    day = (when or date.today()).isoformat()
    head = (
        f"# Proposed by `runconform drift` from {proposal.records:,} records on {day}. "
        "Review each before use.\n"
    )
    body = {"errata": [e.as_dict() for e in proposal.errata]}
    return head + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
