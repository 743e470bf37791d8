"""The run profiles: where each bundled object keeps the facts its invariants need.

`contracts/semantics.yaml` is the one place that says which field holds a run's id,
status, timestamps, duration, counts, list items and page info. Validation,
identification, fixtures, the simulator and the contract checks all read it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from conformance.bundle.document_loader import load_document
from conformance.bundle.resources import contracts_dir
from conformance.errors import BundleError


@cache
def load_profiles() -> dict[str, dict[str, Any]]:
    """The run profiles shipped in the bundle, with `extends` resolved."""
    path = contracts_dir() / "semantics.yaml"
    data = load_document(path, display="contracts/semantics.yaml")
    if not isinstance(data, dict) or not isinstance(data.get("profiles"), dict):
        raise BundleError("expected a mapping with `profiles`", file="contracts/semantics.yaml")
    profiles: dict[str, dict[str, Any]] = data["profiles"]
    resolved = {}
    for name, profile in profiles.items():
        base = profiles.get(profile.get("extends", ""), {})
        resolved[name] = {**base, **{k: v for k, v in profile.items() if k != "extends"}}
    return resolved


def has_profile(name: str) -> bool:
    return name in load_profiles()


@dataclass(frozen=True)
class Identity:
    """What makes an object what it is: `noun` and the pointers it cannot do without."""

    noun: str  # "run", "step result", "list page"
    pointers: tuple[str, ...]


@cache
def identity(name: str) -> Identity | None:
    """A run's (or step's) id and status; a list page's items; None for other objects.

    Where a vendor's schema requires nothing (Xceptor, Paragon), these are what tell a
    run or a page from any other JSON object."""
    profile = load_profiles().get(name, {})
    if "id" in profile:
        return Identity(profile.get("noun", "run"), (profile["id"], profile["status"]))
    if "page" in profile:
        return Identity("list page", (profile["children"][0]["items"],))
    return None


def run_identity(name: str) -> tuple[str, ...]:
    """The pointers of a run's id and status; () for objects that are not runs."""
    found = identity(name)
    return found.pointers if found is not None and found.noun != "list page" else ()
