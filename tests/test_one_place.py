"""One place for each fact: the vendor list (`bundle/vendors.py`) and the recording
suffixes (`records/recording_files.py`). Everyone else imports them; the source is read
with `ast` so a second copy cannot creep back in."""

from __future__ import annotations

import ast
from pathlib import Path

import click

from conformance.bundle.catalog import load_catalog
from conformance.bundle.provenance import is_vendor
from conformance.bundle.vendors import CANONICAL, VENDORS
from conformance.cli.serve_cmd import serve
from conformance.contract import loading
from conformance.records import detect, recording_files
from conformance.simulator import server
from conformance.simulator.store import SPECS

PACKAGE = Path(__file__).resolve().parent.parent / "conformance"
HOME = {"VENDORS": "bundle/vendors.py", "suffixes": "records/recording_files.py"}


def _sources() -> dict[str, ast.Module]:
    return {
        str(path.relative_to(PACKAGE)): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def _strings(node: ast.AST) -> set[str]:
    """The string constants listed in a tuple, list or set display."""
    if not isinstance(node, ast.Tuple | ast.List | ast.Set):
        return set()
    return {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}


def test_the_catalog_the_simulator_the_loader_and_the_cli_share_one_vendor_list() -> None:
    assert load_catalog().vendors() == tuple(sorted((CANONICAL, *VENDORS)))
    assert all(is_vendor(vendor) for vendor in VENDORS)
    assert tuple(SPECS) == VENDORS
    assert server.VENDORS is VENDORS
    assert loading.VENDORS is VENDORS
    vendor_argument = next(p for p in serve.params if p.name == "vendor")
    assert isinstance(vendor_argument.type, click.Choice)
    assert tuple(vendor_argument.type.choices) == VENDORS


def test_the_vendor_list_is_written_down_once() -> None:
    """No other module assigns a VENDORS or lists three vendors or more in one display."""
    places = []
    for name, tree in _sources().items():
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            if any(isinstance(t, ast.Name) and t.id == "VENDORS" for t in targets):
                places.append(f"{name}:{node.lineno} assigns VENDORS")
            if len(_strings(node) & set(VENDORS)) >= 3:
                places.append(f"{name}:{getattr(node, 'lineno', 0)} lists vendors")
    assert places == [
        f"{HOME['VENDORS']}:12 assigns VENDORS",
        f"{HOME['VENDORS']}:12 lists vendors",
    ]


def test_the_recording_suffixes_are_written_down_once() -> None:
    suffixes = set(recording_files.RECORDING_SUFFIXES)
    places = []
    for name, tree in _sources().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in suffixes - {".json", ".yaml"}:
                places.append(name)
    assert set(places) == {HOME["suffixes"]}
    assert detect._JSONL_SUFFIXES == (".jsonl", ".ndjson")
    assert detect._YAML_SUFFIXES == (".yaml", ".yml")
    assert recording_files.RECORDING_SUFFIXES == (
        ".json",
        ".jsonl",
        ".ndjson",
        ".yaml",
        ".yml",
        ".har",
    )
