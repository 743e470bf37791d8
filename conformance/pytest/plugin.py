"""runconform as a pytest plugin: conformance checks inside your own test run.

Registered through the ``pytest11`` entry point ``runconform``; ``-p no:runconform`` turns it
off. A session that configures nothing only gets its options, fixtures and markers: runconform
proper is imported when something is validated.

Fixtures (``conformance.pytest.fixtures``)
    ``run_schemas``      the bundled catalog.
    ``assert_conforms``  ``assert_conforms(obj, "vendor.Object", strict=False)``: one
                         ``$.path: message [keyword]`` line per error, else the result.
    ``run_factory``      ``run_factory("xceptor.WorkflowRun", valid=True, **overrides)``, seeded
                         per test (from pytest-randomly's seed when active, else 0).
    ``run_api``          the vendor's reference simulator on a free loopback port, started once
                         per session (``run_apis(vendor)`` is the session-scoped form).
    ``run_target``       the live API of ``--runconform-base-url`` when given, else a simulator
                         that demands the bearer token its ``.headers`` carry (as the
                         contracts declare); ``.url``, ``.vendor``, ``.check_contract(**opts)``.
    Vendor: ``@pytest.mark.parametrize("run_api", ["knock"], indirect=True)``, else
    ``@pytest.mark.runconform_vendor("knock")``, else the ``runconform_vendor`` ini option.

Contract checks as tests::

    @pytest.mark.parametrize("run_target", ["xceptor", "knock"], indirect=True)
    def test_contract(run_target):
        run_target.check_contract(max_examples=5)

``--runconform-base-url URL`` (or ``VENDOR=URL``; ini ``runconform_base_url``) runs them
against a live API, GET/HEAD only; ``RUNCONFORM_HEADERS`` (or ``RUNCONFORM_HEADERS_KNOCK``)
holds ``Name: value`` credential lines, sent and never shown. ``--runconform-max-body-size
SIZE`` (ini ``runconform_max_body_size``; ``16MiB``, ``500KB``) is the contract's
``--max-body-size``: a larger response body is an error of its operation.

Marker ``@pytest.mark.conforms("hatchet.V1TaskSummary", strict=False)``: the test returns the
payload and the plugin validates it.

Recordings as items (``conformance.pytest.items``): ini ``runconform_recordings`` (paths or
globs, relative to the rootdir, under your ``testpaths``) makes each record of each matching
JSON, JSONL, YAML, VCR, HAR or Postman file an item, ``recordings/hatchet/list.yaml::
interaction[2]``; a file of more than 1,000 records is one item, ``big.jsonl::records``,
streamed when it runs. A configured path that does not exist, a broken link, a link loop,
a FIFO or a configured folder without a recording file is a failing item, worded as
``runconform validate`` says it; as its walk, a folder link is not followed. File names
show control characters escaped (``\\n``), as the CLI shows them. Its schema: the first
``runconform_schema`` line (``glob = vendor.Object``) matching the file, else the contract
route of the recorded request, else with ``--runconform-identify`` the object its shape
identifies.

``--runconform-report PATH`` writes every verdict of the session as JSON (one report under
pytest-xdist), atomically; a report that cannot be written is one ``runconform: error:``
line and exit status 4. ``--runconform-as-published`` and ``--runconform-strict`` as in the
CLI. A failing contract check is one ``pytest.fail`` message, never a traceback: its
locals would hold the credentials.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.pytest.state import STATE, SessionState, check
from conformance.report.escape import visible

# Registered with this module, so `-p no:runconform` removes them too.
pytest_plugins = [
    "conformance.pytest.fixtures",
    "conformance.pytest.items",
    "conformance.pytest.run_items",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    """The plugin's command-line options, then the ini settings they override."""
    _add_flags(parser.getgroup("runconform", "runconform schema conformance"))
    _add_ini_settings(parser)


