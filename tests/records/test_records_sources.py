"""Sources and resources: directories, unreadable files, huge files, and the value types."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from records_support import read, write

from conformance.records import (
    PROBLEM_KINDS,
    HttpExchange,
    Locator,
    ReadProblem,
    Record,
    read_records,
)
from conformance.records import reader as reader_module


def where(items: list[Record | ReadProblem], root: Path) -> list[str]:
    return [str(item.locator).removeprefix(f"{root}/") for item in items]


def test_directories_are_walked_sorted_skipping_hidden(tmp_path: Path) -> None:
    write(tmp_path, "recs/b.jsonl", '{"n": 2}\n')
    write(tmp_path, "recs/a.json", '{"n": 1}')
    write(tmp_path, "recs/sub/c.yaml", "n: 3\n")
    write(tmp_path, "recs/.hidden.json", '{"n": 0}')
    write(tmp_path, "recs/.git/d.json", '{"n": 0}')
    write(tmp_path, "recs/README.md", "# not a recording\n")
    write(tmp_path, "recs/notes.txt", "not a recording either\n")
    extra = write(tmp_path, "extra.txt", '{"n": 4}')  # named explicitly: read whatever its suffix
    items = read([tmp_path / "recs", extra])
    assert where(items, tmp_path) == [
        "recs/a.json:1",
        "recs/b.jsonl:1",
        "recs/sub/c.yaml:1",
        "extra.txt:1",
    ]
    assert [item.payload for item in items if isinstance(item, Record)] == [
        {"n": 1},
        {"n": 2},
        {"n": 3},
        {"n": 4},
    ]


def test_directory_without_recordings(tmp_path: Path) -> None:
    write(tmp_path, "docs/README.md", "# nothing to read\n")
    write(tmp_path, "docs/.cache.json", "{}")
    items = read(str(tmp_path / "docs"))
    assert [(str(item), item.kind) for item in items] == [  # type: ignore[union-attr]
        (
            f"{tmp_path}/docs: no recording files (*.json, *.jsonl, *.ndjson, *.yaml, *.yml,"
            " *.har) in this directory",
            "no-files",
        )
    ]


def test_other_inputs_still_read(tmp_path: Path) -> None:
    good = write(tmp_path, "good.json", '{"ok": true}')
    items = read([tmp_path / "missing.json", os.devnull, good])
    assert [str(item) if isinstance(item, ReadProblem) else item.payload for item in items] == [
        f"{tmp_path}/missing.json: cannot read: No such file or directory",
        f"{os.devnull}: cannot read: not a regular file",
        {"ok": True},
    ]


def _summary(paths: list[str]) -> list[list[str]]:
    return [
        ["record", str(item.locator)] if isinstance(item, Record) else [item.kind, str(item)]
        for item in read_records(paths)
    ]


def _read_as_nobody(paths: list[str]) -> list[list[str]]:
    """``_summary`` from a forked child that has dropped root for the "nobody" user."""
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        status = 0
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            os.write(writable, json.dumps(_summary(paths)).encode())
        except BaseException as error:
            os.write(writable, json.dumps(repr(error)).encode())
            status = 1
        finally:
            os._exit(status)
    os.close(writable)
    with os.fdopen(readable, "rb") as pipe:
        output = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, output
    return json.loads(output)


def test_permission_denied_is_a_problem() -> None:
    # A real permission check: as root, read from a process running as "nobody".
    folder = Path(tempfile.mkdtemp(prefix="records-perm-"))
    try:
        folder.chmod(0o755)
        secret = folder / "secret.json"
        secret.write_text('{"a": 1}')
        secret.chmod(0o000)
        good = folder / "good.json"
        good.write_text('{"a": 2}')
        good.chmod(0o644)
        paths = [str(secret), str(good)]
        found = _read_as_nobody(paths) if os.geteuid() == 0 else _summary(paths)
        assert found == [
            ["unreadable", f"{secret}: cannot read: Permission denied"],
            ["record", f"{good}:1"],
        ]
    finally:
        for child in folder.iterdir():
            child.unlink()
        folder.rmdir()


def _bytes_read() -> int:
    """Bytes this process has read through read(2) so far (Linux)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux /proc/self/io")
