"""Errata: documented corrections to vendor schemas, as RFC 6902 JSON Patch.

Each erratum names the object it corrects, why, and the evidence; the patch is
applied to the mechanically converted (published) schema to give the corrected
one. Patches usually begin with a `test` op, so an upstream change that moves
the text makes the build fail rather than patch the wrong place. The same file's
`operation_errata` correct the vendor's operations (`conformance.bundle.operation_errata`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonpatch

from conformance.bundle.document_loader import load_document
from conformance.errors import BundleError


@dataclass(frozen=True)
class Erratum:
    """One correction with its reason."""

    id: str
    vendor: str
    object: str
    rationale: str
    evidence: str
    patch: tuple[dict[str, Any], ...]

    def summary(self) -> dict[str, str]:
        return {"id": self.id, "object": self.object, "rationale": " ".join(self.rationale.split())}


#: The sections of `errata.yaml`: schema errata (read here), operation errata (read by
#: `operation_errata`), and corrections considered and not taken (documentation only).
SECTIONS = ("errata", "operation_errata", "not_taken")


def read_errata_file(vendor_dir: Path) -> tuple[str, Any]:
    """(display name, parsed content) of a vendor's `errata.yaml`; content None without it.
    The one reader of the file: schema and operation errata both come from here."""
    path = vendor_dir / "errata.yaml"
    file = f"{vendor_dir.name}/errata.yaml"
    return file, (load_document(path, display=file) if path.exists() else None)


def load_errata(vendor_dir: Path) -> tuple[Erratum, ...]:
    """Read the schema errata of one vendor's `errata.yaml` (absent file = no errata)."""
    vendor = vendor_dir.name
    file, data = read_errata_file(vendor_dir)
    if data is None:
        return ()
    listed = data.get("errata") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not (
        isinstance(listed, list) or (listed is None and "operation_errata" in data)
    ):
        raise BundleError("expected a mapping with an `errata` list", file=file)
    unknown = sorted(str(k) for k in set(data) - set(SECTIONS))
    if unknown:
        raise BundleError(
            f"unknown key(s) {', '.join(map(repr, unknown))}; expected {', '.join(SECTIONS)}",
            file=file,
        )
    seen: set[str] = set()
    errata = []
    for i, raw in enumerate(listed or ()):
        pointer = f"/errata/{i}"
        if not isinstance(raw, dict):
            raise BundleError("an erratum must be a mapping", file=file, pointer=pointer)
        if "operation" in raw and "object" not in raw:
            raise BundleError(
                "an erratum that patches an operation belongs under `operation_errata`",
                file=file,
                pointer=pointer,
            )
        missing = [k for k in ("id", "object", "rationale", "evidence", "patch") if k not in raw]
        if missing:
            raise BundleError(f"erratum lacks {', '.join(missing)}", file=file, pointer=pointer)
        if not isinstance(raw["id"], str) or not raw["id"]:
            raise BundleError("`id` must be a non-empty string", file=file, pointer=f"{pointer}/id")
        if raw["id"] in seen:
            raise BundleError(f"duplicate erratum id {raw['id']!r}", file=file, pointer=pointer)
        seen.add(raw["id"])
        if not isinstance(raw["patch"], list) or not raw["patch"]:
            raise BundleError(
                "`patch` must be a non-empty list of JSON Patch operations",
                file=file,
                pointer=f"{pointer}/patch",
            )
        errata.append(
            Erratum(
                id=raw["id"],
                vendor=vendor,
                object=raw["object"],
                rationale=str(raw["rationale"]),
                evidence=str(raw["evidence"]),
                patch=tuple(raw["patch"]),
            )
        )
    return tuple(errata)


def apply_errata(schema: dict[str, Any], errata: tuple[Erratum, ...]) -> dict[str, Any]:
    """The schema with every erratum for it applied in file order; the input is not changed."""
    result = copy.deepcopy(schema)
    for erratum in errata:
        try:
            result = jsonpatch.apply_patch(result, list(erratum.patch))
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
            raise BundleError(
                f"erratum {erratum.id!r} no longer applies to {erratum.object}: {exc}",
                file=f"{erratum.vendor}/errata.yaml",
            ) from None
    return result
