"""The pytest plugin, through pytester: recordings as items, markers, fixtures, report."""

from __future__ import annotations

import json
import socket
import threading
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import harfile
import pytest
import vcr
import yaml
from conftest import on_loopback

from conformance.generate import run_factory
from conformance.simulator import start as start_simulator

pytest_plugins = ["pytester"]
PLUGIN = "conformance.pytest.plugin"
ENUM = '"pending", "running", "completed", "failed", "cancelled" [enum]'


def _runs(n: int = 3, name: str = "xceptor.WorkflowRun") -> list[dict]:
    return [run_factory(name, seed=i) for i in range(n)]


def _cassette(bodies: list[object]) -> str:
    interactions = [
        {
            "request": {
                "method": "GET",
                "uri": f"http://api.test/v1/workflows/w1/runs/r{i}",
                "body": None,
                "headers": {},
            },
            "response": {
                "status": {"code": 200, "message": "OK"},
                "headers": {"Content-Type": ["application/json"]},
                "body": {"string": json.dumps(body)},
            },
        }
        for i, body in enumerate(bodies)
    ]
    return yaml.safe_dump({"interactions": interactions, "version": 1})


def _failed(result: pytest.RunResult) -> list[str]:
    """The node ids of the short summary's FAILED lines (ids may hold spaces: Postman)."""
    return [
        line.removeprefix("FAILED ").split(" - ")[0]
        for line in result.outlines
        if line.startswith("FAILED ")
    ]


def _section(result: pytest.RunResult, title: str) -> list[str]:
    """The whole text pytest shows under the `____ title ____` header of a failure or error."""
    lines = result.outlines
    start = next(i for i, line in enumerate(lines) if line.strip("_ ") == title)
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith(("____", "===="))),
        len(lines),
    )
    return lines[start + 1 : end]


