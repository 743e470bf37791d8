"""One unit of `--jobs` (or Dask) work, both ends: judged in a worker, unfolded where it
was read.

A unit is a JSONL `LineBlock` (whole undecoded lines), a `DocumentFile` (a whole
recording, read where it is judged) or a list of records already decoded. A worker
judges it with the same code as one process (`choose_schema`, `judge`, `clean_test`)
and sends back one `BlockVerdict`; the reading process turns
that back into the results one process would have yielded (`block_results`), or
into the findings and one `CleanRecords` (`block_counted`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from conformance.bundle.user_errata import UserErrata, active_errata, use_errata
from conformance.records import (
    DEFAULT_LIMITS,
    Locator,
    ReadProblem,
    Record,
    read_records,
    read_units,
)
from conformance.records.documents import LineBlock, decode_block, load_block, sift_block
from conformance.records.positions import remember_line
from conformance.report.cases import Summary, TalliedResults
from conformance.report.findings import CleanRecords, ValidationResult
from conformance.validation.engine import validate_record
from conformance.validation.judge import clean_test, judge
from conformance.validation.options import ValidationOptions
from conformance.validation.validators import SchemaValidators, validators_for

#: Bytes of JSONL a worker judges at a time in a `DocumentFile` it reads itself.
FILE_BLOCK_BYTES = 1 << 21


@dataclass(frozen=True)
class DocumentFile:
    """One recording file (HAR, cassette, Postman, YAML, JSON, or a compressed JSONL)
    named, not read: whoever judges it reads (and decompresses) it, so the process
    handing out units decodes no big document and inflates no compressed stream."""

    path: str
    format: str | None  # as forced by the caller; None: detected when read


Unit = LineBlock | DocumentFile | list[Record | ReadProblem]


@dataclass(frozen=True)
class Judging:
    """What every unit of one run is judged with (sent to the workers with each unit):
    names and flags only, so each worker compiles its validators once, and the user
    errata in force where the run started (`judge_unit` puts them in force in a worker)."""

    schema: str | None
    vendor: str | None
    identify: bool
    options: ValidationOptions
    count_clean: bool = False  # clean records travel back as counts, not line numbers
    errata: UserErrata | None = None
    #: with `count_clean`: of a file read whole, send at most `keep` results with these
    #: severities and tally the rest (`--show N`: a sample, bounded on the worker too)
    keep: int | None = None
    keep_severities: frozenset[str] = frozenset({"error", "warning"})


def judging(
    schema: str | None,
    vendor: str | None,
    identify: bool,
    options: ValidationOptions,
    clean: str,
    keep: int | None = None,
    errors_only: bool = False,
) -> Judging:
    """The `Judging` of a run asked for this way, with the user errata in force now;
    `keep` only where clean records are counted (`clean="count"`)."""
    count = clean == "count"
    shown = frozenset({"error"} if errors_only else {"error", "warning"})
    return Judging(
        schema, vendor, identify, options, count, active_errata(), keep if count else None, shown
    )


class BlockVerdict(NamedTuple):
    """The verdicts on one unit, in input order, as compact as a pipe wants them.

    `results` are the records with something to say (for a unit that is not a JSONL
    block judged against a named schema: every record), indices counted within the
    unit. Records with nothing to say are left out and only counted:
    `clean_runs[k]` clean records come just before `results[k]`, and `clean_runs[-1]`
    after the last, so `len(clean_runs) == len(results) + 1`. `clean_lines` holds
    their line numbers, to rebuild each one's locator; empty when only counted.
    `texts` carries the lines of the records in `results`, so that the reading process
    places their findings without reading the file again (`remember_texts`).
    A NamedTuple, like the results it carries: cheap to build and to pickle.
    """

    results: tuple[ValidationResult, ...]
    clean_runs: tuple[int, ...]
    clean_lines: tuple[int, ...] = ()
    texts: tuple[tuple[int, bytes], ...] = ()  # (line, text) of the JSONL records in results
    tallied: TalliedResults | None = None  # results counted, not sent (`Judging.keep`)

    @property
    def clean(self) -> int:
        return sum(self.clean_runs)

    @property
    def records(self) -> int:
        return len(self.results) + self.clean


def judge_unit(unit: Unit, how: Judging) -> BlockVerdict:
    """The verdict on one unit: what a worker runs (and one process, with `--jobs 1`).

    Pure: the same unit judged twice (a worker lost, its work done again) gives the same
    verdict."""
    errata_in_force(how.errata)
    if isinstance(unit, DocumentFile):
        return _judged_file(unit, how)
    if isinstance(unit, list):
        return _all_results(_judged(record, how) for record in unit)
    return _judged_block(unit, how)


def _judged_block(unit: LineBlock, how: Judging) -> BlockVerdict:
    loaded = load_block(unit)
    if isinstance(loaded, ReadProblem):  # the block's bytes could not be read
        return _all_results([validate_record(loaded, options=how.options)])
    if how.schema is None:
        kept: list[tuple[int, bytes]] = []
        records = decode_block(loaded, DEFAULT_LIMITS, kept)
        judged = tuple(_judged(record, how) for record in records)
        lines = {r.locator.line for r in judged if r.findings and r.locator is not None}
        texts = tuple(text for text in kept if text[0] in lines)  # to place their findings
        return BlockVerdict(judged, (0,) * (len(judged) + 1), (), texts)
    opts = how.options
    return _sifted(loaded, validators_for(how.schema, opts.variant, opts.formats), how)


def _judged_file(unit: DocumentFile, how: Judging) -> BlockVerdict:
    """A whole recording read here. A JSONL one (a compressed file, say) is cut into
    blocks judged as `--jobs` judges blocks, joined into one verdict with file-wide
    indices; any other is judged record by record. With `how.keep`, each part is
    trimmed as it is judged, so memory holds a sample, not the file's findings."""
    keeper = _Keeper(how.keep, how.keep_severities) if how.keep is not None else None
    parts: list[BlockVerdict] = []
    pending: list[ValidationResult] = []  # records read whole: indices already file-wide
    before = 0  # records of the blocks so far
    for item in read_units(unit.path, format=unit.format, block_size=FILE_BLOCK_BYTES):
        if not isinstance(item, LineBlock):
            pending.append(_judged(item, how))
            continue
        if pending:
            parts.append(_all_results(pending))
            pending = []
        verdict = _judged_block(item, how)
        parts.append(verdict._replace(results=tuple(_moved(r, before) for r in verdict.results)))
        before += verdict.records
        if keeper is not None:
            parts[-1] = keeper.trimmed(parts[-1])
    if pending or not parts:
        parts.append(_all_results(pending))
        if keeper is not None:
            parts[-1] = keeper.trimmed(parts[-1])
    joined = parts[0] if len(parts) == 1 else _joined(parts)
    return joined if keeper is None else joined._replace(tallied=keeper.tallied())


