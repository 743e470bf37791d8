"""`drift --engine dask`: the corpus profiled part by part on a Dask cluster, the parts'
profiles merged in input order into the report of one pass.

The units are `validate --engine dask`'s (`engines/units.py`), sent through the same
bounded window (`cluster.worked`). A worker reads its unit, profiles it with the code of one
process (`CorpusProfile`, uncapped: a unit is bounded, and the cap must be applied as
one pass applies it) and sends the profile back; here each is merged after the ones
before it (`CorpusProfile.merge`), under the cap. Reading, choosing each record's
object and judging it are distributed; the merge, and the report, are here.

Imports Dask: load only for `--engine dask` (the `dask` extra).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from distributed import Client

from conformance.bundle.user_errata import UserErrata, active_errata
from conformance.drift.model import EXAMPLES, MAX_UNDOCUMENTED, DriftReport
from conformance.drift.profile import UNCAPPED, CorpusProfile
from conformance.engines.blocks import Unit, errata_in_force, unit_records
from conformance.engines.cluster import worked
from conformance.engines.unit_names import ProblemPlaces, given_name
from conformance.errors import UsageError
from conformance.report.progress import OnProgress
from conformance.validation.validators import validators_for

__all__ = ["Profiling", "drift_on_dask", "profile_unit"]


@dataclass(frozen=True)
class Profiling:
    """What every unit of one run is profiled with (sent with each unit): names and flags,
    and the user errata in force where the run started."""

    vendor: str | None
    schema: str | None
    identify: bool
    examples: int
    errata: UserErrata | None = None


def drift_on_dask(
    paths: Iterable[str | Path],
    client: Client,
    *,
    vendor: str | None = None,
    schema: str | None = None,
    identify: bool = False,
    examples: int = EXAMPLES,
    input_format: str | None = None,
    window: int | None = None,
    progress: OnProgress | None = None,
) -> DriftReport:
    """`drift_of(paths, ...)` profiled on the workers of `client`: the same report.
    `window` bounds the units in flight (default: twice the cluster's threads);
    `progress` hears of the bytes profiled (stage "drift", unit "bytes")."""
    if schema is not None:
        schema = validators_for(schema).name
        if vendor is not None and not schema.startswith(vendor + "."):
            raise UsageError(f"--schema {schema} is not an object of --vendor {vendor}")
    how = Profiling(vendor, schema, identify, examples, active_errata())
    corpus = CorpusProfile(
        vendor=vendor,
        schema=schema,
        identify=identify,
        examples=examples,
        max_undocumented=MAX_UNDOCUMENTED,
    )
    places = ProblemPlaces()
    done = worked(client, profile_unit, list(paths), input_format, how, window, progress, "drift")
    for unit, part in done:
        _named_back(part, unit)
        part.problems = places.placed(unit, part.records, part.problems)
        corpus.merge(part)
    return corpus.report()


def profile_unit(unit: Unit, how: Profiling) -> CorpusProfile:
    """On a worker: the profile of one unit, uncapped (the cap is applied in the merge),
    its files named as they were sent (absolute; `_named_back` names them back)."""
    errata_in_force(how.errata)
    part = CorpusProfile(
        vendor=how.vendor,
        schema=how.schema,
        identify=how.identify,
        examples=how.examples,
        max_undocumented=UNCAPPED,
    )
    for item in unit_records(unit):
        part.observe(item)
    return part


def _named_back(part: CorpusProfile, unit: Unit) -> None:
    """`part`'s examples and first places with the unit's file named as the user named
    it, not as it was sent (`unit_names.sent_unit`); `ProblemPlaces` names its problems."""
    names = given_name(unit)
    if names is None:
        return
    sent, name = names

    def back(where: str) -> str:
        return name + where[len(sent) :] if where == sent or where.startswith(sent + ":") else where

    for profile in part.profiles.values():
        for stats in profile.stats.values():
            stats.examples = [back(example) for example in stats.examples]
            if stats.first is not None and stats.first[0] == sent:
                stats.first = (name, stats.first[1])
