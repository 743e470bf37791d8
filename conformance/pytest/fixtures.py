"""The plugin's fixtures: schemas, `assert_conforms`, `run_factory`, simulators and targets.

Registered by ``conformance.pytest.plugin`` (its ``pytest_plugins``); see its docstring for
how to use them. runconform itself is imported when a fixture is used, not before.
"""

from __future__ import annotations

import secrets
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from conformance.pytest.state import STATE, check
from conformance.pytest.target import Target, live_target, simulated


@pytest.fixture(scope="session")
def run_schemas() -> Any:
    """The bundled catalog of run schemas."""
    from conformance.bundle.catalog import load_catalog

    return load_catalog()


@pytest.fixture
def assert_conforms(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """`assert_conforms(obj, "vendor.Object", strict=False)`: AssertionError unless it conforms."""
    node = request.node

    def assert_it(obj: Any, name: str, strict: bool = False) -> Any:
        __tracebackhide__ = True
        return check(node, obj, name, strict, "assert_conforms")

    return assert_it


def _base_seed(config: pytest.Config) -> int:
    seed = getattr(config.option, "randomly_seed", None)  # pytest-randomly, when active
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else 0


@pytest.fixture
def run_factory(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """`run_factory(name, valid=True, seed=None, **overrides)`, reproducibly seeded per test."""
    from conformance.generate import run_factory as make

    base = _base_seed(request.config) * 1_000_003 + zlib.crc32(request.node.nodeid.encode())
    calls = iter(range(1 << 62))

    def factory(name: str, *, valid: bool = True, seed: int | None = None, **overrides: Any) -> Any:
        __tracebackhide__ = True
        from conformance.errors import UsageError

        if seed is None:
            seed = (base * 1009 + next(calls)) % (1 << 64)
        try:
            return make(name, valid=valid, seed=seed, **overrides)
        except UsageError as exc:  # a bad name or override: say so, not the generator's frames
            problem = f"run_factory: {exc}"
        pytest.fail(problem, pytrace=False)

    return factory


@pytest.fixture(scope="session")
def run_apis() -> Iterator[Callable[[str], Any]]:
    """`run_apis(vendor)`: that vendor's simulator, started on first use, stopped at the end."""
    running: dict[str, Any] = {}

    def get(vendor: str) -> Any:
        if vendor not in running:
            from conformance.errors import UsageError
            from conformance.simulator import start

            try:
                running[vendor], problem = start(vendor, host="127.0.0.1", port=0, seed=0), None
            except UsageError as exc:
                problem = f"run_api: {exc}"
            if problem is not None:  # outside the handler: no chained traceback
                pytest.fail(problem, pytrace=False)
        return running[vendor]

    try:
        yield get
    finally:
        for simulator in running.values():
            simulator.stop()
        running.clear()


def _vendor(request: pytest.FixtureRequest, fixture: str) -> str:
    """This test's vendor: indirect parameter, else the marker, else the ini option."""
    vendor = getattr(request, "param", None)
    if vendor is None:
        marker = request.node.get_closest_marker("runconform_vendor")
        vendor = marker.args[0] if marker is not None and marker.args else None
    vendor = vendor or request.config.stash[STATE].vendor
    if not vendor:
        pytest.fail(
            f"{fixture} needs a vendor: parametrize it (indirect=True), mark the test "
            "@pytest.mark.runconform_vendor('knock') or set the runconform_vendor ini option",
            pytrace=False,
        )
    return str(vendor)


@pytest.fixture
def run_api(request: pytest.FixtureRequest, run_apis: Callable[[str], Any]) -> Any:
    """The simulator of this test's vendor (indirect parameter, marker or ini option)."""
    return run_apis(_vendor(request, "run_api"))


@pytest.fixture(scope="session")
def run_targets(pytestconfig: pytest.Config) -> Iterator[Callable[[str], Target]]:
    """`run_targets(vendor)`: the live API given by --runconform-base-url, else a simulator.

    Its simulators are not `run_api`'s: they demand a bearer token, as the vendors'
    contracts declare (the contract checks fail an API that ignores auth), and the
    target's `.headers` carry it.
    """
    state = pytestconfig.stash[STATE]
    urls, size = state.base_urls, state.max_body_size
    known: dict[str, Target | BaseException] = {}
    token = secrets.token_urlsafe(16)

    def get(vendor: str) -> Target:
        if vendor not in known:
            try:
                known[vendor] = (
                    live_target(vendor, urls, size) if urls else simulated(vendor, token, size)
                )
            except (pytest.fail.Exception, pytest.skip.Exception) as exc:
                known[vendor] = exc  # found out once per session, not once per test
        found = known[vendor]
        if isinstance(found, BaseException):
            raise found.with_traceback(None)
        return found

    try:
        yield get
    finally:
        for target in known.values():
            if isinstance(target, Target) and target.simulator is not None:
                target.simulator.stop()
        known.clear()


@pytest.fixture
def run_target(request: pytest.FixtureRequest, run_targets: Callable[[str], Target]) -> Target:
    """This test's vendor API: live with --runconform-base-url, else its simulator."""
    return run_targets(_vendor(request, "run_target"))
