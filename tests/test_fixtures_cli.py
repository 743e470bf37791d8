"""`runconform fixtures`: deterministic bytes, valid output, exact negatives, clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.bundle.catalog import load_catalog

LISTED = load_catalog().names()


@pytest.mark.parametrize("fmt", ["json", "jsonl", "yaml"])
def test_same_seed_same_bytes(run_cli, tmp_path: Path, fmt: str) -> None:
    for name in ("a", "b"):
        code, _, _ = run_cli(
            "fixtures",
            "hatchet.V1TaskSummary",
            "-n",
            "300",
            "--seed",
            "7",
            "--format",
            fmt,
            "--out",
            str(tmp_path / f"{name}.{fmt}"),
        )
        assert code == 0
    first, second = ((tmp_path / f"{n}.{fmt}").read_bytes() for n in "ab")
    assert first == second and len(first) > 10_000
    code, _, _ = run_cli(
        "fixtures",
        "hatchet.V1TaskSummary",
        "-n",
        "300",
        "--seed",
        "8",
        "--format",
        fmt,
        "--out",
        str(tmp_path / f"c.{fmt}"),
    )
    assert (tmp_path / f"c.{fmt}").read_bytes() != first


@pytest.mark.parametrize("name", LISTED)
def test_fixtures_validate_cleanly_and_negatives_exactly(
    run_cli, tmp_path: Path, name: str
) -> None:
    code, _, err = run_cli("fixtures", name, "-n", "200", "--seed", "1", "--out", str(tmp_path))
    assert (code, err) == (0, f"wrote 200 fixtures of {name} to {tmp_path / name}.jsonl\n")
    code, out, _ = run_cli(
        "validate", str(tmp_path / f"{name}.jsonl"), "--schema", name, "--strict", "-v"
    )
    assert code == 0, out[-3000:]
    assert out.splitlines()[-1] == (
        "200 records: 200 conforming, 0 not conforming; 0 unreadable inputs; 0 errors, "
        "0 warnings, 0 info"
    )
    code, _, _ = run_cli(
        "fixtures", name, "-n", "200", "--seed", "1", "--invalid", "--out", str(tmp_path)
    )
    assert code == 0
    negatives = tmp_path / f"{name}.invalid.jsonl"
    code, out, _ = run_cli("validate", str(negatives), "--schema", name, "--strict")
    assert code == 1  # every negative fixture fails...
    assert "200 records: 0 conforming, 200 not conforming" in out.splitlines()[-1]
    code, out, _ = run_cli(
        "validate", str(negatives), "--schema", name, "--strict", "--expect-violations"
    )
    assert (code, out.splitlines()[-1]) == (  # ...with exactly its labelled violation
        0,
        "200 records: 200 conforming, 0 not conforming; 0 unreadable inputs; 0 errors, "
        "0 warnings, 0 info",
    )


def test_a_wrong_label_is_caught(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "neg.jsonl"
    path.write_text(
        '{"fixture": {"id": "5d2c1b0a-9e8f-4a7b-b6c5-d4e3f2a1b0c9", "status": "done"}, '
        '"violates": {"kind": "schema", "keyword": "type", "pointer": "/status"}}\n'
    )
    code, out, _ = run_cli(
        "validate", str(path), "--schema", "xceptor.WorkflowRun", "--expect-violations"
    )
    assert code == 1
    assert out.splitlines()[0] == (
        f"{path}:1:1: $.status: error: expected exactly schema:type@/status to be reported, "
        "got schema:enum@/status [expected-violation]"
    )


BAD = [
    (
        ["nope"],
        2,
        "runconform: error: unknown object 'nope'; `runconform schemas list` shows the bundle\n",
    ),
    (
        ["xceptor.WorkflowRun", "-n", "-1"],
        2,
        "runconform: error: the number of fixtures cannot be negative (got -1)\n",
    ),
    (
        ["xceptor.WorkflowRun", "-n", "10000001"],
        2,
        "runconform: error: at most 10,000,000 fixtures per run (got 10,000,001); split the job\n",
    ),
]


@pytest.mark.parametrize(("args", "code", "err"), BAD, ids=["unknown", "negative", "huge"])
def test_bad_arguments(run_cli, tmp_path: Path, args: list[str], code: int, err: str) -> None:
    out_dir = tmp_path / "out"
    assert run_cli("fixtures", *args, "--out", str(out_dir)) == (code, "", err)
    assert not out_dir.exists()  # refused before anything was created


def test_unwritable_out_leaves_nothing_behind(run_cli, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, out, err = run_cli("fixtures", "xceptor.WorkflowRun", "--out", str(blocker / "sub"))
    assert (code, out) == (4, "")
    assert err == (
        f"runconform: error: {blocker / 'sub'}: cannot create the output folder: Not a directory\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_interrupted_write_leaves_no_partial_file(run_cli, tmp_path: Path, monkeypatch) -> None:
    import conformance.generate as fixtures

    def broken(stream, items, fmt):  # type: ignore[no-untyped-def]
        stream.write("[\n")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fixtures, "_write", broken)
    target = tmp_path / "runs.json"
    code, _, err = run_cli(
        "fixtures", "xceptor.WorkflowRun", "--format", "json", "--out", str(target)
    )
    assert code != 0 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_scenario_in_every_vendors_shape(run_cli) -> None:
    import json

    from conformance.validation.engine import validate

    code, out, err = run_cli(
        "fixtures", "--scenario", "failed-on-step", "--vendor", "all", "--param", "step=2"
    )
    assert code == 0
    rendered = [json.loads(line) for line in out.splitlines()]
    assert [r["object"] for r in rendered] == [
        "hatchet.V1WorkflowRun",
        "hatchet.V1TaskSummary",
        "paragon.WorkflowExecution",
        "restack.WorkflowRunStatus",
        "restack.AgentRunStatus",
        "xceptor.WorkflowRun",
    ]
    for item in rendered:
        assert validate(item["fixture"], item["object"], strict=True).findings == ()
    assert err == (
        "knock.WorkflowRecipientRun: cannot express failed-on-step: knock cannot "
        "express status 'failed': Knock has no failed state (a run with errors still "
        "completes; see error_count)\n"
    )


def test_scenario_a_vendor_cannot_express(run_cli) -> None:
    code, out, err = run_cli("fixtures", "--scenario", "paused", "--vendor", "paragon")
    assert (code, out) == (1, "")
    assert err.startswith("paragon.WorkflowExecution: cannot express paused: ")


def test_unknown_scenario(run_cli) -> None:
    assert run_cli("fixtures", "--scenario", "nope") == (
        2,
        "",
        "runconform: error: unknown scenario 'nope'; known: queued, running, succeeded, "
        "failed-on-step, cancelled-while-running, paused, page\n",
    )
