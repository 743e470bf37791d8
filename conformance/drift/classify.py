"""From the schema errors of one record to drift sightings: what kind, declared where.

The record is checked against the strict twin of its schema (`validation/drift.py`),
so one pass names undocumented properties beside the ordinary errors. Each error
becomes a `Sighting` of one kind:

- `undocumented`: a property the schema does not document (one per name);
- `enum`: a value outside a documented enum;
- `null`: null where the schema does not allow it;
- `format`: a string that breaks its `format`;
- `required`: a required property that is absent (one per name);
- `other`: any other schema error (counted; no erratum is proposed for it).

`anyOf`/`oneOf` failures are read through the branch that comes closest (no type
error at the value itself, fewest errors), so drift inside a nullable reference is
still named as drift.

The errors come from jsonschema-rs (`rs_sightings`: its keyword locations name the
document that declares each keyword, refs followed); a record it cannot take (a lone
surrogate) is read with jsonschema instead (`sightings`), whose schema paths are walked
again over the bundle (`locate.py`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from jsonschema.exceptions import ValidationError

from conformance.drift.locate import Locator, Place
from conformance.validation.drift import LENIENT_SUFFIX, unexpected_names

#: Every kind, in the order reports list kinds of equal weight.
KINDS = ("undocumented", "enum", "null", "format", "required", "other", "unseen")
_CLOSED = ("unevaluatedProperties", "additionalProperties")
_BRANCHES = ("anyOf", "oneOf")


@dataclass(frozen=True, slots=True)
class Key:
    """What one drift item is about: its kind, the schema node that declares it (None
    when the path could not be walked), and its detail (a property name, a JSON-encoded
    enum value, a format, a keyword)."""

    kind: str
    place: Place | None
    detail: str


@dataclass(frozen=True, slots=True)
class Sighting:
    key: Key
    field: str  # where in the record: "$.rows[*].region"
    value: Any = None  # an undocumented property's value (its type and inferred schema)
    message: str = ""  # an `other` error's message


def field_path(path: Iterable[Any], name: str | None = None) -> str:
    """`["rows", 3, "status"]` -> `$.rows[*].status` (items of arrays folded together)."""
    out = "$"
    for part in [*path, name] if name is not None else path:
        if isinstance(part, int):
            out += "[*]"
        elif part.isidentifier():
            out += f".{part}"
        else:
            out += f"[{json.dumps(part)}]"
    return out


def sightings(errors: Iterable[ValidationError], root: str, where: Locator) -> Iterator[Sighting]:
    """The sightings of one record's errors against object `root`. A failed `anyOf` makes
    its node's `unevaluatedProperties` see no property as evaluated: that echo is dropped
    (the branch the value comes closest to names what is really undocumented)."""
    listed = list(errors)
    failed = {
        (tuple(e.absolute_path), tuple(e.absolute_schema_path)[:-1])
        for e in listed
        if e.validator in _BRANCHES
    }
    for error in listed:
        if (
            error.validator in _CLOSED
            and failed
            and (tuple(error.absolute_path), tuple(error.absolute_schema_path)[:-1]) in failed
        ):
            continue
        yield from _one(error, root, where)


def _one(error: ValidationError, root: str, where: Locator) -> Iterator[Sighting]:
    keyword = str(error.validator)
    instance = error.instance
    path = list(error.absolute_path)
    schema_path = list(error.absolute_schema_path)
    place = where.place(root, schema_path)
    if keyword in _CLOSED and isinstance(instance, dict):
        for name in unexpected_names(error.message):
            if name in instance:
                key = Key("undocumented", place, name)
                yield Sighting(key, field_path(path, name), instance[name])
        return
    if keyword in _BRANCHES and instance is not None and error.context:
        yield from sightings(_closest(error.context, len(path)), root, where)
        return
    if instance is None and keyword in ("type", "enum", *_BRANCHES):
        yield Sighting(Key("null", place, ""), field_path(path))
    elif keyword == "enum":
        yield Sighting(Key("enum", place, json.dumps(instance)), field_path(path))
    elif keyword == "format":
        yield Sighting(Key("format", place, str(error.validator_value)), field_path(path))
    elif keyword == "required" and isinstance(instance, dict):
        required: Any = error.validator_value  # `Unset` only on errors made by hand
        for name in required:
            if name not in instance:
                yield Sighting(Key("required", place, name), field_path(path, name))
    else:
        yield Sighting(Key("other", place, keyword), field_path(path), message=error.message)


def _closest(context: Sequence[ValidationError], depth: int) -> list[ValidationError]:
    """The errors of the branch the value comes closest to matching."""
    branches: dict[Any, list[ValidationError]] = {}
    for sub in context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)

    def distance(errors: list[ValidationError]) -> tuple[bool, int]:
        mistyped = any(e.validator == "type" and len(e.absolute_path) == depth for e in errors)
        return mistyped, len(errors)

    return min(branches.values(), key=distance)


# -- jsonschema-rs -----------------------------------------------------------------------------

_RS_KINDS = {
    "UnevaluatedProperties": "unevaluatedProperties",
    "AdditionalProperties": "additionalProperties",
    "AnyOf": "anyOf",
    "OneOfNotValid": "oneOf",
    "Enum": "enum",
    "Type": "type",
    "Format": "format",
    "Required": "required",
}


def _rs_keyword(error: Any) -> str:
    name = type(error.kind).__name__
    return _RS_KINDS.get(name) or (str(error.schema_path[-1]) if error.schema_path else name)


def _rs_place(error: Any, where: Locator) -> tuple[Place | None, tuple[str, str]]:
    """The node holding the failing keyword, and (document, node pointer) to match echoes."""
    location = str(error.absolute_keyword_location or "")
    uri, _, fragment = location.partition("#")
    uri = uri.removesuffix(LENIENT_SUFFIX)
    node = unquote(fragment).rpartition("/")[0]
    name = where.name_of(uri)
    return (Place(name, node) if name is not None else None), (uri, node)


def rs_sightings(errors: Iterable[Any], where: Locator) -> Iterator[Sighting]:
    """The sightings of one record's jsonschema-rs errors (see `sightings`)."""
    listed = [(e, _rs_keyword(e), *_rs_place(e, where)) for e in errors]
    failed = {(tuple(e.instance_path), at) for e, kw, _, at in listed if kw in _BRANCHES}
    for error, keyword, place, at in listed:
        if keyword in _CLOSED and (tuple(error.instance_path), at) in failed:
            continue  # the echo of a failed anyOf (see `sightings`)
        yield from _rs_one(error, keyword, place, where)


