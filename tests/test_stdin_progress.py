"""`-` is standard input; long runs show progress; `--max-failures`/`-x` stop early.

Issue 16 items 5 and 6, through the real command line: two processes joined by a pipe,
a pseudo-terminal for the bar, CI set for the line per stage.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from test_contract import MY_CONTRACT, MY_RUN, contract_args, my_api

from conformance.engines.processes import validate_paths
from conformance.generate import generate, write_fixtures
from conformance.records import read_records
from conformance.report.findings import CleanRecords

if TYPE_CHECKING:
    from conformance.report.progress import Progress

SCHEMA = "knock.WorkflowRecipientRun"
RUNCONFORM = [sys.executable, "-m", "conformance"]
ENUM = '"bogus" is not one of: "queued", "processing", "paused", "completed", "cancelled" [enum]'
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SUMMARY_3 = (
    "3 records: 3 conforming, 0 not conforming; 0 unreadable inputs; 0 errors, 0 warnings, 0 info"
)


def _env(**more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "FORCE_COLOR")}
    return {**env, **more}


def _lines(n: int, bad: tuple[int, ...] = ()) -> bytes:
    """`n` valid runs as JSONL; the 1-based lines in `bad` get an unknown status."""
    out = []
    for number, run in enumerate(generate(SCHEMA, n, 1), 1):
        if number in bad:
            run = {**run, "status": "bogus"}
        out.append(json.dumps(run))
    return ("\n".join(out) + "\n").encode()


def _at(data: bytes, line: int) -> str:
    """`line:column` of the bad status on 1-based `line` of `data`: where findings point."""
    column = data.decode().splitlines()[line - 1].index('"bogus"') + 1
    return f"{line}:{column}"


def _validate(
    *args: str, stdin: bytes | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*RUNCONFORM, "validate", *args],
        input=stdin.decode("utf-8", "surrogateescape") if stdin is not None else None,
        capture_output=True,
        text=True,
        env=_env(**env),
        errors="surrogateescape",
        timeout=120,
    )


# -- item 5: standard input -------------------------------------------------------------------


def test_fixtures_piped_into_validate_through_a_real_pipe() -> None:
    fixtures = subprocess.Popen(
        [*RUNCONFORM, "fixtures", SCHEMA, "-n", "3", "-o", "-"],
        stdout=subprocess.PIPE,
        env=_env(),
    )
    assert fixtures.stdout is not None
    validate = subprocess.run(
        [*RUNCONFORM, "validate", "-", "--schema", SCHEMA],
        stdin=fixtures.stdout,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    fixtures.stdout.close()
    assert fixtures.wait(timeout=60) == 0
    assert (validate.returncode, validate.stdout, validate.stderr) == (0, SUMMARY_3 + "\n", "")


def test_a_bad_record_through_stdin_exits_1_at_its_line() -> None:
    data = _lines(3, bad=(2,))
    done = _validate("-", "--schema", SCHEMA, stdin=data)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == f"<stdin>:{_at(data, 2)}: $.status: error: {ENUM}"
    assert done.stderr == ""


@pytest.mark.parametrize("fmt", ["json", "yaml", "jsonl"])
def test_stdin_reads_as_the_same_file_does(tmp_path: Path, fmt: str) -> None:
    """Detected by content (a JSON array, YAML documents, JSON Lines): same findings."""
    path = tmp_path / f"runs.{fmt}"
    write_fixtures(SCHEMA, 4, 3, fmt, path)
    text = path.read_text().replace('"status": "', '"status": "x-', 1)
    if fmt == "yaml":
        text = re.sub(r"^status: ", "status: x-", path.read_text(), count=1, flags=re.M)
    path.write_text(text)
    from_file = _validate(str(path), "--schema", SCHEMA)
    from_stdin = _validate("-", "--schema", SCHEMA, stdin=text.encode())
    assert from_file.returncode == from_stdin.returncode == 1
    assert from_stdin.stdout == from_file.stdout.replace(str(path), "<stdin>")
    assert "<stdin>:" in from_stdin.stdout


def test_input_format_decides_for_stdin() -> None:
    """A one-line JSON array is detected as JSON (two records), read as jsonl when told."""
    runs = json.dumps([json.loads(line) for line in _lines(2).splitlines()]).encode()
    detected = _validate("-", "--schema", SCHEMA, stdin=runs)
    forced = _validate("-", "--schema", SCHEMA, "--input-format", "jsonl", stdin=runs)
    assert detected.stdout.splitlines()[-1].startswith("2 records: 2 conforming")
    assert forced.stdout.splitlines()[-1].startswith("1 record: 0 conforming, 1 not conforming")


def test_binary_stdin_is_refused_in_one_line_as_a_file_is(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    (tmp_path / "image.json").write_bytes(png)
    from_file = _validate(str(tmp_path / "image.json"), "--schema", SCHEMA)
    from_stdin = _validate("-", "--schema", SCHEMA, stdin=png)
    assert from_stdin.returncode == from_file.returncode == 4
    assert from_stdin.stdout.splitlines()[0] == (
        "<stdin>: $: error: not a recording: a PNG image [not-a-recording]"
    )
    assert from_stdin.stdout == from_file.stdout.replace(str(tmp_path / "image.json"), "<stdin>")
    assert from_stdin.stderr == ""


def test_stdin_is_read_only_once() -> None:
    done = _validate("-", "-", "--schema", SCHEMA, stdin=b"{}")
    assert done.returncode == 2
    assert done.stderr == "runconform: error: - (standard input) can be read only once\n"


def test_stdin_in_several_processes() -> None:
    data = _lines(30, bad=(17,))
    done = _validate("-", "--schema", SCHEMA, "--jobs", "2", stdin=data)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == f"<stdin>:{_at(data, 17)}: $.status: error: {ENUM}"


class _Pipe(io.RawIOBase):
    """A pipe's read end: short reads of at most 1,000 bytes, never seekable."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), 1000, len(self._data))
        buffer[:n] = self._data[:n]
        self._data = self._data[n:]
        return n


