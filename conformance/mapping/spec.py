"""Mapping specs: `contracts/mappings/<vendor>.yaml`, loaded, shape-checked, with lines.

A mapping says, per canonical field, where a vendor object keeps it (a JSON
pointer, a constant, or a named transform with its table/arguments), what the
vendor deliberately does not map (`left_out`, with reasons) and what it cannot
express (`cannot_express`). Every spec element remembers its line in the YAML
file so that static checks and load errors can say "file:line: what, and the fix".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from jsonschema import Draft202012Validator
from yaml.nodes import MappingNode, Node, SequenceNode

from conformance.bundle.document_loader import parse_yaml, read_limited
from conformance.bundle.resources import contracts_dir
from conformance.errors import BundleError

_POINTER = {"type": "string", "pattern": "^(/[^/]+)+$"}
_DEFAULT = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "value": {},
        "first_of": {"type": "array", "items": _POINTER, "minItems": 1},
        "reason": {"type": "string"},
    },
}
_RULE: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "from": _POINTER,
        "const": {},
        "transform": {"type": "string", "minLength": 1},
        "table": {"type": "object", "additionalProperties": {"type": "string"}},
        "args": {"type": "object"},
        "default": _DEFAULT,
        "fallback": {"$ref": "#/$defs/rule"},
        "note": {"type": "string"},
    },
    "anyOf": [{"required": ["from"]}, {"required": ["const"]}, {"required": ["args"]}],
}
_REASONS = {"type": "object", "additionalProperties": {"type": "string", "minLength": 1}}
#: The shape of a mapping file (checked before anything reads it).
META_SCHEMA: dict[str, Any] = {
    "$defs": {"rule": _RULE},
    "type": "object",
    "additionalProperties": False,
    "required": ["vendor", "objects"],
    "properties": {
        "vendor": {"type": "string"},
        "objects": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["fields", "left_out"],
                "properties": {
                    "fields": {"type": "object", "additionalProperties": {"$ref": "#/$defs/rule"}},
                    "left_out": _REASONS,
                    "cannot_express": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"fields": _REASONS, "statuses": _REASONS},
                    },
                    "defaults": {"type": "object", "additionalProperties": _DEFAULT},
                },
            },
        },
        "lists": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["items", "item"],
                "properties": {"items": _POINTER, "item": {"type": "string"}},
            },
        },
    },
}


@dataclass(frozen=True)
class Default:
    """How `from_canonical` fills a vendor field the canonical run cannot provide."""

    value: Any = None
    has_value: bool = False
    first_of: tuple[str, ...] = ()  # pointers into the vendor object being built


@dataclass(frozen=True)
class Rule:
    """One canonical field: its source, transform and reverse default."""

    target: str
    line: int
    source: str | None = None
    transform: str = "copy"
    table: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    args: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    const: Any = None
    has_const: bool = False
    default: Default | None = None
    fallback: Rule | None = None
    doc_pointer: str = ""  # where the rule sits in the YAML document


@dataclass(frozen=True)
class ObjectSpec:
    """The mapping of one vendor run object to `canonical.WorkflowRun`."""

    name: str  # "vendor.Object"
    file: str
    line: int
    rules: tuple[Rule, ...]
    left_out: Mapping[str, str]
    cannot_express_fields: Mapping[str, str]
    cannot_express_statuses: Mapping[str, str]
    defaults: Mapping[str, Default]
    lines: Mapping[str, int]  # document pointer -> line, for messages

    def rule(self, target: str) -> Rule | None:
        return next((r for r in self.rules if r.target == target), None)

    def line_of(self, doc_pointer: str) -> int:
        """The line of a spec element, or of its nearest enclosing element."""
        while doc_pointer and doc_pointer not in self.lines:
            doc_pointer = doc_pointer.rsplit("/", 1)[0]
        return self.lines.get(doc_pointer, self.line)


@dataclass(frozen=True)
class ListSpec:
    """A list object whose items are run objects mapped one by one."""

    name: str
    items: str
    item: str  # "vendor.Object" of each item
    file: str
    line: int


@dataclass(frozen=True)
class MappingSpec:
    """One mapping file: a vendor's run objects and list objects."""

    vendor: str
    file: str
    objects: Mapping[str, ObjectSpec]
    lists: Mapping[str, ListSpec]


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _lines(root: Node, out: dict[str, int]) -> None:
    """Record the (1-based) line of every mapping key and sequence item under `root`
    (iteratively: the loader bounds the depth, this bounds nothing it need not)."""
    work: list[tuple[Node, str]] = [(root, "")]
    while work:
        node, pointer = work.pop()
        if isinstance(node, MappingNode):
            for key, value in node.value:
                child = f"{pointer}/{_escape(str(key.value))}"
                out[child] = key.start_mark.line + 1
                work.append((value, child))
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                out[f"{pointer}/{i}"] = item.start_mark.line + 1
                work.append((item, f"{pointer}/{i}"))


