"""Where the bundled `schemas/` and `contracts/` live.

In a wheel they are package data (`conformance/_bundle/...`, put there by the
build's force-include); in a source checkout they are the top-level folders next
to the package. Both are read through `importlib.resources`, so an installed
package needs no checkout beside it.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from conformance.errors import BundleError

_PACKAGE = "conformance"


@cache
def bundle_root() -> Path:
    """The folder holding `schemas/` and `contracts/` for this installation."""
    packaged = Path(str(resources.files(_PACKAGE) / "_bundle"))
    if (packaged / "schemas").is_dir():
        return packaged
    checkout = Path(str(resources.files(_PACKAGE))).parent
    if (checkout / "schemas").is_dir() and (checkout / "contracts").is_dir():
        return checkout
    raise BundleError(
        "the schema bundle is missing: expected conformance/_bundle/ in the installed "
        f"package or schemas/ and contracts/ beside {checkout}"
    )


def schemas_dir() -> Path:
    """The bundled, generated schemas."""
    return bundle_root() / "schemas"


def contracts_dir() -> Path:
    """The bundled vendor contracts, manifests, errata and mappings."""
    return bundle_root() / "contracts"


def is_source_checkout() -> bool:
    """True when running from a checkout, where `schemas build` may rewrite `schemas/`."""
    return not (Path(str(resources.files(_PACKAGE))) / "_bundle").is_dir()
