"""The vendors runconform knows: the one list the CLI, the contract loader and the
simulators all import.

A constant, not read from the catalog's manifest, so the CLI can offer it as a choice
without loading the bundle at start-up; `tests/test_one_place.py` holds it equal to
the vendors of the bundled catalog (which also holds the `canonical` run schema).
"""

from __future__ import annotations

#: The API vendors, each with a bundled contract and a simulator, in alphabetical order.
VENDORS: tuple[str, ...] = ("hatchet", "knock", "paragon", "restack", "xceptor")

#: The catalog's schemas of the canonical run: a "vendor" of the catalog, not an API.
CANONICAL = "canonical"
