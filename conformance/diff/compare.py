"""`diff_contracts(old, new)`: every classified change between two versions of a contract.

Scope, unless `everything`: the run objects - component schemas named as an object of the
bundle's catalog (dependencies included), and what they reach by `$ref` - and the run
operations - those whose 2XX responses or request body reach an object the vendor
manifests list - with every schema those operations use. A change to a component is
reported once per direction it is used in (response body, request body, parameter); a
component no compared operation uses is read as a response body.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from conformance.diff.operations import RawChange, compare_operation, reached, usage
from conformance.diff.rules import CLASSES, Class, Rule, Where, rule_for
from conformance.diff.schemas import SchemaWalk, closure
from conformance.diff.sources import Contract, OperationShape

WHERES: tuple[Where, ...] = ("response", "request", "parameter")


@dataclass(frozen=True)
class Change:
    """One classified change: its rule, what it is in (a component or an operation), the
    path, and what OLD and NEW say there."""

    rule: Rule
    subject: str
    path: str
    old: str = ""
    new: str = ""


@dataclass(frozen=True)
class Scope:
    """What was compared: the run objects (or everything)."""

    everything: bool
    objects: frozenset[str]  # catalog object names, dependencies included
    listed: frozenset[str]  # the objects vendor manifests list


@dataclass(frozen=True)
class ContractDiff:
    old: Contract
    new: Contract
    changes: tuple[Change, ...]
    schemas: int  # schemas compared
    operations: int  # operations compared (either side)

    def counts(self) -> dict[Class, int]:
        counted = Counter(change.rule.cls for change in self.changes)
        return {cls: counted.get(cls, 0) for cls in CLASSES}


def catalog_scope(everything: bool = False) -> Scope:
    """The run objects of the installed bundle."""
    from conformance.bundle.catalog import load_catalog

    catalog = load_catalog()
    objects = {n.partition(".")[2] for n in catalog.names(include_dependencies=True)}
    listed = {n.partition(".")[2] for n in catalog.names()}
    return Scope(everything, frozenset(objects), frozenset(listed))


def _in_scope(shape: OperationShape, contract: Contract, scope: Scope) -> bool:
    if scope.everything:
        return True
    return bool(reached(shape, contract.schemas, success_only=True) & scope.listed)


def _classified(raw: RawChange, wheres: set[Where] | None = None) -> list[Change]:
    if raw.where != "operation" and wheres is None:
        wheres = {raw.where}
    if raw.where == "operation":
        return [Change(rule_for(raw.kind, "operation"), raw.subject, raw.path, raw.old, raw.new)]
    chosen: set[Where] = wheres or {"response"}
    return [
        Change(rule_for(raw.kind, where), raw.subject, raw.path, raw.old, raw.new)
        for where in WHERES
        if where in chosen
    ]


def diff_contracts(old: Contract, new: Contract, scope: Scope) -> ContractDiff:
    walk = SchemaWalk(old.schemas, new.schemas)
    changes: list[Change] = []
    keys = [k for k in new.operations if k not in old.operations]
    keys = [*old.operations, *keys]
    compared = 0
    used: dict[str, set[Where]] = {}
    for key in keys:
        a, b = old.operations.get(key), new.operations.get(key)
        in_scope = (a is not None and _in_scope(a, old, scope)) or (
            b is not None and _in_scope(b, new, scope)
        )
        if not in_scope:
            continue
        compared += 1
        for shape, side in ((a, old), (b, new)):
            if shape is not None:
                for where, names in usage(shape).items():
                    for name in closure(side.schemas, names):
                        used.setdefault(name, set()).add(where)
        if a is None or b is None:
            kind = "operation-added" if a is None else "operation-removed"
            name = (b or a).name  # type: ignore[union-attr]
            changes += _classified(RawChange(kind, "operation", name, name))
            continue
        for raw in compare_operation(walk, a, b):
            changes += _classified(raw)
    if scope.everything:
        objects = names = set(old.schemas) | set(new.schemas)
    else:
        roots = set(scope.objects)
        objects = closure(old.schemas, roots) | closure(new.schemas, roots)
        # and every schema a compared operation uses (a request body's component is
        # compared there, not at the operation); one that only a new operation brings is
        # not listed as added (the operation is)
        names = objects | set(used)
    for name in sorted(names):
        wheres = used.get(name)
        if name not in new.schemas:
            changes += _classified(RawChange("schema-removed", "response", name, name), wheres)
        elif name not in old.schemas:
            if name in objects:
                changes += _classified(RawChange("schema-added", "response", name, name), wheres)
        else:
            for found in walk.compare(old.schemas[name], new.schemas[name], name):
                raw = RawChange(found.kind, "response", name, found.path, found.old, found.new)
                changes += _classified(raw, wheres)
    return ContractDiff(old, new, tuple(changes), len(names), compared)
