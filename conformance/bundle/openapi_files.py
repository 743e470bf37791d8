"""A multi-file OpenAPI document (relative-file `$ref`s) assembled into one, locally.

Vendors such as Hatchet publish their API as a root `openapi.yaml` whose paths and schemas
are `$ref`s into other files (`./paths/v1/tasks/tasks.yaml#/getTask`,
`../../../components/schemas/_index.yaml#/V1TaskSummary`). Schemathesis, the routing and
the schema build each want one document with local `#/` references only, so the chosen
operations are assembled here into one self-contained document:

- a referenced file is read only from under the vendor's folder: a reference that climbs out
  of it, an absolute path, a `file:` or any other URL is refused (never fetched);
- a schema the vendor names in `components/schemas` (directly or through an index file such
  as `_index.yaml`), or a top-level definition of a file that holds such schemas, becomes
  `#/components/schemas/NAME`; anything else (path items, inline pieces) is copied in place;
- bounded: reference chains and copies that loop are refused with the pointer, and nesting
  and the number of copies have limits, so a hostile tree cannot hang or explode the build.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.bundle.document_loader import dump_json, load_document
from conformance.bundle.openapi import escape_pointer
from conformance.bundle.vendor_contracts import Source, VendorContracts
from conformance.errors import BundleError

#: Deepest chain of references copied into one another.
MAX_INLINE_DEPTH = 32
#: Most references copied in place (components are shared, not copied) in one assembly.
MAX_COPIES = 20_000
#: Most files one assembly reads.
MAX_FILES = 256
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_DATA = frozenset({"example", "examples", "default", "enum", "const"})
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
Target = tuple[str, str]  # (file relative to the root folder, JSON pointer)


class MissingFile(BundleError):
    """A `$ref` names a file that is not in the folder (a folder holding part of a
    vendor's document): `runconform diff` leaves out the operations that need it."""


@dataclass(frozen=True)
class Assembled:
    """The self-contained document, the files it was read from, and where each schema came
    from (`component -> "file#pointer"`)."""

    document: dict[str, Any]
    files: tuple[str, ...]
    origins: dict[str, str]


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _at(node: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:] if pointer else []:
        token = _unescape(token)
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(pointer)
    return node


@dataclass
class _Assembler:
    root: Path
    display: str  # how the root folder is shown in messages ("hatchet/upstream-openapi")
    documents: dict[str, Any] = field(default_factory=dict)
    names: dict[Target, str] = field(default_factory=dict)
    schema_files: set[str] = field(default_factory=set)
    components: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    pending: list[tuple[str, Target]] = field(default_factory=list)
    copies: int = 0

    def shown(self, file: str) -> str:
        return f"{self.display}/{file}"

    def load(self, file: str, *, by: str, pointer: str) -> Any:
        if file not in self.documents:
            if len(self.documents) >= MAX_FILES:
                raise BundleError(
                    f"more than {MAX_FILES} files referenced", file=by, pointer=pointer
                )
            path = self.root / file
            inside = path.resolve().is_relative_to(self.root.resolve())
            if not inside:
                raise BundleError(
                    f"$ref to {file!r}: the file leaves the vendor folder", file=by, pointer=pointer
                )
            if not path.is_file():
                raise MissingFile(
                    f"$ref to {file!r}: the file does not exist", file=by, pointer=pointer
                )
            self.documents[file] = load_document(path, display=self.shown(file))
        return self.documents[file]

    def target(self, ref: str, file: str, pointer: str) -> Target:
        """Where `ref` (written in `file`, at `pointer`) points; refused unless local."""
        where = self.shown(file)
        location, _, fragment = ref.partition("#")
        if _SCHEME.match(ref) or location.startswith(("/", "\\")) or "\\" in location:
            raise BundleError(
                f"$ref {ref!r} is not a relative file reference: runconform never fetches "
                "or reads documents outside the vendor's contracts folder",
                file=where,
                pointer=pointer,
            )
        if fragment and not fragment.startswith("/"):
            raise BundleError(
                f"$ref {ref!r}: only JSON pointer fragments are read", file=where, pointer=pointer
            )
        if not location:
            return file, fragment
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(file), location))
        if joined == ".." or joined.startswith("../"):
            raise BundleError(
                f"$ref {ref!r} leaves the vendor's contracts folder", file=where, pointer=pointer
            )
        return joined, fragment

    def node(self, target: Target, *, by: str, pointer: str) -> Any:
        file, fragment = target
        document = self.load(file, by=by, pointer=pointer)
        try:
            return _at(document, fragment)
        except KeyError:
            raise BundleError(
                f"$ref target {file}#{fragment} does not exist", file=by, pointer=pointer
            ) from None

    def final(self, target: Target, *, by: str, pointer: str) -> tuple[Target, Any]:
        """Follow a chain of bare `{$ref}` nodes to the node it ends at (loops refused)."""
        seen: list[Target] = []
        node = self.node(target, by=by, pointer=pointer)
        while isinstance(node, dict) and set(node) == {"$ref"} and isinstance(node["$ref"], str):
            if target in seen or len(seen) > MAX_INLINE_DEPTH:
                raise BundleError(
                    f"$ref chain loops or is too long at {target[0]}#{target[1]}",
                    file=by,
                    pointer=pointer,
                )
            seen.append(target)
            target = self.target(node["$ref"], target[0], target[1])
            node = self.node(target, by=self.shown(seen[-1][0]), pointer=seen[-1][1])
        for alias in seen:
            if target in self.names and alias not in self.names:
                self.names[alias] = self.names[target]
        return target, node

    def register_index(self, index: Any, target: Target) -> None:
        """Every schema named in the components map (`index`, found at `target`), read lazily:
        a named file is only opened once an operation needs one of its schemas."""
        file, base = target
        if not isinstance(index, dict):
            raise BundleError("components/schemas must be a mapping", file=self.shown(file))
        for name, value in index.items():
            entry = (file, f"{base}/{escape_pointer(str(name))}")
            self.names.setdefault(entry, str(name))
            ref = value.get("$ref") if isinstance(value, dict) else None
            if isinstance(ref, str):
                found = self.target(ref, file, entry[1])
                self.names.setdefault(found, str(name))
                self.schema_files.add(found[0])

    def component(self, target: Target, *, by: str, pointer: str) -> str | None:
        """The component name of a schema target, registering it; None if it is copied."""
        target, _ = self.final(target, by=by, pointer=pointer)
        name = self.names.get(target)
        if name is None and target[0] in self.schema_files and target[1].count("/") == 1:
            name = _unescape(target[1][1:])
            self.names[target] = name
        if name is None:
            return None
        origin = f"{target[0]}#{target[1]}"
        if self.origins.setdefault(name, origin) != origin:
            raise BundleError(
                f"two schemas are both named {name!r}: {self.origins[name]} and {origin}",
                file=by,
                pointer=pointer,
            )
        if name not in self.components:
            self.components[name] = None  # reserved: a recursive schema refers to itself
            self.pending.append((name, target))
        return name

    def resolve(
        self, node: Any, file: str, pointer: str, depth: int, stack: tuple[Target, ...]
    ) -> Any:
        """`node` (found in `file` at `pointer`) with every reference made local."""
        if depth > MAX_INLINE_DEPTH:
            raise BundleError(
                f"references nest deeper than {MAX_INLINE_DEPTH} levels",
                file=self.shown(file),
                pointer=pointer,
            )
        if isinstance(node, list):
            return [
                self.resolve(v, file, f"{pointer}/{i}", depth, stack) for i, v in enumerate(node)
            ]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = self.target(ref, file, pointer)
            name = self.component(target, by=self.shown(file), pointer=pointer)
            if name is not None:
                out["$ref"] = f"#/components/schemas/{escape_pointer(name)}"
            else:
                out.update(self.copy(target, file, pointer, depth, stack))
        for key, value in node.items():
            if key == "$ref":
                continue
            if key in _DATA or str(key).startswith("x-"):
                out[key] = value
            else:
                child = f"{pointer}/{escape_pointer(str(key))}"
                out[key] = self.resolve(value, file, child, depth, stack)
        return out

    def copy(
        self, target: Target, file: str, pointer: str, depth: int, stack: tuple[Target, ...]
    ) -> dict[str, Any]:
        target, found = self.final(target, by=self.shown(file), pointer=pointer)
        self.copies += 1
        if target in stack or self.copies > MAX_COPIES:
            why = "loops back into itself" if target in stack else f"needs over {MAX_COPIES} copies"
            raise BundleError(
                f"$ref to {target[0]}#{target[1]} {why}", file=self.shown(file), pointer=pointer
            )
        if not isinstance(found, dict):
            raise BundleError(
                f"$ref to {target[0]}#{target[1]} points to no object",
                file=self.shown(file),
                pointer=pointer,
            )
        resolved = self.resolve(found, target[0], target[1], depth + 1, (*stack, target))
        return dict(resolved)

    def drain(self) -> None:
        while self.pending:
            name, (file, pointer) = self.pending.pop(0)
            node = self.node((file, pointer), by=self.shown(file), pointer=pointer)
            self.components[name] = self.resolve(node, file, pointer, 0, ((file, pointer),))


