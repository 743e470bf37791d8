"""Test fixtures for the bundled run objects: valid and sane, or broken on purpose.

One generator, written against a Chooser, serves two engines: a seeded
`random.Random` for bulk files (fast, same seed -> same bytes) and Hypothesis
for `@given` tests (every decision is a draw, so failures shrink). Every valid
fixture passes its corrected schema with formats asserted and every run
invariant; every negative fixture breaks exactly the one rule on its label.
Runs are realistic by default (they carry what every real response carries:
id, workflow, status, the times the status implies, so they map to the
canonical run); `minimal=True` drops that, to test a client on sparse runs.

    from conformance.generate import generate, strategy
    runs = list(generate("xceptor.WorkflowRun", 1000, seed=7))
    @given(strategy("knock.WorkflowRecipientRun"))
    def test_parser(run): ...
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import yaml

from conformance.atomic import atomic_output
from conformance.bundle.catalog import load_catalog
from conformance.errors import UsageError
from conformance.generate.backends import BACKENDS, check_backend, raw_strategy
from conformance.generate.choosers import Chooser, HypothesisChooser, RandomChooser
from conformance.generate.negative import NegativeFixture, negative
from conformance.generate.profiles import Overrides, overrides_from
from conformance.generate.sanity import sanitize
from conformance.generate.schema_values import compiled, prune
from conformance.report.progress import OnProgress, Ticker
from conformance.validation.semantics import check_invariants
from conformance.validation.validators import validators_for

#: Largest `n` that `write_fixtures` accepts (10 million: about 10 GB of ~1 KB runs).
MAX_FIXTURES = 10_000_000
FORMATS: tuple[str, ...] = ("json", "jsonl", "yaml")
#: Draws an inexact schema (a keyword the walker does not implement) may reject in a row.
_MAX_REJECTS = 200

__all__ = [
    "BACKENDS",
    "FORMATS",
    "MAX_FIXTURES",
    "Chooser",
    "NegativeFixture",
    "Overrides",
    "generate",
    "generate_invalid",
    "run_factory",
    "sanitize",
    "strategy",
    "write_fixtures",
    "write_items",
]


def _resolve(name: str) -> str:
    return load_catalog().resolve(name)  # UnknownObjectError (a UsageError) for bad names


def _maker(name: str, ch: Chooser, ov: Overrides, minimal: bool = False) -> Callable[[], Any]:
    """A function drawing one valid, sane `name` object through `ch`."""
    gen = compiled(name, True)
    walk = gen.generate
    check = None if gen.exact and ov.empty else _checker(name, ov)

    def make() -> Any:
        for _ in range(_MAX_REJECTS):
            instance = sanitize(walk(ch, 0), name, ch, ov, minimal)
            if check is None or check(instance):
                return instance
        raise UsageError(f"{name}: no valid object in {_MAX_REJECTS} draws ({gen.unsupported})")

    return make


def _checker(name: str, ov: Overrides) -> Callable[[Any], bool]:
    """For inexact schemas: filter. For overrides: refuse the ones that make nonsense."""
    validators = validators_for(name)

    def check(instance: Any) -> bool:
        if not validators.fast.is_valid(instance):
            if not ov.empty and compiled(name).exact:
                raise UsageError(f"{name}: the overrides make the object schema-invalid")
            return False
        broken = check_invariants(instance, name)
        if broken and not ov.empty:
            raise UsageError(
                f"{name}: the overrides break {broken[0].keyword}: {broken[0].message}"
            )
        return not broken

    return check


def _overrides(name: str, overrides: Overrides | Mapping[str, Any] | None) -> Overrides:
    if isinstance(overrides, Overrides):
        return overrides
    return overrides_from(name, overrides or {})


def generate(
    name: str,
    n: int,
    seed: int | None = 0,
    valid: bool = True,
    *,
    rule: str | None = None,
    overrides: Overrides | Mapping[str, Any] | None = None,
    minimal: bool = False,
) -> Iterator[Any]:
    """`n` fixtures from one seeded stream: same seed, same objects (lazily).

    valid=True yields plain objects; valid=False yields `NegativeFixture`s, each
    breaking one rule (`rule` narrows it: "invariant", "schema:enum",
    "invariant:time-order@/completed_at"). `overrides`: an `Overrides`, or a
    mapping as `run_factory` takes (`{"status": "failed"}`). `minimal`: only
    what the schema and the run invariants require, not what real runs carry.
    """
    name = _resolve(name)
    _check_count(n, None)
    ch = RandomChooser(_seed(seed))
    ov = _overrides(name, overrides)
    make = _maker(name, ch, ov, minimal)
    if valid:
        if rule is not None:
            raise UsageError("`rule` selects the broken rule of negative fixtures (valid=False)")
        return (make() for _ in range(n))
    return (negative(make, name, ch, rule) for _ in range(n))


def generate_invalid(
    name: str,
    n: int,
    seed: int | None = 0,
    *,
    rule: str | None = None,
    overrides: Overrides | Mapping[str, Any] | None = None,
    minimal: bool = False,
) -> Iterator[NegativeFixture]:
    """`generate(..., valid=False)`: negative fixtures, each with its label."""
    return generate(name, n, seed, False, rule=rule, overrides=overrides, minimal=minimal)


def strategy(
    name: str,
    valid: bool = True,
    *,
    backend: str = "default",
    rule: str | None = None,
    overrides: Overrides | Mapping[str, Any] | None = None,
    minimal: bool = False,
) -> Any:
    """A Hypothesis strategy of `name` fixtures (NegativeFixtures when valid=False).

    backend "default" is runconform's walker; "schemathesis" and
    "hypothesis-jsonschema" draw with those libraries, then prune, sanitise
    and filter (see `conformance.generate.backends`). `minimal` as in `generate`.
    """
    from hypothesis import strategies as st

    name = _resolve(name)
    check_backend(backend)
    ov = _overrides(name, overrides)
    raw = None if backend == "default" else raw_strategy(name, backend)
    validators = validators_for(name)
    shape = compiled(name).shape

    @st.composite
    def draw_one(draw: Any) -> Any:
        ch = HypothesisChooser(draw)
        if raw is None:
            make = _maker(name, ch, ov, minimal)
        else:

            def make() -> Any:
                for _ in range(_MAX_REJECTS):
                    drawn = prune(_raw_draw(draw, raw, backend), shape)
                    instance = sanitize(drawn, name, ch, ov, minimal)
                    if validators.fast.is_valid(instance):
                        return instance
                raise UsageError(f"{name}: {backend} drew no valid object in {_MAX_REJECTS}")

        if valid:
            return make()
        return negative(make, name, ch, rule)

    return draw_one()


def _raw_draw(draw: Any, raw: Any, backend: str) -> Any:
    try:
        return draw(raw)
    except AttributeError as exc:  # a library out of step with Hypothesis (see backends)
        if backend != "hypothesis-jsonschema":
            raise
        raise UsageError(f"backend {backend!r} crashed inside Hypothesis: {exc}") from None


_factory_seeds = RandomChooser(None)


def run_factory(
    name: str,
    *,
    valid: bool = True,
    seed: int | None = None,
    minimal: bool = False,
    **overrides: Any,
) -> Any:
    """One fixture, for tests: `run_factory("xceptor.WorkflowRun", status="failed")`.

    Overrides are run-profile roles (status, created, started, finished,
    updated, duration_ms: the same words for every vendor; None makes an
    instant absent), property names, or JSON pointers (`**{"/a/b": 1}`).
    Without a seed each call gives a different object. `minimal` as in `generate`.
    """
    if seed is None:
        seed = _factory_seeds.bits(64)
    return next(generate(name, 1, seed, valid, overrides=overrides, minimal=minimal))


def _seed(seed: int | None) -> int:
    if seed is None:
        return secrets.randbits(64)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise UsageError(f"seed must be an integer, got {seed!r}")
    return seed


def _check_count(n: Any, limit: int | None) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise UsageError(f"the number of fixtures must be an integer, got {n!r}")
    if n < 0:
        raise UsageError(f"the number of fixtures cannot be negative (got {n})")
    if limit is not None and n > limit:
        raise UsageError(f"at most {limit:,} fixtures per run (got {n:,}); split the job")


def write_fixtures(
    name: str,
    n: int,
    seed: int | None,
    fmt: str,
    out: Path | str | None,
    valid: bool = True,
    *,
    minimal: bool = False,
    progress: OnProgress | None = None,
) -> int:
    """Write `n` fixtures as json (an array), jsonl or yaml (a sequence); returns n.

    `out` None or "-" is stdout; a path is written atomically (temp file, then
    rename), so a failure leaves no partial file. Negative fixtures are written
    in their sidecar form. Bad arguments raise UsageError (exit code 2); an
    unwritable place raises InputError (exit code 4). `progress` hears how many are
    written (stage "fixtures", unit "fixtures") a few times a second.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    _check_count(n, MAX_FIXTURES)
    resolved = _resolve(name)
    target = None if out is None or str(out) == "-" else Path(out)
    if target is not None and target.is_dir():
        raise UsageError(f"{target}: is a folder; give a file name for the fixtures")
    items = generate(resolved, n, seed, valid, minimal=minimal)
    if progress is not None:
        items = _counted(items, Ticker(progress, "fixtures", n, "fixtures"))
    with atomic_output(target) as stream:
        _write(stream, items, fmt)
    return n


