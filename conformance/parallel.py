"""Validate many records in several processes, in input order, in bounded memory.

The main process reads; workers validate chunks of records. At most `2 * jobs`
chunks are in flight, so memory does not grow with the input.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path

from conformance.findings import ValidationResult
from conformance.records import ReadProblem, Record
from conformance.validate import Options, validate_record, validate_records

CHUNK = 2000


def _validate_chunk(
    records: list[Record | ReadProblem],
    schema: str | None,
    vendor: str | None,
    identify: bool,
    options: Options,
) -> list[ValidationResult]:
    return [
        validate_record(r, schema=schema, vendor=vendor, identify=identify, options=options)
        for r in records
    ]


def validate_paths(
    paths: Iterable[str | Path],
    *,
    schema: str | None = None,
    vendor: str | None = None,
    identify: bool = False,
    options: Options | None = None,
    input_format: str | None = None,
    jobs: int = 1,
) -> Iterator[ValidationResult]:
    """Like `validate_records` over files, with `jobs` worker processes when jobs > 1."""
    opts = options or Options()
    if jobs <= 1:
        yield from validate_records(
            list(paths),
            schema=schema,
            vendor=vendor,
            identify=identify,
            options=opts,
            format=input_format,
        )
        return
    from conformance.records import read_records

    if schema is not None:
        from conformance.validators import validators_for

        validators_for(schema, opts.variant, opts.formats)  # fail fast on unknown names
    records = read_records(list(paths), format=input_format)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: deque[Future[list[ValidationResult]]] = deque()
        while True:
            chunk = list(islice(records, CHUNK))
            if chunk:
                pending.append(pool.submit(_validate_chunk, chunk, schema, vendor, identify, opts))
            while pending and (len(pending) >= 2 * jobs or not chunk):
                yield from pending.popleft().result()
            if not chunk:
                break
