"""Issue 13, the pytest plugin: hostile servers, huge and odd recordings, unwritable reports.

Each case runs a real pytest in a child (`tests/hostile.py::run_child`) in a project of
its own (pytest.ini, a test file, recordings) under `tmp_path`, and asserts what the user
sees: the outcome of each item, its exact message, no traceback, bounded memory.
"""

from __future__ import annotations

import json
import os
import socket
import struct
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import on_loopback
from hostile import PYTEST, RSS_BOUND_MIB, RUNCONFORM, Outcome, run_child

from conformance.generate import run_factory

#: Deterministic children: no random order, no cache written into the project, and none
#: of the other installed plugins (they are seconds of start-up on a busy machine).
OFF = ("randomly", "cacheprovider", "schemathesis", "hypothesispytest", "anyio", "xdist")
CHILD = (*PYTEST, *(arg for plugin in OFF for arg in ("-p", f"no:{plugin}")))


def _project(root: Path, ini: str, files: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pytest.ini").write_text("[pytest]\n" + ini)
    for name, text in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def _sane(outcome: Outcome) -> None:
    """What every case asks of the child, whatever it was fed."""
    assert not outcome.timed_out, outcome.output
    assert not outcome.traceback, outcome.output
    assert "INTERNALERROR" not in outcome.output, outcome.output
    assert outcome.returncode != 70
    assert outcome.peak_rss_mib < RSS_BOUND_MIB


def _section(outcome: Outcome, title: str) -> list[str]:
    """The lines pytest shows under the `____ title ____` header of a failure or error."""
    lines = outcome.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip("_ ") == title)
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith(("____", "===="))),
        len(lines),
    )
    return lines[start + 1 : end]


# -- item 2: credentials never in a report, a log or a traceback ---------------------------

USER, PASSWORD, QUERY = "uSeRpLaNtEd71", "pAsSwOrDpLaNtEd82", "qUeRyPlAnTeD93"
HEADER, VENDOR_HEADER, OVERRIDE = "hEaDeRpLaNtEd14", "kNoCkHeAdErPlAnTeD25", "oVeRrIdEpLaNtEd36"
LINE = "lInEpLaNtEd47"  # the second line of a header value: requests quotes it escaped
SECRETS = (USER, PASSWORD, QUERY, HEADER, VENDOR_HEADER, OVERRIDE, LINE)

CONTRACT_TESTS = """
import pytest

@pytest.mark.parametrize("run_target", ["knock", "xceptor", "hatchet", "restack"], indirect=True)
def test_contract(run_target):
    run_target.check_contract(max_examples=1, max_time=20, timeout=2)

@pytest.mark.runconform_vendor("knock")
def test_override(run_target):
    run_target.check_contract(max_examples=1, max_time=20, timeout=2,
                              headers=(("X-Api-Key", "OVERRIDE"),))

@pytest.mark.runconform_vendor("restack")
def test_bad_header_value(run_target):
    run_target.check_contract(max_examples=1, max_time=20, timeout=2,
                              headers=(("X-Api-Key", "OVERRIDE\\nLINE"),))

@pytest.mark.runconform_vendor("knock")
def test_the_run_raises(run_target):
    headers = dict(run_target.headers)
    run_target.check_contract(max_examples=1, timeout=-1)

@pytest.mark.runconform_vendor("restack")
def test_user_assertion(run_target):
    assert run_target.live is False

def test_good():
    pass
""".replace("OVERRIDE", OVERRIDE).replace("LINE", LINE)


class _Hostile(BaseHTTPRequestHandler):
    """Resets the connection, echoes the request (credentials too) in an invalid body, or
    answers 2 KiB of JSON."""

    server: _HostileServer

    def handle(self) -> None:
        if self.server.mode != "reset":
            super().handle()
            return
        self.rfile.readline()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def do_GET(self) -> None:
        echo = json.dumps(f"{self.requestline} {dict(self.headers)}")
        body = ('{"id": ' + echo).encode()  # truncated: not JSON
        if self.server.mode == "2kib":  # JSON, a little over 2 KiB
            body = json.dumps({"id": "x" * 2048}).encode()
        self.send_response(500 if self.server.mode == "500" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _HostileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), _Hostile)
        self.mode = mode


