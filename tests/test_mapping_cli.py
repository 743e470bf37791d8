"""`runconform mappings check` and `runconform map`: exit codes and messages people read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import EXAMPLES

from conformance.bundle.resources import contracts_dir


def test_shipped_mappings_pass(run_cli) -> None:
    assert run_cli("mappings", "check") == (0, "0 problems in 5 mapping files\n", "")


def test_malformed_mapping_yaml_is_a_bundle_error(run_cli, tmp_path: Path) -> None:
    folder = tmp_path / "mappings"
    shutil.copytree(contracts_dir() / "mappings", folder)
    (folder / "knock.yaml").write_text("objects: [\n")
    code, out, err = run_cli("mappings", "check", "--dir", str(folder))
    assert (code, out) == (3, "")
    assert err == (
        f"runconform: error: {folder / 'knock.yaml'}: malformed YAML at line 2, "
        "column 1: expected the node content, but found '<stream end>'\n"
    )


def test_map_a_list_item_by_item(run_cli, tmp_path: Path) -> None:
    out_file = tmp_path / "runs.jsonl"
    code, out, err = run_cli(
        "map",
        str(EXAMPLES / "xceptor.WorkflowRunList.json"),
        "--from",
        "xceptor.WorkflowRunList",
        "--output",
        str(out_file),
    )
    assert (code, out) == (0, "")
    assert err == "1 run written; 0 records could not be mapped; 0 unreadable inputs\n"
    (run,) = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert run["status"] == "failed"
    assert run["source"]["vendor"] == "xceptor" and run["source"]["object"] == "WorkflowRun"


def test_a_record_that_cannot_be_mapped(run_cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    good = json.loads((EXAMPLES / "xceptor.WorkflowRun.json").read_text())
    bad.write_text(json.dumps(good) + "\n" + json.dumps({**good, "status": "done"}) + "\n")
    code, out, err = run_cli("map", str(bad), "--from", "xceptor.WorkflowRun")
    assert code == 1
    assert len(out.splitlines()) == 1  # the good record is still converted
    assert err.splitlines()[0].startswith(
        f"{bad}:2: error: xceptor.WorkflowRun: the input does not conform to its schema"
    )
    assert err.splitlines()[-1] == (
        "1 run written; 1 record could not be mapped; 0 unreadable inputs"
    )


def test_converting_into_a_vendor_that_cannot_express_it(run_cli) -> None:
    code, out, err = run_cli(
        "map",
        str(EXAMPLES / "xceptor.WorkflowRun.json"),
        "--from",
        "xceptor.WorkflowRun",
        "--to",
        "knock.WorkflowRecipientRun",
    )
    assert (code, out) == (1, "")
    assert err.splitlines()[0].endswith(
        "xceptor.WorkflowRun.json:1: error: knock cannot express status 'failed': Knock has no "
        "failed state (a run with errors still completes; see error_count)"
    )


def test_unknown_source_object(run_cli) -> None:
    code, _, err = run_cli(
        "map", str(EXAMPLES / "xceptor.WorkflowRun.json"), "--from", "xceptor.WorkflowRn"
    )
    assert code == 2
    assert err.startswith("runconform: error: unknown object 'xceptor.WorkflowRn'; did you mean")
