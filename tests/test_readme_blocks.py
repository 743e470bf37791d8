"""Every shell and Python block of README.md runs as written, and every flag the README
shows is spelled as the named command's `--help` spells it.

Only what the README leaves to the reader is substituted, each by a rule below: a base URL
becomes a simulator this test starts on 127.0.0.1 (with its token and a run id it holds),
the install step is the package already installed, the input files a command names are made
(real recordings and fixtures of the object the command names), and sizes are scaled down
for the time budget (the flags and their combination stay as written). The pytest section's
blocks are run by test_readme_pytest.py.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import click
import pytest
from conftest import example
from test_readme_pytest import FENCE, pytest_section

from conformance.cli import cli
from conformance.generate import generate, run_factory
from conformance.simulator import start

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
RECORDINGS = ROOT / "contracts" / "recordings"
BIN = Path(sys.executable).parent
SHELLS = ("sh", "bash", "shell", "console")
TOKEN = "readme-token"

#: Counts scaled down for the time budget: (flag, as written) -> what runs.
SCALED = {
    ("--fixtures", "500"): "5",
    ("--max-examples", "50"): "3",
    ("--max-examples", "20"): "2",
    ("-n", "10000"): "100",
    ("-n", "500"): "50",
}
#: Commands the README shows failing on purpose, with the exit code they document.
EXPECTED_EXIT = {
    "runconform schemas lint --as-published": 3,  # "the traps in the vendors' own material"
    # Hatchet's catalogue split against its own document: two enum values a client meets
    "runconform diff tests/data/hatchet-catalogue-split contracts/hatchet/upstream-openapi "
    "--recordings contracts/recordings/hatchet": 1,
}
#: Folders of the repository a command names (the diff of two real contracts): copied.
FROM_REPOSITORY = (
    "tests/data/hatchet-catalogue-split",
    "contracts/hatchet",
    "contracts/recordings",
)
#: The README's test command is this suite: a quick module of it stands in for the whole.
SUITE = "pytest -q -p no:cacheprovider tests/test_layering.py"


def readme_blocks(languages: tuple[str, ...]) -> list[tuple[int, str]]:
    """(line number, text) of each fenced block in `languages`, outside the pytest section."""
    text = README.read_text(encoding="utf-8")
    skipped = pytest_section()
    found = []
    for match in FENCE.finditer(text):
        if match.group(1) in languages and match.group(0) not in skipped:
            found.append((text[: match.start()].count("\n") + 1, match.group(2)))
    return found


def commands(block: str) -> list[str]:
    """The block's command lines: continuations joined, comment-only lines left out."""
    joined = re.sub(r"\\\n\s*", "", block)
    return [line for line in joined.splitlines() if line.strip() and not line.startswith("#")]


# -- substitution -----------------------------------------------------------------------------


class Simulators:
    """One simulator per vendor, started when a command first needs it."""

    def __init__(self) -> None:
        self.running: dict[str, Any] = {}
        self._stops: list[Any] = []
        self._lock = threading.Lock()

    def __call__(self, vendor: str) -> Any:
        with self._lock:
            return self._started(vendor)

    def _started(self, vendor: str) -> Any:
        if vendor not in self.running:
            context = start(vendor, seed=0, token=TOKEN)
            self.running[vendor] = context.__enter__()
            self._stops.append(context)
        return self.running[vendor]

    def close(self) -> None:
        for context in reversed(self._stops):
            context.__exit__(None, None, None)


def _vendor_of(line: str) -> str:
    named = re.search(r"runconform contract (\w+)|--vendor (\w+)|--schema (\w+)\.", line)
    assert named, f"no vendor to simulate in: {line}"
    return next(g for g in named.groups() if g)


def substituted(line: str, sims: Simulators) -> str:
    """The README's placeholders replaced; what the reader would type stays as written."""
    segments = [s for s in line.split(" && ") if not s.startswith("python3 -m venv")]
    segments = [s for s in segments if "pip install" not in s]  # installed already
    line = " && ".join(segments).replace(".venv/bin/pytest", SUITE).replace(".venv/bin/", "")
    for (flag, written), scaled in SCALED.items():
        line = re.sub(rf"(?<!\S){re.escape(flag)} {written}(?!\S)", f"{flag} {scaled}", line)
    urls = r"https://api\.example\.\w+(?:/v1(?=\s))?|http://127\.0\.0\.1:PORT"  # a base URL's /v1
    if re.search(urls, line):
        sim = sims(_vendor_of(line))
        line = re.sub(urls, sim.url, line)
        known = sim.known_path_parameters()
        line = re.sub(
            r"(\w+)=(?:\.\.\.|RUN_ID)", lambda m: f"{m[1]}={known.get(m[1], TOKEN)}", line
        )
        line = line.replace("/RUN_ID", f"/{known.get('id', TOKEN)}")  # a run the simulator has
        line = line.replace("Bearer ...", f"Bearer {TOKEN}")
    return line


