"""One side of `runconform diff` (OLD or NEW) read into one comparable form.

Accepted: an OpenAPI file (YAML or JSON); a folder whose entry is `openapi.yaml|yml|json`
(a multi-file document, assembled locally by `bundle.openapi_files`); a bundle build
(a folder with `manifest.json`, like schemas/); a vendor's contracts folder (with
`manifest.yaml`, like contracts/hatchet); otherwise a folder whose top-level OpenAPI files
are read as one document (the union of their paths and schemas).

Every schema is converted to JSON Schema 2020-12 as the bundle build converts it, so a
3.0 `nullable: true` and a 3.1 `type: [..., "null"]` compare equal. Nothing is fetched:
a reference outside the document or the folder is refused (exit 3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from conformance.bundle.catalog import Catalog
from conformance.bundle.document_loader import load_document
from conformance.bundle.openapi import (
    COMPONENT_PREFIX,
    check_openapi_32_features,
    convert_schema,
    escape_pointer,
)
from conformance.bundle.openapi_files import MissingFile, assemble, listed_operations
from conformance.bundle.openapi_shape import refuse_external_references
from conformance.bundle.vendor_contracts import load_vendor
from conformance.errors import BundleError
from conformance.records.recording_files import suffixes_of
from conformance.records.stdin import STDIN, STDIN_NAME

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ENTRIES = ("openapi.yaml", "openapi.yml", "openapi.json")
#: Files a folder of OpenAPI documents is read from: JSON and YAML, as recordings name them.
_SUFFIXES = (*suffixes_of("json"), *suffixes_of("yaml"))
_TEMPLATE = re.compile(r"\{[^{}/]*\}")
_MAX_CHAIN = 32


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # path, query, header, cookie
    required: bool
    schema: Any


@dataclass(frozen=True)
class OperationShape:
    """What `diff` compares of one operation: parameters, request body, responses (each
    body as media type -> converted schema, None when the media type has no schema)."""

    method: str  # GET
    path: str  # as the document writes it
    parameters: dict[tuple[str, str], Parameter]  # (in, name) ->
    body_required: bool
    request: dict[str, Any] | None  # None: no request body
    responses: dict[str, dict[str, Any]]  # status -> media type -> schema

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Contract:
    """A contract as `diff` compares it: named schemas and operations (keyed by method and
    path template with the parameter names left out), and what could not be read."""

    label: str
    schemas: dict[str, Any]
    operations: dict[str, OperationShape]
    skipped: tuple[str, ...] = ()
    files: tuple[str, ...] = ()  # the documents read, as shown


def operation_key(method: str, path: str) -> str:
    return f"{method.upper()} {_TEMPLATE.sub('{}', path)}"


def dialect_of(document: dict[str, Any], *, file: str) -> str:
    """ "3.0" or "3.1" (a 3.2 document that uses nothing 3.2 added is read as 3.1)."""
    version = str(document.get("openapi", ""))
    if version.startswith("3.0."):
        return "3.0"
    if version.startswith("3.1."):
        return "3.1"
    if version.startswith("3.2."):
        check_openapi_32_features(document, file=file)
        return "3.1"
    raise BundleError(
        f"OpenAPI version {version!r} is not read (3.0.x, 3.1.x or 3.2.x)", file=file,
        pointer="/openapi",
    )  # fmt: skip


def _at(document: Any, ref: str, *, file: str, pointer: str) -> Any:
    node = document
    for token in ref[1:].split("/")[1:] if ref.startswith("#/") else ["?"]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise BundleError(f"$ref {ref!r} points to nothing", file=file, pointer=pointer)
    return node


def _deref(document: Any, node: Any, *, file: str, pointer: str) -> Any:
    """A Parameter, Request Body, Response or Path Item, its local `$ref` chain followed."""
    for _ in range(_MAX_CHAIN):
        if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
            return node
        node = _at(document, node["$ref"], file=file, pointer=pointer)
    raise BundleError("$ref chain loops or is too long", file=file, pointer=pointer)


class _Reader:
    """One OpenAPI document (local references only) read into schemas and operations."""

    def __init__(self, document: Any, *, file: str, dialect: str | None = None) -> None:
        if not isinstance(document, dict) or "openapi" not in document:
            raise BundleError("not an OpenAPI document (no `openapi` version)", file=file)
        self.document = document
        self.file = file
        self.dialect = dialect or dialect_of(document, file=file)
        refuse_external_references(document, file=file)

    def schema(self, node: Any, pointer: str) -> Any:
        return convert_schema(
            node, dialect=self.dialect, rewrite_ref=lambda ref, _p: ref, pointer=pointer, notes=[]
        )

    def schemas(self) -> dict[str, Any]:
        components = self.document.get("components") or {}
        found = components.get("schemas") if isinstance(components, dict) else None
        if not isinstance(found, dict):
            return {}
        return {
            str(name): self.schema(node, f"/components/schemas/{escape_pointer(str(name))}")
            for name, node in found.items()
        }

    def content(self, holder: Any, pointer: str) -> dict[str, Any]:
        content = holder.get("content") if isinstance(holder, dict) else None
        if not isinstance(content, dict):
            return {}
        return {
            str(media): (
                self.schema(body["schema"], f"{pointer}/content/{escape_pointer(str(media))}")
                if isinstance(body, dict) and "schema" in body
                else None
            )
            for media, body in content.items()
        }

    def parameters(self, raw: Any, pointer: str) -> dict[tuple[str, str], Parameter]:
        found: dict[tuple[str, str], Parameter] = {}
        for i, item in enumerate(raw if isinstance(raw, list) else []):
            at = f"{pointer}/parameters/{i}"
            item = _deref(self.document, item, file=self.file, pointer=at)
            if not isinstance(item, dict) or "name" not in item:
                raise BundleError("a parameter needs a `name`", file=self.file, pointer=at)
            location = str(item.get("in", "query"))
            schema = item.get("schema")
            if schema is None:
                schema = next(iter(self.content(item, at).values()), None)
            else:
                schema = self.schema(schema, f"{at}/schema")
            required = bool(item.get("required", False)) or location == "path"
            found[location, str(item["name"])] = Parameter(
                str(item["name"]), location, required, schema
            )
        return found

    def operations(self) -> dict[str, OperationShape]:
        paths = self.document.get("paths") or {}
        if not isinstance(paths, dict):
            raise BundleError("`paths` must be a mapping", file=self.file, pointer="/paths")
        found: dict[str, OperationShape] = {}
        for path, item in paths.items():
            base = f"/paths/{escape_pointer(str(path))}"
            item = _deref(self.document, item, file=self.file, pointer=base)
            if not isinstance(item, dict):
                continue
            shared = self.parameters(item.get("parameters"), base)
            for method in METHODS:
                operation = item.get(method)
                if not isinstance(operation, dict):
                    continue
                at = f"{base}/{method}"
                body = _deref(
                    self.document, operation.get("requestBody"), file=self.file, pointer=at
                )
                responses = operation.get("responses") or {}
                if not isinstance(responses, dict):
                    raise BundleError(
                        "`responses` must be a mapping", file=self.file, pointer=f"{at}/responses"
                    )
                shape = OperationShape(
                    method=method.upper(),
                    path=str(path),
                    parameters={**shared, **self.parameters(operation.get("parameters"), at)},
                    body_required=isinstance(body, dict) and bool(body.get("required", False)),
                    request=self.content(body, f"{at}/requestBody") if body is not None else None,
                    responses={
                        str(status): self.content(
                            _deref(self.document, response, file=self.file, pointer=at),
                            f"{at}/responses/{escape_pointer(str(status))}",
                        )
                        for status, response in responses.items()
                    },
                )
                found[operation_key(method, str(path))] = shape
        return found


def _union(label: str, readers: list[_Reader], skipped: tuple[str, ...] = ()) -> Contract:
    """The union of several documents' schemas and operations; the same name defined
    differently in two of them is refused, naming both files."""
    schemas: dict[str, Any] = {}
    operations: dict[str, OperationShape] = {}
    where: dict[str, str] = {}
    for reader in readers:
        for name, schema in reader.schemas().items():
            if name in schemas and schemas[name] != schema:
                raise BundleError(
                    f"component schema {name!r} is defined differently in {where[name]} "
                    f"and {reader.file}",
                    file=reader.file,
                    pointer=f"/components/schemas/{escape_pointer(name)}",
                )
            schemas[name] = schema
            where.setdefault(name, reader.file)
        for key, shape in reader.operations().items():
            if key in operations and operations[key] != shape:
                raise BundleError(
                    f"operation {shape.name} is defined differently in {where[key]} "
                    f"and {reader.file}",
                    file=reader.file,
                )
            operations[key] = shape
            where.setdefault(key, reader.file)
    files = tuple(reader.file for reader in readers)
    return Contract(label, schemas, operations, skipped, files)


def _multi_file(root: Path, entry: str, label: str) -> Contract:
    """A multi-file document: every operation whose files are all in the folder."""
    cache: dict[str, Any] = {}
    listed, missing = listed_operations(root, entry, display=label, cache=cache)
    kept: list[str] = []
    skipped = [f"{path} (its path item's file is not in the folder)" for path in missing]
    for operation in listed:
        try:
            assemble(root, entry, [operation], display=label, cache=cache)
        except MissingFile as exc:
            skipped.append(f"{operation} ({exc.message})")
            continue
        kept.append(operation)
    built = assemble(root, entry, kept, display=label, cache=cache)
    contract = _union(label, [_Reader(built.document, file=f"{label}/{entry}")], tuple(skipped))
    return replace(contract, files=tuple(f"{label}/{name}" for name in built.files))


def _bundle(root: Path, label: str) -> Contract:
    """A bundle build: its objects (default variant), relative `$ref`s made local."""
    try:
        catalog = Catalog(root)
        names = catalog.names(include_dependencies=True)
    except (KeyError, TypeError, AttributeError):
        raise BundleError(
            "not a bundle manifest: `schemas` must list the objects with their `name`, "
            "`vendor`, `object`, `listed` and variants",
            file=f"{label}/manifest.json",
        ) from None
    objects = [name.partition(".")[2] for name in names]
    keys = {
        name: obj if objects.count(obj) == 1 else name
        for name, obj in zip(names, objects, strict=True)
    }
    schemas: dict[str, Any] = {}
    for name in names:
        vendor = name.partition(".")[0]
        schema = {k: v for k, v in catalog.schema(name).items() if k not in ("$id", "$schema")}
        schemas[keys[name]] = _local_refs(schema, vendor, keys[name], keys)
    return Contract(label, schemas, {}, (), (f"{label}/manifest.json",))


def _local_refs(node: Any, vendor: str, key: str, keys: dict[str, str]) -> Any:
    """`Other.json#/x` -> `#/components/schemas/Other/x`; `#/x` -> into this schema."""
    if isinstance(node, list):
        return [_local_refs(v, vendor, key, keys) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _local_refs(v, vendor, key, keys) for k, v in node.items()}
    ref = node.get("$ref")
    if isinstance(ref, str):
        location, _, fragment = ref.partition("#")
        target = key
        if location:
            name = f"{vendor}.{location.rsplit('/', 1)[-1].removesuffix('.json')}"
            target = keys.get(name, name)
        out["$ref"] = f"{COMPONENT_PREFIX}{escape_pointer(target)}{fragment}"
    return out


def _vendor(root: Path, label: str) -> Contract:
    """A vendor's contracts folder: the union of the OpenAPI sources its manifest lists."""
    contracts = load_vendor(root)
    readers = []
    for source in contracts.sources:
        if source.kind != "openapi":
            continue
        file = f"{label}/{source.file}"
        spec = source.assembled_from
        if spec is not None:
            document = assemble(
                root / spec.root, spec.entry, spec.operations, display=f"{label}/{spec.root}"
            ).document
        else:
            document = load_document(root / source.file, display=file)
        dialect = source.dialect if source.dialect in ("3.0", "3.1") else None
        readers.append(_Reader(document, file=file, dialect=dialect))
    return _union(label, readers)