def _joined(parts: list[BlockVerdict]) -> BlockVerdict:
    """One verdict for consecutive parts of one file (their indices file-wide already)."""
    results: list[ValidationResult] = []
    runs, lines, texts = [0], list[int](), list[tuple[int, bytes]]()
    for verdict in parts:
        runs[-1] += verdict.clean_runs[0]
        runs.extend(verdict.clean_runs[1:])
        results.extend(verdict.results)
        lines.extend(verdict.clean_lines)
        texts.extend(verdict.texts)
    return BlockVerdict(tuple(results), tuple(runs), tuple(lines), tuple(texts))


class _Keeper:
    """The first `keep` results a report would show are sent; the rest only counted.
    Only where clean records travel as counts: a trimmed verdict keeps no clean lines."""

    def __init__(self, keep: int, severities: frozenset[str]) -> None:
        self._keep, self._severities = keep, severities
        self._sent = self._cases = 0
        self._counts = Summary()

    def trimmed(self, verdict: BlockVerdict) -> BlockVerdict:
        kept: list[ValidationResult] = []
        for result in verdict.results:
            shown = any(f.severity in self._severities for f in result.findings)
            if shown and self._sent < self._keep:
                kept.append(result)
                self._sent += 1
                continue
            self._counts.add(result)
            self._cases += shown
        lines = {r.locator.line for r in kept if r.locator is not None}
        texts = tuple(t for t in verdict.texts if t[0] in lines)
        return BlockVerdict(tuple(kept), (0,) * len(kept) + (verdict.clean,), (), texts)

    def tallied(self) -> TalliedResults | None:
        if not (self._counts.records or self._counts.unreadable):
            return None
        return TalliedResults(self._counts, self._cases)