def test_one_gigabyte_file_is_refused_from_a_prefix(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as fh:
        fh.truncate(1 << 30)  # sparse: 1 GiB of NUL bytes that take no disk space
    before = _bytes_read()
    items = read(path)
    used = _bytes_read() - before
    assert [(item.kind, str(item)) for item in items] == [  # type: ignore[union-attr]
        ("not-a-recording", f"{path}: not a recording: binary data (NUL bytes)")
    ]
    assert used < 1 << 20, f"read {used:,} bytes of a 1 GiB file"


MEMORY_PROBE = """
import sys
from conformance.records import Record, read_records
def peak_kib():  # VmHWM is this process's own: ru_maxrss keeps the parent's peak across exec
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
before = peak_kib()
count = problems = 0
kept = []  # the control run keeps every record, to show the probe sees retained memory
for item in read_records(sys.argv[1]):
    count += 1
    problems += not isinstance(item, Record)
    if len(sys.argv) > 2:
        kept.append(item)
print(count, problems, peak_kib() - before)
"""


def _big_lines(count: int) -> Iterator[str]:
    steps = [
        {"name": f"step-{k}", "status": "succeeded", "duration_ms": k * 1000} for k in range(8)
    ]
    for index in range(count):
        yield json.dumps({"id": f"run_{index:08d}", "steps": steps, "note": "x" * 400})


@pytest.mark.parametrize("name", ["big.jsonl", "big.json"])
def test_streaming_keeps_memory_flat(name: str, tmp_path: Path) -> None:
    count = 60_000
    path = tmp_path / name
    with path.open("w") as fh:
        if name.endswith(".jsonl"):
            fh.writelines(line + "\n" for line in _big_lines(count))
        else:
            fh.write("[\n" + ",\n".join(_big_lines(count)) + "\n]\n")
    size = path.stat().st_size
    assert size > 50_000_000

    def probe(*extra: str) -> int:
        command = [sys.executable, "-c", MEMORY_PROBE, str(path), *extra]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        records, problems, growth_kib = map(int, done.stdout.split())
        assert (records, problems) == (count, 0)
        return growth_kib * 1024

    growth = probe()
    assert growth < size / 5, f"peak RSS grew {growth:,} bytes reading {size:,} bytes"
    if name.endswith(".jsonl"):
        assert probe("keep") > size, "the probe should see records that are kept"


def test_reader_bugs_become_problems(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    def broken(*args: object) -> Iterator[Record]:
        raise KeyError("boom")
        yield  # pragma: no cover

    monkeypatch.setitem(reader_module.READERS, "yaml", broken)
    bad = write(tmp_path, "a.yaml", "a: 1\n")
    good = write(tmp_path, "b.json", "[1]")
    items = read([bad, good])
    assert [(item.kind, item.message) for item in items if isinstance(item, ReadProblem)] == [
        ("internal-error", "internal error in the yaml reader: KeyError: 'boom'")
    ]
    assert [item.payload for item in items if isinstance(item, Record)] == [1]


def test_every_problem_kind_is_documented(tmp_path: Path) -> None:
    write(tmp_path, "k/a.json", "[1, 2")
    write(tmp_path, "k/b.jsonl", b'{"a": 1}\n\xff\n{"a": NaN}\n' + b"[" * 600 + b"\n")
    write(tmp_path, "k/c.yaml", "a: !!python/name:os.system\n---\nb: !!binary aGk=\n")
    write(tmp_path, "k/d.json", "")
    write(tmp_path, "k/e.json", "\x00")
    kinds = {item.kind for item in read(tmp_path / "k") if isinstance(item, ReadProblem)}
    assert kinds == {
        "malformed-json",
        "invalid-utf8",
        "too-deep",
        "unsafe-yaml",
        "not-json-value",
        "empty-file",
        "not-a-recording",
    }
    assert kinds <= set(PROBLEM_KINDS)


def test_values_are_frozen_and_print_for_people() -> None:
    with_line = Locator("runs.jsonl", 16, 17, "line 17")
    without_line = Locator("runs.json", 3, None, "record[3]")
    whole_file = Locator("runs.json", None, None, "")
    assert [str(with_line), str(without_line), str(whole_file)] == [
        "runs.jsonl:17",
        "runs.json:record[3]",
        "runs.json",
    ]
    problem = ReadProblem(
        with_line, "invalid JSON: Expecting value (line 17, column 1)", "malformed-json"
    )
    assert str(problem) == "runs.jsonl:17: invalid JSON: Expecting value (line 17, column 1)"
    record = Record(
        without_line, {"id": 1}, HttpExchange("GET", "http://x/runs", "/runs", 200, None)
    )
    with pytest.raises(AttributeError):  # immutable
        record.payload = None  # type: ignore[misc]
    assert record == Record(
        without_line, {"id": 1}, HttpExchange("GET", "http://x/runs", "/runs", 200, None)
    )
    assert hash(with_line) == hash(Locator("runs.jsonl", 16, 17, "line 17"))


def test_stream_is_lazy_and_closes_files(tmp_path: Path) -> None:
    path = write(tmp_path, "many.jsonl", "".join(f'{{"n": {n}}}\n' for n in range(1000)))
    stream = read_records(path)
    first = next(stream)
    assert isinstance(first, Record)
    assert first.payload == {"n": 0}
    stream.close()  # type: ignore[attr-defined]