def _line_index(root: Node | None) -> dict[str, int]:
    out: dict[str, int] = {"": 1}
    if root is not None:
        _lines(root, out)
    return out


def _default(raw: Mapping[str, Any]) -> Default:
    return Default(
        value=raw.get("value"), has_value="value" in raw, first_of=tuple(raw.get("first_of", ()))
    )


def _rule(target: str, raw: Mapping[str, Any], where: str, lines: Mapping[str, int]) -> Rule:
    return Rule(
        target=target,
        line=lines.get(where, 1),
        source=raw.get("from"),
        transform=raw.get("transform", "copy" if "const" not in raw else "const"),
        table=MappingProxyType(dict(raw.get("table", {}))),
        args=MappingProxyType(dict(raw.get("args", {}))),
        const=raw.get("const"),
        has_const="const" in raw,
        default=_default(raw["default"]) if "default" in raw else None,
        fallback=_rule(target, raw["fallback"], where + "/fallback", lines)
        if "fallback" in raw
        else None,
        doc_pointer=where,
    )


def parse_spec(text: str, file: str) -> MappingSpec:
    """Parse and shape-check one mapping file's text; BundleError names file and line."""
    data, root = parse_yaml(text, file=file)
    lines = _line_index(root)
    errors = sorted(
        Draft202012Validator(META_SCHEMA).iter_errors(data), key=lambda e: list(e.absolute_path)
    )
    if errors:
        error = errors[0]
        pointer = "".join(f"/{_escape(str(p))}" for p in error.absolute_path)
        where = pointer
        while where and where not in lines:
            where = where.rsplit("/", 1)[0]
        raise BundleError(
            f"line {lines.get(where, 1)}: {pointer or '/'}: {error.message}", file=file
        )
    vendor = data["vendor"]
    objects = {}
    for obj, raw in data["objects"].items():
        base = f"/objects/{_escape(obj)}"
        cannot = raw.get("cannot_express", {})
        objects[f"{vendor}.{obj}"] = ObjectSpec(
            name=f"{vendor}.{obj}",
            file=file,
            line=lines.get(base, 1),
            rules=tuple(
                _rule(t, r, f"{base}/fields/{_escape(t)}", lines) for t, r in raw["fields"].items()
            ),
            left_out=MappingProxyType(dict(raw["left_out"])),
            cannot_express_fields=MappingProxyType(dict(cannot.get("fields", {}))),
            cannot_express_statuses=MappingProxyType(dict(cannot.get("statuses", {}))),
            defaults=MappingProxyType({p: _default(d) for p, d in raw.get("defaults", {}).items()}),
            lines=MappingProxyType({k: v for k, v in lines.items() if k.startswith(base)}),
        )
    lists = {
        f"{vendor}.{name}": ListSpec(
            name=f"{vendor}.{name}",
            items=raw["items"],
            item=f"{vendor}.{raw['item']}",
            file=file,
            line=lines.get(f"/lists/{_escape(name)}", 1),
        )
        for name, raw in data.get("lists", {}).items()
    }
    return MappingSpec(vendor, file, MappingProxyType(objects), MappingProxyType(lists))


def mappings_dir() -> Path:
    """Where the shipped mapping files live."""
    return contracts_dir() / "mappings"


def display_name(path: Path) -> str:
    """`contracts/mappings/x.yaml` for shipped files, the path as given otherwise."""
    if path.parent == mappings_dir():
        return f"contracts/mappings/{path.name}"
    return str(path)


def load_spec(path: Path) -> MappingSpec:
    """Load one mapping file (errors name the file and line)."""
    name = display_name(path)
    raw = read_limited(path, display=name)  # unreadable / too large: the file
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleError(f"not UTF-8 (byte {exc.start})", file=name) from None
    return parse_spec(text, name)


def load_specs(directory: Path | None = None) -> tuple[MappingSpec, ...]:
    """Every `*.yaml` mapping in `directory` (the shipped ones by default), by file name."""
    folder = directory or mappings_dir()
    return tuple(load_spec(p) for p in sorted(folder.glob("*.yaml")))


@cache
def shipped_objects() -> Mapping[str, ObjectSpec | ListSpec]:
    """Every shipped object and list mapping by `"vendor.Object"`."""
    out: dict[str, ObjectSpec | ListSpec] = {}
    for spec in load_specs():
        out.update(spec.objects)
        out.update(spec.lists)
    return MappingProxyType(out)