def _with_secrets(url: str) -> str:
    return url.replace("http://", f"http://{USER}:{PASSWORD}@") + f"/?api_key={QUERY}"


@pytest.fixture
def hostile_urls() -> Iterator[dict[str, str]]:
    """Base URLs (credentials planted in each) of servers that misbehave in every way."""
    with (
        on_loopback(_HostileServer("reset")) as reset,
        on_loopback(_HostileServer("500")) as error,
        on_loopback(_HostileServer("200")) as invalid,
    ):
        yield {
            "reset": _with_secrets(reset),
            "500": _with_secrets(error),
            "invalid": _with_secrets(invalid),
            "unreachable": _with_secrets("http://127.0.0.1:9"),
        }


def test_no_credential_reaches_any_output_or_file(
    tmp_path: Path, hostile_urls: dict[str, str]
) -> None:
    """A server that resets, one that answers 500 with the request echoed in a broken body,
    one that answers 200 with it, and none at all: credentials planted in the base URL
    (user, password, query), in the environment's headers and in `check_contract(headers=)`
    appear in no output and no file; `pytest -l` shows only redacting reprs."""
    modes = {"knock": "reset", "xceptor": "500", "hatchet": "unreachable", "restack": "invalid"}
    urls = [f"{vendor}={hostile_urls[mode]}" for vendor, mode in modes.items()]
    ini = "runconform_base_url =\n" + "".join(f"    {url}\n" for url in urls)
    project = _project(tmp_path / "project", ini, {"test_api.py": CONTRACT_TESTS})
    outcome = run_child(
        [
            *CHILD,
            *(arg for url in urls for arg in ("--runconform-base-url", url)),
            *("-l", "-rA", "--junitxml=junit.xml", "--runconform-report=report.json"),
        ],
        case="item2-credentials-reset-500-invalid-unreachable",
        cwd=project,
        env={
            "RUNCONFORM_HEADERS": f"X-Api-Token: Bearer {HEADER}",  # URL user: no Authorization
            "RUNCONFORM_HEADERS_KNOCK": f"X-Knock-Key: {VENDOR_HEADER}",
        },
        timeout=150,
    )
    _sane(outcome)
    assert outcome.returncode == 1, outcome.output
    assert "PASSED test_api.py::test_good" in outcome.stdout
    hosts = {name: url.split("@")[1].split("/")[0] for name, url in hostile_urls.items()}
    shown = {name: f"http://[REDACTED]@{host}/?[REDACTED]" for name, host in hosts.items()}
    target = f"Target(vendor='restack', url='{shown['invalid']}', live=True)"
    assert f"run_target = {target}" in outcome.stdout.splitlines()  # -l: the repr hides them
    assert _section(outcome, "ERROR at setup of test_contract[hatchet]") == [
        f"run_target: cannot reach {shown['unreachable']}: Connection refused"
    ]
    for vendor in ("knock", "xceptor", "restack"):
        first = _section(outcome, f"test_contract[{vendor}]")[0]
        assert first.startswith(f"{vendor} contract at {shown[modes[vendor]]}: "), first
    for test, vendor in (("override", "knock"), ("bad_header_value", "restack")):
        first = _section(outcome, f"test_{test}")[0]
        assert first.startswith(f"{vendor} contract at {shown[modes[vendor]]}: "), first
    assert _section(outcome, "test_the_run_raises") == [  # the run raised: one line still
        f"knock contract at {shown['reset']}: internal error (a bug in runconform): "
        "ValueError: Timeout value out of range"
    ]
    assert (project / "junit.xml").is_file() and (project / "report.json").is_file()
    seen = outcome.output + "".join(
        path.read_text(errors="replace")
        for path in project.rglob("*")
        if path.is_file() and path.name not in ("test_api.py", "pytest.ini")  # the user's own
    )
    assert [secret for secret in SECRETS if secret in seen] == []
    assert "Traceback" not in seen and "conformance/" not in outcome.output


# -- recordings: streamed, and every odd path an item ------------------------------------

ENUM = '"pending", "running", "completed", "failed", "cancelled" [enum]'