def _is_openapi_file(path: Path) -> bool:
    if path.suffix not in _SUFFIXES or path.name.startswith("."):
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).decode("utf-8", "replace")
    except OSError:
        return False
    return re.search(r"""^\s*["']?openapi["']?\s*:""", head, re.MULTILINE) is not None or (
        path.suffix == ".json" and '"openapi"' in head
    )


def contract_of(document: Any, *, file: str) -> Contract:
    """One OpenAPI document, already parsed (its references local), as a `Contract`."""
    return _union(file, [_Reader(document, file=file)])


def load_contract(path: Path, *, label: str | None = None) -> Contract:
    """OLD or NEW, whichever of the accepted forms `path` is (see the module's doc)."""
    shown = label or (STDIN_NAME if str(path) == STDIN else str(path))
    if str(path) == STDIN or path.is_file():
        return _union(shown, [_Reader(load_document(path, display=shown), file=shown)])
    if not path.is_dir():
        raise BundleError("no such file or folder", file=shown)
    if (path / "manifest.json").is_file():
        return _bundle(path, shown)
    if (path / "manifest.yaml").is_file():
        return _vendor(path, shown)
    for entry in ENTRIES:
        if (path / entry).is_file():
            return _multi_file(path, entry, shown)
    try:
        files = sorted(p for p in path.iterdir() if p.is_file() and _is_openapi_file(p))
    except OSError as exc:
        raise BundleError(f"cannot read the folder: {exc.strerror or exc}", file=shown) from None
    if not files:
        raise BundleError(
            "no OpenAPI document here: expected an OpenAPI file, a folder with "
            "openapi.yaml, a bundle build (manifest.json), a vendor's contracts folder "
            "(manifest.yaml) or a folder of OpenAPI files",
            file=shown,
        )
    readers = [
        _Reader(load_document(p, display=f"{shown}/{p.name}"), file=f"{shown}/{p.name}")
        for p in files
    ]
    return _union(shown, readers)