def _add_flags(group: pytest.OptionGroup) -> None:
    """The `--runconform-*` command-line options."""
    group.addoption(
        "--runconform-report",
        metavar="PATH",
        default=None,
        help="write a JSON summary of every conformance verdict of the session to PATH",
    )
    group.addoption(
        "--runconform-as-published",
        action="store_true",
        help="validate against the vendors' schemas as published, not the corrected ones",
    )
    group.addoption(
        "--runconform-strict",
        action="store_true",
        help="run-invariant violations and undocumented properties are errors",
    )
    group.addoption(
        "--runconform-identify",
        action="store_true",
        help="records with no configured or routed schema: pick the object by its shape",
    )
    group.addoption(
        "--runconform-lifecycle",
        action="store_true",
        help="also follow each run through the recordings: an item per run observed more "
        "than once, failing when the run breaks its lifecycle",
    )
    group.addoption(
        "--runconform-errata",
        metavar="FILE",
        action="append",
        default=None,
        help="layer your own errata file on the bundled schemas (repeatable; replaces the "
        "runconform_errata ini setting)",
    )
    group.addoption(
        "--runconform-base-url",
        metavar="[VENDOR=]URL",
        action="append",
        default=None,
        help="run_target tests this live API instead of the simulator (repeatable; "
        "credentials: RUNCONFORM_HEADERS='Name: value' in the environment)",
    )
    group.addoption(
        "--runconform-max-body-size",
        metavar="SIZE",
        default=None,
        help="largest response body check_contract reads, e.g. 16MiB (the default) or 500KB; "
        "a larger one is an error of its operation",
    )


def _add_ini_settings(parser: pytest.Parser) -> None:
    """The `runconform_*` ini settings (the matching command-line option wins)."""
    parser.addini(
        "runconform_recordings",
        "recording files, folders or globs (relative to the rootdir) collected as test items",
        type="linelist",
        default=[],
    )
    parser.addini(
        "runconform_schema",
        "'path_glob = vendor.Object' lines: the schema of the recordings matching the glob",
        type="linelist",
        default=[],
    )
    parser.addini(
        "runconform_lifecycle",
        "true: an item per run observed more than once in the recordings "
        "(--runconform-lifecycle turns it on too)",
        type="bool",
        default=False,
    )
    parser.addini(
        "runconform_errata",
        "errata files (relative to the rootdir) layered on the bundled schemas for the session",
        type="linelist",
        default=[],
    )
    parser.addini(
        "runconform_vendor",
        "default vendor of the run_api fixture; also the only vendor recordings are routed to",
        default="",
    )
    parser.addini(
        "runconform_base_url",
        "[VENDOR=]URL lines: the live APIs run_target tests (--runconform-base-url wins)",
        type="linelist",
        default=[],
    )
    parser.addini(
        "runconform_max_body_size",
        "largest response body check_contract reads (--runconform-max-body-size wins)",
        default="",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "conforms(name, strict=False): the test returns a payload that must conform to the "
        "bundled runconform schema `name` (vendor.Object)",
    )
    config.addinivalue_line(
        "markers",
        "runconform_vendor(vendor): the vendor of the run_api / run_target fixtures for this test",
    )
    state = SessionState(config)
    if state.schemas:
        from conformance.bundle.catalog import load_catalog
        from conformance.errors import UsageError

        for _, name in state.schemas:
            try:
                load_catalog().resolve(name)
            except UsageError as exc:
                raise pytest.UsageError(f"runconform_schema: {visible(str(exc))}") from None
    config.stash[STATE] = state
    _layer_errata(config)


def _errata_files(config: pytest.Config) -> list[Path]:
    """--runconform-errata (relative to where pytest runs) or else the ini's (to the rootdir)."""
    given = config.getoption("runconform_errata")
    if given:
        return [Path(config.invocation_params.dir, p) for p in given]
    return [Path(config.rootpath, p) for p in config.getini("runconform_errata")]


def _layer_errata(config: pytest.Config) -> None:
    """User errata, layered for the whole session; a bad file stops it before collection."""
    files = _errata_files(config)
    if not files:
        return
    from conformance.bundle.user_errata import read_user_errata, use_errata
    from conformance.errors import ConformanceError

    try:
        use_errata(read_user_errata(files))
    except ConformanceError as exc:
        raise pytest.UsageError(f"runconform_errata: {visible(str(exc))}") from None


