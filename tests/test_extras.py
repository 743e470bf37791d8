"""The core install is light and whole; the property-testing engines are extras.

`validate` (what a pre-commit hook runs) loads neither Schemathesis nor Hypothesis; every
core command works with the extras' packages absent; a command that needs an extra says
which one in one line and exits 2.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from conftest import example

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = ROOT / "contracts" / "recordings"
HEAVY = ("schemathesis", "hypothesis", "hypothesis_jsonschema")
DASK = ("dask", "distributed")  # the `dask` extra: only `--engine dask` imports it
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _name(requirement: str) -> str:
    return re.split(r"[ ;<>=!~\[(]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _closure(requirements: list[str]) -> set[str]:
    """The installed distributions `requirements` pull in (their extras left out)."""
    seen: set[str] = set()
    todo = list(requirements)
    while todo:
        name = _name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            todo += [r for r in metadata.requires(name) or [] if "extra ==" not in r]
        except metadata.PackageNotFoundError:
            continue
    return seen


def _extras_only_modules() -> set[str]:
    """Top-level modules of the distributions only the extras install."""
    extras = PROJECT["optional-dependencies"]
    core = _closure(PROJECT["dependencies"])
    wanted = [r for extra in ("contract", "hypothesis") for r in extras[extra]]
    only = _closure([r for r in wanted if not r.startswith("runconform")]) - core
    return {
        module
        for module, dists in metadata.packages_distributions().items()
        if any(_name(d) in only for d in dists)
    }


_WITHOUT_EXTRAS = """
import sys
BLOCKED = set(sys.argv[1].split(","))
class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, NotInstalled())
from conformance.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _without_extras(
    *args: str, cwd: Path, blocked: str | None = None
) -> subprocess.CompletedProcess[str]:
    """runconform as installed without its extras: their packages cannot be imported."""
    blocked = blocked or ",".join(sorted(_extras_only_modules()))
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT_EXTRAS, blocked, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )


def test_the_core_dependencies_pull_in_no_property_testing_engine() -> None:
    core = _closure(PROJECT["dependencies"])
    assert not core & {"schemathesis", "hypothesis", "hypothesis-jsonschema", "pytest"}
    assert {"schemathesis", "hypothesis", "pytest"} <= _closure(["schemathesis"])  # the 87 MB
    assert {"hypothesis", "hypothesis_jsonschema", "schemathesis", "requests"} <= (
        _extras_only_modules()
    )


def test_validate_loads_no_property_testing_engine() -> None:
    code = (
        "import sys\nfrom conformance.cli import main\n"
        "code = main(sys.argv[1:])\n"
        f"print(sorted({{m.partition('.')[0] for m in sys.modules}} & set({HEAVY + DASK!r})))\n"
        "sys.exit(code)"
    )
    for recording in ("hatchet/runs.cassette.yaml", "knock/session.har", "xceptor/runs.jsonl"):
        done = subprocess.run(
            [sys.executable, "-c", code, "validate", "-q", "--identify", recording],
            cwd=RECORDINGS,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.splitlines()[-1] == "[]", recording


def test_the_core_commands_work_without_the_extras(tmp_path: Path) -> None:
    (tmp_path / "run.json").write_text(json.dumps(example("knock.WorkflowRecipientRun")))
    for args in (
        ["validate", "-q", "--identify", str(RECORDINGS)],
        ["validate", "-q", "--identify", "run.json"],
        ["identify", "run.json"],
        ["fixtures", "xceptor.WorkflowRun", "-n", "3", "--invalid"],
        ["map", "run.json", "--from", "knock.WorkflowRecipientRun"],
        ["schemas", "lint", "-q"],
        ["mappings", "check"],
    ):
        done = _without_extras(*args, cwd=tmp_path)
        assert done.returncode == 0, (args, done.stdout + done.stderr)


def test_contract_without_its_extra_names_the_extra(tmp_path: Path) -> None:
    done = _without_extras("contract", "knock", "--url", "http://127.0.0.1:9", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "runconform: error: contract testing needs Schemathesis, which is not installed: "
        "pip install 'runconform[contract]'\n"
    )


@pytest.mark.parametrize("command", ["validate", "drift", "coverage"])
def test_the_dask_engine_without_its_extra_names_the_extra(tmp_path: Path, command: str) -> None:
    (tmp_path / "run.json").write_text(json.dumps(example("knock.WorkflowRecipientRun")))
    for blocked in ("dask", "distributed"):
        done = _without_extras(
            command, "--identify", "run.json", "--engine", "dask", cwd=tmp_path, blocked=blocked
        )
        assert (done.returncode, done.stdout) == (2, "")
        name = "Dask" if blocked == "dask" else "Dask distributed"
        assert done.stderr == (
            f"runconform: error: --engine dask needs {name}, which is not installed: "
            "pip install 'runconform[dask]'\n"
        )


def test_check_without_the_contract_extra_errors_that_stage_only(tmp_path: Path) -> None:
    done = _without_extras("check", "--vendor", "knock", "--fixtures", "1", "-q", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    report = json.loads((tmp_path / "reports" / "runconform-check.json").read_text())
    stages = {s["name"]: (s["status"], s["message"]) for s in report["stages"]}
    assert stages == {
        "lint": ("passed", None),
        "validate": ("passed", None),
        "lifecycle": ("passed", None),  # the light core follows runs too
        "fixtures": ("passed", None),
        "mappings": ("passed", None),
        "contract": (
            "error",
            "contract testing needs Schemathesis, which is not installed: "
            "pip install 'runconform[contract]'",
        ),
    }
