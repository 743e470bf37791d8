"""Validate in several processes, in input order, in bounded memory: a transport.

The reading process cuts the input into units (`units.file_units`): blocks of a plain
JSONL file named by byte range, any other recording file (a compressed JSONL one
included) by name. Workers read, split, decode and judge them (`blocks.judge_unit`,
the same choosing and judging as one process), so parsing and decompression scale
with the workers too. Each unit comes back as one
`BlockVerdict`, in which a clean record is just its line number; only records with
findings travel whole. At most `2 * jobs` units are in flight, so memory does not grow
with the input.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

from conformance.engines.blocks import (
    BlockVerdict,
    DocumentFile,
    Judging,
    Unit,
    block_counted,
    block_results,
    clean_template,
    judge_unit,
    judging,
    remember_texts,
)
from conformance.engines.units import file_units, read_units_of
from conformance.records.documents import LineBlock
from conformance.records.meter import ReadMeter, input_bytes
from conformance.report.cases import TalliedResults
from conformance.report.findings import CleanRecords, ValidationResult
from conformance.report.progress import OnProgress, Ticker
from conformance.validation.engine import validate_records
from conformance.validation.options import ValidationOptions

#: What a run yields: a result, a run of clean records, or results a worker only counted.
Judged = ValidationResult | CleanRecords | TalliedResults
V = TypeVar("V")  # what a worker sends back for one unit


def validate_paths(
    paths: Iterable[str | Path],
    *,
    schema: str | None = None,
    vendor: str | None = None,
    identify: bool = False,
    options: ValidationOptions | None = None,
    input_format: str | None = None,
    jobs: int = 1,
    clean: str = "each",
    progress: OnProgress | None = None,
    keep: int | None = None,
    errors_only: bool = False,
) -> Iterator[Judged]:
    """Like `validate_records` over files, with `jobs` worker processes when jobs > 1.

    `clean="count"` lets runs of clean records be stood in for by one `CleanRecords`
    each (see there), in one process or several; `clean="each"` in one process is
    exactly `validate_records`. `progress` hears of the bytes read (stage "validate",
    unit "bytes", total None for standard input) a few times a second. `keep` (with
    `clean="count"`): a worker reading a whole file sends its first `keep` results with
    errors (or warnings, unless `errors_only`) and counts the rest (`TalliedResults`).
    """
    opts = options or ValidationOptions()
    paths = list(paths)
    if jobs <= 1 and clean != "count" and progress is None:
        return validate_records(
            paths,
            schema=schema,
            vendor=vendor,
            identify=identify,
            options=opts,
            format=input_format,
        )
    how = judging(schema, vendor, identify, opts, clean, keep, errors_only)
    if jobs > 1:
        return _in_pool(paths, how, input_format, jobs, progress)
    if progress is None:
        return _in_units(paths, how, input_format)
    meter = ReadMeter()
    ticker = Ticker(progress, "validate", input_bytes(paths), "bytes")
    return _reporting(_in_units(paths, how, input_format, meter), meter, ticker)


def _reporting(results: Iterator[Judged], meter: ReadMeter, ticker: Ticker) -> Iterator[Judged]:
    """`results`, telling `ticker` the bytes read every 64 results and every clean run."""
    ticker.start()
    for seen, result in enumerate(results, 1):
        yield result
        if not seen & 63 or type(result) is CleanRecords:
            ticker.update(meter.done())
    ticker.finish(meter.done())


def _in_units(
    paths: list[str | Path], how: Judging, input_format: str | None, meter: ReadMeter | None = None
) -> Iterator[Judged]:
    """In this process: blocks judged as a worker judges them (clean ones counted)."""
    template = clean_template(how)  # an unknown schema name fails here, before any work
    units = read_units_of(paths, input_format, meter=meter)
    yield from merged_in_order(((u, judge_unit(u, how)) for u in units), template, how.count_clean)


def _in_pool(
    paths: list[str | Path],
    how: Judging,
    input_format: str | None,
    jobs: int,
    progress: OnProgress | None,
) -> Iterator[Judged]:
    """In `jobs` worker processes, which read their units (`file_units`) themselves."""
    template = clean_template(how)  # an unknown schema name fails here, before any work
    # a worker answers with the bundle in force here: `how` carries any user errata
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        done = remembered(_submitted(pool, file_units(paths, input_format), how, 2 * jobs))
        if progress is not None:
            done = judged_progress(done, Ticker(progress, "validate", input_bytes(paths), "bytes"))
        yield from merged_in_order(done, template, how.count_clean)


def remembered(
    done: Iterator[tuple[Unit, BlockVerdict]],
) -> Iterator[tuple[Unit, BlockVerdict]]:
    """`done`, the lines each worker sent back kept here, where findings are placed."""
    for unit, verdict in done:
        if isinstance(unit, LineBlock):
            remember_texts(verdict, unit.file)
        elif isinstance(unit, DocumentFile):
            remember_texts(verdict, unit.path)
        yield unit, verdict


def judged_progress(done: Iterator[tuple[Unit, V]], ticker: Ticker) -> Iterator[tuple[Unit, V]]:
    """`done`, telling `ticker` the bytes of the units judged so far (workers read them:
    nothing is metered here)."""
    ticker.start()
    judged = 0
    for unit, verdict in done:
        yield unit, verdict
        judged += _size(unit)
        ticker.update(judged)
    ticker.finish(judged)


def _size(unit: Unit) -> int:
    if isinstance(unit, LineBlock):
        return unit.length or len(unit.data)
    if isinstance(unit, DocumentFile):
        try:
            return os.path.getsize(unit.path)
        except OSError:
            return 0
    return 0


def _submitted(
    pool: ProcessPoolExecutor, units: Iterator[Unit], how: Judging, window: int
) -> Iterator[tuple[Unit, BlockVerdict]]:
    """(unit, its verdict) in input order, with at most `window` units in flight."""
    in_flight: deque[tuple[Unit, Future[BlockVerdict]]] = deque()
    for unit in units:
        in_flight.append((unit, pool.submit(judge_unit, unit, how)))
        if len(in_flight) >= window:
            done, future = in_flight.popleft()
            yield done, future.result()
    while in_flight:
        done, future = in_flight.popleft()
        yield done, future.result()


def merged_in_order(
    done: Iterable[tuple[Unit, BlockVerdict]], template: ValidationResult, count_clean: bool
) -> Iterator[Judged]:
    """Results with file-wide record indices: a JSONL block counts from its file's start."""
    base: dict[str, int] = {}  # records already seen per JSONL file: its blocks' index offset
    for unit, verdict in done:
        if isinstance(unit, list):
            yield from verdict.results  # decoded here: every record is a result
            continue
        if isinstance(unit, DocumentFile):  # a whole file, judged as one block
            file, offset = unit.path, 0
        else:
            file = unit.file
            offset = 0 if unit.offset == 0 else base[file]  # offset 0: a file (re)starts
            base[file] = offset + verdict.records
        if count_clean:
            yield from block_counted(verdict, offset, template)
        else:
            yield from block_results(verdict, file, offset, template)
        if verdict.tallied is not None:
            yield verdict.tallied
