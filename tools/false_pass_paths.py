"""The ways a user checks a record, as the false-pass matrix drives them.

Each path takes the defects of every object and returns, per object, which ones it caught
(a record that is not ok, an item that did not pass). They run what a user runs: the CLI
in this process, `run_check`, recordings written by vcrpy and harfile over loopback HTTP,
and a generated pytest project in a subprocess. See `false_pass.py`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

from false_pass_defects import Defect

ROUTED = ("cassette", "har", "postman")
#: caught flags per subject, aligned with that subject's defects; None: the path cannot
#: carry this object (e.g. no contract operation answers it, for the routed recordings).
Caught = dict[str, list[bool] | None]
Path_ = Callable[[Path, dict[str, tuple[Defect, ...]]], Caught]


def _cli(*args: str) -> int:
    """`runconform ARGS` in this process, its output swallowed: (exit code)."""
    from conformance.cli import main

    with redirect_stdout(StringIO()), redirect_stderr(StringIO()):
        return main(list(args))


def _jsonl(folder: Path, name: str, items: tuple[Defect, ...]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.jsonl"
    path.write_text("".join(json.dumps(d.instance) + "\n" for d in items))
    return path


def _verdicts(report: Path, count: int) -> list[bool]:
    """Caught flags from `validate --format json`: a record that is not ok was caught."""
    results = json.loads(report.read_text())["results"]
    caught = [False] * count
    for result in results:
        index = result["locator"]["index"]
        if index is not None and index < count:
            caught[index] = not result["ok"]
    return caught


def _validate(work: Path, name: str, items: tuple[Defect, ...], *how: str) -> list[bool]:
    data = _jsonl(work, name, items)
    out = work / f"{name}.{'-'.join(h.strip('-') for h in how)}.json"
    _cli("validate", str(data), *how, "--strict", "--format", "json", "--output", str(out))
    return _verdicts(out, len(items))


def by_schema(work: Path, all_defects: dict[str, tuple[Defect, ...]]) -> Caught:
    return {n: _validate(work, n, d, "--schema", n) for n, d in all_defects.items()}


def by_identify(work: Path, all_defects: dict[str, tuple[Defect, ...]]) -> Caught:
    """Canonical runs are runconform's own and never identified: not a path for them."""
    return {
        n: None if n.startswith("canonical.") else _validate(work, n, d, "--identify")
        for n, d in all_defects.items()
    }


def by_check(work: Path, all_defects: dict[str, tuple[Defect, ...]]) -> Caught:
    """`check FILE --schema NAME --strict`: a defect is caught when the validate stage has
    an error on its line."""
    from conformance.check import CheckOptions, run_check

    caught: Caught = {}
    for name, items in all_defects.items():
        data = _jsonl(work / "check", name, items)
        vendor = name.split(".")[0]
        options = CheckOptions(
            paths=(data,),
            schema=name,
            vendors=() if vendor == "canonical" else (vendor,),
            strict=True,
            fixtures=1,
        )
        report = run_check(options)
        stage = next(s for s in report.stages if s.name == "validate")
        lines = {f.line for f in stage.findings if f.severity == "error"}
        caught[name] = [i + 1 in lines for i in range(len(items))]
    return caught


# -- routed recordings ---------------------------------------------------------------------


def _operation_for(name: str) -> tuple[str, str, int] | None:
    """(method, concrete path, status) of a contract operation whose 2xx body is `name`."""
    from conformance.validation.routing import load_operations

    vendor = name.split(".")[0]
    if vendor == "canonical":
        return None
    ranked = sorted(load_operations(vendor), key=lambda op: op.method != "GET")
    for op in ranked:
        for status, spec in op.responses.items():
            if status.startswith("2") and status.isdigit() and spec.schema == name:
                path = "/".join(
                    "p1" if s.startswith("{") else s for s in op.path_template.split("/")
                )
                return op.method, path, int(status)
    return None


