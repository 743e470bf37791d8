"""`diff --recordings`: which recorded records conform to one version and not the other.

Each side's schemas (converted to 2020-12 by `sources`) are compiled into one resource;
a recorded exchange is routed through that side's own operations (method, path template,
status), a bare record is identified with the bundle's identification and checked against
the same-named component of each side. A record one side cannot route or name is not
judged on that side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from conformance.bundle.formats import format_checker
from conformance.bundle.openapi import COMPONENT_PREFIX, escape_pointer
from conformance.diff.sources import Contract, OperationShape
from conformance.records import ReadProblem, Record, read_records
from conformance.validation.routing import url_problem

#: Examples kept of each way the two sides disagree.
EXAMPLES = 5
_TEMPLATE = re.compile(r"^\{[^{}/]*\}$")


@dataclass(frozen=True)
class Example:
    locator: str
    schema: str  # what it was checked against on the side it fails ("GET /x 200", "V1Task")
    error: str  # the first error there


@dataclass(frozen=True)
class RecordingsDiff:
    records: int
    old_only: int  # conform to OLD and not to NEW
    new_only: int
    both: int
    neither: int
    unjudged: int  # not judged on at least one side
    old_examples: tuple[Example, ...]
    new_examples: tuple[Example, ...]
    problems: tuple[ReadProblem, ...]

    @property
    def lines(self) -> tuple[str, str]:
        return (_figure(self.old_only, "OLD", "NEW"), _figure(self.new_only, "NEW", "OLD"))


def _figure(count: int, one: str, other: str) -> str:
    verb = "record conforms" if count == 1 else "records conform"
    return f"{count:,} {verb} to {one} and not to {other}"


def _segments(path: str) -> list[str]:
    return [unquote(s) for s in path.strip("/").split("/") if s]


class _Side:
    """One side compiled: its operations as path patterns and a validator per schema."""

    def __init__(self, contract: Contract, uri: str) -> None:
        self.contract = contract
        self.uri = uri
        self.bodies: list[Any] = []
        document = {"components": {"schemas": contract.schemas}, "bodies": self.bodies}
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry: Registry = Registry().with_resource(uri, resource)
        self.validators: dict[str, Draft202012Validator] = {}
        self.patterns = [
            (shape, [None if _TEMPLATE.match(s) else s for s in _segments(shape.path)])
            for shape in contract.operations.values()
        ]
        self.checker = format_checker()

    def route(self, method: str, path: str) -> OperationShape | None:
        """The operation whose template matches the end of `path` with most literal
        segments (a server base path before it is allowed)."""
        segments = _segments(path)
        best: tuple[int, OperationShape] | None = None
        for shape, pattern in self.patterns:
            if shape.method != method.upper() or len(pattern) > len(segments):
                continue
            tail = segments[len(segments) - len(pattern) :]
            if all(p is None or p == s for p, s in zip(pattern, tail, strict=True)):
                literal = sum(p is not None for p in pattern)
                if best is None or literal > best[0]:
                    best = (literal, shape)
        return best[1] if best else None

    def body_schema(self, shape: OperationShape, status: int | None) -> tuple[str, Any] | None:
        if status is None:
            return None
        keys = (str(status), f"{str(status)[0]}XX", f"{str(status)[0]}xx", "default")
        for key in keys:
            content = shape.responses.get(key)
            if content is None:
                continue
            for media, schema in content.items():
                if schema is not None and ("json" in media or media == "*/*"):
                    return f"{shape.name} {key}", schema
            return None
        return None

    def check(self, name: str, schema: Any, payload: object) -> str | None:
        """The first error of `payload` against `schema` (None: it conforms)."""
        validator = self.validators.get(name)
        if validator is None:
            self.bodies.append(schema)
            resource = Resource.from_contents(
                {"components": {"schemas": self.contract.schemas}, "bodies": self.bodies},
                default_specification=DRAFT202012,
            )
            self.registry = Registry().with_resource(self.uri, resource)
            ref = {"$ref": f"{self.uri}#/bodies/{len(self.bodies) - 1}"}
            validator = Draft202012Validator(
                ref, registry=self.registry, format_checker=self.checker
            )
            self.validators[name] = validator
        try:
            error = best_match(validator.iter_errors(payload))
        except Unresolvable as exc:
            return f"the schema cannot be resolved: {exc}"
        if error is None:
            return None
        where = "$" + "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in error.path)
        return f"{where}: {error.message}"

    def schema_for(self, record: Record, obj: str | None) -> tuple[str, Any] | None:
        exchange = record.exchange
        if exchange is not None:
            if url_problem(exchange.url) is not None:  # `http://[::1/runs`: not judged here
                return None
            shape = self.route(exchange.method, urlsplit(exchange.url).path or exchange.path)
            return None if shape is None else self.body_schema(shape, exchange.status)
        if obj is not None and obj in self.contract.schemas:
            return obj, {"$ref": f"{COMPONENT_PREFIX}{escape_pointer(obj)}"}
        return None


def _object_of(record: Record) -> str | None:
    if record.exchange is not None:
        return None
    from conformance.validation.identify import identify

    best = identify(record.payload).best
    return best.name.partition(".")[2] if best is not None else None


def diff_recordings(old: Contract, new: Contract, paths: Iterable[Path]) -> RecordingsDiff:
    sides = (_Side(old, "urn:runconform:diff:old"), _Side(new, "urn:runconform:diff:new"))
    records = old_only = new_only = both = neither = unjudged = 0
    examples: tuple[list[Example], list[Example]] = ([], [])
    problems: list[ReadProblem] = []
    for item in read_records([str(p) for p in paths]):
        if isinstance(item, ReadProblem):
            problems.append(item)
            continue
        records += 1
        obj = _object_of(item)
        verdicts: list[tuple[str, str | None] | None] = []
        for side in sides:
            found = side.schema_for(item, obj)
            verdicts.append(
                None if found is None else (found[0], side.check(found[0], found[1], item.payload))
            )
        a, b = verdicts
        if a is None or b is None:
            unjudged += 1
        elif a[1] is None and b[1] is None:
            both += 1
        elif a[1] is None and b[1] is not None:
            old_only += 1
            if len(examples[0]) < EXAMPLES:
                examples[0].append(Example(str(item.locator), b[0], b[1]))
        elif b[1] is None and a[1] is not None:
            new_only += 1
            if len(examples[1]) < EXAMPLES:
                examples[1].append(Example(str(item.locator), a[0], a[1]))
        else:
            neither += 1
    return RecordingsDiff(
        records,
        old_only,
        new_only,
        both,
        neither,
        unjudged,
        tuple(examples[0]),
        tuple(examples[1]),
        tuple(problems),
    )