def unit_records(unit: Unit) -> Iterator[Record | ReadProblem]:
    """The records of one unit, in order, read (and decoded) here; a block whose bytes
    cannot be read is one `ReadProblem`."""
    if isinstance(unit, list):
        return iter(unit)
    if isinstance(unit, DocumentFile):
        return iter(read_records(unit.path, format=unit.format))
    loaded = load_block(unit)
    if isinstance(loaded, ReadProblem):
        return iter([loaded])
    return decode_block(loaded, DEFAULT_LIMITS)


def errata_in_force(errata: UserErrata | None) -> None:
    """Layer `errata` on this process's bundle unless they are layered already."""
    if _layer(errata) != _layer(active_errata()):
        use_errata(errata)


def _layer(errata: UserErrata | None) -> str | None:
    return errata.digest if errata is not None and errata.errata else None


def _judged(record: Record | ReadProblem, how: Judging) -> ValidationResult:
    return validate_record(
        record, schema=how.schema, vendor=how.vendor, identify=how.identify, options=how.options
    )


def _all_results(results: Iterator[ValidationResult] | list[ValidationResult]) -> BlockVerdict:
    judged = tuple(results)
    return BlockVerdict(judged, (0,) * (len(judged) + 1))


def _sifted(block: LineBlock, validators: SchemaValidators, how: Judging) -> BlockVerdict:
    """A block against one schema: clean records are only noted, the rest judged."""
    opts = how.options
    clean_lines: list[int] = []
    results: list[ValidationResult] = []
    runs: list[int] = []
    before = 0
    texts: list[tuple[int, bytes]] = []
    test = clean_test(validators, opts)
    for record in sift_block(block, DEFAULT_LIMITS, test, clean_lines, texts):
        runs.append(len(clean_lines) - before)
        before = len(clean_lines)
        if isinstance(record, ReadProblem):
            results.append(validate_record(record, schema=how.schema, options=opts))
        else:
            results.append(judge(record.payload, validators, opts, record.locator))
    runs.append(len(clean_lines) - before)
    lines = () if how.count_clean else tuple(clean_lines)
    return BlockVerdict(tuple(results), tuple(runs), lines, tuple(texts))


def remember_texts(verdict: BlockVerdict, file: str) -> None:
    """Keep the lines a worker sent back, where their findings will be placed."""
    for line, text in verdict.texts:
        remember_line(file, line, text)


def clean_template(how: Judging) -> ValidationResult:
    """The result every clean record of a run shares but for its locator."""
    opts = how.options
    if how.schema is None:
        return ValidationResult(None, opts.variant, ())
    validators = validators_for(how.schema, opts.variant, opts.formats)
    errata = validators.entry.errata if opts.variant == "corrected" else ()
    return ValidationResult(validators.name, opts.variant, (), None, errata)


def block_results(
    verdict: BlockVerdict, file: str, offset: int, template: ValidationResult
) -> Iterator[ValidationResult]:
    """Every record of one JSONL block, in order, with file-wide indices (`offset` is the
    number of records in the file's earlier blocks); clean ones rebuilt from `template`."""
    schema, variant, _, _, errata = template[:5]
    lines = iter(verdict.clean_lines)
    index = offset
    runs = verdict.clean_runs
    for k in range(len(verdict.results) + 1):
        for _ in range(runs[k]):
            line = next(lines)
            yield ValidationResult(
                schema, variant, (), Locator(file, index, line, f"line {line}"), errata
            )
            index += 1
        if k < len(verdict.results):
            yield _moved(verdict.results[k], offset)
            index += 1


def block_counted(
    verdict: BlockVerdict, offset: int, template: ValidationResult
) -> Iterator[ValidationResult | CleanRecords]:
    """The results of one JSONL block with file-wide indices, then one `CleanRecords`
    for its clean records."""
    for result in verdict.results:
        yield _moved(result, offset)
    if verdict.clean:
        yield CleanRecords(verdict.clean, template.schema, template.variant, template.errata)


def _moved(result: ValidationResult, offset: int) -> ValidationResult:
    located = result.locator
    if located is None or located.index is None or not offset:
        return result
    moved = Locator(located.file, located.index + offset, located.line, located.label)
    return result._replace(locator=moved)
