"""Validate in several processes, in input order, in bounded memory: a transport.

For JSONL the reading process only cuts the file into blocks of whole lines
(`read_units`); workers split, decode and judge them (`blocks.judge_unit`, the
same choosing and judging as one process), so parsing scales with the workers
too. Each unit comes back as one `BlockVerdict`, in which a clean record is just
its line number; only records with findings travel whole. At most `2 * jobs`
units are in flight, so memory does not grow with the input.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from conformance.bundle.user_errata import active_errata
from conformance.engines.blocks import (
    BlockVerdict,
    Judging,
    Unit,
    block_counted,
    block_results,
    clean_template,
    judge_unit,
    remember_texts,
)
from conformance.records import ReadProblem, Record, read_units
from conformance.records.documents import LineBlock
from conformance.records.meter import ReadMeter, input_bytes
from conformance.report.findings import CleanRecords, ValidationResult
from conformance.report.progress import OnProgress, Ticker
from conformance.validation.engine import validate_records
from conformance.validation.options import ValidationOptions

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
) -> Iterator[ValidationResult | CleanRecords]:
    """Like `validate_records` over files, with `jobs` worker processes when jobs > 1.

    `clean="count"` lets runs of clean records be stood in for by one `CleanRecords`
    each (see there), in one process or several; `clean="each"` in one process is
    exactly `validate_records`. `progress` hears of the bytes read (stage "validate",
    unit "bytes", total None for standard input) a few times a second.
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
    how = Judging(schema, vendor, identify, opts, clean == "count", active_errata())
    if progress is None:
        return _in_units(paths, how, input_format, jobs)
    meter = ReadMeter()
    ticker = Ticker(progress, "validate", input_bytes(paths), "bytes")
    return _reporting(_in_units(paths, how, input_format, jobs, meter), meter, ticker)


def _reporting(
    results: Iterator[ValidationResult | CleanRecords], meter: ReadMeter, ticker: Ticker
) -> Iterator[ValidationResult | CleanRecords]:
    """`results`, telling `ticker` the bytes read every 64 results and every clean run."""
    ticker.start()
    for seen, result in enumerate(results, 1):
        yield result
        if not seen & 63 or type(result) is CleanRecords:
            ticker.update(meter.done())
    ticker.finish(meter.done())


def _in_units(
    paths: list[str | Path],
    how: Judging,
    input_format: str | None,
    jobs: int,
    meter: ReadMeter | None = None,
) -> Iterator[ValidationResult | CleanRecords]:
    template = clean_template(how)  # an unknown schema name fails here, before any work
    units = read_units_of(paths, input_format, jobs > 1, meter)  # workers read their blocks
    if jobs <= 1:
        yield from merged_in_order(
            ((u, judge_unit(u, how)) for u in units), template, how.count_clean
        )
        return
    # a worker answers with the bundle in force here: `how` carries any user errata
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        done = remembered(_submitted(pool, units, how, 2 * jobs))
        yield from merged_in_order(done, template, how.count_clean)


def remembered(
    done: Iterator[tuple[Unit, BlockVerdict]],
) -> Iterator[tuple[Unit, BlockVerdict]]:
    """`done`, the lines each worker sent back kept here, where findings are placed."""
    for unit, verdict in done:
        if isinstance(unit, LineBlock):
            remember_texts(verdict, unit.file)
        yield unit, verdict


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
) -> Iterator[ValidationResult | CleanRecords]:
    """Results with file-wide record indices: a JSONL block counts from its file's start."""
    base: dict[str, int] = {}  # records already seen per JSONL file: its blocks' index offset
    for unit, verdict in done:
        if not isinstance(unit, LineBlock):
            yield from verdict.results  # decoded here: every record is a result
            continue
        offset = 0 if unit.offset == 0 else base[unit.file]  # offset 0: a file (re)starts
        base[unit.file] = offset + verdict.records
        if count_clean:
            yield from block_counted(verdict, offset, template)
        else:
            yield from block_results(verdict, unit.file, offset, template)
