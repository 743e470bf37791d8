"""Checks of one mapping rule against the vendor and canonical schemas.

A rule names a transform, its arguments, a vendor source pointer and a canonical
target; each must exist and fit the other (types, formats, value tables, terminal
statuses). `spec_checks` runs these per rule and adds the object-wide checks.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from conformance.bundle.run_profiles import load_profiles
from conformance.mapping.schemawalk import Node, node_at
from conformance.mapping.spec import ObjectSpec, Rule
from conformance.mapping.transforms import TRANSFORMS
from conformance.report.findings import Finding

CANONICAL = "canonical.WorkflowRun"


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


def problem(spec: ObjectSpec, doc_pointer: str, message: str, fix: str) -> Finding:
    """A problem in `spec`, located by the line of `doc_pointer` in its file."""
    return mapping_finding(spec.file, spec.line_of(doc_pointer), f"{spec.name}: {message}", fix)


def suggest(pointer: str, known: tuple[str, ...]) -> str:
    """The fix for a pointer nothing defines: the closest one that is defined."""
    close = difflib.get_close_matches(pointer, known, n=1, cutoff=0.6)
    return f"did you mean {close[0]}?" if close else "use a pointer the vendor schema defines"


def check_rule(
    spec: ObjectSpec, rule: Rule, canonical: Node, known: tuple[str, ...]
) -> Iterator[Finding]:
    where = rule.doc_pointer
    transform = TRANSFORMS.get(rule.transform)
    if transform is None:
        names = ", ".join(sorted(TRANSFORMS))
        yield problem(
            spec,
            where,
            f"unknown transform {rule.transform!r} for {rule.target}",
            f"use one of: {names}",
        )
        return
    if transform.needs_table and not rule.table:
        yield problem(
            spec,
            where,
            f"transform {rule.transform!r} needs a `table`",
            "add a table of vendor value -> canonical value",
        )
    yield from _check_args(spec, rule, transform, known)
    target = canonical.child(rule.target)
    if target is None:
        return
    if rule.source is None:
        return
    source = node_at(spec.name, rule.source)
    if source is None:
        yield problem(
            spec,
            where,
            f"{rule.target}: pointer {rule.source} does not exist in the vendor schema",
            suggest(rule.source, known),
        )
        return
    yield from _check_types(spec, rule, transform, source, target)
    if rule.transform in ("status", "trigger"):
        yield from _check_table(spec, rule, source, target)
    if rule.transform == "steps":
        yield from _check_steps(spec, rule, rule.source, known)


def _check_args(
    spec: ObjectSpec, rule: Rule, transform: Any, known: tuple[str, ...]
) -> Iterator[Finding]:
    """Every pointer argument of the transform names a date-time in the vendor schema."""
    where = rule.doc_pointer
    for key in transform.arg_pointers:
        pointer = rule.args.get(key)
        arg = node_at(spec.name, pointer) if isinstance(pointer, str) else None
        if arg is None:
            yield problem(
                spec,
                where,
                f"args.{key} {pointer!r} is not in the vendor schema",
                suggest(str(pointer), known),
            )
        elif "date-time" not in arg.formats:
            yield problem(
                spec, where, f"args.{key} {pointer} is not a date-time", "name a date-time field"
            )


def _check_steps(
    spec: ObjectSpec, rule: Rule, source: str, known: tuple[str, ...]
) -> Iterator[Finding]:
    """Each `steps` item pointer exists in the source list's items."""
    for pointer in rule.args.get("item", {}).values():
        if node_at(spec.name, f"{source}/*{pointer}") is None:
            yield problem(
                spec,
                rule.doc_pointer,
                f"steps: item pointer {pointer} does not exist in {source} items",
                suggest(f"{source}/*{pointer}", known),
            )


def _check_types(
    spec: ObjectSpec, rule: Rule, transform: Any, source: Node, target: Node
) -> Iterator[Finding]:
    where = rule.doc_pointer
    src, dst = source.types, target.types
    shown_src, shown_dst = "/".join(sorted(src)) or "untyped", "/".join(sorted(dst)) or "untyped"
    if transform.accepts is not None and not src <= transform.accepts:
        yield problem(
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
        yield problem(
            spec,
            where,
            f"{rule.target}: source {rule.source} is {shown_src} but canonical "
            f"{rule.target} is {shown_dst}",
            f"map a {shown_dst} field, or name a transform that converts it",
        )
        return
    if transform.produces is None:
        for fmt in target.formats - source.formats:
            yield problem(
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
        else (kind.enum if (kind := target.child("kind")) else ())
    )
    for value in vendor_values:
        if value not in rule.table:
            yield problem(
                spec,
                where + "/table",
                f"{rule.source} value {value!r} is not in the {rule.target} table",
                f"add `{value}: <canonical {rule.target}>` to the table",
            )
    for key, value in rule.table.items():
        line_at = f"{where}/table/{key}"
        if vendor_values and key not in vendor_values:
            yield problem(
                spec,
                line_at,
                f"{key!r} is not a value of {rule.source}",
                f"remove it; the values are {', '.join(map(str, vendor_values))}",
            )
        if value not in allowed:
            yield problem(
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
            yield problem(
                spec,
                line_at,
                f"terminal status {key!r} maps to non-terminal {value!r}",
                f"map it to one of {', '.join(canonical['terminal'])}",
            )
        if key in vendor.get("active", ()) and value in canonical["terminal"]:
            yield problem(
                spec,
                line_at,
                f"non-terminal status {key!r} maps to terminal {value!r}",
                f"map it to one of {', '.join(canonical['active'])}",
            )
