"""runconform as a pytest plugin: conformance checks inside your own test run.

Registered through the ``pytest11`` entry point ``runconform``; ``-p no:runconform``
turns it off. In a session that configures nothing it only adds its options, fixtures
and markers: every ``conformance`` import happens when something is validated.

Fixtures
    ``run_schemas``      the bundled catalog (``conformance.catalog.Catalog``).
    ``assert_conforms``  ``assert_conforms(obj, "vendor.Object", strict=False)``: raises
                         ``AssertionError`` with one ``$.path: message [keyword]`` line per
                         error; returns the ``ValidationResult`` when it conforms.
    ``run_factory``      ``run_factory("xceptor.WorkflowRun", valid=True, **overrides)``.
                         Seeded per test from pytest-randomly's seed when that plugin is
                         active (``-p randomly_seed=N`` reproduces a run), else from the
                         fixed seed 0: the same test gets the same objects on every run.
                         An explicit ``seed=`` wins.
    ``run_api``          a reference simulator (``.url``, ``.vendor``, ...) on a free
                         loopback port, started once per vendor for the session, stopped
                         at its end. Vendor: ``@pytest.mark.parametrize("run_api", ["knock"],
                         indirect=True)``, else ``@pytest.mark.runconform_vendor("knock")``,
                         else the ``runconform_vendor`` ini option.
    ``run_apis``         the session-scoped form: ``run_apis("knock")`` -> simulator.

Contract checks as tests::

    @pytest.mark.parametrize("run_api", ["xceptor", "knock"], indirect=True)
    def test_contract(run_api):
        from conformance.contract import ContractOptions, run_contract
        params = tuple(run_api.known_path_parameters().items())
        result = run_contract(run_api.vendor, ContractOptions(run_api.url, path_parameters=params))
        assert result.ok, result

Marker ``@pytest.mark.conforms("hatchet.V1TaskSummary", strict=False)``: the test returns
the payload; the plugin validates it (and pytest does not warn about the return value).

Recorded responses as items: the ini option ``runconform_recordings`` (one path or glob
per line, relative to the rootdir) makes every record of every matching recording file
that pytest's collection reaches (keep them under your ``testpaths``) a test item,
``recordings/hatchet/list.yaml::interaction[2]``. The schema is the first line of
``runconform_schema`` (``glob = vendor.Object``) whose glob matches the file, else the
contract route of the recorded request (cassette, HAR, Postman), else, with
``--runconform-identify``, the object identified by its shape.

Options: ``--runconform-report PATH`` (JSON summary of every verdict of the session;
under pytest-xdist the workers send theirs to the controller, which writes one report),
``--runconform-as-published`` (the vendors' schemas as published, not corrected),
``--runconform-strict`` (run invariant violations are errors).
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

_RECORDING_SUFFIXES = (".json", ".jsonl", ".ndjson", ".yaml", ".yml", ".har")
_SPACED_LABEL = re.compile(r"^(\w+) (\d+)$")
_STATE = pytest.StashKey["_State"]()


class _State:
    """Per-session settings and the verdicts gathered for the report."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.rootpath = config.rootpath
        self.variant = "published" if config.getoption("runconform_as_published") else "corrected"
        self.strict = bool(config.getoption("runconform_strict"))
        self.identify = bool(config.getoption("runconform_identify"))
        self.vendor = (config.getini("runconform_vendor") or "").strip() or None
        self.recordings = [s.strip() for s in config.getini("runconform_recordings") if s.strip()]
        self.schemas = _schema_rules(config.getini("runconform_schema"))
        self.verdicts: list[dict[str, Any]] = []
        self._seq: dict[str, int] = {}

    def options(self, strict: bool = False) -> Any:
        from conformance.validation import Options

        return Options(variant=self.variant, strict=self.strict or strict)

    def record(self, nodeid: str, origin: str, result: Any) -> None:
        seq = self._seq[nodeid] = self._seq.get(nodeid, -1) + 1
        self.verdicts.append(_verdict(nodeid, seq, origin, result))

    def matches(self, path: Path) -> bool:
        rel = _relative(path, self.rootpath)
        for entry in self.recordings:
            if any(c in entry for c in "*?["):
                if fnmatch.fnmatchcase(rel, entry.replace("\\", "/").removeprefix("./")):
                    return True
                continue
            target = (self.rootpath / entry).resolve()
            if path.resolve() == target:
                return True
            if path.suffix.lower() in _RECORDING_SUFFIXES and target in path.resolve().parents:
                return True
        return False

    def schema_for(self, path: Path) -> str | None:
        rel = _relative(path, self.rootpath)
        for pattern, name in self.schemas:
            if fnmatch.fnmatchcase(rel, pattern):
                return name
        return None


