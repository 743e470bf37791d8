"""Errata: documented corrections to vendor schemas, as RFC 6902 JSON Patch.

Each erratum names the object it corrects, why, and the evidence; the patch is
applied to the mechanically converted (published) schema to give the corrected
one. Patches usually begin with a `test` op, so an upstream change that moves
the text makes the build fail rather than patch the wrong place.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonpatch

from conformance.documents import load_document
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


def load_errata(vendor_dir: Path) -> tuple[Erratum, ...]:
    """Read `errata.yaml` of one vendor (absent file = no errata)."""
    path = vendor_dir / "errata.yaml"
    vendor = vendor_dir.name
    file = f"{vendor}/errata.yaml"
    if not path.exists():
        return ()
    data = load_document(path, display=file)
    if not isinstance(data, dict) or not isinstance(data.get("errata"), list):
        raise BundleError("expected a mapping with an `errata` list", file=file)
    seen: set[str] = set()
    errata = []
    for i, raw in enumerate(data["errata"]):
        pointer = f"/errata/{i}"
        if not isinstance(raw, dict):
            raise BundleError("an erratum must be a mapping", file=file, pointer=pointer)
        missing = [k for k in ("id", "object", "rationale", "evidence", "patch") if k not in raw]
        if missing:
            raise BundleError(f"erratum lacks {', '.join(missing)}", file=file, pointer=pointer)
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
