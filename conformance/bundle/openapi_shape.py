"""The shape of an OpenAPI document, checked before anything relies on it.

Schemathesis assumes objects where OpenAPI has objects and valid Schema Objects, and it
follows any reference it meets (fetching a URL, reading a file). A user's contract and a
vendor's contract patched by an operation erratum are checked here first, so a bad document
is exit 3 with its pointer, never a crash mid-run and never a request to another place.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft4Validator, Draft202012Validator
from jsonschema.exceptions import best_match

from conformance.bundle.openapi import escape_pointer
from conformance.errors import BundleError

#: Keywords whose value names another document (or a place in one) that Schemathesis
#: would retrieve: over HTTP(S), or from disk for `file:` and relative references.
REFERENCE_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef", "operationRef")
#: The Operation Objects of a Path Item.
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")
#: Keys whose values are data (examples, defaults), not OpenAPI objects to look into.
_DATA = frozenset({"example", "examples", "default", "enum", "const"})


def _members(node: Any, pointer: str) -> Iterator[tuple[str, Any, Any]]:
    """(pointer, key or index, value) of a JSON object's members or an array's items."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield f"{pointer}/{escape_pointer(str(key))}", key, value
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield f"{pointer}/{index}", index, value


def refuse_external_references(document: dict[str, Any], *, file: str) -> None:
    """Refuse any reference that is not local (`#...`): runconform sends requests to the
    base URL it is given and nowhere else, and reads no file the user did not name.
    A local reference must point to an object (or a boolean schema) in the document."""
    work: list[tuple[str, Any]] = [("", document)]
    while work:
        pointer, node = work.pop()
        members = list(_members(node, pointer))
        for child, key, value in members:
            if key not in REFERENCE_KEYWORDS or not isinstance(value, str):
                continue
            if not value.startswith("#"):
                raise BundleError(
                    f"external {key} {_shown(value)}: runconform never fetches or reads referenced "
                    "documents; copy what it references into this contract and point at it "
                    "with a local '#/...' reference",
                    file=file,
                    pointer=child,
                )
            target = _target(document, value)
            if target is not _NOWHERE and not isinstance(target, (dict, bool)):
                what = "nothing in this contract" if target is _MISSING else _kind(target)
                raise BundleError(
                    f"{key} {_shown(value)} points to {what}", file=file, pointer=child
                )
        work.extend((child, value) for child, _, value in reversed(members))


def _shown(text: str) -> str:
    """A user's string quoted on one line, and not too long to read."""
    return repr(text if len(text) <= 200 else text[:150] + "..." + text[-20:])


_MISSING = object()  # a pointer to nothing
_NOWHERE = object()  # not a JSON pointer (an `$anchor` name): not followed here


def _target(document: Any, ref: str) -> Any:
    """What a local reference (`#/a/b`) points to in ``document``."""
    fragment = unquote(ref[1:])
    if fragment and not fragment.startswith("/"):
        return _NOWHERE
    node = document
    for token in fragment.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return _MISSING
    return node


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _need(value: Any, kind: type, what: str, *, file: str, pointer: str) -> None:
    if not isinstance(value, kind):
        shape = "an object" if kind is dict else "an array" if kind is list else "a string"
        raise BundleError(
            f"must be {shape} ({what}), not {_kind(value)}", file=file, pointer=pointer
        )


def check_shape(document: dict[str, Any], *, file: str) -> None:
    """The structure Schemathesis assumes without checking: objects where OpenAPI has
    objects, string operation ids, and Schema Objects valid in the document's dialect."""
    paths = document["paths"]
    _need(paths, dict, "the Paths Object", file=file, pointer="/paths")
    for item_pointer, _, item in _members(paths, "/paths"):
        _need(item, dict, "a Path Item Object", file=file, pointer=item_pointer)
        _check_parameters(item, item_pointer, file)
        for method in METHODS:
            if method not in item:
                continue
            pointer = f"{item_pointer}/{method}"
            operation = item[method]
            _need(operation, dict, "an Operation Object", file=file, pointer=pointer)
            if "operationId" in operation:
                _need(
                    operation["operationId"],
                    str,
                    "an operation id",
                    file=file,
                    pointer=f"{pointer}/operationId",
                )
            _check_parameters(operation, pointer, file)
            if "requestBody" in operation:
                body = operation["requestBody"]
                _need(
                    body, dict, "a Request Body Object", file=file, pointer=f"{pointer}/requestBody"
                )
                _check_content(body, f"{pointer}/requestBody", file)
            if "responses" in operation:
                responses = operation["responses"]
                where = f"{pointer}/responses"
                _need(responses, dict, "the Responses Object", file=file, pointer=where)
                for response_pointer, _, response in _members(responses, where):
                    _need(response, dict, "a Response Object", file=file, pointer=response_pointer)
                    _check_content(response, response_pointer, file)
    components = document.get("components", {})
    _need(components, dict, "the Components Object", file=file, pointer="/components")
    for kind_pointer, kind, named in _members(components, "/components"):
        _need(named, dict, "a map of named components", file=file, pointer=kind_pointer)
        if kind != "schemas" and not str(kind).startswith("x-"):
            for pointer, _, component in _members(named, kind_pointer):
                _need(component, dict, f"a component of {kind}", file=file, pointer=pointer)
    _check_schemas(document, file)


def _check_members(
    owner: dict[str, Any], key: str, shape: tuple[type, str, str], pointer: str, file: str
) -> None:
    """`owner[key]`, if present, is a `shape[0]` (`shape[1]`) of objects (each a `shape[2]`)."""
    if key not in owner:
        return
    kind, container, member = shape
    where = f"{pointer}/{key}"
    _need(owner[key], kind, container, file=file, pointer=where)
    for member_pointer, _, value in _members(owner[key], where):
        _need(value, dict, member, file=file, pointer=member_pointer)


_PARAMETERS = (list, "a list of Parameter Objects", "a Parameter Object")
_CONTENT = (dict, "a map of media types", "a Media Type Object")


def _check_parameters(owner: dict[str, Any], pointer: str, file: str) -> None:
    _check_members(owner, "parameters", _PARAMETERS, pointer, file)


def _check_content(owner: dict[str, Any], pointer: str, file: str) -> None:
    _check_members(owner, "content", _CONTENT, pointer, file)


def _schema_roots(document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every Schema Object that is not inside another one, with its pointer, in order."""
    work: list[tuple[str, Any]] = [("", document)]
    while work:
        pointer, node = work.pop()
        named = pointer.count("/") == 2 and pointer.startswith("/components/")
        found: list[tuple[str, Any]] = []
        for child, key, value in _members(node, pointer):
            if pointer == "/components/schemas" or (key == "schema" and isinstance(node, dict)):
                yield child, value
            elif named or not (key in _DATA or str(key).startswith("x-")):
                found.append((child, value))
        work.extend(reversed(found))


def _check_schemas(document: dict[str, Any], file: str) -> None:
    dialect = Draft4Validator if str(document.get("openapi", "")).startswith("3.0") else None
    validator_class = dialect or Draft202012Validator
    validator = validator_class(
        validator_class.META_SCHEMA, format_checker=validator_class.FORMAT_CHECKER
    )
    for pointer, schema in _schema_roots(document):
        error = best_match(validator.iter_errors(schema))
        if error is None:
            continue
        where = pointer + "".join(f"/{escape_pointer(str(p))}" for p in error.absolute_path)
        message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
        raise BundleError(f"invalid Schema Object: {message}", file=file, pointer=where)
