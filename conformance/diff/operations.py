"""What changed in one operation: parameters, request body and responses.

Operations are matched by method and path template (parameter names left out, so a
renamed path parameter is the same operation). Bodies are compared with the schema walk;
a body's `$ref` to a component is compared once at the component (see `compare`).
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.diff.rules import Where
from conformance.diff.schemas import SchemaWalk, closure, references
from conformance.diff.sources import OperationShape


@dataclass(frozen=True)
class RawChange:
    """A change before classification: its kind, where it is, and what each side says."""

    kind: str
    where: Where
    subject: str
    path: str
    old: str = ""
    new: str = ""


def reached(shape: OperationShape, schemas: dict[str, object], *, success_only: bool) -> set[str]:
    """The components an operation's bodies reach (only 2XX responses when
    `success_only`), request body included."""
    roots: set[str] = set()
    for status, content in shape.responses.items():
        if not success_only or status.startswith("2") or status.upper() == "2XX":
            for schema in content.values():
                roots |= references(schema)
    for schema in (shape.request or {}).values():
        roots |= references(schema)
    return closure(dict(schemas), roots)


def usage(shape: OperationShape) -> dict[Where, set[str]]:
    """The components each part of an operation names directly."""
    found: dict[Where, set[str]] = {"response": set(), "request": set(), "parameter": set()}
    for content in shape.responses.values():
        for schema in content.values():
            found["response"] |= references(schema)
    for schema in (shape.request or {}).values():
        found["request"] |= references(schema)
    for parameter in shape.parameters.values():
        found["parameter"] |= references(parameter.schema)
    return found


def _bodies(
    walk: SchemaWalk,
    old: dict[str, object],
    new: dict[str, object],
    where: Where,
    base: str,
    subject: str,
) -> list[RawChange]:
    """Schema changes of the media types both sides declare (the one JSON body of each
    side when their names differ)."""
    pairs = [(m, old[m], new[m]) for m in old if m in new]
    if not pairs and len(old) == 1 and len(new) == 1:
        pairs = [("", next(iter(old.values())), next(iter(new.values())))]
    found = []
    for media, a, b in pairs:
        path = base if len(pairs) == 1 else f"{base}.{media}"
        for change in walk.compare(a, b, path):
            found.append(
                RawChange(change.kind, where, subject, change.path, change.old, change.new)
            )
    return found


def compare_operation(
    walk: SchemaWalk, old: OperationShape, new: OperationShape
) -> list[RawChange]:
    subject = new.name
    found: list[RawChange] = []

    def add(kind: str, path: str, before: str = "", after: str = "") -> None:
        found.append(RawChange(kind, "operation", subject, path, before, after))

    for key, parameter in new.parameters.items():
        path = f"{subject} parameters.{key[0]}.{key[1]}"
        was = old.parameters.get(key)
        if was is None:
            add(
                "parameter-added-required" if parameter.required else "parameter-added-optional",
                path,
            )
            continue
        if parameter.required != was.required:
            add("parameter-required" if parameter.required else "parameter-optional", path)
        for change in walk.compare(was.schema, parameter.schema, path):
            found.append(
                RawChange(change.kind, "parameter", subject, change.path, change.old, change.new)
            )
    for key in old.parameters:
        if key not in new.parameters:
            add("parameter-removed", f"{subject} parameters.{key[0]}.{key[1]}")
    body = f"{subject} requestBody"
    if old.request is None and new.request is not None:
        add(
            "request-body-added-required" if new.body_required else "request-body-added-optional",
            body,
        )
    elif old.request is not None and new.request is None:
        add("request-body-removed", body)
    elif old.request is not None and new.request is not None:
        if new.body_required != old.body_required:
            add("request-body-required" if new.body_required else "request-body-optional", body)
        found += _bodies(walk, old.request, new.request, "request", body, subject)
    for status, content in new.responses.items():
        path = f"{subject} responses.{status}"
        if status not in old.responses:
            add("response-added", path)
            continue
        before = old.responses[status]
        if content and not before:
            add("response-body-added", path)
        elif before and not content:
            add("response-body-removed", path)
        else:
            found += _bodies(walk, before, content, "response", path, subject)
    for status in old.responses:
        if status not in new.responses:
            add("response-removed", f"{subject} responses.{status}")
    return found