def _ini(*recordings: str) -> str:
    """A project's ini: its recordings (tests/recordings first), runs of xceptor."""
    listed = "".join(f"    {path}\n" for path in ("tests/recordings", *recordings))
    return (
        f"testpaths = tests\nrunconform_recordings =\n{listed}"
        "runconform_schema =\n    tests/recordings/* = xceptor.WorkflowRun\n"
    )


def _run_lines(count: int, pad: int = 0) -> list[bytes]:
    """`count` distinct conforming runs as JSON lines, each padded to about `pad` bytes."""
    lines = []
    for seed in range(count):
        run = run_factory("xceptor.WorkflowRun", seed=seed)
        if pad:
            run.setdefault("input_parameters", {})["note"] = ""
            run["input_parameters"]["note"] = "n" * max(0, pad - len(json.dumps(run)))
        lines.append(json.dumps(run).encode() + b"\n")
    return lines


def _bad_run() -> bytes:
    run = run_factory("xceptor.WorkflowRun", seed=99)
    run["status"] = "bogus"
    return json.dumps(run).encode() + b"\n"


def test_a_100_mb_recording_streams_and_every_record_is_judged(tmp_path: Path) -> None:
    """One ~100 MB JSONL file with a bad record in the middle, beside a small good one."""
    project = _project(tmp_path / "project", _ini())
    recordings = project / "tests" / "recordings"
    recordings.mkdir(parents=True)
    block = b"".join(_run_lines(16, pad=2000))
    repeats = (100 << 20) // len(block)
    with (recordings / "big.jsonl").open("wb") as out:
        for repeat in range(repeats):
            out.write(block)
            if repeat == repeats // 2:
                out.write(_bad_run())
    bad_line = (repeats // 2 + 1) * 16 + 1
    total = repeats * 16 + 1
    (recordings / "small.json").write_bytes(b"[" + _run_lines(1)[0].strip() + b"]")
    outcome = run_child(
        [*CHILD, "-rA", "--runconform-report", "report.json"],
        case="item10-100mb-jsonl-plugin",
        cwd=project,
        timeout=180,  # about 40 s on two busy cores; the code before this took 270 s
    )
    _sane(outcome)
    assert outcome.returncode == 1, outcome.output
    assert _section(outcome, "records") == [
        f"1 of {total} records failed in tests/recordings/big.jsonl:",
        f"tests/recordings/big.jsonl:{bad_line}: does not conform to xceptor.WorkflowRun, 1 error:",
        f'tests/recordings/big.jsonl:{bad_line}:113: $.status: error: "bogus" is not one of: '
        f"{ENUM}",
    ]
    assert "PASSED tests/recordings/small.json::record[1]" in outcome.stdout.splitlines()
    report = json.loads((project / "report.json").read_text())
    assert report["summary"] == {"verdicts": total + 1, "passed": total, "failed": 1}
    [bad] = [v for v in report["results"] if not v["ok"]]
    assert bad["locator"]["line"] == bad_line and bad["nodeid"].endswith("big.jsonl::records")


def test_missing_paths_fifos_and_broken_links_fail_as_the_cli_says(tmp_path: Path) -> None:
    """What pytest's own walk passes over is an item failing with `runconform validate`'s
    words; the good recordings beside them are still judged: 1,000 records are 1,000
    items, 1,001 are one item that streams them."""
    project = _project(tmp_path / "project", _ini("tests/missing.jsonl", "tests/gone"))
    recordings = project / "tests" / "recordings"
    recordings.mkdir(parents=True)
    lines = _run_lines(8)
    for name, count in (("items.jsonl", 1000), ("streamed.jsonl", 1001)):
        (recordings / name).write_bytes(b"".join(lines[n % 8] for n in range(count)))
    os.mkfifo(recordings / "fifo.json")
    (recordings / "broken.json").symlink_to(tmp_path / "nowhere.json")
    odd = ["tests/gone", "tests/missing.jsonl", "tests/recordings/broken.json"]
    odd.append("tests/recordings/fifo.json")
    outcome = run_child([*CHILD, "-rA"], case="item20-missing-fifo-broken-link-plugin", cwd=project)
    cli = run_child(
        [*RUNCONFORM, "validate", "--schema", "xceptor.WorkflowRun", *odd],
        case="item20-missing-fifo-broken-link-cli",
        cwd=project,
    )
    _sane(outcome)
    assert outcome.returncode == 1, outcome.output
    said = [line for line in cli.stdout.splitlines() if ": $: error: " in line]
    assert said == [
        "tests/gone: $: error: cannot read: No such file or directory [unreadable]",
        "tests/missing.jsonl: $: error: cannot read: No such file or directory [unreadable]",
        "tests/recordings/broken.json: $: error: cannot read: No such file or directory "
        "[unreadable]",
        "tests/recordings/fifo.json: $: error: cannot read: not a regular file [unreadable]",
    ]
    assert cli.returncode == 4
    lines = outcome.stdout.splitlines()
    for line in said:  # the plugin's line: the CLI's, without its "$: error:"
        assert line in lines, line  # the plugin says what the CLI says
    failed = sorted(line.split(" - ")[0] for line in lines if line.startswith("FAILED "))
    assert failed == [f"FAILED {path}::unreadable" for path in odd]
    passed = [line.removeprefix("PASSED ") for line in lines if line.startswith("PASSED ")]
    assert passed == [
        *(f"tests/recordings/items.jsonl::line[{n}]" for n in range(1, 1001)),
        "tests/recordings/streamed.jsonl::records",
    ]


# -- item 19: the report is written atomically, or one line says why not -------------------


@pytest.mark.parametrize(
    ("given", "error"),
    [
        pytest.param("out", "out: cannot write here: Is a directory", id="item19-report-is-a-dir"),
        pytest.param(
            "pytest.ini/report.json",
            "pytest.ini/report.json: cannot write here: Not a directory",
            id="item19-report-under-a-file",
        ),
    ],
)
def test_an_unwritable_report_is_one_line_and_leaves_no_temp_file(
    tmp_path: Path, given: str, error: str
) -> None:
    project = _project(tmp_path / "project", _ini())
    (project / "tests" / "recordings").mkdir(parents=True)
    (project / "tests" / "recordings" / "good.jsonl").write_bytes(_run_lines(1)[0])
    (project / "out").mkdir()
    before = sorted(project.rglob("*"))
    outcome = run_child(
        [*CHILD, "-rA", "--runconform-report", given],
        case=f"item19-{given.replace('/', '-')}",
        cwd=project,
    )
    _sane(outcome)
    assert outcome.returncode == 4, outcome.output  # pytest's usage error, the CLI's exit 4
    lines = outcome.stdout.splitlines()
    assert f"runconform: error: {error}" in lines
    assert "PASSED tests/recordings/good.jsonl::line[1]" in lines
    assert sorted(project.rglob("*")) == before  # no temp file left, nothing half-written


# -- symlink loops, control characters in names, folders without recordings ---------------


def _plugin_and_cli(
    project: Path, case: str, cli_paths: list[str], *plugin_args: str
) -> tuple[Outcome, Outcome]:
    """The plugin on `project`, and `runconform validate -v` on `cli_paths` in it."""
    outcome = run_child([*CHILD, "-rA", *plugin_args], case=f"{case}-plugin", cwd=project)
    cli = run_child(
        [*RUNCONFORM, "validate", "-v", "--schema", "xceptor.WorkflowRun", *cli_paths],
        case=f"{case}-cli",
        cwd=project,
    )
    _sane(outcome)
    _sane(cli)
    return outcome, cli


def _verdicts(outcome: Outcome, verdict: str) -> list[str]:
    return [
        line.removeprefix(f"{verdict} ").split(" - ")[0]
        for line in outcome.stdout.splitlines()
        if line.startswith(f"{verdict} ")
    ]


def _as_plugin(cli_line: str) -> list[str]:
    """The plugin's words for a read problem `validate` reports: what it is (so pytest's
    -ra summary shows it), then the CLI's line, with one "cannot read:"."""
    where, _, message = cli_line.partition(": $: error: ")
    said = f"cannot read: {message.removeprefix('cannot read: ')}"
    return [said, f"{where}: $: error: {said}"]


LOOP = "Too many levels of symbolic links"


@pytest.mark.parametrize(
    "recordings",
    [
        pytest.param("tests/recordings", id="item20-symlink-loops-folder"),
        pytest.param("tests/recordings/*.json*", id="item20-symlink-loops-glob"),
    ],
)
def test_symlink_loops_are_an_unreadable_item_or_walked_once(
    tmp_path: Path, recordings: str
) -> None:
    """A link to itself is one failing item with the CLI's words; a folder link back up
    (to its own folder, to its parent) is not walked, so each recording is one item, where
    the CLI's walk (which follows no folder link) finds it. Before: INTERNALERROR, exit 3."""
    ini = f"testpaths = tests\nrunconform_recordings = {recordings}\n"
    project = _project(tmp_path / "project", ini + "runconform_schema = * = xceptor.WorkflowRun\n")
    rec = project / "tests" / "recordings"
    (rec / "loopdir").mkdir(parents=True)
    good = _run_lines(2)
    (rec / "good.jsonl").write_bytes(good[0])
    (rec / "loopdir" / "good.jsonl").write_bytes(good[1])
    (rec / "symlink-loop.json").symlink_to("symlink-loop.json")
    (rec / "loopdir" / "again").symlink_to(".", target_is_directory=True)
    (rec / "loopdir" / "up").symlink_to("..", target_is_directory=True)
    case = "item20-symlink-loops-" + ("glob" if "*" in recordings else "folder")
    outcome, cli = _plugin_and_cli(project, case, ["tests/recordings"])
    assert cli.returncode == 4, cli.output
    assert cli.stdout.splitlines()[:-1] == [
        "tests/recordings/good.jsonl:1: ok (xceptor.WorkflowRun, corrected)",
        f"tests/recordings/symlink-loop.json: $: error: cannot read: {LOOP} [unreadable]",
        "tests/recordings/loopdir/good.jsonl:1: ok (xceptor.WorkflowRun, corrected)",
    ]
    assert outcome.returncode == 1, outcome.output
    assert _section(outcome, "unreadable") == _as_plugin(cli.stdout.splitlines()[1])
    assert _verdicts(outcome, "FAILED") == ["tests/recordings/symlink-loop.json::unreadable"]
    assert _verdicts(outcome, "PASSED") == [
        "tests/recordings/good.jsonl::line[1]",
        "tests/recordings/loopdir/good.jsonl::line[1]",
    ]


def test_a_folder_link_under_the_recordings_is_not_followed_as_the_cli_walk(
    tmp_path: Path,
) -> None:
    """recordings/shared -> ../shared: the CLI's walk of recordings does not read it, nor
    does the plugin (pytest still walks it for tests of its own)."""
    project = _project(tmp_path / "project", _ini())
    rec = project / "tests" / "recordings"
    (project / "tests" / "shared").mkdir(parents=True)
    rec.mkdir()
    (rec / "good.jsonl").write_bytes(_run_lines(1)[0])
    (project / "tests" / "shared" / "bad.jsonl").write_bytes(_bad_run())
    (rec / "shared").symlink_to("../shared", target_is_directory=True)
    outcome, cli = _plugin_and_cli(project, "item20-folder-link", ["tests/recordings"])
    assert cli.returncode == 0, cli.output
    assert cli.stdout.splitlines()[:-1] == [
        "tests/recordings/good.jsonl:1: ok (xceptor.WorkflowRun, corrected)"
    ]
    assert outcome.returncode == 0, outcome.output
    assert _verdicts(outcome, "PASSED") == ["tests/recordings/good.jsonl::line[1]"]
    assert _verdicts(outcome, "FAILED") == []


NEWLINE_NAME = "evil\n::error file=x::pwned.json"
ESC_NAME = "esc\x1b[31mred.jsonl"
NEWLINE_DIR = "dir\n::warning::x"


def test_control_characters_in_names_never_reach_the_output_raw(tmp_path: Path) -> None:
    """Issue 13 item 5: a newline in a recording's name would start an output line
    `::error file=x::pwned.json...`, which GitHub Actions runs as a workflow command; an
    ESC starts a terminal sequence. Names, node ids, failure texts and -vv locations show
    them as the CLI does (`\\n`, `\\x1b`); the good recordings beside them still pass."""
    project = _project(tmp_path / "project", _ini())
    rec = project / "tests" / "recordings"
    (rec / NEWLINE_DIR).mkdir(parents=True)
    (rec / NEWLINE_NAME).write_bytes(b'{"id": ')
    (rec / ESC_NAME).write_bytes(_bad_run())
    (rec / NEWLINE_DIR / "good.jsonl").write_bytes(_run_lines(1)[0])
    (rec / "good.jsonl").write_bytes(_run_lines(1)[0])
    outcome, cli = _plugin_and_cli(
        project, "item5-control-characters-in-names", ["tests/recordings"], "-vv"
    )
    assert outcome.returncode == 1, outcome.output
    assert not [line for line in outcome.output.splitlines() if line.startswith("::")]
    assert "\x1b" not in outcome.output
    newline, esc = r"tests/recordings/evil\n::error file=x::pwned.json", r"esc\x1b[31mred.jsonl"
    truncated = "truncated JSON: Expecting value at end of data (line 1, column 8)"
    said = f"{newline}:1: $: error: {truncated} [malformed-json]"
    assert said in cli.stdout.splitlines()  # the CLI's name for it
    assert _section(outcome, "document") == _as_plugin(said)
    assert _section(outcome, "line[1]") == [
        f'$.status: "bogus" is not one of: {ENUM}',
        f"tests/recordings/{esc}:1: does not conform to xceptor.WorkflowRun, 1 error:",
        f'tests/recordings/{esc}:1:113: $.status: error: "bogus" is not one of: {ENUM}',
    ]
    assert sorted(_verdicts(outcome, "FAILED")) == [
        f"tests/recordings/{esc}::line[1]",
        f"{newline}::document",
    ]
    assert sorted(_verdicts(outcome, "PASSED")) == [
        r"tests/recordings/dir\n::warning::x/good.jsonl::line[1]",
        "tests/recordings/good.jsonl::line[1]",
    ]


def test_a_configured_folder_without_recordings_fails_as_the_cli_says(tmp_path: Path) -> None:
    """Nothing checked is never a pass: a runconform_recordings folder with no recording
    file (only notes, a hidden file, a link to another folder: the CLI's walk reads none of
    them) is one failing item with `validate`'s words; the good folder beside it passes."""
    project = _project(tmp_path / "project", _ini("tests/empty"))
    rec, empty = project / "tests" / "recordings", project / "tests" / "empty"
    (empty / "sub").mkdir(parents=True)
    rec.mkdir()
    (rec / "good.jsonl").write_bytes(_run_lines(1)[0])
    (empty / "notes.txt").write_text("no recordings here\n")
    (empty / "sub" / "readme.md").write_text("nor here\n")
    (empty / ".hidden.json").write_bytes(_bad_run())
    (empty / "linked").symlink_to("../recordings", target_is_directory=True)
    outcome, cli = _plugin_and_cli(project, "item20-folder-without-recordings", ["tests/empty"])
    assert cli.returncode == 4, cli.output
    said = (
        "tests/empty: $: error: no recording files (*.json, *.jsonl, *.ndjson, *.yaml, *.yml,"
        " *.har) in this directory [no-files]"
    )
    assert cli.stdout.splitlines()[:-1] == [said]
    assert outcome.returncode == 1, outcome.output
    assert _section(outcome, "no-files") == _as_plugin(said)
    assert _verdicts(outcome, "FAILED") == ["tests/empty::no-files"]
    assert _verdicts(outcome, "PASSED") == ["tests/recordings/good.jsonl::line[1]"]


# -- the contract's --max-body-size, and its verdicts, in check_contract -----------------

BOUNDED_TESTS = """
import pytest

@pytest.mark.parametrize("run_target", ["knock", "xceptor"], indirect=True)
def test_contract(run_target):
    run_target.check_contract(max_examples=1, max_time=20, timeout=2, rate_limit=0)

def test_good():
    pass
"""


@pytest.fixture
def body_servers() -> Iterator[dict[str, str]]:
    """knock: every answer 2 KiB of JSON; xceptor: every connection reset."""
    with (
        on_loopback(_HostileServer("2kib")) as big,
        on_loopback(_HostileServer("reset")) as reset,
    ):
        yield {"knock": big, "xceptor": reset}


def test_max_body_size_bounds_check_contract_as_it_bounds_the_cli(
    tmp_path: Path, body_servers: dict[str, str]
) -> None:
    """--runconform-max-body-size 1KiB (over the ini's 1 MiB) against 2 KiB bodies fails
    with the contract's message, line for line what `runconform contract --max-body-size
    1KiB` prints; an API no request reached ends with the CLI's verdict."""
    urls = "".join(f"    {vendor}={url}\n" for vendor, url in body_servers.items())
    ini = f"runconform_base_url =\n{urls}runconform_max_body_size = 1MiB\n"
    project = _project(tmp_path / "project", ini, {"test_api.py": BOUNDED_TESTS})
    outcome = run_child(
        [*CHILD, "-rA", "--runconform-max-body-size", "1KiB"],
        case="item7-max-body-size-plugin",
        cwd=project,
        timeout=150,
    )
    bounds = ("--max-examples", "1", "--max-time", "20", "--timeout", "2", "--rate-limit", "0")
    bounds += ("--stateful", "--max-body-size", "1KiB")
    cli = {
        vendor: run_child(
            [*RUNCONFORM, "contract", vendor, "--base-url", url, *bounds],
            case=f"item7-max-body-size-cli-{vendor}",
            cwd=project,
            timeout=150,
        )
        for vendor, url in body_servers.items()
    }
    _sane(outcome)
    assert outcome.returncode == 1, outcome.output
    assert "PASSED test_api.py::test_good" in outcome.stdout.splitlines()
    big, reset = cli["knock"], cli["xceptor"]
    assert (big.returncode, reset.returncode) == (1, 4), big.output + reset.output
    too_large = "response body larger than 1 KiB (--max-body-size); not read further"

    def operations(stdout: str) -> list[str]:
        """The CLI's operation lines: before its coverage table (the plugin has none)."""
        lines = stdout.splitlines()[:-1]
        table = next((i for i, line in enumerate(lines) if line.startswith("vendor  kind")), None)
        return lines[:table]

    assert operations(big.stdout) == [
        "GET /v1/workflow_recipient_runs: FAILED (1 call, statuses [200])",
        f"  error: GET /v1/workflow_recipient_runs: {too_large}",
        "GET /v1/workflow_recipient_runs/{id}: FAILED (1 call, statuses [200])",
        f"  error: GET /v1/workflow_recipient_runs/{{id}}: {too_large}",
    ]
    assert _section(outcome, "test_contract[knock]") == [
        f"knock contract at {body_servers['knock']}: 2 of 2 operations failed:",
        *operations(big.stdout),
    ]
    verdict = reset.stderr.splitlines()[-1].removeprefix("runconform: error: ")
    assert verdict.startswith(f"{body_servers['xceptor']}: no response to any of ")
    runs = [line for line in operations(reset.stdout) if ": skipped (" not in line]
    assert _section(outcome, "test_contract[xceptor]") == [  # the CLI's lines, no skipped ones
        f"xceptor contract at {body_servers['xceptor']}: 2 of 2 operations failed:",
        *runs,
        verdict,
    ]


@pytest.mark.parametrize(
    ("args", "ini", "error"),
    [
        pytest.param(
            ["--runconform-max-body-size", "1x"],
            "",
            "ERROR: --runconform-max-body-size: '1x' is not a size: bytes, or a number with"
            " KiB, MiB, GiB, KB, MB or GB",
            id="item7-max-body-size-not-a-size",
        ),
        pytest.param(
            [],
            "runconform_max_body_size = 0\n",
            "ERROR: runconform_max_body_size: '0' is not a positive size",
            id="item7-max-body-size-zero-in-ini",
        ),
    ],
)
def test_a_bad_max_body_size_is_a_usage_error(
    tmp_path: Path, args: list[str], ini: str, error: str
) -> None:
    project = _project(tmp_path / "project", ini, {"test_api.py": BOUNDED_TESTS})
    case = "item7-bad-max-body-size-" + ("option" if args else "ini")
    outcome = run_child([*CHILD, *args], case=case, cwd=project)
    _sane(outcome)
    assert outcome.returncode == 4, outcome.output
    assert outcome.stderr.splitlines() == [error, ""]  # pytest ends it with a blank line
