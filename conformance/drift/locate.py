"""Where in the bundle a failing keyword is declared: (bundle object, JSON pointer).

jsonschema's `absolute_schema_path` runs from the root schema through every keyword to
the failing one, but it leaves out the `$ref`s it followed. A patch must target the
schema document that really declares the keyword (`status` of a task is declared by
`hatchet.V1TaskStatus`, not by the list that holds the task), so the path is walked
again over the bundled documents, following a `$ref` wherever the next key is not in
the node itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urljoin

from conformance.bundle.catalog import Catalog, Variant
from conformance.validation.drift import LENIENT_SUFFIX


@dataclass(frozen=True, slots=True)
class Place:
    """A node of a bundled schema document: which object's document, and where in it."""

    object: str  # "vendor.Object": the document a patch applies to
    pointer: str  # JSON pointer of the node inside that document ("" = its root)


def escape(token: str) -> str:
    """One JSON-pointer reference token."""
    return token.replace("~", "~0").replace("/", "~1")


class Locator:
    """Walks schema paths over one catalog's documents (one variant)."""

    def __init__(self, catalog: Catalog, variant: Variant = "corrected") -> None:
        self.catalog = catalog
        self.variant = variant
        self._names = {
            catalog.entry(name, variant).id: name
            for name in catalog.names(include_dependencies=True)
        }

    def name_of(self, uri: str) -> str | None:
        """The bundle name of the document with `$id` `uri`."""
        return self._names.get(uri)

    def node(self, place: Place) -> Any:
        """The schema node at `place` (shared: do not change it)."""
        node: Any = self.catalog.schema_by_id(self.catalog.entry(place.object, self.variant).id)
        for token in place.pointer.split("/")[1:]:
            key = token.replace("~1", "/").replace("~0", "~")
            node = node[int(key)] if isinstance(node, list) else node[key]
        return node

    def place(self, root: str, path: Iterable[str | int]) -> Place | None:
        """The node that holds the keyword `path` ends with (keywords and names, as
        jsonschema's `absolute_schema_path` gives them) from the root of object `root`,
        refs followed; None when the path cannot be walked. A keyword that only the
        strict twin has (`unevaluatedProperties`) is held by the node the refs end at."""
        uri = self.catalog.entry(root, self.variant).id
        node: Any = self.catalog.schema_by_id(uri)
        pointer = ""
        keys = list(path)
        for i, key in enumerate(keys):
            for _ in range(32):  # refs to refs: bounded
                if _has(node, key) or not isinstance(node, Mapping) or "$ref" not in node:
                    break
                found = self.follow(uri, str(node["$ref"]))
                if found is None:
                    return None
                uri, node, pointer = found
            if i == len(keys) - 1:
                break
            if not _has(node, key):
                return None
            node = node[key]
            pointer += "/" + escape(str(key))
        name = self._names.get(uri)
        return Place(name, pointer) if name is not None else None

    def follow(self, base: str, ref: str) -> tuple[str, Any, str] | None:
        """(document uri, node, pointer) a `$ref` met in document `base` points at."""
        target, _, fragment = urljoin(base, ref).partition("#")
        target = target.removesuffix(LENIENT_SUFFIX)
        if target not in self._names:
            return None
        doc = self.catalog.schema_by_id(target)
        node: Any = doc
        for token in fragment.split("/")[1:] if fragment else ():
            key = token.replace("~1", "/").replace("~0", "~")
            if not _has(node, key if isinstance(node, Mapping) else int(key)):
                return None
            node = node[key] if isinstance(node, Mapping) else node[int(key)]
        return target, node, fragment


def _has(node: Any, key: str | int) -> bool:
    if isinstance(node, Mapping):
        return key in node
    if isinstance(node, list) and isinstance(key, int):
        return 0 <= key < len(node)
    return False


@cache
def locator_for(catalog: Catalog, variant: Variant = "corrected") -> Locator:
    return Locator(catalog, variant)


def documented_names(where: Locator, name: str) -> tuple[str, ...]:
    """The property names the root of object `name` documents (through `$ref`s and
    `allOf`/`anyOf`/`oneOf` branches), in document order."""
    found: dict[str, None] = {}
    uri = where.catalog.entry(name, where.variant).id
    _collect(where, uri, where.catalog.schema_by_id(uri), found, 0)
    return tuple(found)


def _collect(where: Locator, uri: str, node: Any, found: dict[str, None], depth: int) -> None:
    if not isinstance(node, Mapping) or depth > 16:
        return
    for key in node.get("properties", {}):
        found.setdefault(key, None)
    for keyword in ("allOf", "anyOf", "oneOf"):
        for branch in node.get(keyword, ()):
            _collect(where, uri, branch, found, depth + 1)
    if isinstance(node.get("$ref"), str):
        followed = where.follow(uri, node["$ref"])
        if followed is not None:
            _collect(where, followed[0], followed[1], found, depth + 1)
