"""`validate --lifecycle` and `conformance.lifecycle`: runs followed through recordings.

The recording is the bundled Knock session (recorded by `tools/record_examples.py` from
the simulator), hand-edited the way a broken API would have answered: each edit breaks
one lifecycle rule in one entry, and the finding must name both observations. The HAR is
written back with one entry per line, so an entry's line is its index + 2.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conformance.bundle.lifecycles import load_lifecycles
from conformance.lifecycle.check import check_lifecycle

pytest_plugins = ["pytester"]

SESSION = Path(__file__).parents[1] / "contracts" / "recordings" / "knock" / "session.har"
TAIL = "; ordered by the time each request was sent (7 pairs)"


def _entries() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(SESSION.read_text())["log"]["entries"]
    return entries


def _write_har(path: Path, entries: list[dict[str, Any]]) -> None:
    """A HAR with one entry per line: entry i of `entries` starts on line i + 2."""
    lines = ",\n".join(json.dumps(entry) for entry in entries)
    path.write_text(
        '{"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": [\n'
        + lines
        + "\n]}}\n"
    )


def _edit(entry: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> None:
    content = entry["response"]["content"]
    body = json.loads(content["text"])
    change(body)
    content["text"] = json.dumps(body)


def _set(**values: Any) -> Callable[[dict[str, Any]], None]:
    return lambda body: body.update(values)


# (rule, entry edited, its change, the finding's text); entry 5 is a get-one of run
# cdf84404 (cancelled), last listed by entry 2 as items[0]; entry 4 one of 803468b6
# (paused), last listed by entry 0 as items[1].
BROKEN = [
    (
        "terminal-changed",
        5,
        _set(status="processing"),
        "session.har:7: $.status: error: run cdf84404…: cancelled (session.har:4 $.items[0]) "
        "-> processing (session.har:7): a terminal state changed [terminal-changed]",
    ),
    (
        "transition",
        4,
        _set(status="queued"),
        "session.har:6: $.status: error: run 803468b6…: paused (session.har:2 $.items[1]) "
        "-> queued (session.har:6): knock.WorkflowRecipientRun does not go from paused to "
        "queued [transition]",
    ),
    (
        "fixed-changed",
        5,
        _set(inserted_at="2025-01-18T06:05:00.000Z"),
        "session.har:7: $.inserted_at: error: run cdf84404…: $.inserted_at "
        "2025-01-18T06:04:40.080Z (session.har:4 $.items[0]) -> 2025-01-18T06:05:00.000Z "
        "(session.har:7): a field fixed once set changed [fixed-changed]",
    ),
    (
        "moved-backwards",
        5,
        _set(updated_at="2025-01-18T06:08:00.000Z"),
        "session.har:7: $.updated_at: error: run cdf84404…: $.updated_at "
        "2025-01-18T06:11:07.578Z (session.har:4 $.items[0]) -> 2025-01-18T06:08:00.000Z "
        "(session.har:7): a timestamp moved backwards [moved-backwards]",
    ),
    (
        "counter-decreased",
        5,
        _set(error_count=1),
        "session.har:7: $.error_count: error: run cdf84404…: $.error_count 2 "
        "(session.har:4 $.items[0]) -> 1 (session.har:7): a counter decreased "
        "[counter-decreased]",
    ),
]


def test_the_recorded_session_keeps_every_lifecycle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., Any]
) -> None:
    monkeypatch.chdir(tmp_path)
    _write_har(tmp_path / "session.har", _entries())
    code, out, _ = run_cli("validate", "session.har", "--lifecycle")
    assert out.splitlines() == [
        "6 records: 6 conforming, 0 not conforming; 0 unreadable inputs; 0 errors, 0 warnings,"
        " 0 info; lifecycle: 6 runs followed over 19 observations, 0 broke a rule" + TAIL
    ]
    assert code == 0


@pytest.mark.parametrize(("rule", "entry", "change", "line"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_rule_is_caught_naming_both_observations(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    run_cli: Callable[..., Any],
    rule: str,
    entry: int,
    change: Callable[[dict[str, Any]], None],
    line: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    entries = _entries()
    _edit(entries[entry], change)
    _write_har(tmp_path / "session.har", entries)
    code, out, _ = run_cli("validate", "session.har", "--lifecycle")
    assert out.splitlines()[0] == line
    assert "lifecycle: 6 runs followed over 19 observations, 1 broke a rule" in out
    assert code == 1


def test_one_recording_split_across_two_files_is_still_one_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., Any]
) -> None:
    monkeypatch.chdir(tmp_path)
    entries = _entries()
    _edit(entries[5], _set(status="processing"))
    _write_har(tmp_path / "first.har", entries[:3])
    _write_har(tmp_path / "second.har", entries[3:])
    for order in (("first.har", "second.har"), ("second.har", "first.har")):
        code, out, _ = run_cli("validate", *order, "--lifecycle")
        assert out.splitlines()[0] == (
            "second.har:4: $.status: error: run cdf84404…: cancelled (first.har:4 $.items[0]) "
            "-> processing (second.har:4): a terminal state changed [terminal-changed]"
        ), order
        assert "6 runs followed over 19 observations, 1 broke a rule" in out
        assert code == 1


def test_observations_are_put_in_the_order_the_requests_were_sent(tmp_path: Path) -> None:
    """Entries written in reverse still compare earliest first (by startedDateTime)."""
    entries = _entries()
    _edit(entries[5], _set(status="processing"))
    _write_har(tmp_path / "reversed.har", entries[::-1])
    result = check_lifecycle([tmp_path / "reversed.har"])
    [broken] = result.failing
    [finding] = broken.findings
    har = tmp_path / "reversed.har"
    # six entries reversed: entry 2 is on line 5, entry 5 on line 2; the pair is still (2, 5)
    assert finding.message == (
        f"run cdf84404…: cancelled ({har}:5 $.items[0]) -> processing ({har}:2): "
        "a terminal state changed"
    )


JSONL_RUN = {
    "id": "1027c4d1-c386-4bc4-8d61-3e30d8f16adf",
    "workflow_id": "bbe079a6-3078-4be6-82ac-4d015ecfc88c",
    "status": "running",
    "triggered_by": "manual",
    "started_at": "2026-05-05T08:45:18Z",
}


@pytest.mark.parametrize(
    ("later", "line"),
    [
        ({"status": "completed", "completed_at": "2026-05-05T08:50:00Z"}, None),
        (
            {"status": "pending"},
            "polls.jsonl:2: $.status: error: run 1027c4d1…: running (polls.jsonl:1) -> pending "
            "(polls.jsonl:2): xceptor.WorkflowRun does not go from running to pending [transition]",
        ),
        (
            {"started_at": "2026-05-05T08:46:00Z"},
            "polls.jsonl:2: $.started_at: error: run 1027c4d1…: $.started_at 2026-05-05T08:45:18Z "
            "(polls.jsonl:1) -> 2026-05-05T08:46:00Z (polls.jsonl:2): a field fixed once set "
            "changed [fixed-changed]",
        ),
    ],
    ids=["completes", "goes-back-to-pending", "start-time-moves"],
)
def test_bare_records_are_followed_in_file_order(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    run_cli: Callable[..., Any],
    later: dict[str, Any],
    line: str | None,
) -> None:
    monkeypatch.chdir(tmp_path)
    lines = [json.dumps(JSONL_RUN), json.dumps({**JSONL_RUN, **later})]
    (tmp_path / "polls.jsonl").write_text("\n".join(lines) + "\n")
    code, out, _ = run_cli(
        "validate", "polls.jsonl", "--schema", "xceptor.WorkflowRun", "--lifecycle"
    )
    footer = out.splitlines()[-1]
    assert footer.endswith("ordered by file order (1 pair)")
    if line is None:
        assert code == 0, out
        assert "1 run followed over 2 observations, 0 broke a rule" in footer
    else:
        assert out.splitlines()[0] == line
        assert code == 1


def test_no_run_observed_twice_is_not_a_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., Any]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "one.jsonl").write_text(json.dumps(JSONL_RUN) + "\n")
    code, out, _ = run_cli(
        "validate", "one.jsonl", "--schema", "xceptor.WorkflowRun", "--lifecycle"
    )
    assert out.splitlines()[-1].endswith(
        "; lifecycle: no run was observed twice (1 observation of 1 run): nothing to compare"
    )
    assert code == 2


def test_standard_input_cannot_be_followed(run_cli: Callable[..., Any]) -> None:
    code, _, err = run_cli("validate", "-", "--lifecycle")
    assert code == 2
    assert err.strip().endswith(
        "--lifecycle reads its inputs twice, and - (standard input) can be read only once: "
        "save it to a file"
    )


def test_every_bundled_lifecycle_is_loaded() -> None:
    lifecycles = load_lifecycles()
    assert lifecycles["knock.WorkflowRecipientRunDetail"].family == "knock.WorkflowRecipientRun"
    for lifecycle in lifecycles.values():
        for state in lifecycle.terminal:
            assert lifecycle.reachable.get(state, frozenset()) == frozenset()


def test_a_run_left_queued_past_the_bound_is_stuck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., Any]
) -> None:
    """Run c2ce6f44 is queued in entry 0 (items[0]) and in its get-one, entry 3, here
    answered a minute later."""
    monkeypatch.chdir(tmp_path)
    entries = _entries()
    entries[3]["startedDateTime"] = "2026-11-23T00:28:59.554Z"
    _write_har(tmp_path / "session.har", entries)
    code, out, _ = run_cli("validate", "session.har", "--lifecycle", "--stuck-after", "30")
    assert out.splitlines()[0] == (
        "session.har:5: $.status: error: run c2ce6f44…: queued from session.har:2 $.items[0] "
        "to session.har:5 (60.002 s): never left its initial state within 30 s [stuck]"
    )
    assert code == 1
    code, out, _ = run_cli("validate", "session.har", "--lifecycle", "--stuck-after", "61")
    assert code == 0, out


def test_stuck_after_needs_lifecycle(run_cli: Callable[..., Any]) -> None:
    code, _, err = run_cli("validate", "x.jsonl", "--stuck-after", "5")
    assert code == 2
    assert err.strip().endswith("--stuck-after needs --lifecycle")


def test_the_python_api_follows_runs_too() -> None:
    import conformance

    result = conformance.check_lifecycle([SESSION])
    assert isinstance(result, conformance.LifecycleResult)
    assert (len(result.runs), len(result.followed), result.observations) == (12, 6, 19)
    assert result.failing == ()


def _plugin_project(pytester: pytest.Pytester, entries: list[dict[str, Any]]) -> None:
    rec = pytester.path / "recordings"
    rec.mkdir()
    _write_har(rec / "first.har", entries[:3])
    _write_har(rec / "second.har", entries[3:])
    pytester.makeini("[pytest]\nrunconform_recordings = recordings\n")


def test_the_pytest_plugin_makes_an_item_per_run_followed(pytester: pytest.Pytester) -> None:
    """Six runs are observed twice across the two files; cdf84404's fails, with both
    observations named (the records' own items pass: each response conforms)."""
    entries = _entries()
    _edit(entries[5], _set(status="processing"))
    _plugin_project(pytester, entries)
    result = pytester.runpytest("--runconform-lifecycle", "-p", "no:randomly", "-rf")
    result.assert_outcomes(passed=6 + 5, failed=1)
    assert (
        "FAILED runconform::lifecycle::knock.WorkflowRecipientRun::"
        "run[cdf84404-0729-4e42-9990-1c0475491bc3]"
    ) in result.outlines[-2]
    assert (
        "recordings/second.har:4: $.status: error: run cdf84404…: cancelled "
        "(recordings/first.har:4 $.items[0]) -> processing (recordings/second.har:4): "
        "a terminal state changed [terminal-changed]"
    ) in result.outlines
    # without the option (or the ini setting) no run is followed
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=6)