def _stdin_records(monkeypatch: pytest.MonkeyPatch, data: bytes, **kw: Any) -> list[Any]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(_Pipe(data), 1000)))
    return list(read_records("-", **kw))


def test_library_reads_dash_as_stdin_with_short_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    records = _stdin_records(monkeypatch, b'{"a": 1}\n' * 3000)
    assert len(records) == 3000
    assert records[-1].locator == ("<stdin>", 2999, 3000, "line 3000", None)


def test_leading_whitespace_is_kept_as_counts_not_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Megabytes of blank lines before the data: lines and columns as in a file, and the
    replayed head stays one sniff's worth of bytes."""
    padding = b"\r\n" * 2_000_000 + b"   "
    records = _stdin_records(monkeypatch, padding + b'[{"a": 1}, {"b": tru}]')
    assert [type(r).__name__ for r in records] == ["Record", "ReadProblem"]
    assert records[0].locator.line == 2_000_001
    assert records[1].message.endswith("(line 2000001, column 21)")
    from conformance.records.stdin import Replay

    replay = Replay(io.BytesIO(padding + b"{}"))
    replay.read(8192)
    while not replay.read(65536).strip():
        pass
    kept = replay._kept
    assert kept is not None
    assert sum(len(part) for part in kept if isinstance(part, bytes)) <= 65536 + 2


# -- item 6: --max-failures and -x ------------------------------------------------------------

STOPPED = (
    "5 records: 3 conforming, 2 not conforming; 0 unreadable inputs; 2 errors, 0 warnings, "
    "0 info; stopped after 2 failures (--max-failures 2): the rest of the input was not checked"
)


