"""Identify the vendor and object of a bare JSON value by its shape.

A payload pasted from a log or a ticket carries no URL or status to route by, so
the only evidence is the value itself. Every listed bundled object is scored
against it; a clear "unknown" beats a wrong guess, so weak or ambiguous evidence
gives `best=None`.

How a JSON object is scored against one schema (all parts 0..1, deterministic):

    quality   = 0.40 known + 0.15 coverage + 0.20 required + 0.25 valid
      known     share of the instance's keys the schema defines; a key holding an
                object (or array of objects) counts half, plus half its own key fit
                (recursively), so lists are told apart by their rows
      coverage  share of the schema's properties present
      required  share of the schema's required properties present
      valid     1 if the instance is valid against the corrected schema (formats on)
    quality  *= 0.7 + 0.3 * (share of top-level enum/const values that match), if any
    quality  *= 0.3 if `__typename` differs from the schema's (Knock)
    evidence  = min(1, specific / min(1.5, specific_max)), where `specific` sums
                1/df over the matched keys (df: how many listed objects define the
                key), so a bare `{"status": ...}` or `{"id": ...}` proves nothing
    confidence = quality * evidence

A scalar (`"RUNNING"`) can only be a listed enum object (hatchet.V1TaskStatus):
0.9 split over the enum objects that accept it. Arrays and other values are unknown.
`best` is the top candidate if its confidence reaches `threshold` (default 0.6), no
other vendor's candidate comes within 0.05 of it and no object of its own vendor ties
it (within 0.005: an empty `{"rows": [], "pagination": {}}` is any Hatchet list).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urldefrag, urljoin

import jsonschema_rs

from conformance.catalog import Catalog, load_catalog

WEIGHTS = {"known": 0.40, "coverage": 0.15, "required": 0.20, "valid": 0.25}
ENUM_FLOOR = 0.7
TYPENAME_MISMATCH = 0.3
SCALAR_CONFIDENCE = 0.9
AMBIGUITY_MARGIN = 0.05  # another vendor this close: unknown
TIE = 0.005  # another object of the same vendor this close: unknown
MAX_DEPTH = 3
ITEMS_SAMPLED = 3
TOP = 5


@dataclass(frozen=True)
class Candidate:
    """One bundled object the value may be, with why."""

    name: str
    confidence: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Identification:
    """The verdict: `best` (None = unknown) and the top candidates, best first."""

    best: Candidate | None
    candidates: tuple[Candidate, ...]

    @property
    def unknown(self) -> bool:
        return self.best is None


@dataclass(frozen=True)
class _View:
    """A schema node flattened through `$ref` and `allOf`: what a shape check needs."""

    properties: dict[str, tuple[Any, str]] = field(default_factory=dict)  # name -> (node, base)
    required: frozenset[str] = frozenset()
    enum: tuple[Any, ...] | None = None
    typenames: frozenset[str] = frozenset()
    items: tuple[Any, str] | None = None


class _Bundle:
    """The corrected bundle: schemas by `$id`, flattened views, validators, key frequencies."""

    def __init__(self, catalog: Catalog) -> None:
        everything = catalog.names(include_dependencies=True)
        self.by_id = {catalog.entry(n).id: catalog.schema(n) for n in everything}
        self.ids = {n: catalog.entry(n).id for n in everything}
        self.listed = catalog.names()
        registry = jsonschema_rs.Registry(list(self.by_id.items()))
        self.validators = {
            n: jsonschema_rs.validator_for(
                self.by_id[self.ids[n]], registry=registry, validate_formats=True
            )
            for n in self.listed
        }
        self.views = {n: self.view(self.by_id[self.ids[n]], self.ids[n]) for n in self.listed}
        self.df = Counter(k for v in self.views.values() for k in v.properties)

    def resolve(self, node: Any, base: str) -> tuple[Any, str]:
        for _ in range(16):
            if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
                break
            url, fragment = urldefrag(urljoin(base, node["$ref"]))
            node, base = self.by_id.get(url, {}), url
            for token in fragment.split("/")[1:]:
                node = node.get(token.replace("~1", "/").replace("~0", "~"), {})
        return node, base

    def view(self, node: Any, base: str, depth: int = 0) -> _View:
        node, base = self.resolve(node, base)
        if not isinstance(node, dict) or depth > 8:
            return _View()
        props = {k: (v, base) for k, v in (node.get("properties") or {}).items()}
        required = set(node.get("required") or ())
        enum = tuple(node["enum"]) if "enum" in node else None
        if "const" in node:
            enum = (node["const"],)
        items = (node["items"], base) if isinstance(node.get("items"), dict) else None
        branches = list(node.get("allOf") or ())
        if not props:  # a nullable reference: anyOf [ref, null] -> the branch with structure
            branches += [b for b in node.get("anyOf") or node.get("oneOf") or () if b != {}][:1]
        typenames = set()
        for branch in branches:
            sub = self.view(branch, base, depth + 1)
            props = {**sub.properties, **props}
            required |= sub.required
            typenames |= sub.typenames
            enum = enum if enum is not None else sub.enum
            items = items or sub.items
        if "__typename" in props:
            tn, _ = self.resolve(*props["__typename"])
            typenames |= {e for e in tn.get("examples", ()) if isinstance(e, str)}
        return _View(props, frozenset(required), enum, frozenset(typenames), items)

    def fit(self, value: Any, node: Any, base: str, depth: int = 0) -> float:
        """How well the keys of `value` (recursively) fit the schema: 1 when nothing to compare."""
        if depth >= MAX_DEPTH:
            return 1.0
        view = self.view(node, base)
        if isinstance(value, list):
            sample = value[:ITEMS_SAMPLED]
            if not sample or view.items is None:
                return 1.0
            return sum(self.fit(v, *view.items, depth + 1) for v in sample) / len(sample)
        if not isinstance(value, dict) or not view.properties:
            return 1.0
        if not value:
            return 0.5
        total = 0.0
        for key, sub in value.items():
            if key not in view.properties:
                continue
            nested = isinstance(sub, dict) or (isinstance(sub, list) and sub)
            total += 0.5 + 0.5 * self.fit(sub, *view.properties[key], depth + 1) if nested else 1
        return total / len(value)


@cache
def _bundle(root: str | None) -> _Bundle:
    return _Bundle(load_catalog(root))


def _same(a: Any, b: Any) -> bool:
    """JSON equality: `true` is not `1`."""
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def _score_object(bundle: _Bundle, name: str, instance: dict[str, Any]) -> Candidate:
    view = bundle.views[name]
    keys, props = set(instance), set(view.properties)
    matched = keys & props
    reasons = [f"{len(matched)}/{len(keys)} keys are properties of {name}"]
    known = bundle.fit(instance, bundle.by_id[bundle.ids[name]], bundle.ids[name]) if keys else 0
    coverage = len(matched) / len(props) if props else 0.0
    reasons.append(f"{len(matched)}/{len(props)} properties present")
    missing = sorted(view.required - keys)
    required = 1 - len(missing) / len(view.required) if view.required else 1.0
    if missing:
        reasons.append("missing required " + ", ".join(map(repr, missing)))
    valid = _is_valid(bundle.validators[name], instance)
    reasons.append("valid against the schema" if valid else "not valid against the schema")
    parts = {"known": known, "coverage": coverage, "required": required, "valid": float(valid)}
    quality = sum(WEIGHTS[k] * v for k, v in parts.items())

    hits = misses = 0
    for key in sorted(matched):
        enum = bundle.view(*view.properties[key]).enum
        value = instance[key]
        if enum is None or isinstance(value, (dict, list)) or key == "__typename":
            continue
        ok = any(_same(value, e) for e in enum)
        hits, misses = hits + ok, misses + (not ok)
        reasons.append(f"{key} {value!r} is {'in' if ok else 'not in'} the enum")
    if hits + misses:
        quality *= ENUM_FLOOR + (1 - ENUM_FLOOR) * hits / (hits + misses)

    typename = instance.get("__typename")
    if isinstance(typename, str) and view.typenames:
        if typename in view.typenames:
            reasons.append(f"has __typename {typename!r}")
        else:
            quality *= TYPENAME_MISMATCH
            expected = ", ".join(map(repr, sorted(view.typenames)))
            reasons.append(f"__typename {typename!r} is not {expected}")

    specific = sum(1 / bundle.df[k] for k in matched)
    most = min(1.5, sum(1 / bundle.df[k] for k in props)) if props else 0.0
    evidence = min(1.0, specific / most) if most else 0.0
    if matched and evidence < 0.5:
        reasons.append("only keys many objects share match: " + ", ".join(sorted(matched)))
    return Candidate(name, round(quality * evidence, 3), tuple(reasons))


def _score_scalars(bundle: _Bundle, names: list[str], instance: object) -> list[Candidate]:
    """A scalar can only be an enum object: split the confidence over those accepting it."""
    accepting = [
        n
        for n in names
        if bundle.views[n].enum is not None and _is_valid(bundle.validators[n], instance)
    ]
    return [
        Candidate(
            n, round(SCALAR_CONFIDENCE / len(accepting), 3), (f"{instance!r} is in the enum",)
        )
        for n in accepting
    ]


def identify(
    instance: object, *, vendor: str | None = None, threshold: float = 0.6
) -> Identification:
    """The listed bundled object `instance` most likely is, or unknown.

    `vendor` restricts the candidates to one vendor; "canonical" objects are only
    considered when `vendor == "canonical"` (they are runconform's, not a vendor's).
    """
    bundle = _bundle(None)
    names = [
        n
        for n in bundle.listed
        if (vendor is None and not n.startswith("canonical."))
        or (vendor is not None and n.startswith(f"{vendor}."))
    ]
    if isinstance(instance, dict):
        scored = [_score_object(bundle, n, instance) for n in names]
    elif isinstance(instance, (str, int, float, bool)) or instance is None:
        scored = _score_scalars(bundle, names, instance)
    else:
        scored = []
    ranked = sorted((c for c in scored if c.confidence > 0), key=lambda c: (-c.confidence, c.name))
    top = tuple(ranked[:TOP])
    best = top[0] if top and top[0].confidence >= threshold else None
    if best is not None:
        vendor_of = best.name.split(".", 1)[0]
        for rival in top[1:]:
            same = rival.name.split(".", 1)[0] == vendor_of
            if best.confidence - rival.confidence < (TIE if same else AMBIGUITY_MARGIN):
                best = None
                break
    return Identification(best=best, candidates=top)


def _is_valid(validator: Any, instance: object) -> bool:
    """jsonschema-rs cannot take a lone surrogate; such a value is simply not a match."""
    try:
        return bool(validator.is_valid(instance))
    except UnicodeEncodeError:
        return False