def _passed(result: pytest.RunResult) -> list[str]:
    """The node ids of the short summary's PASSED lines (with -rA)."""
    return [line.removeprefix("PASSED ") for line in result.outlines if line.startswith("PASSED ")]


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project with one recording of each format under tests/recordings, all conforming."""
    runs = _runs()
    rec = pytester.path / "tests" / "recordings"
    (rec / "xceptor").mkdir(parents=True)
    (rec / "xceptor" / "list.json").write_text(json.dumps(runs, indent=1))
    (rec / "xceptor" / "lines.jsonl").write_text("".join(json.dumps(r) + "\n" for r in runs))
    (rec / "xceptor" / "docs.yaml").write_text(yaml.safe_dump_all(runs))
    (rec / "cassette.yaml").write_text(_cassette(runs[:2]))
    pytester.makeini(
        "[pytest]\n"
        "testpaths = tests\n"
        "runconform_recordings = tests/recordings\n"
        "runconform_schema =\n"
        "    tests/recordings/xceptor/* = xceptor.WorkflowRun\n"
    )
    return pytester


def test_every_format_is_collected_with_readable_ids(project: pytest.Pytester) -> None:
    result = project.runpytest("--collect-only", "-q")
    ids = [line for line in result.outlines if "::" in line]
    assert ids == [
        # every number counts from 1, as lines do: record[1] is the first record
        "tests/recordings/cassette.yaml::interaction[1]",
        "tests/recordings/cassette.yaml::interaction[2]",
        "tests/recordings/xceptor/docs.yaml::document[1]",
        "tests/recordings/xceptor/docs.yaml::document[2]",
        "tests/recordings/xceptor/docs.yaml::document[3]",
        "tests/recordings/xceptor/lines.jsonl::line[1]",
        "tests/recordings/xceptor/lines.jsonl::line[2]",
        "tests/recordings/xceptor/lines.jsonl::line[3]",
        "tests/recordings/xceptor/list.json::record[1]",
        "tests/recordings/xceptor/list.json::record[2]",
        "tests/recordings/xceptor/list.json::record[3]",
    ]
    project.runpytest().assert_outcomes(passed=11)


def test_failing_record_fails_its_item_with_the_validator_message(
    project: pytest.Pytester,
) -> None:
    runs = _runs()
    runs[1]["status"] = "bogus"
    runs[2]["step_results"] = "none"
    (project.path / "tests/recordings/xceptor/list.json").write_text(json.dumps(runs, indent=1))
    bad_cassette = _runs(2)
    bad_cassette[1]["status"] = 7
    (project.path / "tests/recordings/cassette.yaml").write_text(_cassette(bad_cassette))
    result = project.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=8, failed=3)
    enum = '"pending", "running", "completed", "failed", "cancelled" [enum]'
    # what is wrong first (the -ra summary shows it), then the record, then each error at
    # its value's place: in the cassette, inside the response body vcrpy folded over lines
    assert _section(result, "interaction[2]") == [
        f"$.status: 7 is not one of: {enum} (and 1 more error)",
        "tests/recordings/cassette.yaml:28: does not conform to xceptor.WorkflowRun "
        "(routed by getWorkflowRun), 2 errors:",
        f"tests/recordings/cassette.yaml:36:19: $.status: error: 7 is not one of: {enum}",
        "tests/recordings/cassette.yaml:36:19: $.status: error: 7 is not of type string [type]",
    ]
    assert _section(result, "record[2]") == [
        f'$.status: "bogus" is not one of: {enum}',
        "tests/recordings/xceptor/list.json:42: does not conform to xceptor.WorkflowRun, 1 error:",
        f'tests/recordings/xceptor/list.json:45:13: $.status: error: "bogus" is not one of: {enum}',
    ]
    assert _section(result, "record[3]") == [
        '$.step_results: "none" is not of type array [type]',
        "tests/recordings/xceptor/list.json:70: does not conform to xceptor.WorkflowRun, 1 error:",
        "tests/recordings/xceptor/list.json:72:19: $.step_results: error: "
        '"none" is not of type array [type]',
    ]
    assert "Traceback" not in result.stdout.str()
    assert _failed(result) == [
        "tests/recordings/cassette.yaml::interaction[2]",
        "tests/recordings/xceptor/list.json::record[2]",
        "tests/recordings/xceptor/list.json::record[3]",
    ]


def test_the_short_summary_shows_what_is_wrong(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-ra` in a real pytest process: each FAILED line ends with the error, not with a path
    that pushes it off the line; record numbers count from 1, as line numbers do."""
    runs = _runs()
    runs[0]["status"] = "bogus"
    (project.path / "tests/recordings/xceptor/list.json").write_text(json.dumps(runs, indent=1))
    monkeypatch.setenv("COLUMNS", "200")  # the summary is cut to the terminal's width
    result = project.runpytest_subprocess("-ra", "-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=10, failed=1)
    summary = [line for line in result.outlines if line.startswith("FAILED ")]
    assert summary == [
        "FAILED tests/recordings/xceptor/list.json::record[1] - "
        f'$.status: "bogus" is not one of: {ENUM}'
    ]


def test_k_and_last_failed_select_records(project: pytest.Pytester) -> None:
    runs = _runs()
    runs[0]["status"] = "bogus"
    (project.path / "tests/recordings/xceptor/lines.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in runs)
    )
    project.runpytest("-k", "lines and not line[1]").assert_outcomes(passed=2, deselected=9)
    project.runpytest().assert_outcomes(passed=10, failed=1)
    result = project.runpytest("--lf")
    result.assert_outcomes(failed=1)
    assert any("rerun previous 1 failure" in line for line in result.outlines)
    assert _failed(result) == ["tests/recordings/xceptor/lines.jsonl::line[1]"]


def test_bad_input_is_one_failing_item_naming_file_and_reason(project: pytest.Pytester) -> None:
    rec = project.path / "tests" / "recordings"
    (rec / "broken.json").write_text('{"id": ')
    (rec / "notes.yaml").write_text("")
    (rec / "other.json").write_text('{"hello": "world"}')
    result = project.runpytest()
    result.assert_outcomes(passed=11, failed=3)
    assert _section(result, "document") == [  # broken.json's: what, then where, as the CLI
        "cannot read: truncated JSON: Expecting value at end of data (line 1, column 8) "
        "[malformed-json]",
        "tests/recordings/broken.json:1: $: error: cannot read: truncated JSON: Expecting value "
        "at end of data (line 1, column 8) [malformed-json]",
    ]
    assert _section(result, "empty-file") == [
        "cannot read: empty file [empty-file]",
        "tests/recordings/notes.yaml: $: error: cannot read: empty file [empty-file]",
    ]
    unrouted = "no schema for this record: give --schema vendor.Object, or --identify [no-schema]"
    assert [
        f"$: {unrouted}",
        "tests/recordings/other.json:1: no schema could be chosen (1 error):",
        f"tests/recordings/other.json:1: $: error: {unrouted}",
        "(set the runconform_schema ini option for this file, or pass --runconform-identify)",
    ] == result.outlines[result.outlines.index(f"$: {unrouted}") :][:4]
    assert _failed(result) == [
        "tests/recordings/broken.json::document",
        "tests/recordings/notes.yaml::empty-file",
        "tests/recordings/other.json::document",
    ]
    assert "INTERNALERROR" not in result.stdout.str()


def test_marker_validates_the_return_value(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.conforms("xceptor.WorkflowRun")
        def test_good(run_factory):
            return run_factory("xceptor.WorkflowRun")

        @pytest.mark.conforms("xceptor.WorkflowRun")
        def test_bad(run_factory):
            run = run_factory("xceptor.WorkflowRun")
            run["status"] = "bogus"
            run["step_results"] = "none"
            return run

        @pytest.mark.conforms("xceptor.WorkflowRun")
        def test_none():
            pass
        """
    )
    result = pytester.runpytest("--strict-markers", "-W", "error")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "test_bad returned a payload that does not conform to xceptor.WorkflowRun, 2 errors:",
            '$.status: error: "bogus" is not one of: "pending", "running", "completed", "failed", "cancelled" [enum]',
            '$.step_results: error: "none" is not of type array [type]',
        ]
    )
    assert (
        "test_none is marked conforms('xceptor.WorkflowRun') but returned None: "
        "return the payload to validate"
    ) in result.outlines
    assert "PytestReturnNotNoneWarning" not in result.stdout.str()


def test_assert_conforms_and_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_schemas(run_schemas):
            assert "hatchet.V1TaskSummary" in run_schemas.names()

        def test_factory_is_reproducible(run_factory, request):
            a, b = run_factory("knock.WorkflowRecipientRun"), run_factory("knock.WorkflowRecipientRun")
            assert a != b
            request.config.cache.set("rc/" + request.node.name, [a, b])

        def test_conforms(assert_conforms, run_factory):
            result = assert_conforms(run_factory("xceptor.WorkflowRun"), "xceptor.WorkflowRun")
            assert result.ok

        def test_does_not_conform(assert_conforms):
            assert_conforms({"id": 3}, "xceptor.WorkflowRun")

        def test_unknown_name(assert_conforms):
            assert_conforms({}, "xceptor.Nope")

        def test_bad_override(run_factory):
            run_factory("knock.WorkflowRecipientRun", status="failed")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, failed=3)
    assert _section(result, "test_bad_override") == [
        "run_factory: knock.WorkflowRecipientRun: status 'failed' is not one of queued, "
        "processing, paused, completed, cancelled"
    ]
    first = pytester.path.joinpath(".pytest_cache/v/rc/test_factory_is_reproducible").read_text()
    result.stdout.fnmatch_lines(
        [
            '*assert_conforms({"id": 3}, "xceptor.WorkflowRun")',
            "E       AssertionError: does not conform to xceptor.WorkflowRun, 1 error:",
            "E       $.id: error: 3 is not of type string ?type?",
        ]
    )
    assert (
        "unknown object 'xceptor.Nope'; did you mean: xceptor.Error, xceptor.StepResult, "
        "xceptor.Pagination?"
    ) in result.outlines
    assert "During handling" not in result.stdout.str()
    pytester.runpytest("-k", "reproducible").assert_outcomes(passed=1)
    again = pytester.path.joinpath(".pytest_cache/v/rc/test_factory_is_reproducible").read_text()
    assert first == again


def _port_free(port: int) -> bool:
    """Nothing listens there any more (a bind could still meet TIME_WAIT)."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_run_api_starts_once_per_vendor_and_stops(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nrunconform_vendor = xceptor\n")
    pytester.makepyfile(
        """
        import json, urllib.request
        import pytest

        PORTS = []

        @pytest.mark.parametrize("run_api", ["knock", "xceptor"], indirect=True)
        def test_param(run_api):
            PORTS.append(run_api.port)
            assert run_api.url.startswith("http://127.0.0.1:")

        @pytest.mark.runconform_vendor("knock")
        def test_marker(run_api):
            PORTS.append(run_api.port)
            assert run_api.vendor == "knock"

        def test_ini(run_api):
            PORTS.append(run_api.port)
            assert run_api.vendor == "xceptor"
            run_id = run_api.known_path_parameters()
            url = f"{run_api.url}/v1/workflows/{run_id['workflowId']}/runs/{run_id['runId']}"
            with urllib.request.urlopen(url) as response:
                assert response.status == 200

        def test_ports(pytestconfig):
            pytestconfig.cache.set("rc/ports", PORTS)
        """
    )
    before = {t.ident for t in threading.enumerate()}
    result = pytester.runpytest("--strict-markers", "-p", "no:randomly")
    result.assert_outcomes(passed=5)
    ports = json.loads(pytester.path.joinpath(".pytest_cache/v/rc/ports").read_text())
    knock, xceptor = ports[0], ports[1]
    assert ports == [knock, xceptor, knock, xceptor] and knock != xceptor
    assert _port_free(knock) and _port_free(xceptor)
    leaked = [t.name for t in threading.enumerate() if t.ident not in before]
    assert not [name for name in leaked if name.startswith("simulator-")]


def test_run_api_without_vendor_says_how(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_api(run_api):\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    assert (
        "run_api needs a vendor: parametrize it (indirect=True), mark the test "
        "@pytest.mark.runconform_vendor('knock') or set the runconform_vendor ini option"
    ) in result.outlines


def test_report_and_options(project: pytest.Pytester) -> None:
    project.makepyfile(
        tests__test_marker="""
        import pytest

        @pytest.mark.conforms("xceptor.WorkflowRun")
        def test_marked(run_factory):
            return run_factory("xceptor.WorkflowRun")
        """
    )
    # makepyfile with a dunder name writes tests__test_marker.py at the root: move it
    project.path.joinpath("tests__test_marker.py").rename(project.path / "tests/test_marker.py")
    project.runpytest("--runconform-report", "out/report.json", "--runconform-strict")
    report = json.loads((project.path / "out/report.json").read_text())
    assert report["summary"] == {"verdicts": 12, "passed": 12, "failed": 0}
    assert (report["version"], report["command"]) == (2, "pytest")  # the JSON writer's document
    origins = {v["origin"] for v in report["results"]}
    assert origins == {"recording", "marker"}
    routed = [v for v in report["results"] if v["chosen_by"] == "contract"]
    assert [v["operation"] for v in routed] == ["getWorkflowRun", "getWorkflowRun"]
    project.runpytest("--runconform-report", "pub.json", "--runconform-as-published")
    published = json.loads((project.path / "pub.json").read_text())
    assert {v["variant"] for v in published["results"]} == {"published"}


def test_xdist_merges_one_report(project: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    single = project.runpytest_subprocess("--runconform-report", "one.json", "-p", "no:randomly")
    single.assert_outcomes(passed=11)
    multi = project.runpytest_subprocess("-n", "2", "--runconform-report", "two.json")
    multi.assert_outcomes(passed=11)
    one = json.loads((project.path / "one.json").read_text())
    two = json.loads((project.path / "two.json").read_text())
    assert one == two and one["summary"]["verdicts"] == 11


def test_strict_markers_and_unconfigured_session(pytester: pytest.Pytester) -> None:
    (pytester.path / "data.json").write_text(json.dumps(_runs(1)))
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest("--strict-markers", "--collect-only", "-q")
    assert [line for line in result.outlines if "::" in line] == [
        "test_strict_markers_and_unconfigured_session.py::test_plain"
    ]
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.conforms(name, strict=False): *"])


def test_bad_schema_setting_is_a_usage_error(project: pytest.Pytester) -> None:
    project.makeini(
        "[pytest]\nrunconform_recordings = tests/recordings\n"
        "runconform_schema =\n    tests/* = xceptor.Nope\n"
    )
    result = project.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert any(line.startswith("ERROR: runconform_schema: ") for line in result.errlines)


def test_entry_point_and_disabling_it(project: pytest.Pytester) -> None:
    """The installed package's pytest11 entry point loads it; -p no:runconform turns it off."""
    on = project.runpytest_subprocess("--collect-only", "-q")
    assert sum("::" in line for line in on.outlines) == 11
    off = project.runpytest_subprocess("-p", "no:runconform", "--collect-only", "-q")
    assert not [line for line in off.outlines if "::" in line]
    # the modules it registers (fixtures, recording items) go with it
    project.makepyfile(test_uses="def test_target(run_target):\n    pass\n")
    gone = project.runpytest("-p", "no:runconform", "test_uses.py")
    gone.assert_outcomes(errors=1)
    assert any(line.startswith("E       fixture 'run_target' not found") for line in gone.outlines)


# -- every recording format as items ----------------------------------------------------

RUN_PATHS = [f"/v1/workflows/w1/runs/r{i}" for i in range(3)]  # xceptor's getWorkflowRun


class _Bodies(BaseHTTPRequestHandler):
    """Answers GET path with that path's JSON body; fixed headers keep cassettes stable."""

    server: _BodyServer

    def do_GET(self) -> None:
        body = self.server.bodies[self.path]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def version_string(self) -> str:
        return "loopback"

    def date_time_string(self, timestamp: float | None = None) -> str:
        return "Fri, 20 Nov 2026 06:00:00 GMT"

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output clean."""


class _BodyServer(ThreadingHTTPServer):
    def __init__(self, bodies: dict[str, bytes]) -> None:
        super().__init__(("127.0.0.1", 0), _Bodies)
        self.bodies = bodies


@contextmanager
def _serving(bodies: dict[str, bytes]) -> Iterator[str]:
    """A real loopback server for vcrpy to record from; its base URL."""
    with on_loopback(_BodyServer(bodies)) as url:
        yield url


def _write_json(path: Path, bodies: dict[str, bytes]) -> None:
    path.write_text(json.dumps([json.loads(b) for b in bodies.values()], indent=1))


def _write_jsonl(path: Path, bodies: dict[str, bytes]) -> None:
    path.write_bytes(b"".join(b + b"\n" for b in bodies.values()))


def _write_yaml(path: Path, bodies: dict[str, bytes]) -> None:
    path.write_text(yaml.safe_dump_all([json.loads(b) for b in bodies.values()]))


def _write_vcr(path: Path, bodies: dict[str, bytes]) -> None:
    """vcrpy itself records the exchanges with a loopback server."""
    with _serving(bodies) as base, vcr.VCR(record_mode="all").use_cassette(str(path)):
        for route in bodies:
            with urllib.request.urlopen(base + route, timeout=10) as response:
                response.read()


def _write_har(path: Path, bodies: dict[str, bytes]) -> None:
    """harfile, the HAR 1.2 writer Schemathesis uses, writes the archive."""
    json_type = [harfile.Record(name="Content-Type", value="application/json")]
    with harfile.open(path) as har:
        for route, body in bodies.items():
            har.add_entry(
                startedDateTime="2026-11-20T06:00:00+00:00",
                time=1,
                request=harfile.Request(
                    method="GET", url=f"https://api.xceptor.com{route}", httpVersion="HTTP/1.1"
                ),
                response=harfile.Response(
                    status=200,
                    statusText="OK",
                    httpVersion="HTTP/1.1",
                    headers=json_type,
                    content=harfile.Content(text=body.decode(), mimeType="application/json"),
                ),
                timings=harfile.Timings(send=0, wait=1, receive=0),
            )


def _write_postman(path: Path, bodies: dict[str, bytes]) -> None:
    """A v2.1 collection with saved examples (the Postman app is not on PyPI)."""
    examples = [
        {
            "name": route.rsplit("/", 1)[1],
            "originalRequest": {"method": "GET", "url": f"https://api.xceptor.com{route}"},
            "status": "OK",
            "code": 200,
            "header": [{"key": "Content-Type", "value": "application/json"}],
            "body": body.decode(),
        }
        for route, body in bodies.items()
    ]
    item = {"name": "Get run", "request": {"method": "GET", "url": "{{baseUrl}}/v1/runs"}}
    collection = {
        "info": {
            "name": "Xceptor runs",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "item": [{**item, "response": examples}],
    }
    path.write_text(json.dumps(collection, indent=1))


ROUTED = " (routed by getWorkflowRun)"
# format -> (file under recordings/, writer, item names, where record 1's failure is reported,
#            how its schema was chosen: the runconform_schema line, or the recorded request)
FORMATS: dict[str, tuple[str, Callable[[Path, dict[str, bytes]], None], list[str], str, str]] = {
    "json": ("xceptor/runs.json", _write_json, ["record[1]", "record[2]", "record[3]"], ":42", ""),
    "jsonl": ("xceptor/runs.jsonl", _write_jsonl, ["line[1]", "line[2]", "line[3]"], ":2", ""),
    "yaml": (
        "xceptor/runs.yaml",
        _write_yaml,
        ["document[1]", "document[2]", "document[3]"],
        ":31",
        "",
    ),
    "vcr": (
        "cassette.yaml",
        _write_vcr,
        ["interaction[1]", "interaction[2]", "interaction[3]"],
        ":40",
        ROUTED,
    ),
    "har": ("session.har", _write_har, ["entries[1]", "entries[2]", "entries[3]"], ":21", ROUTED),
    "postman": (
        "runs.postman_collection.json",
        _write_postman,
        [f"item 'Get run' / response 'r{i}'" for i in range(3)],
        "",  # a collection's records have names, not lines
        ROUTED,
    ),
}
# format -> where the bad value of record 1 is: inside the body, for a recorded exchange
VALUE_AT = {
    "json": ":45:13",
    "jsonl": ":2:113",
    "yaml": ":35:9",
    "vcr": ":54:19",
    "har": ":25:361",
    "postman": ":44:137",
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_recording_format_is_items_with_the_validator_message(
    pytester: pytest.Pytester, fmt: str
) -> None:
    name, write, items, where, how = FORMATS[fmt]
    runs = _runs()
    runs[1]["status"] = "bogus"
    path = pytester.path / "recordings" / name
    path.parent.mkdir(parents=True)
    write(
        path, {route: json.dumps(run).encode() for route, run in zip(RUN_PATHS, runs, strict=True)}
    )
    pytester.makeini(
        "[pytest]\nrunconform_recordings = recordings\n"
        "runconform_schema =\n    recordings/xceptor/* = xceptor.WorkflowRun\n"
    )
    result = pytester.runpytest("-rA", "-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=1)
    ids = [f"recordings/{name}::{item}" for item in items]
    assert (_passed(result), _failed(result)) == ([ids[0], ids[2]], [ids[1]])
    assert _section(result, items[1]) == [
        f'$.status: "bogus" is not one of: {ENUM}',
        f"recordings/{name}{where}: does not conform to xceptor.WorkflowRun{how}, 1 error:",
        f'recordings/{name}{VALUE_AT[fmt]}: $.status: error: "bogus" is not one of: {ENUM}',
    ]
    assert "Traceback" not in result.stdout.str()
    keyword = items[2].rsplit("'", 2)[1] if "'" in items[2] else items[2]  # -k takes no quotes
    selected = pytester.runpytest("-k", keyword, "-q")
    selected.assert_outcomes(passed=1, deselected=2)


# file under tests/recordings -> (its content, the item it becomes, that item's whole failure)
NOT_RECORDINGS: dict[str, tuple[bytes, str, str]] = {
    "page.json": (
        b"<html><body>502 Bad Gateway</body></html>\n",
        "not-a-recording",
        "tests/recordings/page.json: $: error: cannot read: not a recording: XML or HTML markup, not "
        "JSON or YAML [not-a-recording]",
    ),
    "runs.json": (  # a gzip header and nothing more
        bytes.fromhex("1f8b0800000000000003"),
        "unreadable",
        "tests/recordings/runs.json:1: $: error: cannot read: the gzip data ends early "
        "(a truncated file?) [unreadable]",
    ),
    "export.json": (
        "[1]".encode("utf-16"),
        "unsupported-encoding",
        "tests/recordings/export.json: $: error: cannot read: UTF-16 text; save it as UTF-8 "
        "[unsupported-encoding]",
    ),
    "notes.txt": (  # reached by a glob line: any suffix can be named
        b"runs re-recorded on Monday\n",
        "not-a-recording",
        "tests/recordings/notes.txt: $: error: cannot read: not a recording: plain text, not JSON or "
        "YAML: 'runs re-recorded on Monday' [not-a-recording]",
    ),
}


def test_unknown_formats_are_one_failing_item_each(project: pytest.Pytester) -> None:
    rec = project.path / "tests" / "recordings"
    for name, (content, _, _) in NOT_RECORDINGS.items():
        (rec / name).write_bytes(content)
    project.makeini(
        "[pytest]\ntestpaths = tests\n"
        "runconform_recordings =\n    tests/recordings\n    tests/recordings/*.txt\n"
        "runconform_schema =\n    tests/recordings/xceptor/* = xceptor.WorkflowRun\n"
    )
    result = project.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=11, failed=len(NOT_RECORDINGS))
    for name, (_, _, failure) in NOT_RECORDINGS.items():
        assert failure in result.outlines, name
    assert sorted(_failed(result)) == sorted(
        f"tests/recordings/{name}::{item}" for name, (_, item, _) in NOT_RECORDINGS.items()
    )
    assert "Traceback" not in result.stdout.str()
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


# -- contract checks as tests: run_target, --runconform-base-url -----------------------------

SECRET = "sk_live_PLANTED_5e4d3c2b1a"
CONTRACT_TESTS = """
import pytest

@pytest.mark.parametrize("run_target", ["knock", "xceptor"], indirect=True)
def test_contract(run_target):
    run_target.check_contract(max_examples=3)
"""


def test_run_target_without_base_url_is_a_simulator_demanding_its_token(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        CONTRACT_TESTS
        + """
import urllib.error, urllib.request

@pytest.mark.runconform_vendor("knock")
def test_shape(run_target, run_api, pytestconfig):
    assert not run_target.live and run_target.url != run_api.url
    assert repr(run_target) == f"Target(vendor='knock', url='{run_target.url}', live=False)"
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(run_target.url + "/v1/workflow_recipient_runs", timeout=10)
    assert denied.value.code == 401
    request = urllib.request.Request(run_target.url + "/v1/workflow_recipient_runs")
    for name, value in run_target.headers:
        request.add_header(name, value)
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    pytestconfig.cache.set("rc/port", run_target.simulator.port)
"""
    )
    before = {t.ident for t in threading.enumerate()}
    result = pytester.runpytest("--strict-markers", "-p", "no:randomly")
    result.assert_outcomes(passed=3)
    port = json.loads(pytester.path.joinpath(".pytest_cache/v/rc/port").read_text())
    assert _port_free(port)
    leaked = [t.name for t in threading.enumerate() if t.ident not in before]
    assert not [name for name in leaked if name.startswith("simulator-")]


def test_base_url_runs_the_contract_against_a_live_api(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    test_file = pytester.makepyfile(
        CONTRACT_TESTS
        + """
@pytest.mark.runconform_vendor("knock")
def test_locals_hide_credentials(run_target):
    assert not run_target.live

@pytest.mark.runconform_vendor("knock")
def test_no_writes(run_target):
    run_target.check_contract(allow_writes=True)
"""
    )
    with start_simulator("knock", seed=3, token=SECRET) as live:
        monkeypatch.setenv("RUNCONFORM_HEADERS", f"Authorization: Bearer {SECRET}")
        given = pytester.runpytest(
            "--runconform-base-url", f"knock={live.url}", "-rs", "-l", "-p", "no:randomly"
        )
        given.assert_outcomes(passed=1, failed=2, skipped=1)
        served = live.next_request()
        monkeypatch.setenv("RUNCONFORM_HEADERS", f"Bearer {SECRET}")  # no header name
        malformed = pytester.runpytest("--runconform-base-url", live.url, "-k", "test_contract")
        monkeypatch.delenv("RUNCONFORM_HEADERS")
        denied = pytester.runpytest(
            "--runconform-base-url", live.url, "-k", "test_contract and knock"
        )
    assert served >= 6  # the contract's calls reached the live API, not a simulator of ours
    assert (
        f"SKIPPED [1] {test_file.name}:3: no --runconform-base-url for xceptor (given for: knock)"
        in given.outlines
    )
    shown = f"Target(vendor='knock', url='{live.url}', live=True)"  # -l: locals, no headers
    assert given.outlines.count(f"run_target = {shown}") == 2
    assert _section(given, "test_no_writes") == [
        f"run_target: writes are not sent to a live API ({live.url}); test them against the "
        "simulator (without --runconform-base-url)"
    ]
    malformed.assert_outcomes(errors=2, deselected=2)
    assert _section(malformed, "ERROR at setup of test_contract[knock]") == [
        "run_target: RUNCONFORM_HEADERS: line 1 is not 'Name: value'"
    ]
    # without the credentials the live API answers 401: the passing run above sent them
    denied.assert_outcomes(failed=1, deselected=3)
    curl = f"curl -X GET -H 'Authorization: [REDACTED]' {live.url}/v1/workflow_recipient_runs"
    assert _section(denied, "test_contract[knock]") == [
        f"knock contract at {live.url}: 2 of 2 operations failed:",
        "GET /v1/workflow_recipient_runs: FAILED (3 calls, statuses [401])",
        f"  $: error: Received: 401 [status_code_conformance] (reproduce: {curl})",
        "GET /v1/workflow_recipient_runs/{id}: FAILED (3 calls, statuses [401])",
        f"  $: error: Received: 401 [status_code_conformance] (reproduce: {curl}/0)",
    ]
    for output in (given, malformed, denied):
        assert SECRET not in output.stdout.str() + output.stderr.str()


UNTESTED_TESTS = """
import pytest

@pytest.mark.runconform_vendor("xceptor")
def test_untested(run_target):
    run_target.check_contract(max_examples=3)

@pytest.mark.runconform_vendor("xceptor")
def test_allowed(run_target):
    result = run_target.check_contract(max_examples=3, allow_untested=True)
    assert [run.status for run in result.runs] == ["untested", "untested"]
"""


def test_run_target_fails_operations_that_checked_no_body(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A live API whose run ids nobody gave: every get meets 404, nothing was checked."""
    pytester.makepyfile(UNTESTED_TESTS)
    with start_simulator("xceptor", seed=3, token=SECRET) as live:
        monkeypatch.setenv("RUNCONFORM_HEADERS", f"Authorization: Bearer {SECRET}")
        result = pytester.runpytest(
            "--runconform-base-url", f"xceptor={live.url}", "-p", "no:randomly"
        )
    result.assert_outcomes(passed=1, failed=1)
    untested = (
        "untested (3 calls, statuses [404]): no response body was checked against a run schema"
    )
    assert _section(result, "test_untested") == [
        f"xceptor contract at {live.url}: 2 of 2 operations untested:",
        f"GET /workflows/{{workflowId}}/runs: {untested}; "
        "give it data: --path-param workflowId=VALUE",
        f"GET /workflows/{{workflowId}}/runs/{{runId}}: {untested}; "
        "give it data: --path-param workflowId=VALUE --path-param runId=VALUE",
        "(give them data: check_contract(path_parameters={NAME: VALUE}); "
        "or accept them: check_contract(allow_untested=True))",
    ]


def test_unreachable_base_url_fails_with_the_reason_and_no_traceback(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(CONTRACT_TESTS)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound but not listening: connections are refused
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
        pytester.makeini(f"[pytest]\nrunconform_base_url = {url}\n")
        result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(errors=2)
    for vendor in ("knock", "xceptor"):
        assert _section(result, f"ERROR at setup of test_contract[{vendor}]") == [
            f"run_target: cannot reach {url}: Connection refused"
        ]
    out = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in out and "During handling" not in out
    assert "conformance/" not in out


@pytest.mark.parametrize(
    ("given", "error"),
    [
        (
            "knock=ftp://example.com",
            "ERROR: --runconform-base-url: expected an http(s) URL or VENDOR=URL, got "
            "'knock=ftp://example.com'",
        ),
        (
            "knok=http://127.0.0.1:9",
            "ERROR: --runconform-base-url: unknown vendor 'knok'; known: hatchet, knock, "
            "paragon, restack, xceptor",
        ),
    ],
    ids=["not-http", "unknown-vendor"],
)
def test_bad_base_url_is_a_usage_error(pytester: pytest.Pytester, given: str, error: str) -> None:
    pytester.makepyfile(CONTRACT_TESTS)
    result = pytester.runpytest("--runconform-base-url", given)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.errlines == [error, ""]