def assemble(
    root: Path,
    entry: str,
    operations: Iterable[str],
    *,
    display: str,
    cache: dict[str, Any] | None = None,
) -> Assembled:
    """One document with the `operations` ("METHOD /path", in that order) of the multi-file
    document whose root is `root/entry`, every reference local (`#/components/schemas/...`).
    `cache` (file -> its parsed content) is shared by assemblies of the same folder."""
    work = _Assembler(root=root, display=display)
    if cache is not None:
        work.documents = cache
    shown = work.shown(entry)
    document = work.load(entry, by=shown, pointer="")
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise BundleError("not an OpenAPI document (no `paths`)", file=shown)
    components = document.get("components") or {}
    schemas = components.get("schemas") if isinstance(components, dict) else None
    if schemas is not None:
        place: Target = (entry, "/components/schemas")
        if isinstance(schemas, dict) and set(schemas) == {"$ref"}:
            place, schemas = work.final(place, by=shown, pointer=place[1])
        work.register_index(schemas, place)
    paths: dict[str, Any] = {}
    for operation in operations:
        method, _, path = operation.partition(" ")
        method = method.lower()
        pointer = f"/paths/{escape_pointer(path)}"
        if method not in _METHODS or path not in document["paths"]:
            raise BundleError(f"no operation {operation!r} in this document", file=shown)
        item = work.resolve(document["paths"][path], entry, pointer, 0, ())
        if method not in item:
            raise BundleError(f"no operation {operation!r} in this document", file=shown)
        kept = paths.setdefault(path, {k: v for k, v in item.items() if k not in _METHODS})
        kept[method] = item[method]
    security = components.get("securitySchemes") if isinstance(components, dict) else None
    out_components: dict[str, Any] = {}
    if security is not None:
        out_components["securitySchemes"] = work.resolve(
            security, entry, "/components/securitySchemes", 0, ()
        )
    assembled = {
        k: work.resolve(v, entry, f"/{escape_pointer(str(k))}", 0, ())
        for k, v in document.items()
        if k not in ("paths", "components")
    }
    work.drain()
    out_components["schemas"] = dict(sorted(work.components.items()))
    assembled["paths"] = paths
    assembled["components"] = out_components
    origins = {name: work.origins[name] for name in sorted(work.origins)}
    return Assembled(assembled, tuple(sorted(work.documents)), origins)


