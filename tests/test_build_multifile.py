"""Issue 14 item 5: contracts built from a multi-file OpenAPI (relative-file `$ref`s).

A vendor's multi-file document is assembled locally into one self-contained document (local
`#/` references only) that the build commits beside the manifest and `schemas build --check`
checks; every file read is listed in the manifest with its sha256. A reference that leaves
the vendor's folder, an absolute path, a `file:` or http(s) URL, a reference loop or an
endless chain is a bundle error (exit 3) naming the file and pointer: never fetched, never
a hang. The hostile cases run in a child process (`tests/hostile.py::run_child`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hostile import RSS_BOUND_MIB, run_child

from conformance.bundle.build import build_bundle, compare_bundle
from conformance.bundle.resources import contracts_dir

OPS = ["GET /runs/{id}"]
ROOT = {
    "openapi": "3.1.0",
    "info": {"title": "Acme", "version": "1"},
    "paths": {"/runs/{id}": {"$ref": "./paths/runs.yaml#/getRun"}},
    "components": {"schemas": {"$ref": "./components/_index.yaml"}},
}
PATHS = {
    "getRun": {
        "get": {
            "operationId": "getRun",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": {
                    "description": "ok",
                    "content": {
                        "application/json": {"schema": {"$ref": "../components/_index.yaml#/Run"}}
                    },
                }
            },
        }
    }
}
INDEX = {"Run": {"$ref": "./run.yaml#/Run"}, "Status": {"$ref": "./run.yaml#/Status"}}
RUN = {
    "Run": {
        "type": "object",
        "properties": {
            "status": {"$ref": "#/Status"},
            "children": {"type": "array", "items": {"$ref": "#/Run"}},  # recursive: fine
        },
        "required": ["status"],
    },
    "Status": {"type": "string", "enum": ["ok", "failed"]},
}


def write_vendor(root: Path, files: dict[str, Any], listed: list[str] | None = None) -> Path:
    """A contracts tree with one vendor `acme` whose source is assembled from `files`."""
    vendor = root / "acme"
    for name, data in files.items():
        path = vendor / "upstream" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    entries = [
        {
            "file": name,
            "sha256": hashlib.sha256((vendor / "upstream" / name).read_bytes()).hexdigest(),
        }
        for name in (files if listed is None else listed)
    ]
    manifest = {
        "vendor": "acme",
        "sources": [
            {
                "file": "acme.openapi.json",
                "kind": "openapi",
                "original": "test",
                "upstream": "test",
                "taken": "2026-11-30",
                "openapi_declared": "3.1.0",
                "assembled_from": {
                    "root": "upstream",
                    "entry": "openapi.yaml",
                    "operations": OPS,
                    "files": entries,
                },
            }
        ],
        "objects": [{"name": "Run", "source": "acme.openapi.json"}],
    }
    (vendor / "manifest.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    return root


def good_files() -> dict[str, Any]:
    return {
        "openapi.yaml": ROOT,
        "paths/runs.yaml": PATHS,
        "components/_index.yaml": INDEX,
        "components/run.yaml": RUN,
    }


def test_multifile_source_is_assembled_into_one_local_document(tmp_path: Path) -> None:
    root = write_vendor(tmp_path / "contracts", good_files())
    built = build_bundle(root)
    document = json.loads(built.contract_files["acme/acme.openapi.json"])
    text = json.dumps(document)
    refs = {v for k, v in _refs(document)}
    assert refs == {"#/components/schemas/Run", "#/components/schemas/Status"}
    assert "./" not in text.replace("./components", "")  # no relative reference is left
    assert sorted(document["components"]["schemas"]) == ["Run", "Status"]
    assert document["x-runconform-origins"] == {
        "Run": "components/run.yaml#/Run",
        "Status": "components/run.yaml#/Status",
    }
    manifest = json.loads(built.files["manifest.json"])
    (entry,) = [e for e in manifest["schemas"] if e["name"] == "acme.Run"]
    assert entry["source"]["assembled_from"] == "acme/upstream/components/run.yaml#/Run"
    # --check compares the committed generated document too: missing here.
    assert [(d.kind, Path(d.path).name) for d in compare_bundle(built, tmp_path / "schemas")][
        -1
    ] == ("missing", "acme.openapi.json")


def _refs(node: Any) -> list[tuple[str, str]]:
    if isinstance(node, dict):
        found = [("$ref", node["$ref"])] if isinstance(node.get("$ref"), str) else []
        return found + [r for k, v in node.items() if not k.startswith("x-") for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_bundled_hatchet_contract_is_one_local_document() -> None:
    document = json.loads((contracts_dir() / "hatchet" / "hatchet-api.openapi.json").read_text())
    assert all(ref.startswith("#/") for _, ref in _refs(document))
    operations = [(m, p) for p, item in document["paths"].items() for m in item]
    assert ("get", "/api/v1/stable/tasks/{task}") in operations and len(operations) == 18
    summary = document["components"]["schemas"]["V1TaskSummary"]["properties"]
    assert {"payloadsRestricted", "idempotencyKey"} <= set(summary)


def _with(name: str, pointer: list[str], value: Any) -> dict[str, Any]:
    files = json.loads(json.dumps(good_files()))
    node = files[name]
    for token in pointer[:-1]:
        node = node[token]
    node[pointer[-1]] = value
    return files


RUN_REF = ["Run", "properties", "status", "$ref"]
HOSTILE = [
    (
        "item5-ref-escapes-folder",
        _with("components/run.yaml", RUN_REF, "../../../manifest.yaml#/x"),
        "acme/upstream/components/run.yaml#/Run/properties/status: $ref "
        "'../../../manifest.yaml#/x' leaves the vendor's contracts folder",
    ),
    (
        "item5-ref-absolute-path",
        _with("components/run.yaml", RUN_REF, "/etc/passwd#/x"),
        "acme/upstream/components/run.yaml#/Run/properties/status: $ref '/etc/passwd#/x' is "
        "not a relative file reference: runconform never fetches or reads documents outside "
        "the vendor's contracts folder",
    ),
    (
        "item5-ref-file-url",
        _with("components/run.yaml", RUN_REF, "file:///etc/passwd"),
        "acme/upstream/components/run.yaml#/Run/properties/status: $ref 'file:///etc/passwd' "
        "is not a relative file reference: runconform never fetches or reads documents "
        "outside the vendor's contracts folder",
    ),
    (
        "item5-ref-http-url",
        _with("components/run.yaml", RUN_REF, "http://127.0.0.1:9/x.yaml#/Run"),
        "acme/upstream/components/run.yaml#/Run/properties/status: $ref "
        "'http://127.0.0.1:9/x.yaml#/Run' is not a relative file reference: runconform never "
        "fetches or reads documents outside the vendor's contracts folder",
    ),
    (
        "item5-ref-chain-loop",
        {**good_files(), "components/_index.yaml": {**INDEX, "Run": {"$ref": "#/Run"}}},
        "acme/upstream/paths/runs.yaml#/getRun/get/responses/200/content/application~1json/"
        "schema: $ref chain loops or is too long at components/_index.yaml#/Run",
    ),
    (
        "item5-path-item-copy-loop",
        {
            **good_files(),
            "paths/runs.yaml": {
                "getRun": {"get": {"$ref": "#/other"}},
                "other": {"responses": {"$ref": "#/getRun"}},
            },
        },
        "acme/upstream/paths/runs.yaml#/other/responses: $ref to paths/runs.yaml#/getRun "
        "loops back into itself",
    ),
    (
        "item5-missing-file",
        _with("components/run.yaml", RUN_REF, "./nowhere.yaml#/Status"),
        "acme/upstream/components/run.yaml#/Run/properties/status: $ref to "
        "'components/nowhere.yaml': the file does not exist",
    ),
]


@pytest.mark.parametrize(("case", "files", "message"), HOSTILE, ids=[c for c, _, _ in HOSTILE])
def test_hostile_references_are_bundle_errors(
    tmp_path: Path, case: str, files: dict[str, Any], message: str
) -> None:
    root = write_vendor(tmp_path / "contracts", files)
    outcome = run_child(
        [
            sys.executable,
            "-m",
            "conformance",
            "schemas",
            "build",
            "--contracts",
            str(root),
            "--out",
            str(tmp_path / "schemas"),
        ],
        case=case,
        timeout=60,
    )
    assert (outcome.returncode, outcome.stderr) == (3, f"runconform: error: {message}\n")
    assert not outcome.traceback and outcome.returncode != 70
    assert outcome.peak_rss_mib < RSS_BOUND_MIB
    assert not (tmp_path / "schemas").exists()  # nothing half-written


def test_file_read_but_not_listed_and_edited_file_are_refused(tmp_path: Path, run_cli: Any) -> None:
    files = good_files()
    root = write_vendor(
        tmp_path / "a", files, listed=[n for n in files if n != "components/run.yaml"]
    )
    code, _, err = run_cli(
        "schemas", "build", "--contracts", str(root), "--out", str(tmp_path / "s")
    )
    assert (code, err) == (
        3,
        "runconform: error: acme/manifest.yaml#/sources/0/assembled_from/files: "
        "upstream/components/run.yaml is read but not listed under `assembled_from.files` "
        "with its sha256\n",
    )
    root = write_vendor(tmp_path / "b", files)
    (root / "acme" / "upstream" / "components" / "run.yaml").write_text("Run: {}\n")
    code, _, err = run_cli(
        "schemas", "build", "--contracts", str(root), "--out", str(tmp_path / "s")
    )
    assert code == 3
    assert err.startswith(
        "runconform: error: acme/manifest.yaml#/sources/0/assembled_from/files/3/sha256: "
        "sha256 of upstream/components/run.yaml differs from the manifest"
    )


def test_check_fails_when_the_generated_document_is_stale(tmp_path: Path, run_cli: Any) -> None:
    contracts = tmp_path / "contracts"
    shutil.copytree(contracts_dir(), contracts)
    shutil.copytree(contracts_dir().parent / "schemas", tmp_path / "schemas")
    generated = contracts / "hatchet" / "hatchet-api.openapi.json"
    generated.write_text(generated.read_text().replace('"title": "Hatchet API"', '"title": "X"'))
    code, _, err = run_cli(
        "schemas",
        "build",
        "--check",
        "--contracts",
        str(contracts),
        "--out",
        str(tmp_path / "schemas"),
    )
    assert code == 3
    assert f"changed: {generated.absolute()}" in err.splitlines()
    code, _out, _ = run_cli(
        "schemas", "build", "--contracts", str(contracts), "--out", str(tmp_path / "schemas")
    )
    assert code == 0 and '"title": "Hatchet API"' in generated.read_text()