class _Bodies(BaseHTTPRequestHandler):
    """Answers `PATH?defect=N` with the N-th body of `bodies`, at the status asked for."""

    bodies: ClassVar[list[tuple[int, bytes]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        index = int(parse_qs(urlsplit(self.path).query)["defect"][0])
        status, body = self.bodies[index]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_DELETE = _answer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@contextmanager
def _serving(bodies: list[tuple[int, bytes]]) -> Iterator[str]:
    _Bodies.bodies = bodies
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Bodies)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@dataclass(frozen=True)
class _Exchange:
    method: str
    url: str
    status: int
    body: str


def recordings(work: Path, all_defects: dict[str, tuple[Defect, ...]]) -> dict[str, Caught]:
    """Send every routable defect over loopback HTTP once, recorded by vcrpy as it goes;
    write the same exchanges as HAR (harfile) and as a Postman collection; validate each
    recording as routed through the vendor contract."""
    import requests
    import vcr

    files: dict[str, dict[str, Path]] = {fmt: {} for fmt in ROUTED}
    for name, items in all_defects.items():
        target = _operation_for(name)
        if target is None:
            continue
        method, path, status = target
        cassette = work / "cassette" / f"{name}.yaml"
        bodies = [(status, json.dumps(d.instance).encode()) for d in items]
        got = []
        with (
            _serving(bodies) as base,
            vcr.VCR(record_mode="all", serializer="yaml").use_cassette(str(cassette)),
        ):
            for i in range(len(items)):
                r = requests.request(method, f"{base}{path}?defect={i}", timeout=10)
                got.append(_Exchange(method, r.url, r.status_code, r.text))
        files["cassette"][name] = cassette
        files["har"][name] = work / "har" / f"{name}.har"
        _write_har(files["har"][name], got)
        files["postman"][name] = work / "postman" / f"{name}.postman_collection.json"
        _write_postman(files["postman"][name], got)
    return {fmt: _routed(files[fmt], all_defects) for fmt in ROUTED}


def _write_har(path: Path, exchanges: list[_Exchange]) -> None:
    import harfile

    path.parent.mkdir(parents=True, exist_ok=True)
    with harfile.open(path) as har:
        for ex in exchanges:
            media = "application/json"
            har.add_entry(
                startedDateTime="2026-11-30T00:00:00.000Z",
                time=1,
                request=harfile.Request(method=ex.method, url=ex.url, httpVersion="HTTP/1.1"),
                response=harfile.Response(
                    status=ex.status,
                    statusText="",
                    httpVersion="HTTP/1.1",
                    headers=[harfile.Record(name="Content-Type", value=media)],
                    content=harfile.Content(size=len(ex.body), mimeType=media, text=ex.body),
                ),
                timings=harfile.Timings(send=0, wait=1, receive=0),
            )


def _write_postman(path: Path, exchanges: list[_Exchange]) -> None:
    """A Postman v2.1 collection: one request item per exchange with its saved response."""
    items = []
    for i, ex in enumerate(exchanges):
        request = {"method": ex.method, "url": {"raw": ex.url}}
        response = {
            "name": f"defect {i}",
            "originalRequest": request,
            "code": ex.status,
            "header": [{"key": "Content-Type", "value": "application/json"}],
            "body": ex.body,
        }
        items.append({"name": f"defect {i}", "request": request, "response": [response]})
    collection = {
        "info": {
            "name": "false-pass matrix",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "item": items,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(collection))


def _routed(files: dict[str, Path], all_defects: dict[str, tuple[Defect, ...]]) -> Caught:
    caught: Caught = {}
    for name, items in all_defects.items():
        if name not in files:
            caught[name] = None
            continue
        out = files[name].with_suffix(".verdicts.json")
        _cli("validate", str(files[name]), "--strict", "--format", "json", "--output", str(out))
        caught[name] = _verdicts(out, len(items))
    return caught


# -- the pytest plugin ---------------------------------------------------------------------

_OUTCOMES_PLUGIN = """
import json, os

def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        with open(os.environ["FALSE_PASS_OUTCOMES"], "a") as fh:
            fh.write(json.dumps([report.nodeid, report.when, report.outcome]) + "\\n")
"""

_ASSERT_TEST = """
import json, pathlib, pytest

CASES = json.loads(pathlib.Path(__file__).with_name("defects.json").read_text())

@pytest.mark.parametrize("case", range(len(CASES)))
def test_defect(case, assert_conforms):
    name, instance = CASES[case]
    assert_conforms(instance, name, strict=True)
"""


def _pytest_outcomes(work: Path, all_defects: dict[str, tuple[Defect, ...]]) -> dict[str, str]:
    """Run a generated pytest project once: recordings as items, assert_conforms tests."""
    project = work / "pytest-project"
    recordings = project / "recordings"
    lines = []
    for name, items in all_defects.items():
        _jsonl(recordings, name, items)
        lines.append(f"    recordings/{name}.jsonl = {name}")
    (project / "pytest.ini").write_text(
        "[pytest]\nrunconform_recordings = recordings\nrunconform_schema =\n"
        + "\n".join(lines)
        + "\n"
    )
    (project / "conftest.py").write_text(_OUTCOMES_PLUGIN)
    cases = [[d.subject, d.instance] for items in all_defects.values() for d in items]
    (project / "defects.json").write_text(json.dumps(cases))
    (project / "test_assert_conforms.py").write_text(_ASSERT_TEST)
    outcomes = project / "outcomes.jsonl"
    env = {**os.environ, "FALSE_PASS_OUTCOMES": str(outcomes), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--runconform-strict",
            "-p",
            "no:randomly",
            "-o",
            "addopts=",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        timeout=600,
        check=False,
    )
    seen: dict[str, str] = {}
    for line in outcomes.read_text().splitlines() if outcomes.exists() else ():
        nodeid, _when, outcome = json.loads(line)
        if seen.get(nodeid) != "failed":
            seen[nodeid] = "failed" if outcome != "passed" else "passed"
    return seen


def by_plugin(work: Path, all_defects: dict[str, tuple[Defect, ...]]) -> tuple[Caught, Caught]:
    """(recording items, assert_conforms): a defect is caught when its test did not pass."""
    seen = _pytest_outcomes(work, all_defects)
    items: Caught = {}
    asserted: Caught = {}
    case = 0
    for name, found in all_defects.items():
        items[name] = [
            seen.get(f"recordings/{name}.jsonl::line[{i + 1}]") == "failed"
            for i in range(len(found))
        ]
        asserted[name] = [
            seen.get(f"test_assert_conforms.py::test_defect[{case + i}]") == "failed"
            for i in range(len(found))
        ]
        case += len(found)
    return items, asserted
