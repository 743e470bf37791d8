"""`validate --show N`: a report of bounded size for any input, that says so.

The first N records with errors or warnings are written in full, in every output format;
passing records are left out; the summary still counts every record and says what was
written. Each row runs the real CLI on one recording with five failing records among
twenty, and reads the report as its users' tools would.
"""

from __future__ import annotations

import gzip
import json
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import example

RUN = "xceptor.WorkflowRun"
SAMPLED = (
    "20 records: 15 conforming, 5 not conforming; 0 unreadable inputs; 5 errors, 0 warnings, "
    "0 info; the first 2 of 5 cases with errors or warnings written (--show 2); the counts "
    "cover every record"
)


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    """Twenty runs; those at lines 3, 7, 11, 15 and 19 have a status outside the enum."""
    good = example(RUN)
    lines = [
        json.dumps(
            {
                **good,
                "id": str(uuid.UUID(int=i + 1)),
                "status": "DONE" if i % 4 == 2 else good["status"],
            }
        )
        for i in range(20)
    ]
    path = tmp_path / "runs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def _failing_lines_text(out: str) -> list[str]:
    return sorted({line.split(":")[1] for line in out.splitlines() if ": error: " in line})


def _failing_lines_json(out: str) -> list[str]:
    results = json.loads(out)["results"]
    assert all(r["status"] == "failed" for r in results)  # passing records are left out
    return [str(r["line"]) for r in results]


def _failing_lines_junit(out: str) -> list[str]:
    cases = ET.fromstring(out).iter("testcase")
    return [str(c.get("name")).rsplit(":", 1)[1] for c in cases]


def _failing_lines_sarif(out: str) -> list[str]:
    results = json.loads(out)["runs"][0]["results"]
    return sorted(
        {str(r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results}
    )


READERS = {
    "text": _failing_lines_text,
    "json": _failing_lines_json,
    "junit": _failing_lines_junit,
    "sarif": _failing_lines_sarif,
}


@pytest.mark.parametrize("extra", [(), ("--max-failures", "100")], ids=["", "max-failures"])
@pytest.mark.parametrize("fmt", sorted(READERS))
def test_only_the_first_n_failing_records_are_written(
    run_cli, runs: Path, fmt: str, extra: tuple[str, ...]
) -> None:
    """With --max-failures every record comes as its own result: passing ones are still
    left out."""
    args = ("--schema", RUN, "--show", "2", "--output-format", fmt, *extra, str(runs))
    code, out, err = run_cli("validate", *args)
    assert code == 1, err
    assert READERS[fmt](out) == ["3", "7"]


def test_the_summary_counts_every_record_and_says_what_was_written(run_cli, runs: Path) -> None:
    code, out, _ = run_cli("validate", "--schema", RUN, "--show", "2", str(runs))
    assert code == 1
    assert out.splitlines()[-1] == SAMPLED
    code, out, _ = run_cli(
        "validate", "--schema", RUN, "--show", "2", "--output-format", "json", str(runs)
    )
    summary = json.loads(out)["summary"]
    assert (summary["records"], summary["failing"]) == (20, 5)
    assert (summary["cases_written"], summary["cases_not_written"]) == (2, 3)


def test_show_zero_writes_only_the_counts(run_cli, runs: Path) -> None:
    code, out, _ = run_cli(
        "validate", "--schema", RUN, "--show", "0", "--output-format", "json", str(runs)
    )
    assert code == 1
    report = json.loads(out)
    assert report["results"] == []
    assert report["summary"]["cases_not_written"] == 5


def test_without_show_a_file_gets_every_record(run_cli, runs: Path) -> None:
    code, out, _ = run_cli("validate", "--schema", RUN, "--output-format", "json", str(runs))
    assert code == 1
    report = json.loads(out)
    assert len(report["results"]) == 20
    assert "cases_written" not in report["summary"]


def test_nothing_checked_is_still_written(run_cli, tmp_path: Path) -> None:
    """A lifecycle check that followed no run is a case without findings that is not a
    pass: a sample keeps it."""
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(example(RUN)) + "\n")
    code, out, _ = run_cli(
        "validate",
        "--schema",
        RUN,
        "--lifecycle",
        "--show",
        "1",
        "--output-format",
        "json",
        str(path),
    )
    assert code == 2
    [case] = json.loads(out)["results"]  # the passing record is left out, not this
    assert (case["stage"], case["status"]) == ("lifecycle", "untested")


@pytest.mark.parametrize("bad", ["-1", "x"])
def test_a_bad_count_is_a_usage_error(run_cli, runs: Path, bad: str) -> None:
    code, _, err = run_cli("validate", "--schema", RUN, "--show", bad, str(runs))
    assert code == 2
    assert "Invalid value for '--show'" in err


# -- a worker that reads a whole file sends a sample too -------------------------------------


@pytest.fixture
def packed(tmp_path: Path) -> Path:
    """2,000 runs, gzip-compressed (one unit a worker reads whole): a schema error every
    25th, a warning only (a count below zero is also a schema error, so: duration) every
    40th, and one line that is not JSON."""
    good = example(RUN)
    lines = []
    for i in range(2000):
        run = {**good, "id": str(uuid.UUID(int=i + 1))}
        if i % 25 == 3:
            run["status"] = "DONE"
        elif i % 40 == 5:
            run["duration_ms"] = 1
        lines.append(json.dumps(run))
    lines[1000] = "{broken"
    path = tmp_path / "runs.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


@pytest.mark.parametrize("keep", [0, 3, 5000])
@pytest.mark.parametrize("errors_only", [False, True])
def test_a_worker_sends_its_sample_and_counts_the_rest(
    packed: Path, keep: int, errors_only: bool
) -> None:
    """The same unit judged with and without `keep`: the kept results are the first ones
    a report shows, and kept + tallied count exactly what the whole verdict holds."""
    from conformance.engines.blocks import DocumentFile, judge_unit, judging
    from conformance.report.cases import Summary
    from conformance.validation.options import ValidationOptions

    unit = DocumentFile(str(packed), None)
    opts = ValidationOptions()
    whole = judge_unit(unit, judging(RUN, None, False, opts, "count"))
    sample = judge_unit(unit, judging(RUN, None, False, opts, "count", keep, errors_only))
    shown = {"error"} if errors_only else {"error", "warning"}
    showable = [r for r in whole.results if any(f.severity in shown for f in r.findings)]
    assert list(sample.results) == showable[:keep]
    assert sample.clean == whole.clean
    expected, got = Summary(), Summary()
    for result in whole.results:
        expected.add(result)
    for result in sample.results:
        got.add(result)
    if sample.tallied is not None:
        got.add_tallied(sample.tallied)
    assert (sample.tallied.cases if sample.tallied else 0) == max(0, len(showable) - keep)
    assert got.as_dict() == expected.as_dict()


@pytest.mark.parametrize("quiet", [(), ("-q",)], ids=["", "errors-only"])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_two_processes_write_the_sample_of_one(
    run_cli, packed: Path, fmt: str, quiet: tuple[str, ...]
) -> None:
    args = ("validate", "--schema", RUN, "--show", "4", "--output-format", fmt, *quiet, str(packed))
    one = run_cli(*args, "--jobs", "1")
    two = run_cli(*args, "--jobs", "2")
    assert two == one
    assert one[0] == 4  # the broken line
    if fmt == "text":
        assert (
            one[1]
            .splitlines()[-1]
            .endswith(
                f"the first 4 of {81 if quiet else 131} cases with "
                f"{'errors' if quiet else 'errors or warnings'} written (--show 4); "
                "the counts cover every record"
            )
        )
