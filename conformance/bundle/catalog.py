"""The bundle as a library: list, look up and resolve the bundled run schemas.

Everything that validates, generates or maps asks the catalog for schemas by
`"vendor.Object"` name. It reads only the bundle (`schemas/manifest.json` and
the schema files), never the network: its `referencing.Registry` refuses to
retrieve any URI that is not in the bundle.
"""

from __future__ import annotations

import copy
import difflib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urljoin

from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

from conformance.bundle.resources import schemas_dir
from conformance.errors import BundleError, UnknownObjectError

Variant = Literal["corrected", "published"]
VARIANTS: tuple[Variant, ...] = ("corrected", "published")
DEFAULT_VARIANT: Variant = "corrected"


@dataclass(frozen=True)
class SchemaEntry:
    """One bundled schema in one variant, with its provenance."""

    name: str
    vendor: str
    object: str
    variant: Variant
    id: str
    path: str
    listed: bool
    source: dict[str, Any]
    errata: tuple[str, ...]
    conversion_notes: tuple[str, ...]


def _refuse_retrieval(uri: str) -> Resource:
    """Retrieval hook of every registry: nothing outside the bundle is ever fetched."""
    # `referencing` declares its attrs classes with a decorator mypy does not read as a
    # dataclass transform, so their keyword arguments look unexpected.
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


class Catalog:
    """Read-only view of one schema bundle folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        #: names this catalog in caches and to worker processes: the folder, plus the
        #: digest of the user errata layered on it (`overlaid`)
        self.key = str(root)
        manifest_path = root / "manifest.json"
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BundleError("bundle manifest missing", file=str(manifest_path)) from None
        except (OSError, ValueError) as exc:
            raise BundleError(
                f"unreadable bundle manifest: {exc}", file=str(manifest_path)
            ) from None
        self._records: dict[str, dict[str, Any]] = {r["name"]: r for r in manifest["schemas"]}
        self._errata: dict[str, dict[str, str]] = manifest.get("errata", {})
        self._schemas: dict[tuple[str, Variant], dict[str, Any]] = {}
        self._registries: dict[Variant, Registry] = {}
        self._by_id: dict[str, tuple[str, Variant]] = {
            r[variant]["$id"]: (name, variant)
            for name, r in self._records.items()
            for variant in VARIANTS
        }

    # -- names -------------------------------------------------------------------------------
    def vendors(self) -> tuple[str, ...]:
        return tuple(sorted({r["vendor"] for r in self._records.values()}))

    def names(
        self, vendor: str | None = None, *, include_dependencies: bool = False
    ) -> tuple[str, ...]:
        """Bundled object names, the ones the vendor manifests list unless asked for all."""
        return tuple(
            name
            for name, r in sorted(self._records.items())
            if (vendor is None or r["vendor"] == vendor) and (include_dependencies or r["listed"])
        )

    def resolve(self, name: str) -> str:
        """`"vendor.Object"` (or a bare, unambiguous `"Object"`) -> the bundle's name."""
        if name in self._records:
            return name
        if "." not in name:
            matches = tuple(n for n, r in sorted(self._records.items()) if r["object"] == name)
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise UnknownObjectError(name, matches, ambiguous=True)
        everything = list(self._records)
        lowered = {n.lower(): n for n in everything}
        if name.lower() in lowered:
            raise UnknownObjectError(name, (lowered[name.lower()],))
        close = difflib.get_close_matches(name, everything, n=3, cutoff=0.6)
        if not close and "." not in name:
            objects = {r["object"]: n for n, r in self._records.items()}
            close = [objects[o] for o in difflib.get_close_matches(name, list(objects), n=3)]
        raise UnknownObjectError(name, tuple(close))

    # -- schemas -----------------------------------------------------------------------------
    def entry(self, name: str, variant: Variant = DEFAULT_VARIANT) -> SchemaEntry:
        record = self._records[self.resolve(name)]
        if variant not in VARIANTS:
            raise UnknownObjectError(f"{name} ({variant})", ())
        part = record[variant]
        return SchemaEntry(
            name=record["name"],
            vendor=record["vendor"],
            object=record["object"],
            variant=variant,
            id=part["$id"],
            path=part["path"],
            listed=record["listed"],
            source=dict(record["source"]),
            errata=tuple(part.get("errata_in_scope", ())),
            conversion_notes=tuple(record.get("conversion_notes", ())),
        )

    def _load(self, name: str, variant: Variant) -> dict[str, Any]:
        key = (name, variant)
        if key not in self._schemas:
            path = self.root / self._records[name][variant]["path"]
            try:
                self._schemas[key] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise BundleError(f"unreadable bundled schema: {exc}", file=str(path)) from None
        return self._schemas[key]

    def schema(self, name: str, variant: Variant = DEFAULT_VARIANT) -> dict[str, Any]:
        """A copy of the schema document (callers may change it freely)."""
        return copy.deepcopy(self._load(self.resolve(name), variant))

    def schema_by_id(self, uri: str) -> dict[str, Any]:
        """The schema with this `$id` (shared, not a copy: do not change it)."""
        found = self._by_id.get(uri)
        if found is None:
            raise BundleError(f"no bundled schema has $id {uri}")
        return self._load(*found)

    def registry(self, variant: Variant = DEFAULT_VARIANT) -> Registry:
        """Every schema of one variant, crawled; retrieval of anything else is refused."""
        if variant not in self._registries:
            resources = [
                (
                    self._records[name][variant]["$id"],
                    Resource.from_contents(
                        self._load(name, variant), default_specification=DRAFT202012
                    ),
                )
                for name in self._records
            ]
            # call-arg: see `_refuse_retrieval`, same attrs class declaration
            registry: Registry = Registry(retrieve=_refuse_retrieval)  # type: ignore[call-arg]
            self._registries[variant] = registry.with_resources(resources).crawl()
        return self._registries[variant]

    # -- provenance --------------------------------------------------------------------------
    def erratum(self, erratum_id: str) -> dict[str, str]:
        return dict(self._errata[erratum_id])

    def errata(self) -> dict[str, dict[str, str]]:
        return {k: dict(v) for k, v in self._errata.items()}

    # -- layers --------------------------------------------------------------------------------
    def overlaid(
        self,
        layer: str,
        corrected: Mapping[str, dict[str, Any]],
        errata: Mapping[str, dict[str, str]],
        errata_of: Mapping[str, Sequence[str]],
    ) -> Catalog:
        """A copy whose corrected schemas `corrected` (by name) replace the bundle's, with
        `errata` (id -> details) added, each in scope of `errata_of`'s object and of every
        schema that reaches that object by `$ref`. The bundle on disk is not touched."""
        layered = Catalog.__new__(Catalog)
        layered.__dict__.update(self.__dict__)
        layered.key = f"{self.key}+{layer}"
        layered._schemas = dict(self._schemas)
        layered._schemas.update({(n, "corrected"): s for n, s in corrected.items()})
        layered._registries = {}
        layered._errata = {**self._errata, **errata}
        layered._records = copy.deepcopy(self._records)
        reaches = layered._reaches()
        for name, record in layered._records.items():
            extra = [e for target, ids in errata_of.items() if target in reaches[name] for e in ids]
            part = record["corrected"]
            part["errata_in_scope"] = [*part.get("errata_in_scope", ()), *extra]
            part["errata"] = [*part.get("errata", ()), *errata_of.get(name, ())]
        _LAYERS[layered.key] = layered
        return layered

    def _reaches(self) -> dict[str, set[str]]:
        """Per name, itself and every name its corrected schema reaches by `$ref`."""
        direct = {
            n: _refs(self._load(n, "corrected"), self._records[n]["corrected"]["$id"], self._by_id)
            for n in self._records
        }
        out: dict[str, set[str]] = {}
        for name in self._records:
            seen, todo = {name}, [name]
            while todo:
                for nxt in direct[todo.pop()] - seen:
                    seen.add(nxt)
                    todo.append(nxt)
            out[name] = seen
        return out


