"""Validate in several processes, in input order, in bounded memory.

For JSONL the reading process only cuts the file into blocks of whole lines
(`read_units`); workers split, decode and validate them, so parsing scales with
the workers too. A clean record comes back as just its (index, line) and is
rebuilt here; only records with findings travel whole. At most `2 * jobs`
units are in flight, so memory does not grow with the input.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from conformance.records import (
    DEFAULT_LIMITS,
    LineBlock,
    Locator,
    ReadProblem,
    Record,
    decode_block,
    load_block,
    read_units,
    sift_block,
)
from conformance.report.findings import CleanRecords, ValidationResult
from conformance.validation.engine import Options, judge, validate_record, validate_records
from conformance.validation.semantics import check_invariants
from conformance.validation.validators import SchemaValidators, validators_for

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
    if isinstance(unit, LineBlock) and unit.length:
        loaded = load_block(unit)
        if isinstance(loaded, ReadProblem):
            return [validate_record(loaded, schema=schema, vendor=vendor, options=options)]
        unit = loaded
    compact = isinstance(unit, LineBlock)
    validators = validators_for(schema, options.variant, options.formats) if schema else None
    records: Iterable[Record | ReadProblem | _Clean]
    if compact and validators is not None:
        records = sift_block(unit, DEFAULT_LIMITS, _clean_test(validators, options))
    elif compact:
        records = decode_block(unit, DEFAULT_LIMITS)
    else:
        records = unit
    out: list[ValidationResult | _Clean | int] = []
    clean = 0
    for record in records:
        if type(record) is tuple:
            if count_clean:
                clean += 1  # only the count travels back
            else:
                out.append(record)
        elif compact and validators is not None and type(record) is Record:
            out.append(judge(record.payload, validators, options, record.locator))
        else:
            out.append(
                validate_record(
                    record,  # type: ignore[arg-type]
                    schema=schema,
                    vendor=vendor,
                    identify=identify,
                    options=options,
                )
            )
    if clean:
        out.append(clean)
    return out


def _clean_test(validators: SchemaValidators, options: Options) -> Callable[[Any], bool]:
    """True only for a value `judge` would find nothing to say about; anything else
    (including a negative-fixture sidecar or a lone surrogate) takes the full path."""
    is_valid = (validators.fast_strict if options.drift else validators.fast).is_valid
    name = validators.name if options.invariants and validators.profiled else None

    def is_clean(value: Any) -> bool:
        if type(value) is dict and len(value) == 2 and "violates" in value:
            return False
        try:
            if not is_valid(value):
                return False
        except UnicodeEncodeError:
            return False
        return name is None or not check_invariants(value, name)

    return is_clean


def _units(
    paths: list[str | Path], input_format: str | None, by_reference: bool = False
) -> Iterator[_Unit]:
    """JSONL blocks as they come; other records grouped into lists."""
    pending: list[Record | ReadProblem] = []
    blocks = read_units(
        paths, format=input_format, block_size=BLOCK_BYTES, by_reference=by_reference
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
    options: Options | None = None,
    input_format: str | None = None,
    jobs: int = 1,
    clean: str = "each",
) -> Iterator[ValidationResult | CleanRecords]:
    """Like `validate_records` over files, with `jobs` worker processes when jobs > 1.

    `clean="count"` lets runs of clean records be stood in for by one `CleanRecords`
    each (see there), in one process or several; `clean="each"` in one process is
    exactly `validate_records`.
    """
    opts = options or Options()
    paths = list(paths)
    if jobs <= 1 and clean != "count":
        return validate_records(
            paths,
            schema=schema,
            vendor=vendor,
            identify=identify,
            options=opts,
            format=input_format,
        )
    return _in_units(paths, schema, vendor, identify, opts, input_format, jobs, clean == "count")


def _in_units(
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
    units = _units(paths, input_format, by_reference=jobs > 1)  # workers read their blocks
    args = (schema, vendor, identify, opts, count_clean)
    if jobs <= 1:
        yield from _merged(((u, _validate_unit(u, *args)) for u in units), template, count_clean)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from _merged(_submitted(pool, units, args, 2 * jobs), template, count_clean)


def _submitted(
    pool: ProcessPoolExecutor, units: Iterator[_Unit], args: tuple[Any, ...], window: int
) -> Iterator[tuple[_Unit, list[ValidationResult | _Clean | int]]]:
    """(unit, its results) in input order, with at most `window` units in flight."""
    in_flight: deque[tuple[_Unit, Future[list[ValidationResult | _Clean | int]]]] = deque()
    for unit in units:
        in_flight.append((unit, pool.submit(_validate_unit, unit, *args)))
        if len(in_flight) >= window:
            done, future = in_flight.popleft()
            yield done, future.result()
    while in_flight:
        done, future = in_flight.popleft()
        yield done, future.result()


def _merged(
    done: Iterable[tuple[_Unit, list[ValidationResult | _Clean | int]]],
    template: ValidationResult,
    count_clean: bool,
) -> Iterator[ValidationResult | CleanRecords]:
    """Results with file-wide record indices: a JSONL block counts from its file's start."""
    base: dict[str, int] = {}  # records already seen per JSONL file: its blocks' index offset
    for unit, results in done:
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
