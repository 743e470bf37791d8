"""Static checks of the mapping specs against the vendor and canonical schemas.

Silent loss hides in mappings that nobody runs on the rare case: a status value
missing from a table, a finished run mapped to a running one, a pointer with a
typo that is always absent. These checks read the specs and schemas only (no
data) and report each problem with the mapping file, line, and the fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from conformance.bundle.catalog import load_catalog
from conformance.errors import UnknownObjectError
from conformance.mapping.rule_checks import (
    CANONICAL,
    check_rule,
    mapping_finding,
    problem,
    suggest,
)
from conformance.mapping.schemawalk import Node, all_pointers, node_at, root_node
from conformance.mapping.spec import ListSpec, ObjectSpec, Rule, load_specs
from conformance.mapping.transforms import TRANSFORMS
from conformance.report.findings import Finding
from conformance.report.text import finding_line
from conformance.words import plural

_ENGINE_FIELDS = frozenset({"source"})  # filled by the engine, not by a spec


@dataclass(frozen=True)
class MappingReport:
    """Every problem found in a set of mapping files; `ok` when there are none."""

    files: tuple[str, ...]
    problems: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def render(self) -> str:
        lines = [finding_line(p) for p in self.problems]
        files = plural(len(self.files), "mapping file")
        lines.append(f"{plural(len(self.problems), 'problem')} in {files}")
        return "\n".join(lines)


# -- the checks -----------------------------------------------------------------------------


def _consumed(spec: ObjectSpec) -> tuple[set[str], set[str]]:
    """(pointers consumed whole, pointers consumed in part) by the spec's rules."""
    whole: set[str] = set()
    part: set[str] = set()
    for top in spec.rules:
        rule: Rule | None = top
        while rule is not None:
            transform = TRANSFORMS.get(rule.transform)
            for key in transform.arg_pointers if transform else ():
                if isinstance(rule.args.get(key), str):
                    whole.add(rule.args[key])
            if rule.source and transform is not None:
                if rule.transform == "steps":
                    part.update({rule.source, rule.source + "/*"})
                    whole.update(rule.source + "/*" + p for p in rule.args.get("item", {}).values())
                elif transform.covers is not None:
                    part.add(rule.source)
                    whole.update(rule.source + c for c in transform.covers)
                else:
                    whole.add(rule.source)
            rule = rule.fallback
    return whole, part


def _check_coverage(spec: ObjectSpec, known: tuple[str, ...]) -> Iterator[Finding]:
    whole, part = _consumed(spec)
    base = f"/objects/{spec.name.split('.', 1)[1]}"
    for pointer in spec.left_out:
        if pointer not in known:
            yield problem(
                spec,
                f"{base}/left_out/{pointer.replace('~', '~0').replace('/', '~1')}",
                f"left_out pointer {pointer} does not exist in the vendor schema",
                suggest(pointer, known),
            )
    covered = whole | set(spec.left_out)

    def ok(pointer: str) -> bool:
        if pointer in part or any(p.startswith(pointer + "/") for p in covered | part):
            return True  # the pointer is consumed in part: its children are judged one by one
        return any(pointer == c or pointer.startswith(c + "/") for c in covered)

    for pointer in known:
        parent = pointer.rsplit("/", 1)[0]
        if parent.endswith("/*"):
            parent = parent[:-2]
        if not ok(pointer) and (not parent or ok(parent)):
            yield problem(
                spec,
                f"/objects/{spec.name.split('.', 1)[1]}/left_out",
                f"vendor property {pointer} is neither mapped nor left out",
                f"map it in `fields`, or add `{pointer}: <reason>` to left_out",
            )