def test_the_pytest_plugin_fails_when_no_run_was_followed(pytester: pytest.Pytester) -> None:
    _plugin_project(pytester, _entries()[3:4])
    pytester.makeini("[pytest]\nrunconform_recordings = recordings\nrunconform_lifecycle = true\n")
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    assert (
        "no run was observed twice in the recordings (1 observation): no lifecycle was checked"
        in result.outlines
    )


@pytest.mark.parametrize("broken", [False, True], ids=["kept", "terminal-changed"])
def test_check_follows_the_runs_of_your_recordings(tmp_path: Path, broken: bool) -> None:
    from conformance.check import CheckOptions, run_check

    entries = _entries()
    if broken:
        _edit(entries[5], _set(status="processing"))
    _write_har(tmp_path / "session.har", entries)
    options = CheckOptions(
        paths=(tmp_path / "session.har",), vendors=("knock",), fixtures=5, max_examples=3
    )
    report = run_check(options)
    [stage] = [s for s in report.stages if s.name == "lifecycle"]
    assert [(t.subject, t.passed, t.failed) for t in stage.tallies] == [
        ("knock.WorkflowRecipientRun", 5 if broken else 6, 1 if broken else 0)
    ]
    assert (stage.status, stage.exit_code, report.exit_code) == (
        ("failed", 1, 1) if broken else ("passed", 0, 0)
    )
    assert [f.keyword for f in stage.findings] == (["terminal-changed"] if broken else [])


