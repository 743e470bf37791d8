"""The pre-commit hook definition: its entry, run as pre-commit runs it (entry + args +
file names, in a real process), passes good recordings and fails bad ones."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import example

ROOT = Path(__file__).resolve().parent.parent
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
BIN = Path(sys.executable).parent


def _hook(hook_id: str) -> dict[str, object]:
    return next(h for h in HOOKS if h["id"] == hook_id)


def _run(
    hook: dict[str, object], args: list[str] | None, files: list[str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    """entry, then the user's args or else the hook's default args, then the file names:
    pre-commit's own order."""
    entry = shlex.split(str(hook["entry"]))
    chosen = args if args is not None else list(hook.get("args", []))  # type: ignore[call-overload]
    command = [str(BIN / entry[0]), *entry[1:], *chosen, *files]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_every_hook_has_what_pre_commit_requires() -> None:
    assert [h["id"] for h in HOOKS] == ["runconform-validate"]
    for hook in HOOKS:
        assert {"id", "name", "entry", "language"} <= hook.keys()
        assert hook["language"] == "python"  # pre-commit installs this repository with pip


def test_the_files_pattern_takes_recordings_only() -> None:
    pattern = re.compile(str(_hook("runconform-validate")["files"]))
    taken = ["runs.jsonl", "a/session.har", "list.yaml", "cassette.yml", "run.json", "x.ndjson"]
    left = ["README.md", "conftest.py", "runs.jsonl.bak", "pyproject.toml"]
    assert [name for name in taken if pattern.search(name)] == taken
    assert [name for name in left if pattern.search(name)] == []


def test_the_hook_passes_good_and_fails_bad_recordings(tmp_path: Path) -> None:
    hook = _hook("runconform-validate")
    good = example("knock.WorkflowRecipientRun")
    (tmp_path / "good.jsonl").write_text(json.dumps(good) + "\n")
    (tmp_path / "bad.jsonl").write_text(json.dumps({**good, "status": "exploded"}) + "\n")
    args = ["--schema", "knock.WorkflowRecipientRun"]

    passed = _run(hook, args, ["good.jsonl"], tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.splitlines()[-1] == (
        "1 record: 1 conforming, 0 not conforming; 0 unreadable inputs; 0 errors, 0 warnings, 0 info"
    )

    failed = _run(hook, args, ["good.jsonl", "bad.jsonl"], tmp_path)
    assert failed.returncode == 1
    assert failed.stdout.splitlines()[0].startswith("bad.jsonl:1: $.status: error: ")
    assert failed.stdout.splitlines()[-1] == (
        "2 records: 1 conforming, 1 not conforming; 0 unreadable inputs; 1 error, 0 warnings, 0 info"
    )


def test_the_default_args_identify_bare_records(tmp_path: Path) -> None:
    run = example("xceptor.WorkflowRun")
    (tmp_path / "runs.jsonl").write_text(json.dumps(run) + "\n")
    done = _run(_hook("runconform-validate"), None, ["runs.jsonl"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
