"""Generate the schema bundle (`schemas/`) from the contracts tree, reproducibly.

The build is a pure function from `contracts/` to a set of files: the same
contracts always give the same bytes, which is what lets CI check that the
committed `schemas/` is exactly what the contracts say (`schemas build --check`).
"""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.bundle.document_loader import dump_json
from conformance.bundle.errata import Erratum, apply_errata, load_errata
from conformance.bundle.extract import DIALECT, Extracted, vendor_entries
from conformance.bundle.openapi import iter_refs
from conformance.bundle.openapi_files import Assembled, assembled_source
from conformance.bundle.vendor_contracts import VendorContracts, load_all, sha256_of
from conformance.errors import BundleError

BASE_URI = "https://runconform.invalid/schemas/"
MANIFEST = "manifest.json"
BUNDLE_FORMAT = 1


def schema_id(vendor: str, name: str, variant: str) -> str:
    """The stable `$id` of a bundled schema (`.invalid` is never resolvable, by RFC 2606)."""
    folder = f"{vendor}/published/" if variant == "published" else f"{vendor}/"
    return f"{BASE_URI}{folder}{name}.json"


def schema_path(vendor: str, name: str, variant: str) -> str:
    return schema_id(vendor, name, variant)[len(BASE_URI) :]


@dataclass(frozen=True)
class BuiltBundle:
    """The generated bundle: relative path -> file text; and the generated contract documents
    (assembled from multi-file vendor sources), relative to `contracts_root`."""

    files: dict[str, str]
    contract_files: dict[str, str] = field(default_factory=dict)
    contracts_root: Path | None = None


@dataclass(frozen=True)
class Difference:
    """One way the committed bundle differs from a fresh build."""

    path: str
    kind: str  # "changed" | "missing" | "unexpected"
    diff: str


def _finish(schema: dict[str, Any], vendor: str, name: str, variant: str) -> dict[str, Any]:
    head = {"$schema": DIALECT, "$id": schema_id(vendor, name, variant)}
    body = {k: v for k, v in schema.items() if k not in ("$schema", "$id")}
    body.setdefault("title", name)
    return {**head, "title": body.pop("title"), **body}


def _closure_errata(
    name: str, refs: dict[str, set[str]], direct: dict[str, list[str]]
) -> list[str]:
    seen, pending, ids = set(), [name], []
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        ids.extend(direct.get(current, []))
        pending.extend(sorted(refs.get(current, ())))
    return sorted(ids)


def build_bundle(contracts_root: Path) -> BuiltBundle:
    """Build every vendor's schemas (published + corrected) and the bundle manifest."""
    files: dict[str, str] = {}
    contract_files: dict[str, str] = {}
    manifest_entries: list[dict[str, Any]] = []
    all_errata: dict[str, dict[str, str]] = {}
    for contracts in load_all(contracts_root):
        generated = {
            s.file: assembled_source(contracts, s) for s in contracts.sources if s.assembled_from
        }
        for file, (_, text) in generated.items():
            contract_files[f"{contracts.vendor}/{file}"] = text
        entries = vendor_entries(contracts, generated)
        by_object = _errata_by_object(contracts, {e.name for e in entries}, all_errata)
        refs = {
            e.name: {
                r.split(".json")[0] for _, r in iter_refs(e.published) if not r.startswith("#")
            }
            for e in entries
        }
        direct = {k: [e.id for e in v] for k, v in by_object.items()}
        for entry in entries:
            record = _manifest_record(contracts, entry, generated, by_object, files)
            record["corrected"]["errata"] = direct.get(entry.name, [])
            record["corrected"]["errata_in_scope"] = _closure_errata(entry.name, refs, direct)
            record["conversion_notes"] = [f"{n.pointer}: {n.note}" for n in entry.notes]
            manifest_entries.append(record)
    files[MANIFEST] = dump_json(
        {
            "format": BUNDLE_FORMAT,
            "generator": "runconform schemas build",
            "base_uri": BASE_URI,
            "schemas": manifest_entries,
            "errata": dict(sorted(all_errata.items())),
        }
    )
    return BuiltBundle(
        files=dict(sorted(files.items())),
        contract_files=dict(sorted(contract_files.items())),
        contracts_root=contracts_root,
    )


def _errata_by_object(
    contracts: VendorContracts, names: set[str], all_errata: dict[str, dict[str, str]]
) -> dict[str, list[Erratum]]:
    """One vendor's errata grouped by the object they correct; each also lands in `all_errata`."""
    by_object: dict[str, list[Erratum]] = {}
    for erratum in load_errata(contracts.directory):
        if erratum.object not in names:
            raise BundleError(
                f"erratum {erratum.id!r} names object {erratum.object!r}, "
                "which the bundle does not extract",
                file=f"{contracts.vendor}/errata.yaml",
            )
        by_object.setdefault(erratum.object, []).append(erratum)
        all_errata[erratum.id] = {
            "vendor": contracts.vendor,
            "object": erratum.object,
            "rationale": " ".join(erratum.rationale.split()),
            "evidence": " ".join(erratum.evidence.split()),
        }
    return by_object


