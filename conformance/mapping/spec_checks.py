"""Static checks of the mapping specs against the vendor and canonical schemas.

Silent loss hides in mappings that nobody runs on the rare case: a status value
missing from a table, a finished run mapped to a running one, a pointer with a
typo that is always absent. These checks read the specs and schemas only (no
data) and report each problem with the mapping file, line, and the fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.bundle.catalog import load_catalog
from conformance.bundle.run_profiles import load_profiles
from conformance.errors import UnknownObjectError
from conformance.mapping.schemawalk import Node, all_pointers, node_at, root_node
from conformance.mapping.spec import ListSpec, ObjectSpec, Rule, load_specs
from conformance.mapping.transforms import TRANSFORMS
from conformance.report.findings import Finding
from conformance.report.text import finding_line

CANONICAL = "canonical.WorkflowRun"
_ENGINE_FIELDS = frozenset({"source"})  # filled by the engine, not by a spec


def mapping_finding(file: str, line: int, message: str, fix: str, subject: str = "") -> Finding:
    """A defect in a mapping file: kind "mapping", located by file and line, the fix as hint."""
    return Finding(
        "error",
        "mapping",
        "spec",
        "",
        message,
        subject=subject or file,
        stage="mappings",
        file=file,
        line=line,
        hint=f"fix: {fix}",
    )


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
        lines.append(f"{len(self.problems)} problem(s) in {len(self.files)} mapping file(s)")
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


def _problem(spec: ObjectSpec, doc_pointer: str, message: str, fix: str) -> Finding:
    return mapping_finding(spec.file, spec.line_of(doc_pointer), f"{spec.name}: {message}", fix)


def _suggest(pointer: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(pointer, known, n=1, cutoff=0.6)
    return f"did you mean {close[0]}?" if close else "use a pointer the vendor schema defines"


def _check_rule(
    spec: ObjectSpec, rule: Rule, canonical: Node, known: tuple[str, ...]
) -> Iterator[Finding]:
    where = rule.doc_pointer
    transform = TRANSFORMS.get(rule.transform)
    if transform is None:
        names = ", ".join(sorted(TRANSFORMS))
        yield _problem(
            spec,
            where,
            f"unknown transform {rule.transform!r} for {rule.target}",
            f"use one of: {names}",
        )
        return
    if transform.needs_table and not rule.table:
        yield _problem(
            spec,
            where,
            f"transform {rule.transform!r} needs a `table`",
            "add a table of vendor value -> canonical value",
        )
    for key in transform.arg_pointers:
        pointer = rule.args.get(key)
        arg = node_at(spec.name, pointer) if isinstance(pointer, str) else None
        if arg is None:
            yield _problem(
                spec,
                where,
                f"args.{key} {pointer!r} is not in the vendor schema",
                _suggest(str(pointer), known),
            )
        elif "date-time" not in arg.formats:
            yield _problem(
                spec, where, f"args.{key} {pointer} is not a date-time", "name a date-time field"
            )
    target = canonical.child(rule.target)
    if target is None:
        return
    if rule.source is None:
        return
    source = node_at(spec.name, rule.source)
    if source is None:
        yield _problem(
            spec,
            where,
            f"{rule.target}: pointer {rule.source} does not exist in the vendor schema",
            _suggest(rule.source, known),
        )
        return
    yield from _check_types(spec, rule, transform, source, target)
    if rule.transform in ("status", "trigger"):
        yield from _check_table(spec, rule, source, target)
    if rule.transform == "steps":
        for pointer in rule.args.get("item", {}).values():
            if node_at(spec.name, f"{rule.source}/*{pointer}") is None:
                yield _problem(
                    spec,
                    where,
                    f"steps: item pointer {pointer} does not exist in {rule.source} items",
                    _suggest(f"{rule.source}/*{pointer}", known),
                )


def _check_types(
    spec: ObjectSpec, rule: Rule, transform: Any, source: Node, target: Node
) -> Iterator[Finding]:
    where = rule.doc_pointer
    src, dst = source.types, target.types
    shown_src, shown_dst = "/".join(sorted(src)) or "untyped", "/".join(sorted(dst)) or "untyped"
    if transform.accepts is not None and not src <= transform.accepts:
        yield _problem(
            spec,
            where,
            f"{rule.target}: transform {rule.transform} takes "
            f"{'/'.join(sorted(transform.accepts))} but {rule.source} is {shown_src}",
            "map a field of the type the transform takes, or choose another transform",
        )
        return
    produced = {transform.produces} if transform.produces else src
    fits = {t for t in produced if t in dst or (t == "integer" and "number" in dst)}
    if dst and produced and fits != produced:
        yield _problem(
            spec,
            where,
            f"{rule.target}: source {rule.source} is {shown_src} but canonical "
            f"{rule.target} is {shown_dst}",
            f"map a {shown_dst} field, or name a transform that converts it",
        )
        return
    if transform.produces is None:
        for fmt in target.formats - source.formats:
            yield _problem(
                spec,
                where,
                f"{rule.target}: canonical {rule.target} is a {fmt} but "
                f"{rule.source} has no format {fmt}",
                f"map a field with format {fmt}, or a transform that produces one",
            )


def _check_table(spec: ObjectSpec, rule: Rule, source: Node, target: Node) -> Iterator[Finding]:
    where = rule.doc_pointer
    vendor_values = source.enum
    allowed = (
        target.enum
        if rule.transform == "status"
        else (target.child("kind").enum if target.child("kind") else ())
    )
    for value in vendor_values:
        if value not in rule.table:
            yield _problem(
                spec,
                where + "/table",
                f"{rule.source} value {value!r} is not in the {rule.target} table",
                f"add `{value}: <canonical {rule.target}>` to the table",
            )
    for key, value in rule.table.items():
        line_at = f"{where}/table/{key}"
        if vendor_values and key not in vendor_values:
            yield _problem(
                spec,
                line_at,
                f"{key!r} is not a value of {rule.source}",
                f"remove it; the values are {', '.join(map(str, vendor_values))}",
            )
        if value not in allowed:
            yield _problem(
                spec,
                line_at,
                f"{key!r} maps to {value!r}, which is not a canonical {rule.target}",
                f"use one of {', '.join(allowed)}",
            )
    if rule.transform == "status":
        yield from _check_terminal(spec, rule)


def _check_terminal(spec: ObjectSpec, rule: Rule) -> Iterator[Finding]:
    profiles = load_profiles()
    vendor, canonical = profiles.get(spec.name, {}), profiles[CANONICAL]
    for key, value in rule.table.items():
        line_at = f"{rule.doc_pointer}/table/{key}"
        if key in vendor.get("terminal", ()) and value not in canonical["terminal"]:
            yield _problem(
                spec,
                line_at,
                f"terminal status {key!r} maps to non-terminal {value!r}",
                f"map it to one of {', '.join(canonical['terminal'])}",
            )
        if key in vendor.get("active", ()) and value in canonical["terminal"]:
            yield _problem(
                spec,
                line_at,
                f"non-terminal status {key!r} maps to terminal {value!r}",
                f"map it to one of {', '.join(canonical['active'])}",
            )


def _check_coverage(spec: ObjectSpec, known: tuple[str, ...]) -> Iterator[Finding]:
    whole, part = _consumed(spec)
    base = f"/objects/{spec.name.split('.', 1)[1]}"
    for pointer in spec.left_out:
        if pointer not in known:
            yield _problem(
                spec,
                f"{base}/left_out/{pointer.replace('~', '~0').replace('/', '~1')}",
                f"left_out pointer {pointer} does not exist in the vendor schema",
                _suggest(pointer, known),
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
            yield _problem(
                spec,
                f"/objects/{spec.name.split('.', 1)[1]}/left_out",
                f"vendor property {pointer} is neither mapped nor left out",
                f"map it in `fields`, or add `{pointer}: <reason>` to left_out",
            )


def _check_object(spec: ObjectSpec, canonical: Node) -> Iterator[Finding]:
    try:
        load_catalog().resolve(spec.name)
    except UnknownObjectError as exc:
        yield _problem(
            spec, "", f"not a bundled object ({exc.message})", "name a bundled vendor object"
        )
        return
    known = all_pointers(spec.name)
    fields = set(canonical.properties()) - _ENGINE_FIELDS
    base = f"/objects/{spec.name.split('.', 1)[1]}"
    for rule in spec.rules:
        if rule.target not in fields:
            yield _problem(
                spec,
                rule.doc_pointer,
                f"{rule.target!r} is not a canonical field",
                _suggest(rule.target, tuple(sorted(fields))).replace(
                    "pointer the vendor schema defines", "canonical field"
                ),
            )
        yield from _check_rule(spec, rule, canonical, known)
        if rule.fallback is not None:
            yield from _check_rule(spec, rule.fallback, canonical, known)
    produced = {r.target for r in spec.rules}
    required = set(load_catalog().schema(CANONICAL)["required"])
    for field in sorted(fields - produced - set(spec.cannot_express_fields)):
        kind = "required canonical field" if field in required else "canonical field"
        yield _problem(
            spec,
            f"{base}/fields",
            f"{kind} {field!r} is neither mapped nor declared inexpressible",
            f"map it in `fields`, or add `{field}: <reason>` under cannot_express.fields",
        )
    for field in sorted(required & set(spec.cannot_express_fields)):
        yield _problem(
            spec,
            f"{base}/cannot_express/fields/{field}",
            f"required canonical field {field!r} cannot be declared inexpressible",
            "map it: a canonical run without it is invalid",
        )
    for field in sorted(produced & set(spec.cannot_express_fields)):
        yield _problem(
            spec,
            f"{base}/cannot_express/fields/{field}",
            f"{field!r} is both mapped and declared inexpressible",
            "remove one of the two",
        )
    status_rule = spec.rule("status")
    if status_rule is not None and status_rule.transform == "status":
        reached = set(status_rule.table.values())
        for status in canonical.child("status").enum if canonical.child("status") else ():
            declared = status in spec.cannot_express_statuses
            if status not in reached and not declared:
                yield _problem(
                    spec,
                    status_rule.doc_pointer + "/table",
                    f"canonical status {status!r} is neither produced nor declared inexpressible",
                    f"map a vendor status to it, or add `{status}: <reason>` "
                    "under cannot_express.statuses",
                )
            if status in reached and declared:
                yield _problem(
                    spec,
                    f"{base}/cannot_express/statuses/{status}",
                    f"status {status!r} is produced by the table and declared inexpressible",
                    "remove one of the two",
                )
    yield from _check_coverage(spec, known)
    for pointer in spec.defaults:
        if node_at(spec.name, pointer) is None:
            yield _problem(
                spec,
                f"{base}/defaults",
                f"default pointer {pointer} does not exist in the vendor schema",
                _suggest(pointer, known),
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
