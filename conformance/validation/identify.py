"""Identify the vendor and object of a bare JSON value by its shape.

A payload pasted from a log or a ticket carries no URL or status to route by, so
the only evidence is the value itself. Identification decides *what the value
is* from its shape alone, and validation then says whether it is a good one: so
the score never looks at validity, formats or enum values (a run with an unknown
status is still that run, and must fail on its status, not pass as something
else). A clear "unknown" beats a wrong guess: weak evidence, or two objects the
shape cannot tell apart, gives `best=None`.

How a JSON object is scored against one listed object (all parts 0..1, deterministic):

    quality   = 0.55 known + 0.15 coverage + 0.30 required
      known     share of the instance's keys the object defines; a key holding an
                object (or array of objects) counts half, plus half its own key fit
                (recursively), so lists are told apart by their rows; a nested object's
                fit keeps 0.7 and 0.3 * 0.5 ** (its required keys missing), so a
                display-name row {metadata, displayName} is no task summary row
      coverage  share of the object's properties present
      required  0.5 ** (required properties missing): each missing one halves it
    quality  *= 0.3 if `__typename` is another listed object's (Knock's discriminator;
                a name no listed object has is ignored, like an unknown enum value)
    evidence  = min(1, specific / min(1.5, specific_max)), where `specific` sums
                1/df over the matched keys (df: how many listed objects define the
                key), so a bare `{"status": ...}` or `{"id": ...}` proves nothing
    confidence = quality * evidence, and 0 for a run object (one with an `id` in
                `contracts/semantics.yaml`) when the value carries neither its id nor
                its status: that is not a run, whatever else it has

A scalar has no shape: its value is its only evidence, so it can only be a listed
enum object (hatchet.V1TaskStatus) whose enum holds it (0.9, split over those). An
array can only be a listed array of scalars (hatchet.V1WorkflowRunExternalIdList) whose
sampled items have its item type (0.9 likewise); other arrays are unknown. `best` is
the top candidate if its confidence reaches `threshold` (default 0.6) and no other
candidate comes within `MARGIN` of it; otherwise the close ones are `tied` ("too close
to call", with `why`): an empty `{"rows": [], "pagination": {}}` is any Hatchet list.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from math import fsum
from typing import Any
from urllib.parse import urldefrag, urljoin

from conformance.bundle.catalog import Catalog, derived_cache, load_catalog
from conformance.bundle.run_profiles import identity
from conformance.validation.identity_rules import lacks

WEIGHTS = {"known": 0.55, "coverage": 0.15, "required": 0.30}
MISSING_REQUIRED = 0.5  # the required part is halved for each required property missing
NESTED_REQUIRED = 0.3  # the share of a nested object's fit that its required keys make
TYPENAME_MISMATCH = 0.3
SCALAR_CONFIDENCE = 0.9
MARGIN = 0.05  # a runner-up this close to the best: too close to call
TIE_FLOOR = 0.5  # ... when the best reaches this share of the threshold (below: no evidence)
MAX_DEPTH = 3
ITEMS_SAMPLED = 3
TOP = 5


@dataclass(frozen=True)
class Candidate:
    """One bundled object the value may be, with why."""

    name: str
    confidence: float
    reasons: tuple[str, ...]
    unexplained: int = 0  # keys (nested ones too) the object does not define
    missing: int = 0  # required properties absent (nested ones too)


@dataclass(frozen=True)
class Identification:
    """The verdict: `best` (None = unknown) and the top candidates, best first.

    `tied` holds the candidates that were too close to call (best first) and `why`
    says what the shape could not tell apart; both are empty otherwise.
    """

    best: Candidate | None
    candidates: tuple[Candidate, ...]
    tied: tuple[Candidate, ...] = ()
    why: str = ""

    @property
    def unknown(self) -> bool:
        return self.best is None

    def doubt(self) -> str:
        """Why there is no answer, in one line: a tie, or the closest weak candidates."""
        if self.tied:
            names = ", ".join(f"{c.name} ({c.confidence:.2f})" for c in self.tied)
            return f"too close to call: {names}: {self.why}"
        closest = ", ".join(f"{c.name} ({c.confidence:.2f})" for c in self.candidates[:3])
        return f"closest: {closest or 'none'}"


@dataclass(frozen=True)
class _View:
    """A schema node flattened through `$ref` and `allOf`: what a shape check needs."""

    properties: dict[str, tuple[Any, str]] = field(default_factory=dict)  # name -> (node, base)
    required: frozenset[str] = frozenset()
    enum: tuple[Any, ...] | None = None
    typenames: frozenset[str] = frozenset()
    items: tuple[Any, str] | None = None


class _Bundle:
    """The corrected bundle: schemas by `$id`, flattened views, key frequencies, run ids."""

    def __init__(self, catalog: Catalog) -> None:
        everything = catalog.names(include_dependencies=True)
        self.by_id = {catalog.entry(n).id: catalog.schema(n) for n in everything}
        self.ids = {n: catalog.entry(n).id for n in everything}
        self.listed = catalog.names()
        self.views = {n: self.view(self.by_id[self.ids[n]], self.ids[n]) for n in self.listed}
        self.df = Counter(k for v in self.views.values() for k in v.properties)
        self.typenames = frozenset(t for v in self.views.values() for t in v.typenames)
        self.identity = {n: identity(n) for n in self.listed}

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
        typenames: set[str] = set()
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

    def fit(self, value: Any, node: Any, base: str, depth: int = 0) -> tuple[float, int, int]:
        """How well the keys of `value` (recursively) fit the schema (1 when nothing to
        compare), how many of them it leaves unexplained, and how many required keys the
        nested objects lack (the top level's are counted by the caller)."""
        if depth >= MAX_DEPTH:
            return 1.0, 0, 0
        view = self.view(node, base)
        if isinstance(value, list):
            sample = value[:ITEMS_SAMPLED]
            if not sample or view.items is None:
                return 1.0, 0, 0
            fits = [self.fit(v, *view.items, depth + 1) for v in sample]
            return (
                sum(f for f, _, _ in fits) / len(sample),
                sum(u for _, u, _ in fits),
                sum(m for _, _, m in fits),
            )
        if not isinstance(value, dict) or not view.properties:
            return 1.0, 0, 0
        if not value:
            return 0.5, 0, 0
        total, unexplained, missing = 0.0, 0, 0
        for key, sub in value.items():
            if key not in view.properties:
                unexplained += 1
                continue
            if isinstance(sub, dict) or (isinstance(sub, list) and sub):
                fit, more, lacking = self.fit(sub, *view.properties[key], depth + 1)
                total, unexplained = total + 0.5 + 0.5 * fit, unexplained + more
                missing += lacking
            else:
                total += 1
        share = total / len(value)
        if depth == 0:
            return share, unexplained, missing
        # a nested object (a list's row) lacking what its schema requires is another
        # object's row: a display-name row {metadata, displayName} is no task summary
        lacks_here = len(view.required - set(value))
        nested = share * (1 - NESTED_REQUIRED + NESTED_REQUIRED * MISSING_REQUIRED**lacks_here)
        return nested, unexplained, missing + lacks_here


@derived_cache
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
    own = bundle.identity[name]
    if own and all(lacks(instance, p) == "missing" for p in own.pointers):  # keys, not values
        reasons.append(f"not a {own.noun}: carries none of {', '.join(own.pointers)}")
        return Candidate(name, 0.0, tuple(reasons))
    known, unexplained, nested_missing = (
        bundle.fit(instance, bundle.by_id[bundle.ids[name]], bundle.ids[name])
        if keys
        else (0.0, 0, 0)
    )
    coverage = len(matched) / len(props) if props else 0.0
    reasons.append(f"{len(matched)}/{len(props)} properties present")
    missing = sorted(view.required - keys)
    if missing:
        reasons.append("missing required " + ", ".join(map(repr, missing)))
    parts = {"known": known, "coverage": coverage, "required": MISSING_REQUIRED ** len(missing)}
    quality = sum(WEIGHTS[k] * v for k, v in parts.items())

    typename = instance.get("__typename")
    if isinstance(typename, str) and view.typenames:
        if typename in view.typenames:
            reasons.append(f"has __typename {typename!r}")
        elif typename in bundle.typenames:
            quality *= TYPENAME_MISMATCH
            expected = ", ".join(map(repr, sorted(view.typenames)))
            reasons.append(f"__typename {typename!r} is not {expected}")
        else:
            reasons.append(f"__typename {typename!r} is no listed object's (ignored)")

    # fsum: sets iterate in an order that changes with each process's string hashing, and a
    # plain float sum with it, so a score could differ in its third decimal between processes
    specific = fsum(1 / bundle.df[k] for k in matched)
    most = min(1.5, fsum(1 / bundle.df[k] for k in props)) if props else 0.0
    # keys other listed objects define and this one does not are evidence against it
    record = fsum(1 / bundle.df[k] for k in keys if bundle.df[k])
    evidence = min(1.0, specific / most, specific / record) if most and record else 0.0
    if matched and evidence < 0.5:
        reasons.append("only keys many objects share match: " + ", ".join(sorted(matched)))
    confidence = round(quality * evidence, 3)
    return Candidate(name, confidence, tuple(reasons), unexplained, len(missing) + nested_missing)


def _explains_more(a: Candidate, b: Candidate) -> bool:
    """`a` leaves no more keys unexplained and misses no more required ones, and is
    better at one: however close the scores, the shape tells `a` from `b`."""
    return (a.unexplained, a.missing) != (b.unexplained, b.missing) and (
        a.unexplained <= b.unexplained and a.missing <= b.missing
    )


def _score_scalars(bundle: _Bundle, names: list[str], instance: object) -> list[Candidate]:
    """A scalar can only be an enum object: split the confidence over those holding it."""
    accepting = [
        n
        for n in names
        if bundle.views[n].enum is not None
        and any(_same(instance, e) for e in bundle.views[n].enum or ())
    ]
    return [
        Candidate(
            n, round(SCALAR_CONFIDENCE / len(accepting), 3), (f"{instance!r} is in the enum",)
        )
        for n in accepting
    ]


JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


def _json_type_is(value: object, declared: object) -> bool:
    """Whether `value` has the JSON type `declared` (`true` is no integer)."""
    kinds = JSON_TYPES.get(declared) if isinstance(declared, str) else None
    if kinds is None or (isinstance(value, bool) and declared != "boolean"):
        return False
    return isinstance(value, kinds)


def _score_arrays(bundle: _Bundle, names: list[str], instance: list[Any]) -> list[Candidate]:
    """A top-level array can only be a listed array of scalars (Hatchet's external ids)
    whose sampled items all have the declared item type: split like a scalar's."""
    sample = instance[:ITEMS_SAMPLED]
    accepting = []
    for name in names if sample else ():
        view = bundle.views[name]
        if view.items is None or view.properties:
            continue
        declared = bundle.resolve(*view.items)[0].get("type")
        if all(_json_type_is(item, declared) for item in sample):
            accepting.append((name, declared))
    return [
        Candidate(
            n,
            round(SCALAR_CONFIDENCE / len(accepting), 3),
            (f"an array of {declared}s, as {n} is",),
        )
        for n, declared in accepting
    ]


def _why_tied(bundle: _Bundle, instance: object, tied: list[Candidate]) -> str:
    """What the shape cannot tell apart, in words (keys are shown sorted)."""
    if isinstance(instance, list):
        return "their items have the same type"
    if not isinstance(instance, dict):
        return f"{instance!r} is in each enum"
    shared = set(instance)
    for c in tied:
        shared &= set(bundle.views[c.name].properties)
    if not shared or any(
        set(instance) & set(bundle.views[c.name].properties) != shared for c in tied
    ):
        return f"their shapes fit the keys present within {MARGIN}"
    why = f"the keys present ({', '.join(sorted(shared))}) fit each of them"
    empty = sorted(k for k in shared if instance[k] == [])
    if empty:
        why += f", and {', '.join(empty)} {'is' if len(empty) == 1 else 'are'} empty"
    return why


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
    elif isinstance(instance, list):
        scored = _score_arrays(bundle, names, instance)
    else:
        scored = []
    ranked = sorted((c for c in scored if c.confidence > 0), key=lambda c: (-c.confidence, c.name))
    top = tuple(ranked[:TOP])
    if not top:
        return Identification(best=None, candidates=top)
    best = top[0]
    tied = [
        c
        for c in ranked
        if c is best or (best.confidence - c.confidence < MARGIN and not _explains_more(best, c))
    ]
    if len(tied) > 1 and best.confidence >= threshold * TIE_FLOOR:
        why = _why_tied(bundle, instance, tied)
        return Identification(best=None, candidates=top, tied=tuple(tied), why=why)
    return Identification(best=best if best.confidence >= threshold else None, candidates=top)