def _object_for(line: str) -> str | None:
    named = re.search(r"--(?:schema|from) ([\w.]+)", line)
    return named.group(1) if named else None


def make_inputs(line: str, cwd: Path, produced: set[Path]) -> None:
    """The files the command reads, unless an earlier command of the block wrote them."""
    words = shlex.split(line.split(" #")[0])
    outputs = {
        words[i + 1]
        for i, w in enumerate(words[:-1])
        if w in ("-o", "--output", "--report-dir", ">")
    }
    name = _object_for(line)
    for word in words:
        path = cwd / word
        if word in outputs or word.startswith("-") or path in produced:
            continue
        if word.startswith(FROM_REPOSITORY):
            shutil.rmtree(path, ignore_errors=True)
            shutil.copytree(ROOT / word, path)
            continue
        if word.endswith("/") or word == "recordings":
            shutil.rmtree(path, ignore_errors=True)
            if name:
                path.mkdir(parents=True)
                _write_runs(path / "runs.jsonl", name)
            else:  # routed or identified within the vendor: that vendor's real recordings
                vendor = re.search(r"--vendor (\w+)", line)
                shutil.copytree(RECORDINGS / (vendor.group(1) if vendor else "knock"), path)
        elif word.endswith("cassette.yaml"):
            shutil.copy(RECORDINGS / "hatchet" / "runs.cassette.yaml", path)
        elif word.endswith((".json", ".jsonl")):
            path.parent.mkdir(parents=True, exist_ok=True)
            if name and "--to " in line:  # across vendors: a run both can express
                path.write_text(json.dumps(run_factory(name, status="completed")))
            elif name and word.endswith(".json"):  # the hand-written example: a typical run
                path.write_text(json.dumps(example(name)))
            elif name:
                _write_runs(path, name)
            else:  # pasted: a run to identify
                path.write_text(json.dumps(example("knock.WorkflowRecipientRun")))


def _write_runs(path: Path, name: str) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in generate(name, 3, seed=1)))


def _files(cwd: Path) -> set[Path]:
    return set(cwd.rglob("*"))


def _serve(line: str, cwd: Path, env: dict[str, str]) -> str | None:
    """`runconform serve` serves until stopped: its first line is the URL it serves at."""
    command = shlex.split(line.split(" #")[0])
    with subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, text=True) as server:
        assert server.stdout is not None
        first = server.stdout.readline()
        server.terminate()
        server.wait(timeout=30)
    return None if re.fullmatch(r"http://127\.0\.0\.1:\d+\n", first) else f"{line}: {first!r}"


@pytest.fixture
def sims() -> Iterator[Simulators]:
    running = Simulators()
    yield running
    running.close()


def _run_block(
    number: int, block: str, cwd: Path, sims: Simulators, env: dict[str, str], seen: set[str]
) -> tuple[list[str], int]:
    """(failures, commands run) of one block, its commands in order in one folder."""
    failures, ran = [], 0
    cwd.mkdir()
    produced: set[Path] = set()
    for written in commands(block):
        line = substituted(written, sims)
        if line.startswith("runconform serve"):
            problem = _serve(line, cwd, env)
            failures += [f"README.md:{number}: {problem}"] if problem else []
            continue
        make_inputs(line, cwd, produced)
        if line in seen:  # the same command in another block (the tour): run once
            continue
        seen.add(line)
        before = _files(cwd)
        here = ROOT if SUITE in line else cwd
        done = subprocess.run(
            ["bash", "-c", line], cwd=here, env=env, capture_output=True, text=True, timeout=300
        )
        produced |= _files(cwd) - before
        ran += 1
        if done.returncode != EXPECTED_EXIT.get(written.split(" #")[0].strip(), 0):
            failures.append(
                f"README.md:{number}: {written}\n  ran: {line}\n  exit {done.returncode}: "
                f"{(done.stderr or done.stdout).strip()[-600:]}"
            )
    return failures, ran


def test_every_shell_block_runs_as_written(tmp_path: Path, sims: Simulators) -> None:
    """Blocks are independent, so two run at a time (the machine has two cores)."""
    env = {**os.environ, "NO_COLOR": "1", "KNOCK_TOKEN": TOKEN}
    env["PATH"] = f"{BIN}:{env['PATH']}"
    seen: set[str] = set()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(
            pool.map(
                lambda nb: _run_block(nb[0], nb[1], tmp_path / f"block-{nb[0]}", sims, env, seen),
                readme_blocks(SHELLS),
            )
        )
    failures = [f for found, _ in results for f in found]
    assert sum(ran for _, ran in results) >= 25
    assert failures == [], "\n".join(failures)


#: Appended to a Python block: call the tests it defines, as pytest would.
_CALL_TESTS = """
for _name, _test in list(globals().items()):
    if _name.startswith("test_") and callable(_test):
        _test()
"""


#: The suite's Hypothesis settings for a block's @given tests: few examples, and no
#: too-slow health check on a shared machine.
_HYPOTHESIS_PROFILE = (
    "from hypothesis import HealthCheck, settings",
    'settings.register_profile("readme", max_examples=10, suppress_health_check=list(HealthCheck))',
    'settings.load_profile("readme")',
)