def _check_object(spec: ObjectSpec, canonical: Node) -> Iterator[Finding]:
    try:
        load_catalog().resolve(spec.name)
    except UnknownObjectError as exc:
        yield problem(
            spec, "", f"not a bundled object ({exc.message})", "name a bundled vendor object"
        )
        return
    known = all_pointers(spec.name)
    fields = set(canonical.properties()) - _ENGINE_FIELDS
    base = f"/objects/{spec.name.split('.', 1)[1]}"
    for rule in spec.rules:
        if rule.target not in fields:
            yield problem(
                spec,
                rule.doc_pointer,
                f"{rule.target!r} is not a canonical field",
                suggest(rule.target, tuple(sorted(fields))).replace(
                    "pointer the vendor schema defines", "canonical field"
                ),
            )
        yield from check_rule(spec, rule, canonical, known)
        if rule.fallback is not None:
            yield from check_rule(spec, rule.fallback, canonical, known)
    yield from _check_fields(spec, fields, base)
    yield from _check_statuses(spec, canonical, base)
    yield from _check_coverage(spec, known)
    for pointer in spec.defaults:
        if node_at(spec.name, pointer) is None:
            yield problem(
                spec,
                f"{base}/defaults",
                f"default pointer {pointer} does not exist in the vendor schema",
                suggest(pointer, known),
            )


def _check_fields(spec: ObjectSpec, fields: set[str], base: str) -> Iterator[Finding]:
    """Every canonical field is mapped or declared inexpressible, never both; required ones
    are mapped."""
    produced = {r.target for r in spec.rules}
    required = set(load_catalog().schema(CANONICAL)["required"])
    for field in sorted(fields - produced - set(spec.cannot_express_fields)):
        kind = "required canonical field" if field in required else "canonical field"
        yield problem(
            spec,
            f"{base}/fields",
            f"{kind} {field!r} is neither mapped nor declared inexpressible",
            f"map it in `fields`, or add `{field}: <reason>` under cannot_express.fields",
        )
    for field in sorted(required & set(spec.cannot_express_fields)):
        yield problem(
            spec,
            f"{base}/cannot_express/fields/{field}",
            f"required canonical field {field!r} cannot be declared inexpressible",
            "map it: a canonical run without it is invalid",
        )
    for field in sorted(produced & set(spec.cannot_express_fields)):
        yield problem(
            spec,
            f"{base}/cannot_express/fields/{field}",
            f"{field!r} is both mapped and declared inexpressible",
            "remove one of the two",
        )


def _check_statuses(spec: ObjectSpec, canonical: Node, base: str) -> Iterator[Finding]:
    """Every canonical status is produced by the status table or declared inexpressible,
    never both."""
    status_rule = spec.rule("status")
    if status_rule is not None and status_rule.transform == "status":
        reached = set(status_rule.table.values())
        status_node = canonical.child("status")
        for status in status_node.enum if status_node else ():
            declared = status in spec.cannot_express_statuses
            if status not in reached and not declared:
                yield problem(
                    spec,
                    status_rule.doc_pointer + "/table",
                    f"canonical status {status!r} is neither produced nor declared inexpressible",
                    f"map a vendor status to it, or add `{status}: <reason>` "
                    "under cannot_express.statuses",
                )
            if status in reached and declared:
                yield problem(
                    spec,
                    f"{base}/cannot_express/statuses/{status}",
                    f"status {status!r} is produced by the table and declared inexpressible",
                    "remove one of the two",
                )


def _check_list(spec: ListSpec, objects: dict[str, ObjectSpec]) -> Iterator[Finding]:
    if spec.item not in objects:
        yield mapping_finding(
            spec.file,
            spec.line,
            f"{spec.name}: item object {spec.item} has no mapping",
            "map the item object under `objects`",
        )
    try:
        node = node_at(spec.name, spec.items)
    except UnknownObjectError:
        node = None
    if node is None or "array" not in node.types:
        yield mapping_finding(
            spec.file,
            spec.line,
            f"{spec.name}: {spec.items} is not an array of the list object",
            "point `items` at the array of runs",
        )


def check_mappings(directory: Path | None = None) -> MappingReport:
    """Run every static check on the mapping files (the shipped ones by default)."""
    specs = load_specs(directory)
    canonical = root_node(CANONICAL)
    problems: list[Finding] = []
    for spec in specs:
        for obj in spec.objects.values():
            problems.extend(_check_object(obj, canonical))
        for lst in spec.lists.values():
            problems.extend(_check_list(lst, dict(spec.objects)))
    return MappingReport(tuple(s.file for s in specs), tuple(problems))