def listed_operations(
    root: Path, entry: str, *, display: str, cache: dict[str, Any] | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Every operation ("METHOD /path") the document at `root/entry` lists, and the paths
    whose path item is in a file missing from the folder."""
    work = _Assembler(root=root, display=display)
    if cache is not None:
        work.documents = cache
    shown = work.shown(entry)
    document = work.load(entry, by=shown, pointer="")
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise BundleError("not an OpenAPI document (no `paths`)", file=shown)
    found: list[str] = []
    missing: list[str] = []
    for path in document["paths"]:
        pointer = f"/paths/{escape_pointer(str(path))}"
        try:
            _, item = work.final((entry, pointer), by=shown, pointer=pointer)
        except MissingFile:
            missing.append(str(path))
            continue
        if isinstance(item, dict):
            found += [f"{m.upper()} {path}" for m in _METHODS if m in item]
    return tuple(found), tuple(missing)


def assembled_source(contracts: VendorContracts, source: Source) -> tuple[Assembled, str]:
    """A generated source (`assembled_from` in the manifest) and its text, from the vendor's
    multi-file document; every file read must be listed in the manifest with its sha256."""
    spec = source.assembled_from
    assert spec is not None
    display = f"{contracts.vendor}/{spec.root}"
    built = assemble(contracts.directory / spec.root, spec.entry, spec.operations, display=display)
    listed = {name for name, _ in spec.files}
    for name in built.files:
        if name not in listed:
            raise BundleError(
                f"{spec.root}/{name} is read but not listed under `assembled_from.files` "
                "with its sha256",
                file=f"{contracts.vendor}/manifest.yaml",
                pointer=f"/sources/{contracts.sources.index(source)}/assembled_from/files",
            )
    generated = {
        "x-runconform-generated": (
            f"assembled by `runconform schemas build` from {display}/{spec.entry}; "
            "do not edit (edit the manifest's `assembled_from` and rebuild)"
        ),
        **built.document,
        "x-runconform-origins": built.origins,
    }
    return built, dump_json(generated)