def _placeholders(code: str) -> str:
    """Python for the names the block uses but leaves to the reader: `run`, `task`, given as
    a real object of the vendor.Object the block passes them with."""
    defined = set(re.findall(r"^(\w+) =|^for (\w+) in", code, flags=re.MULTILINE))
    names = {n for pair in defined for n in pair if n}
    lines = ["import json", *_HYPOTHESIS_PROFILE]
    for name, obj in re.findall(r"\((\w+), \"(\w+\.\w+)\"", code):
        if name not in names:
            sample = json.dumps(example(obj))
            lines.append(f"{name} = json.loads({sample!r})")
            names.add(name)
    return "\n".join(lines) + "\n"


def _readers_files(cwd: Path) -> None:
    """What the Python blocks name besides recordings: an errata file of the reader's own
    (`ours.yaml`) and two versions of a contract (`old/`, `new/`)."""
    erratum = {
        "id": "ours-knock-status-failed",
        "object": "knock.WorkflowRecipientRun",
        "rationale": "Our Knock account reports failed runs.",
        "evidence": "seen in our recordings",
        "patch": [{"op": "add", "path": "/properties/status/enum/-", "value": "failed"}],
    }
    (cwd / "ours.yaml").write_text(json.dumps({"errata": [erratum]}), encoding="utf-8")
    shutil.copytree(ROOT / "tests" / "data" / "hatchet-catalogue-split", cwd / "old")
    shutil.copytree(ROOT / "contracts" / "hatchet" / "upstream-openapi", cwd / "new")


def test_every_python_block_runs_as_written(tmp_path: Path) -> None:
    failures = []
    blocks = readme_blocks(("python",))
    assert len(blocks) >= 5
    for number, code in blocks:
        cwd = tmp_path / f"block-{number}"
        shutil.copytree(RECORDINGS / "knock", cwd / "recordings")  # the reader's recordings
        _readers_files(cwd)
        program = _placeholders(code) + code + _CALL_TESTS
        done = subprocess.run(
            [sys.executable, "-c", program], cwd=cwd, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            failures.append(f"README.md:{number}:\n{done.stderr.strip()[-800:]}")
    assert failures == [], "\n".join(failures)


# -- flags ------------------------------------------------------------------------------------

_OPTION_COLUMN = re.compile(r"^  (-[^ ].*?)(?:  |$)")
_FLAG = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def help_flags(command: click.Command, path: list[str]) -> set[str]:
    """The flags `runconform PATH --help` lists in its options (hidden ones are not listed)."""
    # with the group's help names: click caches a command's help option from the first
    # context that asks, and a bare one would leave `-h` out for every later test
    context = click.Context(
        command, info_name=" ".join(["runconform", *path]), help_option_names=["-h", "--help"]
    )
    listed = set()
    for line in command.get_help(context).splitlines():
        column = _OPTION_COLUMN.match(line)
        if column:
            listed |= set(_FLAG.findall(column.group(1)))
    return listed


def resolve(words: list[str]) -> tuple[click.Command, list[str], list[str]]:
    """(command, its path, the words after it) for `runconform WORDS...`."""
    command: click.Command = cli
    path: list[str] = []
    while isinstance(command, click.Group) and words and words[0] in command.commands:
        path.append(words[0])
        command = command.commands[words[0]]
        words = words[1:]
    return command, path, words


def readme_invocations() -> list[tuple[int, str]]:
    """(line, `runconform ...`) in the README's shell blocks and inline code."""
    text = README.read_text(encoding="utf-8")
    found = []
    for number, block in readme_blocks(SHELLS):
        for line in commands(block):
            for part in re.split(r" && | \| | > ", line.split(" #")[0]):
                at = part.find("runconform ")
                if at != -1 and not part[at - 1 : at].strip("/"):
                    found.append((number, part[at:]))
    for match in re.finditer(r"`(runconform [^`]+)`", text):
        found.append((text[: match.start()].count("\n") + 1, match.group(1)))
    return found


def test_the_readme_spells_every_flag_as_help_does() -> None:
    wrong, checked = [], 0
    for number, invocation in readme_invocations():
        command, path, rest = resolve(invocation.split()[1:])
        listed = help_flags(command, path)
        for flag in (w.split("=")[0] for w in rest if _FLAG.fullmatch(w.split("=")[0])):
            checked += 1
            if flag not in listed:
                wrong.append(f"README.md:{number}: runconform {' '.join(path)}: {flag}")
    assert checked >= 40
    assert wrong == [], "\n".join(wrong)


def test_a_flag_missing_from_help_would_be_found() -> None:
    command, path, rest = resolve(["validate", "x.json", "--no-such-flag"])
    assert path == ["validate"] and rest == ["x.json", "--no-such-flag"]
    listed = help_flags(command, path)
    assert "--identify" in listed and "-q" in listed and "--no-such-flag" not in listed