def test_max_failures_stops_reading_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    data = _lines(40, bad=(3, 5, 7, 9))
    path.write_bytes(data)
    done = _validate(str(path), "--schema", SCHEMA, "--max-failures", "2")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{path}:{_at(data, 3)}: $.status: error: {ENUM}",
        f"{path}:{_at(data, 5)}: $.status: error: {ENUM}",
        STOPPED,
    ]
    as_json = json.loads(
        _validate(
            str(path), "--schema", SCHEMA, "--max-failures", "2", "--output-format", "json"
        ).stdout
    )
    assert as_json["summary"]["stopped_after"] == 2
    assert as_json["summary"]["records"] == 5  # 1 to 5: the stop is at the second failure


def test_x_is_max_failures_1_also_through_stdin() -> None:
    data = _lines(40, bad=(4, 8))
    done = _validate("-", "--schema", SCHEMA, "-x", stdin=data)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"<stdin>:{_at(data, 4)}: $.status: error: {ENUM}",
        "4 records: 3 conforming, 1 not conforming; 0 unreadable inputs; 1 error, 0 warnings, "
        "0 info; stopped after 1 failure (--max-failures 1): the rest of the input was not checked",
    ]


def test_max_failures_not_reached_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_bytes(_lines(3))
    assert (
        _validate(str(path), "--schema", SCHEMA, "--max-failures", "1").stdout == SUMMARY_3 + "\n"
    )


@pytest.mark.parametrize("flags", [["-x", "--max-failures", "3"], ["--max-failures", "3", "-x"]])
def test_x_and_another_max_failures_clash(flags: list[str]) -> None:
    done = _validate("-", "--schema", SCHEMA, *flags, stdin=b"{}")
    assert done.returncode == 2
    assert done.stderr.endswith("Error: -x is --max-failures 1; give one or the other\n")


# -- item 6: progress, library events ---------------------------------------------------------


