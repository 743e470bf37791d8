"""Expressiveness matrix: what each vendor run object can and cannot say in canonical terms.

Read from the mapping specs (status tables, field rules, `cannot_express`) and
from rendering every scenario, so the report cannot drift from what the engine
does. `reports/mapping-matrix.md` is this module's output, committed; a test
fails when it is stale.

    python -m conformance.mapping.matrix [PATH] [--check] [--json]
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.atomic import atomic_output
from conformance.bundle.catalog import load_catalog
from conformance.bundle.lifecycles import lifecycle_of, load_lifecycles
from conformance.mapping.engine import CANONICAL, object_spec
from conformance.mapping.scenarios import RUN_OBJECTS, SCENARIOS, Rendered, render_one

#: Where the committed report lives, relative to the repository root.
DEFAULT_PATH = Path("reports/mapping-matrix.md")
REGENERATE = "python -m conformance.mapping.matrix"
_YES, _NO = "✓", "—"


@dataclass(frozen=True)
class Verdict:
    """Whether one canonical status, field or scenario is expressible, and how or why not."""

    expressible: bool
    detail: str  # vendor values / source pointer / rendered object; or the reason


@dataclass(frozen=True)
class Column:
    """One vendor run object's verdicts, keyed in the matrix's row order."""

    object: str
    statuses: tuple[tuple[str, Verdict], ...]
    fields: tuple[tuple[str, Verdict], ...]
    scenarios: tuple[tuple[str, Verdict], ...]
    transitions: tuple[tuple[str, Verdict], ...]


@dataclass(frozen=True)
class Matrix:
    """Statuses, fields, scenarios and lifecycle transitions (rows) x vendor run objects."""

    statuses: tuple[str, ...]
    fields: tuple[str, ...]
    scenarios: tuple[str, ...]
    columns: tuple[Column, ...]
    transitions: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """Plain data in a stable key order (rows as in the canonical schema)."""

        def rows(pairs: tuple[tuple[str, Verdict], ...], key: str) -> dict[str, Any]:
            return {
                name: {"expressible": True, key: v.detail}
                if v.expressible
                else {"expressible": False, "reason": v.detail}
                for name, v in pairs
            }

        return {
            "version": 1,
            "statuses": list(self.statuses),
            "fields": list(self.fields),
            "scenarios": list(self.scenarios),
            "transitions": list(self.transitions),
            "objects": {
                c.object: {
                    "statuses": rows(c.statuses, "vendor_values"),
                    "fields": rows(c.fields, "from"),
                    "scenarios": rows(c.scenarios, "rendered_as"),
                    "transitions": rows(c.transitions, "vendor_transition"),
                }
                for c in self.columns
            },
        }


def _statuses(name: str, order: tuple[str, ...]) -> tuple[tuple[str, Verdict], ...]:
    spec = object_spec(name)
    rule = spec.rule("status")
    table = dict(rule.table) if rule is not None else {}
    out = []
    for status in order:
        values = [vendor for vendor, canonical in table.items() if canonical == status]
        if values:
            out.append((status, Verdict(True, ", ".join(values))))
        else:
            reason = spec.cannot_express_statuses.get(status, "no vendor status maps to it")
            out.append((status, Verdict(False, reason)))
    return tuple(out)


def _fields(name: str, order: tuple[str, ...]) -> tuple[tuple[str, Verdict], ...]:
    spec = object_spec(name)
    out = []
    for field in order:
        rule = spec.rule(field)
        if rule is not None:
            source = rule.source or (f"const {rule.const!r}" if rule.has_const else "derived")
            out.append((field, Verdict(True, source)))
        else:
            reason = spec.cannot_express_fields.get(field, "not mapped")
            out.append((field, Verdict(False, reason)))
    return tuple(out)


def _scenarios(name: str) -> tuple[tuple[str, Verdict], ...]:
    out = []
    for scenario in SCENARIOS:
        result = render_one(scenario, name)
        if isinstance(result, Rendered):
            out.append((scenario, Verdict(True, result.object)))
        else:
            out.append((scenario, Verdict(False, result.reason)))
    return tuple(out)


def _arrow(before: str, after: str) -> str:
    return f"{before} -> {after}"


def canonical_transitions(statuses: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The canonical lifecycle's direct transitions, in the canonical status order."""
    allowed = load_lifecycles()[CANONICAL].allowed
    return tuple((a, b) for a in statuses for b in statuses if b in allowed.get(a, frozenset()))


