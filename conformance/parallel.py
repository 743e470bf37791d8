"""Validate in several processes, in input order, in bounded memory.

For JSONL the reading process only cuts the file into blocks of whole lines
(`read_units`); workers split, decode and validate them, so parsing scales with
the workers too. A clean record comes back as just its (index, line) and is
rebuilt here; only records with findings travel whole. At most `2 * jobs`
units are in flight, so memory does not grow with the input.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from conformance.findings import CleanRecords, ValidationResult
from conformance.records import (
    DEFAULT_LIMITS,
    LineBlock,
    Locator,
    ReadProblem,
    Record,
    decode_block,
    read_units,
)
from conformance.validation import Options, judge, validate_record, validate_records
from conformance.validators import validators_for

BLOCK_BYTES = 1 << 21  # about 1,600 records of 1.3 KB per unit of work
RECORDS_PER_UNIT = 1000  # for formats that are decoded in the reading process
_Clean = tuple[int, int]  # (index within its block, line) of a record with nothing to report
_Unit = LineBlock | list[Record | ReadProblem]


def _validate_unit(
    unit: _Unit,
    schema: str | None,
    vendor: str | None,
    identify: bool,
    options: Options,
    count_clean: bool = False,
) -> list[ValidationResult | _Clean | int]:
    compact = isinstance(unit, LineBlock)
    records = decode_block(unit, DEFAULT_LIMITS) if compact else unit
    validators = validators_for(schema, options.variant, options.formats) if schema else None
    out: list[ValidationResult | _Clean | int] = []
    clean = 0
    for record in records:
        if compact and validators is not None and type(record) is Record:
            result = judge(record.payload, validators, options, record.locator)
            if result.findings:
                out.append(result)
            elif count_clean:
                clean += 1  # only the count travels back
            else:
                out.append((record.locator.index, record.locator.line))
        else:
            out.append(
                validate_record(
                    record, schema=schema, vendor=vendor, identify=identify, options=options
                )
            )
    if clean:
        out.append(clean)
    return out


def _units(paths: list[str | Path], input_format: str | None) -> Iterator[_Unit]:
    """JSONL blocks as they come; other records grouped into lists."""
    pending: list[Record | ReadProblem] = []
    for unit in read_units(paths, format=input_format, block_size=BLOCK_BYTES):
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
    options: Options | None = None,
    input_format: str | None = None,
    jobs: int = 1,
    clean: str = "each",
) -> Iterator[ValidationResult | CleanRecords]:
    """Like `validate_records` over files, with `jobs` worker processes when jobs > 1.

    `clean="count"` lets the parallel path stand in for runs of clean records with one
    `CleanRecords` each (see there); the single-process path always yields each record.
    """
    opts = options or Options()
    paths = list(paths)
    if jobs <= 1:
        return validate_records(
            paths,
            schema=schema,
            vendor=vendor,
            identify=identify,
            options=opts,
            format=input_format,
        )
    return _in_processes(
        paths, schema, vendor, identify, opts, input_format, jobs, clean == "count"
    )


def _in_processes(
    paths: list[str | Path],
    schema: str | None,
    vendor: str | None,
    identify: bool,
    opts: Options,
    input_format: str | None,
    jobs: int,
    count_clean: bool = False,
) -> Iterator[ValidationResult | CleanRecords]:
    template = ValidationResult(None, opts.variant, ())
    if schema is not None:
        validators = validators_for(schema, opts.variant, opts.formats)  # fail fast
        errata = validators.entry.errata if opts.variant == "corrected" else ()
        template = ValidationResult(validators.name, opts.variant, (), None, errata)
    units = _units(paths, input_format)
    base: dict[str, int] = {}  # records already seen per JSONL file: its blocks' index offset
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        in_flight: deque[tuple[_Unit, Future[list[ValidationResult | _Clean]]]] = deque()
        exhausted = False
        while True:
            while not exhausted and len(in_flight) < 2 * jobs:
                unit = next(units, None)
                if unit is None:
                    exhausted = True
                    break
                future = pool.submit(
                    _validate_unit, unit, schema, vendor, identify, opts, count_clean
                )
                in_flight.append((unit, future))
            if not in_flight:
                return
            unit, future = in_flight.popleft()
            results = future.result()
            if not isinstance(unit, LineBlock):
                yield from results  # type: ignore[misc]
                continue
            offset = 0 if unit.offset == 0 else base[unit.file]  # offset 0: a file (re)starts
            base[unit.file] = offset + sum(item if type(item) is int else 1 for item in results)
            if count_clean:
                yield from _counted(results, unit.file, offset, template)
            else:
                yield from _reindexed(results, unit.file, offset, template)


def _counted(
    results: list[ValidationResult | _Clean], file: str, offset: int, template: ValidationResult
) -> Iterator[ValidationResult | CleanRecords]:
    """Results with findings (file-wide indices) and one CleanRecords for the rest."""
    clean = 0
    for item in results:
        if type(item) is int:
            clean += item
        elif type(item) is tuple:
            clean += 1
        else:
            yield from _reindexed([item], file, offset, template)
    if clean:
        yield CleanRecords(clean, template.schema, template.variant, template.errata)


def _reindexed(
    results: list[ValidationResult | _Clean], file: str, offset: int, template: ValidationResult
) -> Iterator[ValidationResult]:
    """Results of one block with file-wide indices; clean records rebuilt from the template."""
    schema, variant, _, _, errata = template[:5]
    for item in results:
        if type(item) is tuple:
            index, line = item
            locator = Locator(file, index + offset, line, f"line {line}")
            yield ValidationResult(schema, variant, (), locator, errata)
        else:
            located = item.locator  # type: ignore[union-attr]
            if located is not None and located.index is not None:
                moved = Locator(located.file, located.index + offset, located.line, located.label)
                item = item._replace(locator=moved)  # type: ignore[union-attr]
            yield item  # type: ignore[misc]
