"""`runconform diff` on real contracts: Hatchet's catalogue split (OLD) against Hatchet's own
document (NEW), the recordings figure, every accepted form of input, exit codes and the
messages of contracts that cannot be read."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import example, sarif_errors

from conformance.diff.compare import catalog_scope, diff_contracts
from conformance.diff.sources import load_contract

ROOT = Path(__file__).resolve().parent.parent
SPLIT = "tests/data/hatchet-catalogue-split"
UPSTREAM = "contracts/hatchet/upstream-openapi"
RECORDINGS = "contracts/recordings/hatchet"
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def hatchet() -> dict[str, tuple[str, str]]:
    """path -> (rule id, class) of the Hatchet diff (run objects and run operations)."""
    found = diff_contracts(
        load_contract(ROOT / SPLIT, label=SPLIT),
        load_contract(ROOT / UPSTREAM, label=UPSTREAM),
        catalog_scope(),
    )
    return {c.path: (c.rule.id, c.rule.cls) for c in found.changes}


@pytest.mark.parametrize(
    ("path", "rule", "cls"),
    [
        ("V1TaskSummary.properties.payloadsRestricted",
         "response.property-added-optional", "compatible"),
        ("V1WorkflowRun.properties.payloadsRestricted",
         "response.property-added-optional", "compatible"),
        ("V1TaskSummary.properties.idempotencyKey",
         "response.property-added-optional", "compatible"),
        ("GET /api/v1/stable/tasks/{task}", "operation.operation-added", "compatible"),
        ("GET /api/v1/stable/tasks/{task}/task-events", "operation.operation-added", "compatible"),
        ("GET /api/v1/stable/dags/tasks", "operation.operation-added", "compatible"),
        ("GET /api/v1/stable/tenants/{tenant}/workflow-runs parameters.query.idempotency_keys",
         "operation.parameter-added-optional", "compatible"),
        ("V1TaskEventType", "response.enum-value-added", "client"),
        ("V1TriggerWorkflowRunRequest.properties.return_only_id",
         "request.property-added-optional", "compatible"),
    ],
)  # fmt: skip
def test_the_hatchet_diff_lists_the_real_differences(
    hatchet: dict[str, tuple[str, str]], path: str, rule: str, cls: str
) -> None:
    assert hatchet[path] == (rule, cls)


def test_the_hatchet_diff_in_text(run_cli: Run) -> None:
    code, out, _ = run_cli("diff", SPLIT, UPSTREAM, "-q")
    assert code == 1
    assert out.splitlines() == [
        "V1TaskEventType: error: enum value added (WAITING_FOR_BATCH) in a response body: "
        "breaking for clients, a client meets a value it does not know "
        "[response.enum-value-added]",
        "V1TaskEventType: error: enum value added (BATCH_FLUSHED) in a response body: "
        "breaking for clients, a client meets a value it does not know "
        "[response.enum-value-added]",
        f"diff {SPLIT} -> {UPSTREAM}: 2 breaking for clients; 0 breaking for servers; "
        "0 breaking for both; 23 compatible (70 schemas, 23 operations compared); "
        "79 paths or operations of NEW not read (their files are not in the folder)",
    ]


@pytest.mark.parametrize(
    ("fail_on", "code"), [("any", 1), ("client", 1), ("server", 0), ("none", 0)]
)
def test_fail_on_chooses_which_breaking_class_exits_1(
    run_cli: Run, fail_on: str, code: int
) -> None:
    assert run_cli("diff", SPLIT, UPSTREAM, "--fail-on", fail_on, "-q")[0] == code


def test_the_recordings_figure(run_cli: Run) -> None:
    code, out, _ = run_cli("diff", SPLIT, UPSTREAM, "--recordings", RECORDINGS)
    assert code == 1
    assert out.splitlines()[-1].endswith("; 0 records conform to OLD and not to NEW")
    quiet = run_cli("diff", SPLIT, UPSTREAM, "--recordings", RECORDINGS, "-q")[1]
    assert quiet.splitlines()[-1] == out.splitlines()[-1]  # -q keeps the figure
    assert "recordings: info: 0 records conform to OLD and not to NEW [recordings]" in out
    assert "recordings: info: 0 records conform to NEW and not to OLD [recordings]" in out
    assert (
        "recordings: info: 7 records read: 3 conform to both, 4 to neither, 0 not judged on "
        "one side (no operation or object for it there) [recordings]"
    ) in out


def test_a_record_that_conforms_to_old_only_is_counted_with_its_error(
    run_cli: Run, tmp_path: Path
) -> None:
    code, out, _ = run_cli("diff", SPLIT, _without_completed(tmp_path), "--recordings", RECORDINGS)
    assert code == 1
    assert "recordings: info: 1 record conforms to OLD and not to NEW [recordings]" in out
    assert (
        f"{RECORDINGS}/runs.cassette.yaml:194: info: fails NEW "
        "(GET /api/v1/stable/workflow-runs/{v1-workflow-run}/status 200): "
        "$: 'COMPLETED' is not one of ['QUEUED', 'RUNNING', 'CANCELLED', 'FAILED'] "
        "[recordings-example]"
    ) in out
    assert "V1TaskStatus: error: enum value removed (COMPLETED) in a response body: " in out


def _without_completed(tmp_path: Path) -> str:
    """The catalogue split with COMPLETED no longer a V1TaskStatus."""
    new = tmp_path / "new"
    shutil.copytree(ROOT / SPLIT, new)
    runs = new / "workflow-runs-api.openapi.yml"
    text = runs.read_text(encoding="utf-8")
    runs.write_text(text.replace("      - COMPLETED\n", "", 1), encoding="utf-8")
    return str(new)


def test_a_bare_record_is_identified_and_checked_against_each_sides_component(
    run_cli: Run, tmp_path: Path
) -> None:
    run = example("hatchet.V1TaskSummary")
    run["id"] = run["metadata"]["id"]  # the catalogue's V1TaskSummary requires a top-level id
    bare = _write(tmp_path / "runs.jsonl", json.dumps(run) + "\n")
    code, out, _ = run_cli("diff", SPLIT, _without_completed(tmp_path), "--recordings", bare)
    assert code == 1
    assert [line for line in out.splitlines() if "recordings" in line] == [
        "recordings: info: 1 record conforms to OLD and not to NEW [recordings]",
        "recordings: info: 0 records conform to NEW and not to OLD [recordings]",
        "recordings: info: 1 record read: 0 conform to both, 0 to neither, 0 not judged on "
        "one side (no operation or object for it there) [recordings]",
        f"{bare}:1: info: fails NEW (V1TaskSummary): $['status']: 'COMPLETED' is not one of "
        "['QUEUED', 'RUNNING', 'CANCELLED', 'FAILED'] [recordings-example]",
    ]


def test_json_and_markdown(run_cli: Run) -> None:
    code, out, _ = run_cli("diff", SPLIT, UPSTREAM, "--format", "json")
    assert code == 1
    data = json.loads(out)
    changes = [
        c for case in data["results"] for c in (case.get("details") or {}).get("changes", [])
    ]
    assert {
        "path": "V1TaskSummary.properties.idempotencyKey",
        "subject": "V1TaskSummary",
        "rule": "response.property-added-optional",
        "class": "compatible",
        "where": "response",
        "old": "",
        "new": "",
        "why": "a reader ignores a field it does not know; a producer may leave it out",
    } in changes
    code, out, _ = run_cli("diff", SPLIT, UPSTREAM, "--format", "markdown")
    lines = out.splitlines()
    assert lines[:3] == [
        "# runconform diff",
        "",
        "**Exit code 1** (a breaking change) · breaking for clients: **2** · breaking for "
        "servers: **0** · breaking for both: **0** · compatible: **23**",
    ]
    assert "## Breaking for clients (2)" in lines
    assert "## Compatible (23)" in lines
    assert (
        "| `V1TaskEventType` | enum value added |  | WAITING_FOR_BATCH | "
        "`response.enum-value-added` | a client meets a value it does not know |"
    ) in lines


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("schemas", "schemas", "diff schemas -> schemas: 0 breaking for clients; 0 breaking "
         "for servers; 0 breaking for both; 0 compatible (38 schemas, 0 operations compared)"),
        ("contracts/hatchet", UPSTREAM, f"diff contracts/hatchet -> {UPSTREAM}: 0 breaking for "
         "clients; 0 breaking for servers; 0 breaking for both; 10 compatible (70 schemas, "
         "23 operations compared); 79 paths or operations of NEW not read (their files are "
         "not in the folder)"),
        ("contracts/hatchet/hatchet-api.openapi.json", "contracts/hatchet",
         "diff contracts/hatchet/hatchet-api.openapi.json -> contracts/hatchet: 0 breaking "
         "for clients; 0 breaking for servers; 0 breaking for both; 0 compatible "
         "(51 schemas, 14 operations compared)"),
    ],
)  # fmt: skip
def test_every_form_of_input(run_cli: Run, old: str, new: str, line: str) -> None:
    code, out, err = run_cli("diff", old, new, "-q")
    assert (code, out.splitlines()[-1], err) == (0, line, "")


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_malformed_contract_is_exit_3_with_its_position(run_cli: Run, tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.yaml", "openapi: 3.1.0\npaths:\n  /x: [1\n")
    code, out, err = run_cli("diff", bad, SPLIT)
    assert (code, out) == (3, "")
    assert err == (
        f"runconform: error: {bad}: malformed YAML at line 4, column 1: "
        "expected ',' or ']', but got '<stream end>'\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n    A:\n"
         "      $ref: 'https://example.com/a.json'\n",
         "{file}#/components/schemas/A/$ref: external $ref 'https://example.com/a.json': "
         "runconform never fetches or reads referenced documents; copy what it references "
         "into this contract and point at it with a local '#/...' reference"),
        ("openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n    A:\n"
         "      $ref: 'file:///etc/passwd'\n",
         "{file}#/components/schemas/A/$ref: external $ref 'file:///etc/passwd': "
         "runconform never fetches or reads referenced documents; copy what it references "
         "into this contract and point at it with a local '#/...' reference"),
        ("swagger: '2.0'\npaths: {}\n", "{file}: not an OpenAPI document (no `openapi` version)"),
        ("openapi: 3.0.3\npaths: [1]\n", "{file}#/paths: `paths` must be a mapping"),
        ("openapi: 3.0.3\npaths:\n  /x:\n    get:\n      responses: [1]\n",
         "{file}#/paths/~1x/get/responses: `responses` must be a mapping"),
        ("openapi: 2.0.0\npaths: {}\n",
         "{file}#/openapi: OpenAPI version '2.0.0' is not read (3.0.x, 3.1.x or 3.2.x)"),
    ],
)  # fmt: skip
def test_a_contract_that_cannot_be_read_is_exit_3(
    run_cli: Run, tmp_path: Path, text: str, message: str
) -> None:
    bad = _write(tmp_path / "contract.yaml", text)
    code, out, err = run_cli("diff", SPLIT, bad)
    assert (code, out, err) == (3, "", f"runconform: error: {message.format(file=bad)}\n")


def test_a_bundle_whose_manifest_is_not_one_is_exit_3(run_cli: Run, tmp_path: Path) -> None:
    _write(tmp_path / "manifest.json", '{"schemas": [{"name": "hatchet.V1TaskSummary"}]}')
    code, out, err = run_cli("diff", str(tmp_path), "schemas")
    assert (code, out) == (3, "")
    assert err == (
        f"runconform: error: {tmp_path}/manifest.json: not a bundle manifest: `schemas` must "
        "list the objects with their `name`, `vendor`, `object`, `listed` and variants\n"
    )


def test_old_can_be_standard_input(monkeypatch: pytest.MonkeyPatch, run_cli: Run) -> None:
    document = (ROOT / "contracts/hatchet/hatchet-api.openapi.json").read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(document)))
    code, out, _ = run_cli("diff", "-", "contracts/hatchet", "-q")
    assert (code, out.splitlines()[-1]) == (
        0,
        "diff <stdin> -> contracts/hatchet: 0 breaking for clients; 0 breaking for servers; "
        "0 breaking for both; 0 compatible (51 schemas, 14 operations compared)",
    )


def test_a_multi_file_reference_out_of_the_folder_is_refused(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "doc").mkdir()
    _write(
        tmp_path / "doc" / "openapi.yaml",
        "openapi: 3.1.0\npaths:\n  /x:\n    $ref: '../outside.yaml#/x'\n",
    )
    code, _, err = run_cli("diff", SPLIT, str(tmp_path / "doc"))
    assert code == 3
    assert err == (
        f"runconform: error: {tmp_path / 'doc'}/openapi.yaml#/paths/~1x: $ref "
        "'../outside.yaml#/x' leaves the vendor's contracts folder\n"
    )


def test_one_component_defined_differently_in_two_files_names_both(
    run_cli: Run, tmp_path: Path
) -> None:
    for name, kind in (("a.yaml", "string"), ("b.yaml", "integer")):
        _write(
            tmp_path / name,
            f"openapi: 3.1.0\npaths: {{}}\ncomponents:\n  schemas:\n    Id:\n      type: {kind}\n",
        )
    code, _, err = run_cli("diff", SPLIT, str(tmp_path))
    assert code == 3
    assert err == (
        f"runconform: error: {tmp_path}/b.yaml#/components/schemas/Id: component schema 'Id' "
        f"is defined differently in {tmp_path}/a.yaml and {tmp_path}/b.yaml\n"
    )


def test_unreadable_recordings_are_exit_4_and_the_rest_still_counted(
    run_cli: Run, tmp_path: Path
) -> None:
    broken = _write(tmp_path / "broken.json", '{"rows": [')
    code, out, _ = run_cli(
        "diff", SPLIT, UPSTREAM, "--recordings", broken, "--recordings", RECORDINGS
    )
    assert code == 4
    assert "7 records read: 3 conform to both" in out
    assert out.splitlines()[-1].endswith("; 1 unreadable input")


@pytest.mark.parametrize(
    ("fmt", "compatible"),
    [
        ("html", 'data-path="V1TaskSummary.properties.idempotencyKey"'),
        ("junit", 'name="V1TaskSummary"'),
        ("github", None),  # annotations: the breaking changes only
        ("sarif", "V1TaskSummary.properties.idempotencyKey: property added optional"),
    ],
)
def test_the_other_formats_carry_the_changes(
    run_cli: Run, fmt: str, compatible: str | None
) -> None:
    code, out, _ = run_cli("diff", SPLIT, UPSTREAM, "--format", fmt)
    assert code == 1
    assert "response.enum-value-added" in out
    if compatible is None:
        assert "idempotencyKey" not in out
    else:
        assert compatible in out


def test_the_sarif_log_is_valid(run_cli: Run, sarif_validator: Any) -> None:
    code, out, _ = run_cli("diff", SPLIT, UPSTREAM, "--format", "sarif")
    assert code == 1
    assert sarif_errors(sarif_validator, json.loads(out)) == []


def test_usage_errors_are_exit_2(run_cli: Run) -> None:
    assert run_cli("diff", SPLIT, "no/such/contract")[0] == 2
    assert run_cli("diff", SPLIT, UPSTREAM, "--fail-on", "sometimes")[0] == 2
    assert run_cli("diff", SPLIT, UPSTREAM, "--format", "xml")[0] == 2
