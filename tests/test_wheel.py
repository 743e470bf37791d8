"""An installed wheel carries the whole bundle and needs no checkout beside it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CRAWL = """
import conformance, sys
from conformance.bundle.catalog import load_catalog
from conformance.bundle.openapi import iter_refs
assert conformance.__file__.startswith(sys.argv[1]), conformance.__file__
catalog = load_catalog()
assert str(catalog.root).startswith(sys.argv[1]), catalog.root
refs = 0
for variant in ("corrected", "published"):
    registry = catalog.registry(variant)
    for name in catalog.names(include_dependencies=True):
        entry = catalog.entry(name, variant)
        resolver = registry.resolver(base_uri=entry.id)
        for _, ref in iter_refs(catalog.schema(name, variant)):
            resolver.lookup(ref)
            refs += 1
print(len(catalog.names()), refs)
"""


def test_wheel_bundle_loads_and_resolves_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("runconform-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(site)
    assert "conformance/_bundle/schemas/manifest.json" in names
    assert "conformance/_bundle/contracts/hatchet/errata.yaml" in names
    # PEP 561: the marker tells type checkers that the installed package carries its own types
    assert "conformance/py.typed" in names
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    crawl = subprocess.run(
        [sys.executable, "-c", CRAWL, str(site)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert crawl.returncode == 0, crawl.stderr
    # the checkout's bundle, crawled the same way, is what the wheel must carry
    here = subprocess.run(
        [sys.executable, "-c", CRAWL, str(ROOT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert here.returncode == 0, here.stderr
    assert crawl.stdout == here.stdout
    objects, refs = map(int, crawl.stdout.split())
    assert objects >= 21 and refs >= 72  # Hatchet, Knock, Paragon, Restack, Xceptor
    check = subprocess.run(
        [sys.executable, "-m", "conformance", "schemas", "build", "--check"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr
    files = sum(1 for p in (ROOT / "schemas").rglob("*") if p.is_file())
    assert check.stdout.startswith(f"ok: {files} files in ")
    assert str(site) in check.stdout
