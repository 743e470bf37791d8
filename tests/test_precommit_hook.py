"""The pre-commit hooks: the manifest as pre-commit itself loads and validates it, which files
each selects (by pre-commit's own file classifier), their entry run as pre-commit runs it
(entry + args + file names, in a real process), and the release tag scheme `rev:` follows.

pre-commit's hook environment is not built here: it installs this repository from the
package index, and the suite talks to loopback only."""

from __future__ import annotations

import contextlib
import json
import re
import shlex
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from types import SimpleNamespace

from conftest import example
from pre_commit.clientlib import load_manifest
from pre_commit.commands.run import Classifier

ROOT = Path(__file__).resolve().parent.parent
#: The hooks as pre-commit loads them: its manifest schema checked, its defaults filled in.
HOOKS = [dict(hook) for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))]
BIN = Path(sys.executable).parent

#: A repository that keeps recordings beside the usual configuration files.
TREE = {
    ".pre-commit-config.yaml": "repos: []\n",
    "package.json": '{"name": "app", "version": "1.0.0"}\n',
    "tsconfig.json": "{}\n",
    ".github/workflows/ci.yml": "on: push\n",
    "docker-compose.yaml": "services: {}\n",
    "openapi/knock.json": "{}\n",
    "tests/recordings/knock/run.json": "RUN",
    "recordings/xceptor/runs.jsonl": "XCEPTOR",
    "tests/fixtures/runs/list.yaml": "RUN",
    "exports/nightly.runs.jsonl": "XCEPTOR",
    "tests/cassettes/test_runs.yaml": "CASSETTE",
    "captures/session.har": "HAR",
    "api.postman_collection.json": "POSTMAN",
}


def _hook(hook_id: str) -> dict[str, object]:
    return next(h for h in HOOKS if h["id"] == hook_id)


def _selected(hook: dict[str, object], names: list[str]) -> list[str]:
    """The files pre-commit hands `hook` out of `names` (`files`, `exclude` and `types`, by
    its own classifier), in a scratch tree holding those names (it classifies files that
    exist)."""
    with tempfile.TemporaryDirectory() as scratch, contextlib.chdir(scratch):
        for name in names:
            Path(name).parent.mkdir(parents=True, exist_ok=True)
            Path(name).write_text("{}\n")
        classifier = Classifier.from_config(names, "", "^$")
        return list(classifier.filenames_for_hook(SimpleNamespace(**hook)))  # type: ignore[arg-type]


def _run(
    hook: dict[str, object], args: list[str] | None, files: list[str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    """entry, then the user's args or else the hook's default args, then the file names:
    pre-commit's own order."""
    entry = shlex.split(str(hook["entry"]))
    chosen = args if args is not None else list(hook.get("args", []))  # type: ignore[call-overload]
    command = [str(BIN / entry[0]), *entry[1:], *chosen, *files]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def _write_tree(root: Path) -> list[str]:
    """TREE under `root`, the placeholders replaced by real, conforming recordings."""
    recording = ROOT / "contracts" / "recordings"
    contents = {
        "RUN": json.dumps(example("knock.WorkflowRecipientRun")) + "\n",
        "XCEPTOR": (recording / "xceptor" / "runs.jsonl").read_text(encoding="utf-8"),
        "CASSETTE": (recording / "hatchet" / "runs.cassette.yaml").read_text(encoding="utf-8"),
        "HAR": (recording / "knock" / "session.har").read_text(encoding="utf-8"),
        "POSTMAN": (recording / "paragon" / "runs.postman_collection.json").read_text(
            encoding="utf-8"
        ),
    }
    for name, text in TREE.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(contents.get(text, text), encoding="utf-8")
    return list(TREE)


def test_every_hook_has_what_pre_commit_requires() -> None:
    assert [h["id"] for h in HOOKS] == ["runconform-validate", "runconform-validate-cassettes"]
    for hook in HOOKS:
        assert {"id", "name", "entry", "language", "files"} <= hook.keys()
        assert hook["language"] == "python"  # pre-commit installs this repository with pip


def test_each_hook_selects_only_the_files_of_its_purpose() -> None:
    names = list(TREE)
    assert _selected(_hook("runconform-validate"), names) == [
        "tests/recordings/knock/run.json",
        "recordings/xceptor/runs.jsonl",
        "tests/fixtures/runs/list.yaml",
        "exports/nightly.runs.jsonl",
    ]
    assert _selected(_hook("runconform-validate-cassettes"), names) == [
        "tests/cassettes/test_runs.yaml",
        "captures/session.har",
        "api.postman_collection.json",
    ]
    for config in (".pre-commit-config.yaml", "package.json", "runs.jsonl.bak", "README.md"):
        assert not any(_selected(h, [config]) for h in HOOKS), config


def test_every_hook_passes_a_repository_with_config_files_and_good_recordings(
    tmp_path: Path,
) -> None:
    """The user forgot `files:`: the hooks' defaults hand over recordings only, which pass."""
    names = _write_tree(tmp_path)
    for hook in HOOKS:
        files = _selected(hook, names)
        done = _run(hook, None, files, tmp_path)
        assert done.returncode == 0, (hook["id"], done.stdout + done.stderr)
        assert "no schema" not in done.stdout


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
    assert failed.stdout.splitlines()[0].startswith("bad.jsonl:1:")
    assert ": $.status: error: " in failed.stdout.splitlines()[0]
    assert failed.stdout.splitlines()[-1] == (
        "2 records: 1 conforming, 1 not conforming; 0 unreadable inputs; 1 error, 0 warnings, 0 info"
    )


def test_the_default_args_identify_bare_records(tmp_path: Path) -> None:
    run = example("xceptor.WorkflowRun")
    (tmp_path / "recordings").mkdir()
    (tmp_path / "recordings" / "runs.jsonl").write_text(json.dumps(run) + "\n")
    done = _run(_hook("runconform-validate"), None, ["recordings/runs.jsonl"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_selected_file_that_holds_no_run_fails_and_says_why(tmp_path: Path) -> None:
    """Not skipped: a recording that drifted beyond recognition must not pass the hook."""
    (tmp_path / "recordings").mkdir()
    (tmp_path / "recordings" / "notes.json").write_text('{"title": "not a run"}\n')
    done = _run(_hook("runconform-validate"), None, ["recordings/notes.json"], tmp_path)
    assert done.returncode == 2
    assert done.stdout.startswith("recordings/notes.json:1: $: error: ")


# -- the release tag scheme -------------------------------------------------------------------


def _version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def test_the_documented_rev_is_the_tag_of_the_current_version() -> None:
    """README and the hooks file show `rev: vX.Y.Z`, the tag `pre-commit autoupdate` follows."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    hooks_file = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    revs = re.findall(r"^\s*#?\s*rev: (\S+)", readme + hooks_file, flags=re.MULTILINE)
    assert revs and set(revs) == {f"v{_version()}"}


def test_release_tag_prints_the_tag_and_checks_one() -> None:
    tool = [sys.executable, str(ROOT / "tools" / "release_tag.py")]
    printed = subprocess.run(tool, capture_output=True, text=True, timeout=30)
    assert (printed.returncode, printed.stdout) == (0, f"v{_version()}\n")
    agreed = subprocess.run([*tool, "--check", f"v{_version()}"], capture_output=True, timeout=30)
    assert agreed.returncode == 0
    refused = subprocess.run(
        [*tool, "--check", "v9.9.9"], capture_output=True, text=True, timeout=30
    )
    assert refused.returncode == 1
    assert refused.stderr == (
        f"release_tag: v9.9.9 is not v{_version()}, the tag of pyproject's version\n"
    )