def pytest_unconfigure(config: pytest.Config) -> None:
    if _errata_files(config):
        from conformance.bundle.user_errata import use_errata

        use_errata(None)


def pytest_report_header(config: pytest.Config) -> str | None:
    """Which user errata the session's verdicts are judged with, and where each came from."""
    from conformance.report.applied import user_errata

    if not _errata_files(config) or not user_errata():
        return None
    from conformance.report.text import user_errata_line

    return f"runconform: {user_errata_line(user_errata())}"


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """`@pytest.mark.conforms(name)`: validate what the test returns."""
    marker = pyfuncitem.get_closest_marker("conforms")
    if marker is None:
        return None
    import inspect

    function = pyfuncitem.obj
    if inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function):
        return None  # pytest's own handling (an async plugin, or its failure message)
    if not marker.args or not isinstance(marker.args[0], str):
        pytest.fail("@pytest.mark.conforms needs the schema name: conforms('vendor.Object')")
    funcargs = pyfuncitem.funcargs
    payload = function(**{arg: funcargs[arg] for arg in pyfuncitem._fixtureinfo.argnames})
    if payload is None:
        pytest.fail(
            f"{pyfuncitem.name} is marked conforms({marker.args[0]!r}) but returned None: "
            "return the payload to validate",
            pytrace=False,
        )
    try:
        check(pyfuncitem, payload, marker.args[0], bool(marker.kwargs.get("strict")), "marker")
        failure = None
    except AssertionError as exc:  # the plugin's frames say nothing to the user
        failure = f"{pyfuncitem.name} returned a payload that {exc}"
    if failure is not None:
        pytest.fail(failure, pytrace=False)
    return True


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    state = config.stash.get(STATE, None)
    if state is None:
        return
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller writes the report
        workeroutput["runconform_verdicts"] = json.dumps(state.verdicts)
        return
    given = config.getoption("runconform_report")
    if not given:
        return
    problem = _write_report(given, Path(config.invocation_params.dir, given), state.verdicts)
    if problem is not None:  # one line, and the session fails: the report a CI expects is absent
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        line = f"runconform: error: {visible(problem)}"  # a newline in PATH stays visible
        if reporter is not None:
            reporter.write_line(line, red=True, bold=True)
        else:
            sys.stderr.write(f"{line}\n")
        if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            session.exitstatus = pytest.ExitCode.USAGE_ERROR  # 4, as the CLI's unwritable output


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: gather the verdicts a worker sent."""
    state = node.config.stash.get(STATE, None)
    sent = getattr(node, "workeroutput", {}).get("runconform_verdicts")
    if state is not None and sent:
        state.verdicts.extend(json.loads(sent))


def _write_report(given: str, path: Path, verdicts: list[dict[str, Any]]) -> str | None:
    """Write the report atomically (never half a file, no temp file left); else why not.

    The JSON writer's document (version 2, command "pytest"): one case a verdict, each
    with the test it came from (nodeid, seq, origin), as `validate --output-format json` writes."""
    from conformance.atomic import atomic_output
    from conformance.errors import InputError
    from conformance.report.cases import Header, Outcome
    from conformance.report.writers.json import JsonWriter
    from conformance.words import plural

    ordered = sorted(verdicts, key=lambda v: (v["nodeid"], v["seq"]))
    failed = sum(1 for v in ordered if not v["ok"])
    counts = {"verdicts": len(ordered), "passed": len(ordered) - failed, "failed": failed}
    line = f"{plural(len(ordered), 'verdict')}: {counts['passed']} passed, {failed} failed"
    try:
        if not path.parent.exists():  # under a file: mkdir would say "File exists"
            path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"{given}: cannot write here: {exc.strerror or exc}"
    try:
        with atomic_output(path) as stream:
            writer = JsonWriter(stream)
            writer.begin(Header("pytest", "runconform pytest plugin"))
            for verdict in ordered:
                writer.case_data(verdict)
            writer.end(Outcome(int(bool(failed)), line, counts))
    except InputError as exc:  # named by the absolute path it was given: show the user's
        return str(exc).replace(str(path), given, 1)
    return None
