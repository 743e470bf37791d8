"""The OpenAPI documents a contract run tests, made loadable by Schemathesis.

A vendor's bundled contracts are read from the bundle; a user may bring their
own document instead. Xceptor's document declares OpenAPI 3.2.0, which
Schemathesis does not read: it is rewritten to 3.1.0 (the build already checked
it uses no 3.2-only feature) and the run says so in its notes.

A user's document is checked before anything is sent, the way the build checks the
bundled ones: no reference that would make Schemathesis fetch a URL or read a file,
and the shape Schemathesis assumes (objects where OpenAPI has objects, valid Schema
Objects), so a bad contract is exit 3 with its pointer, never a crash mid-run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft4Validator, Draft202012Validator
from jsonschema.exceptions import best_match

from conformance.catalog import load_catalog
from conformance.contracts import load_vendor
from conformance.documents import load_document
from conformance.errors import BundleError, UsageError
from conformance.openapi import escape_pointer
from conformance.resources import contracts_dir

VENDORS = ("hatchet", "knock", "paragon", "restack", "xceptor")


@dataclass(frozen=True)
class ContractDocument:
    """One OpenAPI document ready for Schemathesis, with what was changed to load it."""

    source: str
    document: dict[str, Any]
    notes: tuple[str, ...]


def _normalised(document: Any, source: str) -> ContractDocument:
    if not isinstance(document, dict) or "paths" not in document:
        raise BundleError("not an OpenAPI document (no `paths`)", file=source)
    declared = str(document.get("openapi", ""))
    notes: list[str] = []
    if declared.startswith("3.2"):
        document = {**document, "openapi": "3.1.0"}
        notes.append(
            f"{source}: declares OpenAPI {declared}, which Schemathesis does not read; "
            "tested as 3.1.0 (it uses no 3.2-only feature)"
        )
    elif not declared.startswith(("3.0", "3.1")):
        raise BundleError(
            f"unsupported OpenAPI version {declared!r} (3.0, 3.1, 3.2 are read)",
            file=source,
            pointer="/openapi",
        )
    return ContractDocument(source, document, tuple(notes))


def _corrected(document: ContractDocument, vendor: str) -> ContractDocument:
    """The document with every bundled component replaced by its corrected schema.

    Schemathesis' own response check then judges by the corrected schemas too
    (as published, Hatchet's run objects require an `id` no response has). The
    corrected schemas are JSON Schema 2020-12, so the document becomes 3.1.
    """
    catalog = load_catalog()
    components = dict((document.document.get("components") or {}).get("schemas") or {})
    replaced = []
    for name in list(components):
        bundle_name = f"{vendor}.{name}"
        if bundle_name not in catalog.names(vendor, include_dependencies=True):
            continue
        schema = catalog.schema(bundle_name)
        schema.pop("$schema", None)
        schema.pop("$id", None)
        components[name] = _local_refs(schema)
        replaced.append(name)
    notes = list(document.notes)
    doc = {
        **document.document,
        "components": {**document.document.get("components", {}), "schemas": components},
    }
    if str(doc.get("openapi", "")).startswith("3.0") and replaced:
        doc["openapi"] = "3.1.0"
        notes.append(f"{document.source}: tested as OpenAPI 3.1.0 with the corrected schemas")
    return ContractDocument(document.source, doc, tuple(notes))


def _local_refs(node: Any) -> Any:
    """Bundle refs (`X.json#/p`) back to document refs (`#/components/schemas/X/p`)."""
    if isinstance(node, list):
        return [_local_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str) and ".json" in value:
            name, _, rest = value.partition(".json")
            out[key] = f"#/components/schemas/{name}" + rest.lstrip("#")
        else:
            out[key] = _local_refs(value)
    return out


def contract_documents(vendor: str, contract: Path | None = None) -> tuple[ContractDocument, ...]:
    """The documents to test: the user's `contract`, or every bundled OpenAPI source of `vendor`
    with its schemas corrected."""
    if vendor not in VENDORS:
        raise UsageError(f"unknown vendor {vendor!r}; known: {', '.join(VENDORS)}")
    if contract is not None:
        document = _normalised(load_document(contract, display=str(contract)), str(contract))
        refuse_external_references(document.document, file=document.source)
        check_shape(document.document, file=document.source)
        check_loadable(document.document, file=document.source)
        return (document,)
    contracts = load_vendor(contracts_dir() / vendor)
    return tuple(
        _corrected(
            _normalised(load_document(contracts.directory / s.file, display=s.relpath), s.relpath),
            vendor,
        )
        for s in contracts.sources
        if s.kind == "openapi"
    )


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


def _check_parameters(owner: dict[str, Any], pointer: str, file: str) -> None:
    if "parameters" not in owner:
        return
    where = f"{pointer}/parameters"
    _need(owner["parameters"], list, "a list of Parameter Objects", file=file, pointer=where)
    for parameter_pointer, _, parameter in _members(owner["parameters"], where):
        _need(parameter, dict, "a Parameter Object", file=file, pointer=parameter_pointer)


def _check_content(owner: dict[str, Any], pointer: str, file: str) -> None:
    if "content" not in owner:
        return
    where = f"{pointer}/content"
    _need(owner["content"], dict, "a map of media types", file=file, pointer=where)
    for media_pointer, _, media in _members(owner["content"], where):
        _need(media, dict, "a Media Type Object", file=file, pointer=media_pointer)


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


def check_loadable(document: dict[str, Any], *, file: str) -> None:
    """Whatever else Schemathesis cannot load, as one line naming the operation."""
    import schemathesis

    for result in schemathesis.openapi.from_dict(document).get_all_operations():
        error = getattr(result, "err", lambda: None)()
        if error is None:
            continue
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        details = lines[lines.index("Error details:") + 1 :] if "Error details:" in lines else []
        message = "; ".join(lines[:1] + details[:1]).rstrip(".")
        path, method = getattr(error, "path", None), getattr(error, "method", None)
        pointer = f"/paths/{escape_pointer(path)}" if isinstance(path, str) else "/paths"
        if isinstance(method, str) and isinstance(path, str):
            pointer += f"/{method.lower()}"
        raise BundleError(
            f"Schemathesis cannot load this operation: {message}", file=file, pointer=pointer
        )