def _rs_one(error: Any, keyword: str, place: Place | None, where: Locator) -> Iterator[Sighting]:
    instance = error.instance
    path = list(error.instance_path)
    kind = error.kind
    if keyword in _CLOSED and isinstance(instance, dict):
        for name in kind.unexpected:
            if name in instance:
                key = Key("undocumented", place, name)
                yield Sighting(key, field_path(path, name), instance[name])
        return
    if keyword in _BRANCHES and instance is not None and kind.context:
        branches = [list(branch) for branch in kind.context]

        def distance(errors: Iterable[Any]) -> tuple[bool, int]:
            errors = list(errors)
            mistyped = any(_rs_keyword(e) == "type" and len(e.instance_path) == len(path)
                           for e in errors)  # fmt: skip
            return mistyped, len(errors)

        yield from rs_sightings(min(branches, key=distance), where)
        return
    if instance is None and keyword in ("type", "enum", *_BRANCHES):
        yield Sighting(Key("null", place, ""), field_path(path))
    elif keyword == "enum":
        yield Sighting(Key("enum", place, json.dumps(instance)), field_path(path))
    elif keyword == "format":
        yield Sighting(Key("format", place, str(kind.format)), field_path(path))
    elif keyword == "required":
        name = str(kind.property)
        yield Sighting(Key("required", place, name), field_path(path, name))
    else:
        yield Sighting(Key("other", place, keyword), field_path(path), message=str(error.message))
