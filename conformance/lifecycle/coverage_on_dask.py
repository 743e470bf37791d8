"""`coverage --engine dask`: the recordings counted part by part on a Dask cluster, the
parts' counts merged in input order into the report of one pass.

The units are `validate --engine dask`'s (`engines/units.py`), sent through the same
bounded window (`cluster.worked`). A worker reads its unit, makes each record's sighting and counts
it with the kinds of one process (`CoverageCount`, as a `part`), and sends the counts
back; here each is merged after the ones before it. Reading, routing, choosing each
record's object and walking its runs are distributed; the merge, and the report, are here.

Imports Dask: load only for `--engine dask` (the `dask` extra).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from distributed import Client

from conformance.bundle.catalog import load_catalog
from conformance.bundle.user_errata import UserErrata, active_errata
from conformance.engines.blocks import Unit, errata_in_force, unit_records
from conformance.engines.cluster import worked
from conformance.engines.unit_names import ProblemPlaces
from conformance.lifecycle.coverage import CoverageCount, CoverageReport
from conformance.report.progress import OnProgress

__all__ = ["Counting", "count_unit", "coverage_on_dask"]


@dataclass(frozen=True)
class Counting:
    """What every unit of one run is counted with (sent with each unit): names and flags,
    and the user errata in force where the run started."""

    vendor: str | None
    schema: str | None  # a resolved bundle name
    identify: bool
    errata: UserErrata | None = None


def coverage_on_dask(
    paths: Iterable[str | Path],
    client: Client,
    *,
    vendor: str | None = None,
    input_format: str | None = None,
    schema: str | None = None,
    identify: bool = False,
    window: int | None = None,
    progress: OnProgress | None = None,
) -> CoverageReport:
    """`coverage_of(paths, ...)` counted on the workers of `client`: the same report.
    `window` bounds the units in flight (default: twice the cluster's threads);
    `progress` hears of the bytes counted (stage "coverage", unit "bytes")."""
    if schema is not None:
        schema = load_catalog().resolve(schema)
    how = Counting(vendor, schema, identify, active_errata())
    whole = CoverageCount(vendor=vendor, schema=schema, identify=identify)
    places = ProblemPlaces()
    done = worked(client, count_unit, list(paths), input_format, how, window, progress, "coverage")
    for unit, part in done:
        part.problems = places.placed(unit, part.records, part.problems)
        whole.merge(part)
    return whole.report()


def count_unit(unit: Unit, how: Counting) -> CoverageCount:
    """On a worker: the counts of one unit, as a part (its problems name its file as it
    was sent; `ProblemPlaces` names them back)."""
    errata_in_force(how.errata)
    part = CoverageCount(vendor=how.vendor, schema=how.schema, identify=how.identify, part=True)
    for item in unit_records(unit):
        part.observe(item)
    return part