def _schema_rules(lines: list[str]) -> list[tuple[str, str]]:
    rules = []
    for line in lines:
        if not line.strip() or line.strip().startswith("#"):
            continue
        pattern, sep, name = line.partition("=")
        if not sep or not pattern.strip() or not name.strip():
            raise pytest.UsageError(
                f"runconform_schema: expected 'path_glob = vendor.Object', got {line.strip()!r}"
            )
        rules.append((pattern.strip().removeprefix("./"), name.strip()))
    return rules


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _verdict(nodeid: str, seq: int, origin: str, result: Any) -> dict[str, Any]:
    loc = result.locator
    return {
        "nodeid": nodeid,
        "seq": seq,
        "origin": origin,
        "schema": result.schema,
        "variant": result.variant,
        "chosen_by": result.chosen_by,
        "operation": result.operation,
        "ok": result.ok,
        "locator": None
        if loc is None
        else {"file": loc.file, "line": loc.line, "label": loc.label},
        "findings": [
            {
                "severity": f.severity,
                "kind": f.kind,
                "keyword": f.keyword,
                "path": f.path,
                "message": f.message,
            }
            for f in result.findings
        ],
    }


def failure_lines(result: Any) -> list[str]:
    """`$.path: message [keyword]`, one line per error finding of a result."""
    return [
        f"{f.path}: {f.message} [{f.keyword}]" for f in result.findings if f.severity == "error"
    ]


def _describe(result: Any) -> str:
    errors = result.count("error")
    plural = "error" if errors == 1 else "errors"
    if result.schema is None:
        return f"no schema could be chosen ({errors} {plural}):"
    how = {"contract": f"routed by {result.operation}", "identified": "identified"}.get(
        result.chosen_by
    )
    variant = "" if result.variant == "corrected" else f", {result.variant}"
    detail = f" ({how}{variant})" if how else (f" ({result.variant})" if variant else "")
    return f"does not conform to {result.schema}{detail}, {errors} {plural}:"


# -- hooks ------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("runconform", "runconform schema conformance")
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
        help="run invariant violations are errors, not warnings",
    )
    group.addoption(
        "--runconform-identify",
        action="store_true",
        help="records with no configured or routed schema: pick the object by its shape",
    )
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
    parser.addini("runconform_vendor", "default vendor of the run_api fixture", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "conforms(name, strict=False): the test returns a payload that must conform to the "
        "bundled runconform schema `name` (vendor.Object)",
    )
    config.addinivalue_line(
        "markers", "runconform_vendor(vendor): the vendor of the run_api fixture for this test"
    )
    state = _State(config)
    if state.schemas:
        from conformance.catalog import load_catalog
        from conformance.errors import UsageError

        for _, name in state.schemas:
            try:
                load_catalog().resolve(name)
            except UsageError as exc:
                raise pytest.UsageError(f"runconform_schema: {exc}") from None
    config.stash[_STATE] = state


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    state = parent.config.stash.get(_STATE, None)
    if state is None or not state.recordings or not state.matches(file_path):
        return None
    return RecordingFile.from_parent(parent, path=file_path)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
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
        _check(pyfuncitem, payload, marker.args[0], bool(marker.kwargs.get("strict")), "marker")
        failure = None
    except AssertionError as exc:  # the plugin's frames say nothing to the user
        failure = f"{pyfuncitem.name} returned a payload that {exc}"
    if failure is not None:
        pytest.fail(failure, pytrace=False)
    return True


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    state = config.stash.get(_STATE, None)
    if state is None:
        return
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller writes the report
        workeroutput["runconform_verdicts"] = json.dumps(state.verdicts)
        return
    path = config.getoption("runconform_report")
    if path:
        _write_report(Path(config.invocation_params.dir, path), state.verdicts)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: gather the verdicts a worker sent."""
    state = node.config.stash.get(_STATE, None)
    sent = getattr(node, "workeroutput", {}).get("runconform_verdicts")
    if state is not None and sent:
        state.verdicts.extend(json.loads(sent))


def _write_report(path: Path, verdicts: list[dict[str, Any]]) -> None:
    ordered = sorted(verdicts, key=lambda v: (v["nodeid"], v["seq"]))
    failed = sum(1 for v in ordered if not v["ok"])
    report = {
        "runconform_report": 1,
        "summary": {"verdicts": len(ordered), "passed": len(ordered) - failed, "failed": failed},
        "verdicts": ordered,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    os.replace(temp, path)


# -- checking ---------------------------------------------------------------------------


def _check(node: pytest.Item, payload: Any, name: str, strict: bool, origin: str) -> Any:
    __tracebackhide__ = True
    from conformance.errors import UsageError
    from conformance.validation import validate

    state = node.config.stash[_STATE]
    try:
        result, problem = validate(payload, name, options=state.options(strict)), None
    except UsageError as exc:
        result, problem = None, str(exc)
    if result is None:
        pytest.fail(problem or name, pytrace=False)
    state.record(node.nodeid, origin, result)
    if not result.ok:
        raise AssertionError("\n".join([_describe(result), *failure_lines(result)]))
    return result


@pytest.fixture(scope="session")
def run_schemas() -> Any:
    """The bundled catalog of run schemas."""
    from conformance.catalog import load_catalog

    return load_catalog()


@pytest.fixture
def assert_conforms(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """`assert_conforms(obj, "vendor.Object", strict=False)`: AssertionError unless it conforms."""
    node = request.node

    def check(obj: Any, name: str, strict: bool = False) -> Any:
        __tracebackhide__ = True
        return _check(node, obj, name, strict, "assert_conforms")

    return check


def _base_seed(config: pytest.Config) -> int:
    seed = getattr(config.option, "randomly_seed", None)  # pytest-randomly, when active
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else 0


@pytest.fixture
def run_factory(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """`run_factory(name, valid=True, seed=None, **overrides)`, reproducibly seeded per test."""
    from conformance.fixtures import run_factory as make

    base = _base_seed(request.config) * 1_000_003 + zlib.crc32(request.node.nodeid.encode())
    calls = iter(range(1 << 62))

    def factory(name: str, *, valid: bool = True, seed: int | None = None, **overrides: Any) -> Any:
        if seed is None:
            seed = (base * 1009 + next(calls)) % (1 << 64)
        return make(name, valid=valid, seed=seed, **overrides)

    return factory


@pytest.fixture(scope="session")
def run_apis() -> Iterator[Callable[[str], Any]]:
    """`run_apis(vendor)`: that vendor's simulator, started on first use, stopped at the end."""
    running: dict[str, Any] = {}

    def get(vendor: str) -> Any:
        if vendor not in running:
            from conformance.errors import UsageError
            from conformance.simulator import start

            try:
                running[vendor] = start(vendor, host="127.0.0.1", port=0, seed=0)
            except UsageError as exc:
                pytest.fail(f"run_api: {exc}", pytrace=False)
        return running[vendor]

    try:
        yield get
    finally:
        for simulator in running.values():
            simulator.stop()
        running.clear()