def test_check_skips_the_stage_when_no_run_is_seen_twice(tmp_path: Path) -> None:
    from conformance.check import CheckOptions, run_check

    _write_har(tmp_path / "one.har", _entries()[3:4])
    options = CheckOptions(paths=(tmp_path / "one.har",), vendors=("knock",), fixtures=5)
    [stage] = [s for s in run_check(options).stages if s.name == "lifecycle"]
    assert (stage.status, stage.message) == (
        "skipped",
        "no run was observed twice (1 observation): no lifecycle to check",
    )


MESSAGE = (
    "run cdf84404…: cancelled (session.har:4 $.items[0]) -> processing (session.har:7): "
    "a terminal state changed"
)


def _found_in(fmt: str, text: str) -> list[str]:
    """The lifecycle findings a report of `fmt` carries, read as that format's readers do."""
    if fmt == "json":
        cases = [c for c in json.loads(text)["results"] if c["stage"] == "lifecycle"]
        return [f["message"] for c in cases for f in c["findings"]]
    if fmt == "sarif":
        results = json.loads(text)["runs"][0]["results"]
        return [r["message"]["text"] for r in results if r["ruleId"].startswith("lifecycle/")]
    if fmt == "junit":
        from xml.etree import ElementTree

        failures = ElementTree.fromstring(text).iter("failure")
        return [f.attrib["message"] for f in failures if f.attrib["type"] == "terminal-changed"]
    return [
        line.partition("::")[2].partition("::")[2]
        for line in text.splitlines()
        if line.startswith("::error")
    ]


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "github"])
def test_every_report_format_carries_the_lifecycle_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., Any], fmt: str
) -> None:
    monkeypatch.chdir(tmp_path)
    entries = _entries()
    _edit(entries[5], _set(status="processing"))
    _write_har(tmp_path / "session.har", entries)
    code, _, _ = run_cli(
        "validate", "session.har", "--lifecycle", "--output-format", fmt, "--output", "out", "-q"
    )
    assert code == 1
    expected = MESSAGE if fmt in ("json", "junit") else f"session.har:7: $.status: {MESSAGE}"
    assert _found_in(fmt, (tmp_path / "out").read_text()) == [expected]