def _manifest_record(
    contracts: VendorContracts,
    entry: Extracted,
    generated: dict[str, tuple[Assembled, str]],
    by_object: dict[str, list[Erratum]],
    files: dict[str, str],
) -> dict[str, Any]:
    """One object's manifest record; its published and corrected schemas land in `files`."""
    variants = {
        "published": entry.published,
        "corrected": apply_errata(entry.published, tuple(by_object.get(entry.name, ()))),
    }
    record: dict[str, Any] = {
        "name": f"{contracts.vendor}.{entry.name}",
        "vendor": contracts.vendor,
        "object": entry.name,
        "listed": entry.listed,
        "source": {
            **entry.source.provenance(),
            "pointer": entry.pointer,
            "sha256": _source_sha256(contracts, entry, generated),
        },
    }
    if entry.source.file in generated:
        spec = entry.source.assembled_from
        assert spec is not None
        origin = generated[entry.source.file][0].origins.get(entry.name, "")
        record["source"]["assembled_from"] = f"{contracts.vendor}/{spec.root}/{origin}"
    for variant, schema in variants.items():
        text = dump_json(_finish(schema, contracts.vendor, entry.name, variant))
        path = schema_path(contracts.vendor, entry.name, variant)
        files[path] = text
        record[variant] = {
            "path": path,
            "$id": schema_id(contracts.vendor, entry.name, variant),
        }
    return record


def _source_sha256(
    contracts: VendorContracts, entry: Extracted, generated: dict[str, tuple[Assembled, str]]
) -> str:
    if entry.source.file in generated:
        text = generated[entry.source.file][1]
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
    return sha256_of(contracts.directory / entry.source.file)


def compare_bundle(built: BuiltBundle, schemas_root: Path) -> tuple[Difference, ...]:
    """How the bundle on disk differs from `built` (empty = identical, byte for byte)."""
    differences = []
    on_disk = (
        {p.relative_to(schemas_root).as_posix() for p in schemas_root.rglob("*") if p.is_file()}
        if schemas_root.is_dir()
        else set()
    )
    for path, text in built.files.items():
        if path not in on_disk:
            differences.append(Difference(path, "missing", ""))
            continue
        current = (schemas_root / path).read_text(encoding="utf-8", errors="replace")
        if current != text:
            diff = "".join(
                difflib.unified_diff(
                    current.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    f"committed/{path}",
                    f"rebuilt/{path}",
                    n=1,
                )
            )
            differences.append(Difference(path, "changed", diff))
    for path in sorted(on_disk - set(built.files)):
        differences.append(Difference(path, "unexpected", ""))
    for path, text in built.contract_files.items():
        assert built.contracts_root is not None
        target = built.contracts_root / path
        shown = str(target.absolute())  # outside schemas_root: named by its full path
        if not target.is_file():
            differences.append(Difference(shown, "missing", ""))
        elif target.read_text(encoding="utf-8", errors="replace") != text:
            differences.append(Difference(shown, "changed", "generated contract document"))
    return tuple(differences)


def _owns_contracts(built: BuiltBundle, schemas_root: Path) -> bool:
    """True when `schemas_root` is the `schemas/` beside the contracts built from: only
    then does writing the bundle also rewrite the generated contract documents (a build into
    another folder, or `--check`'s scratch folder, leaves the contracts tree alone)."""
    if built.contracts_root is None:
        return False
    return schemas_root.resolve() == built.contracts_root.resolve().parent / "schemas"


def write_bundle(built: BuiltBundle, schemas_root: Path) -> None:
    """Replace `schemas_root` with the built files; a failure leaves the old bundle intact."""
    schemas_root.parent.mkdir(parents=True, exist_ok=True)
    if _owns_contracts(built, schemas_root):
        assert built.contracts_root is not None
        for path, text in built.contract_files.items():
            target = built.contracts_root / path
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                scratch = target.with_name(f".{target.name}.{os.getpid()}.tmp")
                scratch.write_text(text, encoding="utf-8")
                os.replace(scratch, target)
    staging = Path(tempfile.mkdtemp(prefix=".schemas-", dir=schemas_root.parent))
    try:
        for path, text in built.files.items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        if schemas_root.exists():
            retired = schemas_root.with_name(f".{schemas_root.name}-old-{os.getpid()}")
            schemas_root.rename(retired)
            staging.rename(schemas_root)
            shutil.rmtree(retired)
        else:
            staging.rename(schemas_root)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
