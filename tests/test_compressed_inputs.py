"""Compressed and remote recordings, wherever a recording path is read.

gzip, bz2, xz and zstd files (written here by the codecs' own writers) read as their
content: the same findings, lines and columns as the uncompressed file, only the name
differs. Damage mid-stream is unreadable input (exit 4) at the line it lies in, after the
records before it are judged; a decompression bomb is one record over the limit. fsspec
URLs (`memory://`, `file://`) read like paths and folders, credentials never shown.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import shutil
import subprocess
import sys
import uuid
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import fsspec
import pytest
import zstandard
from conftest import example

from conformance import read_records

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = ROOT / "contracts" / "recordings"
RUN = "xceptor.WorkflowRun"
GOOD = json.dumps(example(RUN)) + "\n"


def _gzip_members(data: bytes) -> bytes:
    half = len(data) // 2
    return gzip.compress(data[:half], mtime=0) + gzip.compress(data[half:], mtime=0)


def _zstd_frames(data: bytes) -> bytes:
    half = len(data) // 2
    compressor = zstandard.ZstdCompressor(write_checksum=True)
    return compressor.compress(data[:half]) + compressor.compress(data[half:])


#: codec case -> (suffix, writer)
CODECS: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "gzip": (".gz", lambda data: gzip.compress(data, mtime=0)),
    "gzip, two members": (".gz", _gzip_members),
    "bz2": (".bz2", bz2.compress),
    "xz": (".xz", lzma.compress),
    "zstd": (".zst", zstandard.ZstdCompressor(write_checksum=True).compress),
    "zstd, two frames": (".zst", _zstd_frames),
}
#: recording -> a schema its records do not all meet, so there are findings to place
RECORDINGS_WITH_FINDINGS = {
    "xceptor/runs.jsonl": "knock.WorkflowRecipientRun",
    "knock/session.har": RUN,
    "hatchet/runs.cassette.yaml": RUN,
    "restack/runs.yaml": RUN,
}


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(name: str, data: bytes, codec: str) -> str:
    suffix, compress = CODECS[codec]
    Path(name + suffix).write_bytes(compress(data))
    return name + suffix


@pytest.mark.parametrize("recording", sorted(RECORDINGS_WITH_FINDINGS))
@pytest.mark.parametrize("codec", sorted(CODECS))
def test_a_compressed_recording_reads_as_its_content(
    run_cli, in_tmp: Path, codec: str, recording: str
) -> None:
    name = Path(recording).name
    data = (RECORDINGS / recording).read_bytes()
    Path(name).write_bytes(data)
    packed = _write(name, data, codec)
    schema = RECORDINGS_WITH_FINDINGS[recording]
    for output_format in ("text", "json"):
        plain = run_cli("validate", "--schema", schema, "--output-format", output_format, name)
        code, out, err = run_cli(
            "validate", "--schema", schema, "--output-format", output_format, packed
        )
        assert (code, out.replace(packed, name), err) == plain
        assert code == 1
    # findings are placed by line and column inside the decompressed text
    code, out, _ = run_cli("validate", "--schema", schema, packed)
    placed = [line for line in out.splitlines() if ": error: " in line]
    assert any(line.split(":")[2].isdigit() for line in placed), placed[:3]


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_jobs_two_on_a_compressed_jsonl_equals_jobs_one(
    run_cli, in_tmp: Path, codec: str, fmt: str
) -> None:
    """A worker decompresses the file (one unit) and judges it block by block; json
    output lists every clean record, so the joined blocks' indices and lines show."""
    records = [example(RUN) for _ in range(3000)]  # over 2 MiB: several blocks per file
    for index in range(0, 3000, 700):
        records[index] = {**records[index], "status": 17}
    data = "".join(json.dumps(record) + "\n" for record in records).encode()
    data += b"not json\n" + GOOD.encode()
    assert len(data) > 2 << 20  # BLOCK_BYTES: more than one block
    packed = _write("runs.jsonl", data, codec)
    shown = ("--output-format", fmt)
    one = run_cli("validate", "--schema", RUN, "--jobs", "1", *shown, packed)
    two = run_cli("validate", "--schema", RUN, "--jobs", "2", *shown, packed)
    assert one == two
    assert one[0] == 4
    if fmt == "json":
        results = json.loads(one[1])["results"]
        assert [r["locator"]["index"] for r in results] == list(range(3002))
        assert [r["line"] for r in results] == list(range(1, 3003))
        return
    assert f"{packed}:3001: $: error: invalid JSON: Expecting value" in one[1]
    assert one[1].splitlines()[-1].startswith("3,001 records: 2,996 conforming, 5 not conforming;")


