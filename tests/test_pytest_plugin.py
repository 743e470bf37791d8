"""The pytest plugin, through pytester: recordings as items, markers, fixtures, report."""

from __future__ import annotations

import json
import socket
import threading

import pytest
import yaml

from conformance.fixtures import run_factory

pytest_plugins = ["pytester"]
PLUGIN = "conformance.pytest_plugin"


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
    """The node ids of the short summary's FAILED lines."""
    return [line.split(" ")[1] for line in result.outlines if line.startswith("FAILED ")]


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
        "tests/recordings/cassette.yaml::interaction[0]",
        "tests/recordings/cassette.yaml::interaction[1]",
        "tests/recordings/xceptor/docs.yaml::document[0]",
        "tests/recordings/xceptor/docs.yaml::document[1]",
        "tests/recordings/xceptor/docs.yaml::document[2]",
        "tests/recordings/xceptor/lines.jsonl::line[1]",
        "tests/recordings/xceptor/lines.jsonl::line[2]",
        "tests/recordings/xceptor/lines.jsonl::line[3]",
        "tests/recordings/xceptor/list.json::record[0]",
        "tests/recordings/xceptor/list.json::record[1]",
        "tests/recordings/xceptor/list.json::record[2]",
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
    for line in [
        "tests/recordings/cassette.yaml:27: does not conform to xceptor.WorkflowRun "
        "(routed by getWorkflowRun), 2 errors:",
        f"$.status: 7 is not one of: {enum}",
        "tests/recordings/xceptor/list.json:40: does not conform to xceptor.WorkflowRun, 1 error:",
        f'$.status: "bogus" is not one of: {enum}',
        "tests/recordings/xceptor/list.json:67: does not conform to xceptor.WorkflowRun, 1 error:",
        '$.step_results: "none" is not of type array [type]',
    ]:
        assert line in result.outlines
    assert "Traceback" not in result.stdout.str()
    assert _failed(result) == [
        "tests/recordings/cassette.yaml::interaction[1]",
        "tests/recordings/xceptor/list.json::record[1]",
        "tests/recordings/xceptor/list.json::record[2]",
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
    assert (
        "tests/recordings/broken.json:1: cannot read: truncated JSON: Expecting value at end "
        "of data (line 1, column 8) [malformed-json]"
    ) in result.outlines
    assert "tests/recordings/notes.yaml: cannot read: empty file [empty-file]" in result.outlines
    assert (
        "$: no schema for this record: give --schema vendor.Object, or --identify [no-schema]"
        in result.outlines
    )
    assert (
        "(set the runconform_schema ini option for this file, or pass --runconform-identify)"
        in result.outlines
    )
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
            '$.status: "bogus" is not one of: "pending", "running", "completed", "failed", "cancelled" [enum]',
            '$.step_results: "none" is not of type array [type]',
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
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, failed=2)
    first = pytester.path.joinpath(".pytest_cache/v/rc/test_factory_is_reproducible").read_text()
    result.stdout.fnmatch_lines(
        [
            '*assert_conforms({"id": 3}, "xceptor.WorkflowRun")',
            "E       AssertionError: does not conform to xceptor.WorkflowRun, 1 error:",
            "E       $.id: 3 is not of type string ?type?",
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
    origins = {v["origin"] for v in report["verdicts"]}
    assert origins == {"recording", "marker"}
    routed = [v for v in report["verdicts"] if v["chosen_by"] == "contract"]
    assert [v["operation"] for v in routed] == ["getWorkflowRun", "getWorkflowRun"]
    project.runpytest("--runconform-report", "pub.json", "--runconform-as-published")
    published = json.loads((project.path / "pub.json").read_text())
    assert {v["variant"] for v in published["verdicts"]} == {"published"}


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