def test_long_ids_and_values_are_kept_as_digests(tmp_path: Path) -> None:
    """A run's state stays small whatever its responses hold: a 5,000-character id and a
    megabyte of input are kept as digests, and a change in them is still caught."""
    from conformance.lifecycle.observations import KEPT_CHARS

    big = {"rows": ["x" * 1000] * 1000}
    first = {**JSONL_RUN, "input_parameters": big}
    later = {**JSONL_RUN, "input_parameters": {**big, "extra": 1}}
    path = tmp_path / "polls.jsonl"
    path.write_text(json.dumps(first) + "\n" + json.dumps(later) + "\n")
    [run] = check_lifecycle([path], schema="xceptor.WorkflowRun").failing
    [finding] = run.findings
    was, now = (json.dumps(v, sort_keys=True)[:60] + "…" for v in (big, later["input_parameters"]))
    assert now.startswith('{"extra": 1, "rows": ["xxx')
    assert finding.message == (
        f"run 1027c4d1…: $.input_parameters {was} ({path}:1) -> {now} ({path}:2): "
        "a field fixed once set changed"
    )
    long_id = "r" * 5000
    lines = [
        json.dumps({**JSONL_RUN, "id": long_id, "status": s}) for s in ("completed", "running")
    ]
    path.write_text("\n".join(lines) + "\n")
    [run] = check_lifecycle([path], schema="xceptor.WorkflowRun").failing
    assert len(run.run_id) < KEPT_CHARS and run.run_id.startswith("r" * 60 + "…#")
    assert run.findings[0].message.startswith("run rrrrrrrr…: completed (")


@pytest.mark.parametrize(
    ("name", "status", "stuck"),
    [("paragon.WorkflowExecution", "SUCCEEDED", False), ("xceptor.WorkflowRun", "pending", True)],
)
def test_only_a_run_waiting_to_start_can_be_stuck(name: str, status: str, stuck: bool) -> None:
    """Paragon's first states are its terminal ones: a run seen finished twice, an hour
    apart, is not stuck; an Xceptor run seen pending an hour apart is."""
    from conftest import example

    from conformance.lifecycle.observations import observations_of
    from conformance.lifecycle.tracker import LifecycleTracker
    from conformance.records import Locator, Record
    from conformance.records.model import HttpExchange

    body = {**example(name), "status": status}
    tracker = LifecycleTracker(stuck_after=60)
    for seq, sent in enumerate(("2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z")):
        exchange = HttpExchange("GET", "/runs/1", "/runs/1", 200, "application/json", sent)
        record = Record(Locator("runs.har", seq, seq + 2, f"entries[{seq}]"), body, exchange)
        for seen in observations_of(record, name, seq):
            tracker.observe(seen)
    found = tracker.finish()
    assert [f.keyword for f in found] == (["stuck"] if stuck else [])