def _truncated(codec: str, data: bytes) -> tuple[bytes, bytes]:
    """The first half of `data` compressed, and what its decompressor gives of it."""
    compress = CODECS[codec][1]
    packed = bz2.compress(data, 1) if codec == "bz2" else compress(data)  # bz2: 100 kB blocks
    cut = packed[: len(packed) // 2]
    if codec == "gzip":
        given = zlib.decompressobj(wbits=31).decompress(cut)
    elif codec == "bz2":
        given = bz2.BZ2Decompressor().decompress(cut)
    elif codec == "xz":
        given = lzma.LZMADecompressor().decompress(cut)
    else:
        given = zstandard.ZstdDecompressor().decompressobj().decompress(cut)
    return cut, given


@pytest.mark.parametrize("codec", ["gzip", "bz2", "xz", "zstd"])
def test_a_truncated_stream_is_unreadable_at_the_line_reached(
    run_cli, in_tmp: Path, codec: str
) -> None:
    data = "".join(json.dumps({**example(RUN), "n": n}) + "\n" for n in range(1500)).encode()
    cut, given = _truncated(codec, data)
    assert 0 < given.count(b"\n") < 1500
    name = "runs.jsonl" + CODECS[codec][0]
    Path(name).write_bytes(cut)
    Path("z-good.json").write_text(GOOD)
    code, out, err = run_cli("validate", "--schema", RUN, name, "z-good.json")
    assert (code, err) == (4, "")
    # two processes: a worker decompresses it, and meets the end as one process does
    assert run_cli("validate", "--schema", RUN, "--jobs", "2", name, "z-good.json") == (
        code,
        out,
        err,
    )
    lines = out.splitlines()
    reached = given.count(b"\n") + 1
    assert lines[-2] == (
        f"{name}:{reached}: $: error: cannot read: the {codec} data ends early"
        " (a truncated file?) [unreadable]"
    )
    assert lines[-1].startswith(
        f"{reached:,} records: {reached:,} conforming, 0 not conforming; 1 unreadable input;"
        " 1 error, 0 warnings, "
    )


def test_a_corrupt_gzip_stream_names_the_damage(run_cli, in_tmp: Path) -> None:
    data = (GOOD * 3).encode()
    packed = bytearray(gzip.compress(data, mtime=0))
    good_crc = zlib.crc32(data)
    packed[-8:-4] = (good_crc ^ 1).to_bytes(4, "little")  # the trailer's checksum is wrong
    Path("runs.jsonl.gz").write_bytes(bytes(packed))
    Path("z-good.json").write_text(GOOD)
    code, out, err = run_cli("validate", "--schema", RUN, "runs.jsonl.gz", "z-good.json")
    assert (code, err) == (4, "")
    assert out.splitlines()[-2:] == [
        f"runs.jsonl.gz:4: $: error: cannot read: corrupt gzip data (CRC check failed"
        f" {hex(good_crc ^ 1)} != {hex(good_crc)}) [unreadable]",
        "4 records: 4 conforming, 0 not conforming; 1 unreadable input;"
        " 1 error, 0 warnings, 0 info",
    ]


def _zeros(total: int) -> Iterator[bytes]:
    chunk = bytes(1 << 20)
    for _ in range(total // len(chunk)):
        yield chunk


def test_a_decompression_bomb_is_one_record_over_the_limit(run_cli, in_tmp: Path) -> None:
    # 256 MiB of NUL bytes (4 times the record limit) between two good lines, 256 KB on
    # disk, written as it goes; 1 GiB reads the same (measured: 158 MiB peak RSS)
    with gzip.GzipFile("bomb.jsonl.gz", "wb", compresslevel=6, mtime=0) as bomb:
        bomb.write(GOOD.encode())
        for chunk in _zeros(256 << 20):
            bomb.write(chunk)
        bomb.write(b"\n" + GOOD.encode())
    assert os.path.getsize("bomb.jsonl.gz") < 1 << 20
    code, out, err = run_cli("validate", "--schema", RUN, "-v", "bomb.jsonl.gz")
    assert (code, err) == (4, "")
    assert out.splitlines() == [
        f"bomb.jsonl.gz:1: ok ({RUN}, corrected)",
        "bomb.jsonl.gz:2: $: error: line longer than 67,108,864 bytes [too-large-record]",
        f"bomb.jsonl.gz:3: ok ({RUN}, corrected)",
        "2 records: 2 conforming, 0 not conforming; 1 unreadable input;"
        " 1 error, 0 warnings, 0 info",
    ]


def test_a_folder_walk_reads_compressed_recordings(run_cli, in_tmp: Path) -> None:
    Path("runs").mkdir()
    Path("runs/a.jsonl.gz").write_bytes(gzip.compress(GOOD.encode()))
    Path("runs/b.json.xz").write_bytes(lzma.compress(GOOD.encode()))
    Path("runs/notes.txt.gz").write_bytes(gzip.compress(b"not a recording"))
    code, out, err = run_cli("validate", "--schema", RUN, "-v", "runs")
    assert (code, err) == (0, "")
    assert out.splitlines()[:2] == [
        f"runs/a.jsonl.gz:1: ok ({RUN}, corrected)",
        f"runs/b.json.xz:1: ok ({RUN}, corrected)",
    ]


@pytest.fixture
def bucket() -> Iterator[str]:
    """A fresh folder of fsspec's in-memory filesystem (shared by the whole process)."""
    name = f"bucket-{uuid.uuid4().hex[:8]}"
    yield name
    fs = fsspec.filesystem("memory")
    if fs.exists(f"/{name}"):
        fs.rm(f"/{name}", recursive=True)


def _put(url: str, data: bytes) -> None:
    with fsspec.open(url, "wb") as fh:
        fh.write(data)


def test_memory_urls_read_as_files_and_folders(run_cli, bucket: str) -> None:
    _put(f"memory://{bucket}/runs/a.jsonl.gz", gzip.compress(GOOD.encode() * 2))
    _put(f"memory://{bucket}/runs/sub/b.har", (RECORDINGS / "knock/session.har").read_bytes())
    _put(f"memory://{bucket}/runs/.hidden/c.json", GOOD.encode())
    _put(f"memory://{bucket}/runs/readme.md", b"# not a recording")
    code, out, err = run_cli("validate", "--identify", "-v", f"memory://{bucket}/runs/a.jsonl.gz")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"memory://{bucket}/runs/a.jsonl.gz:1: ok ({RUN}, corrected)"
    code, out, err = run_cli("validate", "--identify", "-v", f"memory://{bucket}/runs")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:2] == [
        f"memory://{bucket}/runs/a.jsonl.gz:1: ok ({RUN}, corrected)",
        f"memory://{bucket}/runs/a.jsonl.gz:2: ok ({RUN}, corrected)",
    ]
    assert all(line.startswith(f"memory://{bucket}/runs/sub/b.har:") for line in lines[2:-1])
    assert lines[-1].startswith("8 records: 8 conforming")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_memory_url_with_findings_reads_as_the_local_file(
    run_cli, in_tmp: Path, bucket: str, jobs: str
) -> None:
    """Placing a finding reads the file again while it is being read: fsspec hands every
    opener of a `memory://` file the same object, so that second reader once moved the
    first one's position and garbled a compressed stream past its first findings."""
    good = json.loads(GOOD)
    lines = [
        json.dumps({**good, "status": "DONE" if n % 7 == 0 else good["status"]})
        for n in range(4000)
    ]
    data = gzip.compress(("\n".join(lines) + "\n").encode())
    Path("runs.jsonl.gz").write_bytes(data)
    _put(f"memory://{bucket}/runs.jsonl.gz", data)
    local = run_cli("validate", "--identify", "--jobs", jobs, "runs.jsonl.gz")
    url = run_cli("validate", "--identify", "--jobs", jobs, f"memory://{bucket}/runs.jsonl.gz")
    assert url[1] == local[1].replace("runs.jsonl.gz:", f"memory://{bucket}/runs.jsonl.gz:")
    assert url[0] == local[0] == 1
    assert local[1].splitlines()[-1].startswith("4,000 records: 3,428 conforming, 572 not")


def test_a_file_url_reads_as_the_path(run_cli, in_tmp: Path) -> None:
    Path("runs.jsonl.bz2").write_bytes(bz2.compress(GOOD.encode()))
    url = f"file://{in_tmp}/runs.jsonl.bz2"
    code, out, err = run_cli("validate", "--schema", RUN, "-v", url)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"{url}:1: ok ({RUN}, corrected)"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("memory://{bucket}/missing.jsonl", "memory://{bucket}/missing.jsonl"),
        ("memory://key:secret@{bucket}/x.jsonl", "memory://[REDACTED]@{bucket}/x.jsonl"),
        ("memory://{bucket}/x.jsonl?token=secret", "memory://{bucket}/x.jsonl?[REDACTED]"),
    ],
)
def test_a_url_that_cannot_be_read_is_named_without_its_secrets(
    run_cli, in_tmp: Path, bucket: str, url: str, shown: str
) -> None:
    Path("good.json").write_text(GOOD)
    code, out, err = run_cli(
        "validate", "--schema", RUN, "-v", url.format(bucket=bucket), "good.json"
    )
    assert (code, err) == (4, "")
    assert "secret" not in out
    assert out.splitlines() == [
        f"{shown.format(bucket=bucket)}: $: error: cannot read: no such file or folder"
        " [unreadable]",
        f"good.json:1: ok ({RUN}, corrected)",
        "1 record: 1 conforming, 0 not conforming; 1 unreadable input; 1 error, 0 warnings, 0 info",
    ]


