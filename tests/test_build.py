"""The bundle is reproducible from contracts/, and bad contracts fail with file and pointer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conformance.bundle.build import build_bundle, compare_bundle
from conformance.bundle.resources import contracts_dir, schemas_dir


@pytest.fixture
def contracts_copy(tmp_path: Path) -> Path:
    target = tmp_path / "contracts"
    shutil.copytree(contracts_dir(), target)
    return target


def test_committed_bundle_matches_a_fresh_build(run_cli) -> None:
    code, out, err = run_cli("schemas", "build", "--check")
    assert (code, err) == (0, "")
    count = len(build_bundle(contracts_dir()).files)  # vendors add objects: counted, not fixed
    assert out == f"ok: {count} files in {schemas_dir()} match a fresh build\n"


def test_two_builds_are_byte_identical() -> None:
    assert build_bundle(contracts_dir()).files == build_bundle(contracts_dir()).files


def test_hand_edited_schema_fails_the_check(tmp_path: Path, run_cli) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(schemas_dir(), schemas)
    edited = schemas / "xceptor" / "WorkflowRun.json"
    edited.write_text(edited.read_text().replace('"minimum": 0', '"minimum": 1'))
    code, _, err = run_cli("schemas", "build", "--check", "--out", str(schemas))
    assert code == 3
    assert f"changed: {edited}" in err
    assert '-      "minimum": 1' in err and '+      "minimum": 0' in err
    assert err.splitlines()[-1] == (
        f"runconform: error: {schemas}: 1 file differs from a fresh build of the contracts; "
        "run `runconform schemas build` and commit the result"
    )


def test_unexpected_and_missing_files_are_reported(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(schemas_dir(), schemas)
    (schemas / "knock" / "PageInfo.json").unlink()
    (schemas / "knock" / "Stray.json").write_text("{}\n")
    found = {(d.kind, d.path) for d in compare_bundle(build_bundle(contracts_dir()), schemas)}
    assert found == {("missing", "knock/PageInfo.json"), ("unexpected", "knock/Stray.json")}


def test_build_writes_the_same_files_to_out(tmp_path: Path, run_cli) -> None:
    code, _, _ = run_cli("schemas", "build", "--out", str(tmp_path / "fresh"))
    assert code == 0
    assert compare_bundle(build_bundle(contracts_dir()), tmp_path / "fresh") == ()


BAD_CONTRACTS = [
    (
        "corrupt YAML",
        "knock/workflow-recipient-runs-api.openapi.yml",
        lambda text: text.replace("  schemas:\n", "  schemas: [\n", 1),
        "knock/workflow-recipient-runs-api.openapi.yml: malformed YAML at line ",
    ),
    (
        "remote $ref",
        "paragon/task-history-api.openapi.yml",
        lambda text: text.replace(
            "items:\n            $ref: '#/components/schemas/WorkflowExe",
            "items:\n            $ref: 'https://example.com/execution.json'\n            x-was: '",
        ),
        "paragon/task-history-api.openapi.yml#/components/schemas/WorkflowExecutionList/"
        "properties/data/items: remote $ref 'https://example.com/execution.json': runconform "
        "never retrieves remote references; copy the referenced schema into contracts/ and "
        "reference it locally",
    ),
    (
        "erratum that no longer applies",
        "hatchet/errata.yaml",
        lambda text: text.replace(
            "{op: test, path: /required/1, value: id}", "{op: test, path: /required/2, value: id}"
        ),
        "hatchet/errata.yaml: erratum 'hatchet-workflowrun-required-id' no longer applies to "
        "V1WorkflowRun: ",
    ),
    (
        "erratum for an object not in the bundle",
        "restack/errata.yaml",
        lambda text: text.replace("object: WorkflowRunResponse", "object: WorkflowRunResponze"),
        "restack/errata.yaml: erratum 'restack-schedule-required' names object "
        "'WorkflowRunResponze', which the bundle does not extract",
    ),
]


@pytest.mark.parametrize(
    ("case", "file", "edit", "message"), BAD_CONTRACTS, ids=[c[0] for c in BAD_CONTRACTS]
)
def test_bad_contract_gives_a_clear_error(
    contracts_copy: Path, tmp_path: Path, run_cli, case: str, file: str, edit, message: str
) -> None:
    path = contracts_copy / file
    path.write_text(edit(path.read_text()))
    if file.endswith(".yml"):  # keep the provenance check out of the way of the defect
        manifest = path.parent / "manifest.yaml"
        manifest.write_text(
            "\n".join(line for line in manifest.read_text().splitlines() if "sha256:" not in line)
            + "\n"
        )
    code, out, err = run_cli(
        "schemas", "build", "--contracts", str(contracts_copy), "--out", str(tmp_path / "out")
    )
    assert (code, out) == (3, "")
    assert err.startswith(f"runconform: error: {message}")
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_edited_source_without_manifest_update_is_refused(
    contracts_copy: Path, tmp_path: Path, run_cli
) -> None:
    source = contracts_copy / "xceptor" / "workflow-runs-api.openapi.yml"
    source.write_text(source.read_text().replace("minimum: 0", "minimum: 1", 1))
    code, _, err = run_cli(
        "schemas", "build", "--contracts", str(contracts_copy), "--out", str(tmp_path / "out")
    )
    assert code == 3
    assert err == (
        "runconform: error: xceptor/manifest.yaml#/sources/0/sha256: sha256 of "
        "workflow-runs-api.openapi.yml differs from the manifest: the source was edited after it "
        "was taken; re-take it from the vendor and update `sha256`, or record the change as an "
        "erratum instead\n"
    )


def test_unknown_object_is_a_usage_error(run_cli) -> None:
    code, out, err = run_cli("schemas", "show", "hatchet.V1WorkflowRn")
    assert (code, out) == (2, "")
    assert err == (
        "runconform: error: unknown object 'hatchet.V1WorkflowRn'; did you mean: "
        "hatchet.V1WorkflowRun, hatchet.V1WorkflowType, hatchet.V1WorkflowRunDetails?\n"
    )


def test_wrong_flag_is_a_usage_error(run_cli) -> None:
    code, _, err = run_cli("schemas", "list", "--vendr", "knock")
    assert code == 2
    assert err.endswith("Error: No such option '--vendr'. Did you mean '--vendor'?\n")