@pytest.fixture
def run_api(request: pytest.FixtureRequest, run_apis: Callable[[str], Any]) -> Any:
    """The simulator of this test's vendor (indirect parameter, marker or ini option)."""
    vendor = getattr(request, "param", None)
    if vendor is None:
        marker = request.node.get_closest_marker("runconform_vendor")
        vendor = marker.args[0] if marker is not None and marker.args else None
    vendor = vendor or request.config.stash[_STATE].vendor
    if not vendor:
        pytest.fail(
            "run_api needs a vendor: parametrize it (indirect=True), mark the test "
            "@pytest.mark.runconform_vendor('knock') or set the runconform_vendor ini option",
            pytrace=False,
        )
    return run_apis(vendor)


# -- recordings as items ----------------------------------------------------------------


class RecordingFile(pytest.File):
    """A recording file: one item per record, one failing item per read problem."""

    def collect(self) -> Iterator[pytest.Item]:
        from conformance.records import ReadProblem, read_records

        seen: dict[str, int] = {}
        for entry in read_records(self.path):
            if isinstance(entry, ReadProblem):
                name = _item_name(entry.locator.label) or entry.kind
            else:
                name = _item_name(entry.locator.label) or f"record[{entry.locator.index}]"
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:
                name = f"{name}#{seen[name]}"
            # nodeid given whole: pytest >= 9 parses "[...]" of stored ids (--lf) as params
            nodeid = f"{self.nodeid}::{name}"
            yield RecordItem.from_parent(self, name=name, nodeid=nodeid, entry=entry)


def _item_name(label: str) -> str:
    match = _SPACED_LABEL.match(label)
    return f"{match[1]}[{match[2]}]" if match else label


class RecordFailure(Exception):
    """A record that does not conform: the lines to show."""


class RecordItem(pytest.Item):
    def __init__(self, *, entry: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entry = entry

    def _where(self) -> str:
        rel = _relative(self.path, self.config.rootpath)
        line = self.entry.locator.line
        return f"{rel}:{line}" if line is not None else rel

    def runtest(self) -> None:
        from conformance.records import ReadProblem
        from conformance.validation import validate_record

        state = self.config.stash[_STATE]
        entry = self.entry
        result = validate_record(
            entry,
            schema=None if isinstance(entry, ReadProblem) else state.schema_for(self.path),
            vendor=state.vendor,
            identify=state.identify,
            options=state.options(),
        )
        state.record(self.nodeid, "recording", result)
        if isinstance(entry, ReadProblem):
            raise RecordFailure(f"{self._where()}: cannot read: {entry.message} [{entry.kind}]")
        if not result.ok:
            lines = [f"{self._where()}: {_describe(result)}", *failure_lines(result)]
            if result.chosen_by == "none":
                lines.append(
                    "(set the runconform_schema ini option for this file, "
                    "or pass --runconform-identify)"
                )
            raise RecordFailure("\n".join(lines))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, RecordFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.entry.locator.line
        return self.path, None if line is None else line - 1, self.name