def _refs(node: Any, base: str, by_id: Mapping[str, tuple[str, Variant]]) -> set[str]:
    """The bundle names a schema document refers to (`$ref`s resolved against its `$id`)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                target = urljoin(base, ref).partition("#")[0]
                if target in by_id:
                    found.add(by_id[target][0])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


#: Layered catalogs by key (a key names one in a cache or to a worker process).
_LAYERS: dict[str, Catalog] = {}
#: The catalog `load_catalog()` answers with when it is not the bundle alone.
_active: Catalog | None = None
#: `cache_clear` of every cache of things derived from the catalog (compiled validators,
#: shapes, routes): emptied whenever the active catalog changes.
_DERIVED: list[Callable[[], None]] = []

C = TypeVar("C", bound=Callable[..., Any])


def derived_cache(function: C) -> C:
    """`functools.cache` for results derived from the active catalog: emptied on `activate`."""
    cached = cache(function)
    _DERIVED.append(cached.cache_clear)
    return cached  # type: ignore[return-value]


def activate(catalog: Catalog | None) -> None:
    """Make `load_catalog()` answer with `catalog` (None: the installed bundle again)."""
    global _active
    _active = catalog
    for clear in _DERIVED:
        clear()


@cache
def _catalog_at(root: str) -> Catalog:
    return Catalog(Path(root))


def load_catalog(root: Path | str | None = None) -> Catalog:
    """The catalog in force (the installed bundle, with any user errata layered on it),
    or that of a bundle folder or layer key you name (cached per folder)."""
    if root is None:
        return _active or _catalog_at(str(schemas_dir()))
    key = str(root)
    return _LAYERS.get(key) or _catalog_at(str(Path(root)))