def test_validate_paths_reports_bytes_read(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_bytes(_lines(200, bad=(7,)))
    events: list[Progress] = []
    results = list(validate_paths([path], schema=SCHEMA, clean="count", progress=events.append))
    plain = list(validate_paths([path], schema=SCHEMA, clean="count"))
    assert [r for r in results if not isinstance(r, CleanRecords)] == [
        r for r in plain if not isinstance(r, CleanRecords)
    ]
    size = path.stat().st_size
    assert (events[0].phase, events[0].done, events[0].total, events[0].unit) == (
        "start",
        0,
        size,
        "bytes",
    )
    assert (events[-1].phase, events[-1].done, events[-1].total) == ("finish", size, size)


def test_write_fixtures_reports_how_many(tmp_path: Path) -> None:
    events: list[Progress] = []
    write_fixtures(SCHEMA, 100, 1, "jsonl", tmp_path / "f.jsonl", progress=events.append)
    assert [(e.phase, e.done, e.total, e.unit) for e in (events[0], events[-1])] == [
        ("start", 0, 100, "fixtures"),
        ("finish", 100, 100, "fixtures"),
    ]


def test_run_contract_reports_each_operation() -> None:
    from conformance.contract import ContractOptions, run_contract
    from conformance.simulator import start

    events: list[Progress] = []
    with start("paragon", seed=1, token="t") as sim:
        options = ContractOptions(
            base_url=sim.url,
            max_examples=2,
            rate_limit=0,
            path_parameters=tuple(sim.known_path_parameters().items()),
            headers=(("Authorization", "Bearer t"),),
        )
        run_contract("paragon", options, events.append)
    total = events[0].total
    assert total and events[0].phase == "start" and events[0].unit == "operations"
    updates = [e for e in events if e.phase == "update"]
    assert [e.done for e in updates] == list(range(total))
    assert all(re.match(r"(GET|HEAD|POST|PUT|PATCH|DELETE) /", e.label) for e in updates)
    assert (events[-1].phase, events[-1].done) == ("finish", total)


# -- item 6: progress on stderr: lines in CI, a bar on a terminal -----------------------------

FINISHED = re.compile(r"runconform (\w+): finished in \d+\.\d s: (.*)")


def test_ci_gets_one_line_when_a_stage_starts_and_one_when_it_ends(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_bytes(_lines(3))
    done = _validate(str(path), "--schema", SCHEMA, CI="true")
    size = path.stat().st_size
    started, finished = done.stderr.splitlines()
    assert started == f"runconform validate: started ({size / 1000:.1f} kB)"
    assert FINISHED.fullmatch(finished).groups() == ("validate", SUMMARY_3)  # type: ignore[union-attr]
    from_stdin = _validate("-", "--schema", SCHEMA, CI="true", stdin=path.read_bytes())
    assert from_stdin.stderr.splitlines()[0] == "runconform validate: started (standard input)"
    fixtures = subprocess.run(
        [*RUNCONFORM, "fixtures", SCHEMA, "-n", "5", "-o", str(tmp_path / "f.jsonl")],
        capture_output=True,
        text=True,
        env=_env(CI="1"),
        timeout=120,
    )
    lines = fixtures.stderr.splitlines()
    assert lines[0] == "runconform fixtures: started (5 fixtures)"
    assert FINISHED.fullmatch(lines[1]).groups() == (  # type: ignore[union-attr]
        "fixtures",
        f"5 fixtures of {SCHEMA}",
    )
    assert lines[2] == f"wrote 5 fixtures of {SCHEMA} to {tmp_path / 'f.jsonl'}"


def test_no_terminal_and_no_ci_means_no_progress_at_all(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_bytes(_lines(3))
    assert _validate(str(path), "--schema", SCHEMA).stderr == ""
    assert _validate(str(path), "--schema", SCHEMA, "-q", CI="true").stderr == ""


def _on_a_terminal(args: list[str], *, stdout_too: bool = False) -> tuple[int, str, str]:
    """Run runconform with stderr (and maybe stdout) on a pseudo-terminal: (code, what the
    terminal got with its escape codes removed and redraws as newlines, stdout)."""
    master, slave = os.openpty()
    process = subprocess.Popen(
        [*RUNCONFORM, *args],
        stdin=subprocess.DEVNULL,
        stdout=slave if stdout_too else subprocess.PIPE,
        stderr=slave,
        env=_env(COLUMNS="100"),
    )
    os.close(slave)
    seen = bytearray()
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # EIO: the last writer closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    out = process.stdout.read().decode() if process.stdout else ""
    code = process.wait(timeout=60)
    screen = ANSI.sub("", seen.decode("utf-8", "replace")).replace("\r\n", "\n").replace("\r", "\n")
    return code, screen, out


def test_a_terminal_gets_a_bar_with_percentage_and_eta(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    line = _lines(1)
    path.write_bytes(line * 20_000)
    code, screen, out = _on_a_terminal(["validate", str(path), "--schema", SCHEMA])
    assert code == 0
    assert out == (
        "20,000 records: 20,000 conforming, 0 not conforming; 0 unreadable inputs; "
        "0 errors, 0 warnings, 0 info\n"
    )
    size = f"{path.stat().st_size / 1e6:.1f}"
    drawn = [row.strip() for row in screen.split("\n") if row.strip()]
    running = [r for r in drawn if re.search(r" (\d|[1-9]\d)% .* eta \d:\d\d:\d\d$", r)]
    assert running, drawn
    assert re.fullmatch(rf"validate ━+ 100% {size}/{size} MB \d:\d\d:\d\d", drawn[-1]), drawn


def test_fixtures_show_a_count_bar_on_a_terminal(tmp_path: Path) -> None:
    target = tmp_path / "f.jsonl"
    code, screen, _ = _on_a_terminal(["fixtures", SCHEMA, "-n", "2000", "-o", str(target)])
    assert code == 0
    drawn = [row.strip() for row in screen.split("\n") if row.strip()]
    assert re.fullmatch(r"fixtures ━+ 100% 2000/2000 \d:\d\d:\d\d", drawn[-2]), drawn
    assert drawn[-1] == f"wrote 2,000 fixtures of {SCHEMA} to {target}"


def test_a_terminal_shows_50_records_with_findings_and_says_how_many_more(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    data = _lines(60, bad=tuple(range(1, 61)))
    path.write_bytes(data)
    code, screen, _ = _on_a_terminal(["validate", str(path), "--schema", SCHEMA], stdout_too=True)
    assert code == 1
    findings = [row for row in screen.split("\n") if row.startswith(f"{path}:")]
    assert findings == [f"{path}:{_at(data, n)}: $.status: error: {ENUM}" for n in range(1, 51)]
    assert (
        "... and 10 more records with findings (use --output FILE or --output-format json for all)"
        in screen.split("\n")
    )
    assert "60 records: 0 conforming, 60 not conforming" in screen
    everything = _validate(str(path), "--schema", SCHEMA)  # not a terminal: all of them
    assert len(everything.stdout.splitlines()) == 61


def test_check_and_identify_read_stdin_too(tmp_path: Path) -> None:
    check = subprocess.run(
        [*RUNCONFORM, "check", "-", "--schema", SCHEMA, "--report-dir", str(tmp_path)],
        input=_lines(3, bad=(2,)),
        capture_output=True,
        env=_env(),
        timeout=300,
    )
    assert check.returncode == 1
    report = json.loads((tmp_path / "runconform-check.json").read_text())
    lines = [
        f["line"]
        for r in report["results"]
        for f in r.get("findings", [])
        if f.get("file") == "<stdin>"
    ]
    assert lines == [2]
    identify = subprocess.run(
        [*RUNCONFORM, "identify", "-"],
        input=_lines(1).decode(),
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert identify.stdout.startswith("<stdin>:1: knock.WorkflowRecipientRun (confidence ")


@pytest.mark.parametrize("command", ["drift", "coverage"])
def test_a_corpus_command_in_ci_gets_its_two_lines(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_bytes(_lines(3))
    monkeypatch.setenv("CI", "true")
    _code, out, err = run_cli(command, str(path), "--schema", SCHEMA)
    started, finished = err.splitlines()
    assert started == f"runconform {command}: started ({path.stat().st_size / 1000:.1f} kB)"
    done = FINISHED.fullmatch(finished)
    assert done is not None and done.group(1) == command
    assert done.group(2) == out.splitlines()[-1]  # the report's own summary line


def test_contract_in_ci_gets_its_two_lines(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from conformance.simulator import start

    monkeypatch.setenv("CI", "true")
    with start("paragon", seed=1) as sim:
        _code, out, err = run_cli(
            "contract",
            "paragon",
            "--url",
            sim.url,
            "--rate-limit",
            "0",
            "--max-examples",
            "2",
            "--path-param",
            "projectId=project-1",
        )
    started, finished = err.splitlines()[:2]
    assert re.fullmatch(r"runconform contract: started \(\d+ operations\)", started)
    assert FINISHED.fullmatch(finished).groups() == (  # type: ignore[union-attr]
        "contract",
        out.splitlines()[-1],
    )


@pytest.mark.parametrize("as_text", [json.dumps, yaml.safe_dump], ids=["json", "yaml"])
def test_contract_reads_your_openapi_document_from_stdin(as_text: Any) -> None:
    """`--contract -`: the document a user pipes in is the one tested, JSON or YAML."""
    with my_api({**MY_RUN, "status": "exploded"}) as url:
        args = contract_args(
            "xceptor", url, "--contract", "-", "--expect", "myRun=xceptor.WorkflowRun"
        )
        done = subprocess.run(
            [*RUNCONFORM, *args],
            input=as_text(MY_CONTRACT),
            capture_output=True,
            text=True,
            env=_env(),
            timeout=120,
        )
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[0] == "GET /my/runs: FAILED (1 call, statuses [200])"


def test_a_broken_contract_on_stdin_is_named_as_stdin() -> None:
    done = subprocess.run(
        [*RUNCONFORM, "contract", "xceptor", "-u", "http://127.0.0.1:9", "--contract", "-"],
        input="{not json",
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert done.returncode == 3
    assert done.stderr.splitlines()[-1].startswith(
        "runconform: error: <stdin>: malformed JSON at line 1"
    )
