"""A vendor's contract provenance: where each source came from and every erratum that corrects it.

`runconform schemas show VENDOR --provenance` prints this; `schemas show vendor.Object
--provenance` is the same for one bundled schema. Schema errata are read as the bundle records
them; operation errata from the vendor's `errata.yaml`, applied to its contract, so one that no
longer applies is exit 3 here too, never a stale listing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.bundle.catalog import load_catalog
from conformance.bundle.operation_errata import corrected_sources
from conformance.bundle.resources import contracts_dir
from conformance.bundle.vendor_contracts import load_vendor
from conformance.errors import UsageError


@dataclass(frozen=True)
class VendorProvenance:
    """The sources, schema errata and operation errata of one vendor's contract."""

    vendor: str
    title: str
    sources: tuple[dict[str, Any], ...]
    errata: tuple[dict[str, str], ...]
    operation_errata: tuple[dict[str, Any], ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "vendor": self.vendor,
            "title": self.title,
            "sources": list(self.sources),
            "errata": list(self.errata),
            "operation_errata": list(self.operation_errata),
        }


def is_vendor(name: str) -> bool:
    """True when `name` is a folder of the bundled contracts (a vendor, or `canonical`)."""
    return "/" not in name and (contracts_dir() / name / "manifest.yaml").is_file()


def vendor_provenance(vendor: str) -> VendorProvenance:
    if not is_vendor(vendor):
        raise UsageError(f"unknown vendor {vendor!r}")
    contracts = load_vendor(contracts_dir() / vendor)
    recorded = load_catalog().errata()
    return VendorProvenance(
        vendor=vendor,
        title=contracts.title,
        sources=tuple(
            {**s.provenance(), **({"sha256": s.sha256} if s.sha256 else {})}
            for s in contracts.sources
        ),
        errata=tuple(
            {"id": k, **v} for k, v in sorted(recorded.items()) if v.get("vendor") == vendor
        ),
        operation_errata=tuple(
            a.summary() for c in corrected_sources(contracts) for a in c.applied
        ),
    )
