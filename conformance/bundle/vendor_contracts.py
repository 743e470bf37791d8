"""The contracts tree: per vendor, its sources (with provenance), objects and errata.

`contracts/<vendor>/manifest.yaml` says where each source came from and which
objects the bundle extracts; this module reads and checks it (sha256 included),
so every later step can trust what it is handed. A manifest's `authority` and a
source's `read_as_why` are prose for people reading the manifest: nothing here keeps them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.bundle.document_loader import load_document
from conformance.errors import BundleError

OPENAPI_READ_AS = {"3.0": "3.0", "3.1": "3.1"}


@dataclass(frozen=True)
class Assembly:
    """How a generated single-file source is assembled from a vendor's multi-file OpenAPI
    (`conformance.bundle.openapi_files`): the folder, its root file, the operations taken, and every
    file of the folder with its sha256 (checked when the manifest is read)."""

    root: str
    entry: str
    operations: tuple[str, ...]
    files: tuple[tuple[str, str], ...]  # (path under root, sha256)


@dataclass(frozen=True)
class Source:
    """One file of vendor material and where it came from."""

    vendor: str
    file: str
    kind: str  # "openapi" | "json-schema"
    role: str  # "primary" | "operations" | "seed"
    original: str
    upstream: str
    taken: str
    sha256: str | None
    openapi_declared: str | None
    read_as: str | None
    assembled_from: Assembly | None = None

    @property
    def relpath(self) -> str:
        return f"{self.vendor}/{self.file}"

    @property
    def dialect(self) -> str:
        """ "3.0" or "3.1" for OpenAPI sources (how schemas are read), "2020-12" otherwise."""
        if self.kind != "openapi":
            return "2020-12"
        version = self.read_as or self.openapi_declared or ""
        return OPENAPI_READ_AS.get(".".join(version.split(".")[:2]), "unsupported")

    def provenance(self) -> dict[str, Any]:
        """The source's provenance as recorded in the bundle manifest."""
        data: dict[str, Any] = {
            "file": self.relpath,
            "original": self.original,
            "upstream": self.upstream,
            "taken": self.taken,
        }
        if self.openapi_declared:
            data["openapi_declared"] = self.openapi_declared
        if self.read_as:
            data["read_as"] = self.read_as
        return data


@dataclass(frozen=True)
class ObjectSpec:
    """An object the bundle must extract from a source."""

    name: str
    source: str


@dataclass(frozen=True)
class VendorContracts:
    """Everything `contracts/<vendor>/` declares."""

    vendor: str
    title: str
    directory: Path
    sources: tuple[Source, ...]
    objects: tuple[ObjectSpec, ...]

    def source(self, file: str) -> Source:
        for source in self.sources:
            if source.file == file:
                return source
        raise BundleError(
            f"object source {file!r} is not listed under `sources`",
            file=f"{self.vendor}/manifest.yaml",
        )


def _require(data: Any, key: str, *, file: str, pointer: str) -> Any:
    if not isinstance(data, dict):
        raise BundleError("expected a mapping", file=file, pointer=pointer)
    if key not in data:
        raise BundleError(f"missing required key {key!r}", file=file, pointer=pointer)
    return data[key]


def _list(data: dict[str, Any], key: str, *, file: str) -> list[Any]:
    value = _require(data, key, file=file, pointer="")
    if not isinstance(value, list):
        raise BundleError(f"`{key}` must be a list", file=file, pointer=f"/{key}")
    return value


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _assembly(raw: Any, directory: Path, *, file: str, pointer: str) -> Assembly | None:
    """The `assembled_from` of a source, every listed file present with its sha256."""
    if raw is None:
        return None
    root = str(_require(raw, "root", file=file, pointer=pointer))
    operations = _list(raw, "operations", file=file)
    listed = []
    for i, item in enumerate(_list(raw, "files", file=file)):
        where = f"{pointer}/files/{i}"
        name = str(_require(item, "file", file=file, pointer=where))
        digest = str(_require(item, "sha256", file=file, pointer=where))
        path = directory / root / name
        if not path.is_file():
            raise BundleError(f"source file {root}/{name} does not exist", file=file, pointer=where)
        if sha256_of(path) != digest:
            raise BundleError(
                f"sha256 of {root}/{name} differs from the manifest: the source was edited "
                "after it was taken; re-take it from the vendor and update `sha256`, or "
                "record the change as an erratum instead",
                file=file,
                pointer=f"{where}/sha256",
            )
        listed.append((name, digest))
    return Assembly(
        root=root,
        entry=str(_require(raw, "entry", file=file, pointer=pointer)),
        operations=tuple(str(op) for op in operations),
        files=tuple(listed),
    )


def load_vendor(directory: Path) -> VendorContracts:
    """Read and check one vendor's manifest; sources must exist and match their sha256."""
    vendor = directory.name
    file = f"{vendor}/manifest.yaml"
    data = load_document(directory / "manifest.yaml", display=file)
    if not isinstance(data, dict):
        raise BundleError("manifest must be a mapping", file=file)
    sources = []
    for i, raw in enumerate(_list(data, "sources", file=file)):
        pointer = f"/sources/{i}"
        name = _require(raw, "file", file=file, pointer=pointer)
        source = Source(
            vendor=vendor,
            file=name,
            kind=_require(raw, "kind", file=file, pointer=pointer),
            role=raw.get("role", "primary"),
            original=_require(raw, "original", file=file, pointer=pointer),
            upstream=_require(raw, "upstream", file=file, pointer=pointer),
            taken=str(_require(raw, "taken", file=file, pointer=pointer)),
            sha256=raw.get("sha256"),
            openapi_declared=raw.get("openapi_declared"),
            read_as=raw.get("read_as"),
            assembled_from=_assembly(
                raw.get("assembled_from"), directory, file=file, pointer=f"{pointer}/assembled_from"
            ),
        )
        path = directory / name
        if source.assembled_from is not None:
            pass  # generated by the build, which checks it (`schemas build --check`)
        elif not path.is_file():
            raise BundleError(f"source file {name!r} does not exist", file=file, pointer=pointer)
        if source.sha256 and sha256_of(path) != source.sha256:
            raise BundleError(
                f"sha256 of {name} differs from the manifest: the source was edited after it "
                "was taken; re-take it from the vendor and update `sha256`, or record the "
                "change as an erratum instead",
                file=file,
                pointer=f"{pointer}/sha256",
            )
        sources.append(source)
    objects = tuple(
        ObjectSpec(
            name=_require(raw, "name", file=file, pointer=f"/objects/{i}"),
            source=_require(raw, "source", file=file, pointer=f"/objects/{i}"),
        )
        for i, raw in enumerate(_list(data, "objects", file=file))
    )
    contracts = VendorContracts(
        vendor=vendor,
        title=data.get("title", vendor),
        directory=directory,
        sources=tuple(sources),
        objects=objects,
    )
    for spec in objects:
        contracts.source(spec.source)
    return contracts


def vendor_directories(contracts_root: Path) -> list[Path]:
    """Vendor folders under a contracts tree (those with a manifest), sorted."""
    return sorted(p.parent for p in contracts_root.glob("*/manifest.yaml"))


def load_all(contracts_root: Path) -> tuple[VendorContracts, ...]:
    if not contracts_root.is_dir():
        raise BundleError("contracts folder does not exist", file=str(contracts_root))
    return tuple(load_vendor(d) for d in vendor_directories(contracts_root))
