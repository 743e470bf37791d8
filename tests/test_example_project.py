"""examples/pytest-project, copied as a user would copy it, runs green in a real pytest process.

(``tests/test_examples.py`` is taken: it checks the bundled example objects.)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).parent.parent / "examples" / "pytest-project"


def run_pytest(project: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """`python -m pytest -q ARGS` in `project`, free of this session's pytest settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "RUNCONFORM_")) and k != "PYTHONPATH"
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def summary(out: str) -> str:
    """The last line of a `pytest -q` run, its time taken out: `12 passed`."""
    return re.sub(r" in [\d.]+s( \([\d:]+\))?$", "", out.rstrip().splitlines()[-1])


def test_the_example_project_runs_green_where_a_user_copies_it(tmp_path: Path) -> None:
    project = tmp_path / "my-project"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("__pycache__", ".*cache"))
    done = run_pytest(project, "-rA")
    assert (done.returncode, summary(done.stdout)) == (0, "12 passed"), done.stdout + done.stderr
    passed = [line.removeprefix("PASSED ") for line in done.stdout.splitlines()]
    for item in (
        "recordings/hatchet/task-summaries.jsonl::line[2]",
        "recordings/knock/recipient-runs.json::record[1]",
        "recordings/xceptor/runs.yaml::interaction[1]",
        "tests/test_contract.py::test_contract[xceptor]",
        "tests/test_payloads.py::test_summarise_keeps_the_shape",
    ):
        assert item in passed
    assert done.stderr == ""