def _transitions(name: str, pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, Verdict], ...]:
    """Per canonical transition: the vendor transition that carries it (its lifecycle
    reaches the one status from the other), or why the vendor cannot show it."""
    rule = object_spec(name).rule("status")
    table = dict(rule.table) if rule is not None else {}
    lifecycle = lifecycle_of(name)
    out = []
    for before, after in pairs:
        froms = [v for v, c in table.items() if c == before]
        tos = [v for v, c in table.items() if c == after]
        if not froms or not tos:
            missing = before if not froms else after
            out.append((_arrow(before, after), Verdict(False, f"no status maps to {missing}")))
            continue
        carried = [
            _arrow(a, b)
            for a in froms
            for b in tos
            if lifecycle is not None and b in lifecycle.reachable.get(a, frozenset())
        ]
        if carried:
            out.append((_arrow(before, after), Verdict(True, ", ".join(carried))))
        else:
            family = lifecycle.family if lifecycle is not None else name
            reason = f"{family} does not go from {'/'.join(froms)} to {'/'.join(tos)}"
            out.append((_arrow(before, after), Verdict(False, reason)))
    return tuple(out)


def expressiveness(objects: Sequence[str] = RUN_OBJECTS) -> Matrix:
    """The matrix for `objects` (every mapped run object by default), scenarios at seed 0."""
    schema = load_catalog().schema(CANONICAL)
    statuses = tuple(schema["$defs"]["RunStatus"]["enum"])
    fields = tuple(f for f in schema["properties"] if f != "source")
    pairs = canonical_transitions(statuses)
    columns = tuple(
        Column(
            name,
            _statuses(name, statuses),
            _fields(name, fields),
            _scenarios(name),
            _transitions(name, pairs),
        )
        for name in objects
    )
    transitions = tuple(_arrow(a, b) for a, b in pairs)
    return Matrix(statuses, fields, tuple(SCENARIOS), columns, transitions)


# -- markdown -------------------------------------------------------------------------------


def _table(
    matrix: Matrix, title: str, rows: tuple[str, ...], part: str, show_detail: bool
) -> list[str]:
    head = [title, *(c.object for c in matrix.columns)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for i, row in enumerate(rows):
        cells = [f"`{row}`"]
        for column in matrix.columns:
            verdict = getattr(column, part)[i][1]
            if not verdict.expressible:
                cells.append(_NO)
            elif show_detail:
                cells.append(f"{_YES} `{verdict.detail}`")
            else:
                cells.append(_YES)
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(matrix: Matrix) -> str:
    """The report: three tables, then every "—" with its reason. Deterministic."""
    lines = [
        "# Mapping expressiveness matrix",
        "",
        "Which canonical statuses, fields and scenarios each vendor run object can express,",
        "read from `contracts/mappings/*.yaml` and from rendering every scenario",
        "(`conformance/mapping/scenarios.py`, seed 0, default parameters)",
        "through `from_canonical`.",
        f"Generated by `{REGENERATE}`; do not edit by hand.",
        "",
        f"{_YES} expressible, {_NO} not expressible (the reasons follow the tables).",
        "",
        "## Statuses",
        "",
        "A cell names the vendor value(s) that carry the canonical status.",
        "",
        *_table(matrix, "status", matrix.statuses, "statuses", True),
        "",
        "## Fields",
        "",
        *_table(matrix, "field", matrix.fields, "fields", False),
        "",
        "## Scenarios",
        "",
        "A scenario is expressible when `from_canonical` renders it and the result validates",
        "(schema with formats, run invariants as errors). `page` renders into the list object.",
        "",
        *_table(matrix, "scenario", matrix.scenarios, "scenarios", False),
        "",
        "## Lifecycle transitions",
        "",
        "The canonical run's direct transitions (`contracts/lifecycles.yaml`). A cell names",
        "the vendor transition that carries one: statuses mapping to both ends, the second",
        "reachable from the first in the vendor's lifecycle.",
        "",
        *_table(matrix, "transition", matrix.transitions, "transitions", True),
        "",
        "## Why not",
    ]
    for column in matrix.columns:
        lines += ["", f"### {column.object}", ""]
        for kind, pairs in (
            ("status", column.statuses),
            ("field", column.fields),
            ("scenario", column.scenarios),
            ("transition", column.transitions),
        ):
            lines += [
                f"- {kind} `{name}`: {_escape(v.detail)}" for name, v in pairs if not v.expressible
            ]
    return "\n".join(lines) + "\n"


def write_matrix(path: Path = DEFAULT_PATH, matrix: Matrix | None = None) -> Path:
    """Write the markdown report atomically (the old file survives a failure)."""
    text = render_markdown(matrix or expressiveness())
    with atomic_output(path) as stream:
        stream.write(text)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """`[PATH] [--check] [--json]`: write the report, check it is current, or print JSON."""
    args = list(sys.argv[1:] if argv is None else argv)
    if "--json" in args:
        print(json.dumps(expressiveness().as_json(), indent=2, ensure_ascii=False))
        return 0
    check = "--check" in args
    paths = [a for a in args if not a.startswith("--")]
    path = Path(paths[0]) if paths else DEFAULT_PATH
    if check:
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != render_markdown(expressiveness()):
            print(f"{path} is stale or missing; regenerate it with: {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    write_matrix(path)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
