"""Negative fixtures: a sane object with exactly one rule broken, and the rule on the label.

Mutations are planned so that each breaks one rule at one pointer and nothing
else (`mutations`, `invariant_mutations`); every one is then checked cheaply
(fast validator + invariant check) and discarded if it touched anything else,
so `validate(..., strict=True)` reports exactly the label (the tests check
that for every bundled object).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.errors import UsageError
from conformance.generate.choosers import Chooser
from conformance.generate.invariant_mutations import invariant_mutations
from conformance.generate.mutations import Kind, Mutation, schema_mutations
from conformance.generate.shapes import shape_for
from conformance.validation.semantics import check_invariants
from conformance.validation.validators import validators_for


@dataclass(frozen=True)
class NegativeFixture:
    """An object that breaks exactly one rule: `schema:<keyword>@<pointer>` or
    `invariant:<rule>@<pointer>`. The label travels with the instance."""

    instance: Any
    rule: str
    keyword: str
    pointer: str
    description: str

    @property
    def kind(self) -> Kind:
        return "schema" if self.rule.startswith("schema:") else "invariant"

    def sidecar(self) -> dict[str, Any]:
        """The file form: `{"fixture": ..., "violates": {"kind", "keyword", "pointer"}}`."""
        violates = {"kind": self.kind, "keyword": self.keyword, "pointer": self.pointer}
        return {"fixture": self.instance, "violates": violates}

    @classmethod
    def from_sidecar(cls, data: dict[str, Any], description: str = "") -> NegativeFixture:
        v = data["violates"]
        rule = f"{v['kind']}:{v['keyword']}@{v['pointer']}"
        return cls(data["fixture"], rule, v["keyword"], v["pointer"], description)


def matches(m: Mutation, rule: str | None) -> bool:
    """`rule` filters: "schema", "invariant:time-order", "schema:enum@/status"..."""
    if rule is None:
        return True
    head, at, pointer = rule.partition("@")
    kind, _, keyword = head.partition(":")
    return (
        m.kind == kind
        and (not keyword or m.keyword == keyword)
        and (not at or m.pointer == pointer)
    )


def verified(instance: Any, m: Mutation, name: str) -> bool:
    """True if `instance` (mutated) breaks the labelled rule and nothing else we can see."""
    validators = validators_for(name)
    violations = check_invariants(instance, name)
    if m.kind == "schema":
        return not validators.fast.is_valid(instance) and not violations
    return (
        validators.fast_strict.is_valid(instance)
        and len(violations) == 1
        and (violations[0].keyword, violations[0].pointer) == (m.keyword, m.pointer)
    )


def pick(candidates: list[Mutation], ch: Chooser) -> Mutation:
    """Kind first, then keyword, then place: rare rules are not drowned by common ones."""
    kinds = sorted({m.kind for m in candidates})
    kind = ch.choice(kinds)
    keywords = sorted({m.keyword for m in candidates if m.kind == kind})
    keyword = ch.choice(keywords)
    return ch.choice([m for m in candidates if m.kind == kind and m.keyword == keyword])


def clone(value: Any) -> Any:
    """A deep copy of JSON data (several times faster than copy.deepcopy)."""
    if type(value) is dict:
        return {k: clone(v) for k, v in value.items()}
    if type(value) is list:
        return [clone(v) for v in value]
    return value


#: Mutations tried on one base object before a fresh one is drawn.
TRIES_PER_BASE = 4


def negative(
    make: Callable[[], Any], name: str, ch: Chooser, rule: str | None = None, attempts: int = 50
) -> NegativeFixture:
    """Draw sane objects from `make` until one mutation verifies; label and return it."""
    shape = shape_for(name)
    for _ in range(attempts):
        base = make()
        candidates = [
            m
            for m in (*schema_mutations(base, shape, ch), *invariant_mutations(base, name, ch))
            if matches(m, rule)
        ]
        for _try in range(TRIES_PER_BASE):
            if not candidates:
                break
            m = pick(candidates, ch)
            mutated = m.apply(clone(base))
            if verified(mutated, m, name):
                label = f"{m.kind}:{m.keyword}@{m.pointer}"
                return NegativeFixture(mutated, label, m.keyword, m.pointer, m.description)
            candidates.remove(m)
    wanted = f" matching {rule!r}" if rule else ""
    raise UsageError(f"{name}: could not produce a negative fixture{wanted} in {attempts} tries")
