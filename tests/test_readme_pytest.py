"""README.md's "## In your pytest run", copied into a fresh project as written, runs green.

Only what the README calls the reader's own is supplied: the `my_project` module it imports
(`# your code`) and the recordings its ini lines point at.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from test_example_project import run_pytest, summary

from conformance.generate import run_factory

README = Path(__file__).parent.parent / "README.md"
EXAMPLES = Path(__file__).parent / "data" / "examples"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)

# The reader's code the README imports (`from my_project import my_client, my_service`).
MY_PROJECT = '''\
"""Stand-in for the reader's own code."""

import json
import urllib.request
from pathlib import Path
from types import SimpleNamespace

RUN = json.loads((Path(__file__).parent / "run.json").read_text())
my_service = SimpleNamespace(build_run=lambda: dict(RUN))


class my_client:
    def __init__(self, base_url):
        self.base_url = base_url

    def list_runs(self):
        url = self.base_url + "/v1/workflow_recipient_runs"
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)["items"]
'''


def pytest_section() -> str:
    """The README's section, from its heading to the next one."""
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## In your pytest run\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_the_readme_pytest_section_runs_as_written(tmp_path: Path) -> None:
    section = pytest_section()
    blocks = FENCE.findall(section)
    assert [language for language, _ in blocks] == ["ini", "python"]
    ini, code = blocks[0][1], blocks[1][1]
    ini_name = ini.splitlines()[0].removeprefix("# ")  # the block names its file
    assert ini_name == "pytest.ini"
    (tmp_path / ini_name).write_text(ini)
    tests = tmp_path / "tests"
    (tests / "my_project").mkdir(parents=True)
    (tests / "test_from_readme.py").write_text(code)
    (tests / "my_project" / "__init__.py").write_text(MY_PROJECT)
    run = (EXAMPLES / "xceptor.WorkflowRun.json").read_text()
    (tests / "my_project" / "run.json").write_text(run)
    recordings = tests / "recordings" / "xceptor"  # what the ini lines point at
    recordings.mkdir(parents=True)
    runs = [run_factory("xceptor.WorkflowRun", seed=i) for i in range(3)]
    (recordings / "runs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in runs))

    done = run_pytest(tmp_path, "-rA", "--runconform-report", "report.json")
    assert (done.returncode, summary(done.stdout)) == (0, "8 passed"), done.stdout + done.stderr
    passed = [line.removeprefix("PASSED ") for line in done.stdout.splitlines()]
    cited = re.findall(r"`([^`\s]+::[^`\s]+)`", section)  # item ids the prose shows
    assert cited and all(item in passed for item in cited), cited
    assert "tests/test_from_readme.py::test_contract[xceptor]" in passed
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"] == {"verdicts": 5, "passed": 5, "failed": 0}
