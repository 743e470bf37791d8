"""What a run is cut into: the units of work `--jobs` and Dask hand their workers.

A worker that can read the input itself is sent names, not bytes: a plain local JSONL
file as blocks of whole lines named by byte range (about 2 MB each), any other local
recording (a HAR, a cassette, a compressed JSONL file) as one `DocumentFile`, and so is
a URL that any worker can open: no credentials in it (they would travel with the work,
and a worker's log names a failed task's arguments) and not `memory://` (which is this
process's own). Standard input, the other URLs, and a folder with a problem to say are
read here, as `read_units` reads them: their blocks carry their bytes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from conformance.engines.blocks import DocumentFile, Unit
from conformance.records import ReadProblem, Record, detect_format, read_units
from conformance.records.decompressed import compression_of
from conformance.records.documents import LineBlock
from conformance.records.inputs import is_url, shown_name, url_files
from conformance.records.meter import ReadMeter
from conformance.records.recording_files import recording_files
from conformance.records.stdin import STDIN

__all__ = ["BLOCK_BYTES", "RECORDS_PER_UNIT", "file_units", "read_units_of", "worker_readable"]

BLOCK_BYTES = 1 << 21  # about 1,600 records of 1.3 KB per unit of work
RECORDS_PER_UNIT = 1000  # for formats that are decoded in the reading process


def read_units_of(
    paths: list[str | Path],
    input_format: str | None,
    by_reference: bool = False,
    meter: ReadMeter | None = None,
) -> Iterator[Unit]:
    """JSONL blocks as they come; other records grouped into lists."""
    pending: list[Record | ReadProblem] = []
    blocks = read_units(
        paths, format=input_format, block_size=BLOCK_BYTES, by_reference=by_reference, meter=meter
    )
    for unit in blocks:
        if isinstance(unit, LineBlock):
            if pending:
                yield pending
                pending = []
            yield unit
        else:
            pending.append(unit)
            if len(pending) >= RECORDS_PER_UNIT:
                yield pending
                pending = []
    if pending:
        yield pending


def file_units(paths: list[str | Path], input_format: str | None) -> Iterator[Unit]:
    """The units of `paths` for workers that read their own input (the module says which)."""
    forced = input_format.lower() if input_format else None
    for source in paths:
        name = os.fsdecode(source)
        if name == STDIN:
            yield from read_units_of([source], input_format, by_reference=True)
            continue
        if is_url(name):
            yield from _url_units(name, input_format)
            continue
        files = [name]
        if os.path.isdir(name):
            errors: list[OSError] = []
            files = list(recording_files(name, errors))  # names only: bounded by the folder
            if errors or not files:  # its problems are said where `read_records` says them
                yield from read_units_of([source], input_format, by_reference=True)
                continue
        for path in files:
            if _whole(path, forced):
                yield DocumentFile(path, input_format)
            else:  # plain JSONL cut into ranges; a URL (or a file gone) read here
                yield from read_units_of([path], input_format, by_reference=True)


def _whole(path: str, forced: str | None) -> bool:
    """Whether a worker reads `path` whole: a local file that is not plain JSONL."""
    if not os.path.isfile(path):
        return False
    return (forced or detect_format(path)) not in ("jsonl", "ndjson") or _compressed(path)


def _compressed(path: str) -> bool:
    try:
        with open(path, "rb") as raw:
            return compression_of(raw) is not None
    except OSError:
        return False  # said when it is read


def _url_units(url: str, input_format: str | None) -> Iterator[Unit]:
    """A URL (or each file of a URL folder) by name when a worker can open it; else
    read here. A folder that cannot be listed is read here too, to say why."""
    if not worker_readable(url):
        yield from read_units_of([url], input_format, by_reference=True)
        return
    try:
        files = url_files(url)
    except OSError:
        files = []
    if files is None:  # not a folder: a file, or nothing (the worker says which)
        files = [url]
    if not files:  # empty, or unlistable: said where `read_records` says it
        yield from read_units_of([url], input_format, by_reference=True)
        return
    for file in files:
        if worker_readable(file):
            yield DocumentFile(file, input_format)
        else:
            yield from read_units_of([file], input_format, by_reference=True)


def worker_readable(url: str) -> bool:
    """Whether another process can open `url` by name, and may be sent it."""
    protocol = url.partition("://")[0].rpartition("::")[2].lower()
    return protocol != "memory" and shown_name(url) == url