def _counted(items: Iterator[Any], ticker: Ticker) -> Iterator[Any]:
    """`items`, telling `ticker` how many were taken every 64 (and when they end)."""
    ticker.start()
    taken = 0
    for item in items:
        yield item
        taken += 1
        if not taken & 63:
            ticker.update(taken)
    ticker.finish(taken)


def _plain(item: Any) -> Any:
    return item.sidecar() if isinstance(item, NegativeFixture) else item


def write_items(stream: IO[str], items: Iterable[Any], fmt: str) -> None:
    """Write any JSON values as json (an array), jsonl or yaml (a document each) to a stream."""
    _write(stream, iter(items), fmt)


def _write(stream: IO[str], items: Iterator[Any], fmt: str) -> None:
    if fmt == "jsonl":
        for item in items:
            stream.write(json.dumps(_plain(item), ensure_ascii=False) + "\n")
    elif fmt == "json":
        first = True
        for item in items:
            stream.write("[\n" if first else ",\n")
            stream.write(json.dumps(_plain(item), ensure_ascii=False, indent=2))
            first = False
        stream.write("[]\n" if first else "\n]\n")
    else:
        for item in items:  # one document per fixture: a reader takes each as a record
            stream.write("---\n")
            stream.write(yaml.safe_dump(_plain(item), sort_keys=False, allow_unicode=True))