def test_the_python_api_reads_urls_and_compressed_files(bucket: str) -> None:
    _put(
        f"memory://{bucket}/runs.yaml.zst",
        zstandard.ZstdCompressor().compress(b"a: 1\n---\nb: 2\n"),
    )
    found = [(str(r.locator), r.payload) for r in read_records(f"memory://{bucket}/runs.yaml.zst")]
    assert found == [
        (f"memory://{bucket}/runs.yaml.zst:1", {"a": 1}),
        (f"memory://{bucket}/runs.yaml.zst:3", {"b": 2}),
    ]


_WITHOUT = """
import sys
BLOCKED = set(sys.argv[1].split(","))
class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, NotInstalled())
from conformance.cli import main
code = main(sys.argv[2:])
print(sorted({m.partition(".")[0] for m in sys.modules} & {"fsspec", "zstandard"}))
sys.exit(code)
"""


@pytest.mark.parametrize(
    ("blocked", "name", "message"),
    [
        (
            "zstandard",
            "runs.jsonl.zst",
            "reading zstd-compressed recordings needs zstandard, which is not installed:"
            " pip install 'runconform[compressed]'",
        ),
        (
            "fsspec",
            "file://{tmp}/runs.jsonl.zst",
            "reading recordings from URLs needs fsspec, which is not installed:"
            " pip install 'runconform[remote]'",
        ),
    ],
)
def test_without_the_extra_a_clear_error_names_it(
    tmp_path: Path, blocked: str, name: str, message: str
) -> None:
    (tmp_path / "runs.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(GOOD.encode()))
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT, blocked, "validate", name.format(tmp=tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert (done.returncode, done.stderr) == (2, f"runconform: error: {message}\n")


def test_a_local_path_imports_neither_fsspec_nor_zstandard(tmp_path: Path) -> None:
    (tmp_path / "runs.jsonl.gz").write_bytes(gzip.compress(GOOD.encode()))
    shutil.copy(RECORDINGS / "knock/session.har", tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _WITHOUT,
            "",
            "validate",
            "--identify",
            "runs.jsonl.gz",
            "session.har",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


YAML_WITH_REFUSALS = b"a: 1\n---\nb: !!python/object:os.system x\n---\nc: 3\n---\nd: [1, 2\n"


@pytest.mark.parametrize("codec", sorted(CODECS))
def test_yaml_goes_on_after_a_refused_document_as_in_the_plain_file(
    in_tmp: Path, codec: str
) -> None:
    # the YAML reader seeks past a refused document: in a compressed file too
    Path("runs.yaml").write_bytes(YAML_WITH_REFUSALS)
    packed = _write("runs.yaml", YAML_WITH_REFUSALS, codec)

    def read(path: str) -> list[str]:
        return [str(item).replace(path, "FILE") for item in read_records(path)]

    assert read(packed) == read("runs.yaml")
    assert read(packed)[-2:] == [
        "Record(locator=Locator(file='FILE', index=2, line=5, label='document[2]', start=(5, 1)),"
        " payload={'c': 3}, exchange=None)",
        "FILE:8: invalid YAML: did not find expected ',' or ']' while parsing a flow sequence"
        " (line 8, column 1)",
    ]
