"""The API a pytest run tests: the reference simulator, or a live one named on the command line.

``--runconform-base-url URL`` (or ``VENDOR=URL``, repeatable; ini ``runconform_base_url``)
points the ``run_target`` fixture at a live API instead of a simulator. Credentials come from
the environment, never from the command line, and are never shown: ``RUNCONFORM_HEADERS_<VENDOR>``
or else ``RUNCONFORM_HEADERS`` holds ``Name: value`` lines sent with every request.

No pytest hooks here and nothing of runconform imported at module level: the plugin imports
this when a session starts, whether or not it tests an API.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest

from conformance.report.escape import visible

HEADERS_ENV = "RUNCONFORM_HEADERS"
_VENDOR = re.compile(r"^[a-z][a-z0-9_-]*$")


def parse_base_urls(entries: Iterable[str]) -> dict[str | None, str]:
    """`URL` (every vendor) or `VENDOR=URL` entries -> {vendor or None: url}."""
    urls: dict[str | None, str] = {}
    for raw in entries:
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        name, sep, rest = entry.partition("=")
        named = bool(sep) and bool(_VENDOR.match(name.strip()))
        vendor, url = (name.strip(), rest.strip()) if named else (None, entry)
        from conformance.contract.safety import base_url_problem

        if base_url_problem(url):  # the one check `--url` makes too
            shown = f"{name.strip()}={_shown(url)}" if named else _shown(url)
            raise pytest.UsageError(
                f"--runconform-base-url: expected an http(s) URL or VENDOR=URL, got {shown!r}"
            )
        urls[vendor] = url.rstrip("/")
    if urls.keys() - {None}:
        from conformance.simulator import VENDORS

        unknown = sorted(str(v) for v in urls.keys() - {None} - set(VENDORS))
        if unknown:
            raise pytest.UsageError(
                f"--runconform-base-url: unknown vendor {unknown[0]!r}; known: {', '.join(VENDORS)}"
            )
    return urls


def _shown(url: str) -> str:
    """`url` as a message may show it: as given unless it has a user or a query to hide."""
    from conformance.contract.safety import shown_url

    return shown_url(url) if "@" in url or "?" in url else url


def headers_from_env(vendor: str) -> tuple[tuple[str, str], ...]:
    """The credential headers for `vendor`; errors name the variable, never its value."""
    name = f"{HEADERS_ENV}_{vendor.upper()}"
    if name not in os.environ:
        name = HEADERS_ENV
    pairs = []
    for number, line in enumerate(os.environ.get(name, "").splitlines(), 1):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip() or not value.strip():
            pytest.fail(f"run_target: {name}: line {number} is not 'Name: value'", pytrace=False)
        pairs.append((key.strip(), value.strip()))
    return tuple(pairs)


@dataclass(frozen=True, repr=False)
class Target:
    """Where `run_target` points: `.url`, `.vendor`, and the contract checks against it.

    Its repr (what `pytest -l` shows of a failing test's `run_target`) hides the headers
    and the user, password and query of the URL: they may be credentials.
    """

    vendor: str
    url: str
    live: bool
    headers: tuple[tuple[str, str], ...] = ()
    simulator: Any = field(default=None, compare=False)
    max_body_size: int | None = None  # --runconform-max-body-size; None: the contract's

    def __repr__(self) -> str:
        return f"Target(vendor={self.vendor!r}, url={self.shown_url!r}, live={self.live!r})"

    @property
    def shown_url(self) -> str:
        """The URL as messages show it: user, password and query redacted."""
        from conformance.contract.safety import shown_url

        return shown_url(self.url)

    def scrub(self, text: str, headers: Any = ()) -> str:
        """`text` without any credential of this target (headers, URL user, password, query)."""
        return scrub(text, self.url, (*self.headers, *_pairs(headers)))

    def known_path_parameters(self) -> dict[str, str]:
        """Ids of a run that exists: the simulator's seeded one; none known for a live API."""
        return self.simulator.known_path_parameters() if self.simulator is not None else {}

    def contract_options(self, **overrides: Any) -> Any:
        """`ContractOptions` for this target; keyword arguments override its fields.

        Defaults: the known path parameters, stateful (lists first, their run ids feed the
        rest), unlimited rate on the loopback simulator, the runner's 10/s on a live API,
        the body bound of --runconform-max-body-size (else the runner's 16 MiB).
        """
        from conformance.contract import ContractOptions

        if self.live and overrides.get("allow_writes"):
            pytest.fail(
                f"run_target: writes are not sent to a live API ({self.shown_url}); test them "
                "against the simulator (without --runconform-base-url)",
                pytrace=False,
            )
        params = overrides.pop("path_parameters", None)
        params = self.known_path_parameters() if params is None else params
        settings: dict[str, Any] = {"stateful": True, "headers": self.headers}
        if not self.live:
            settings["rate_limit"] = 0.0
        if self.max_body_size is not None:
            settings["max_body_size"] = self.max_body_size
        settings.update(overrides)
        pairs = tuple(params.items()) if isinstance(params, dict) else tuple(params)
        return ContractOptions(base_url=self.url, path_parameters=pairs, **settings)

    def check_contract(self, **overrides: Any) -> Any:
        """Run the contract checks; fail the test with one line per problem, else the result.

        An operation that checked no response body against a run schema is untested and
        fails the test too, unless `allow_untested=True`. Every failure, the unexpected
        ones too, is `pytest.fail` without a traceback: its locals hold the credentials.
        """
        __tracebackhide__ = True
        message = self._contract_failure(overrides)
        if isinstance(message, str):
            pytest.fail(message, pytrace=False)
        return message

    def _contract_failure(self, overrides: dict[str, Any]) -> Any:
        """The failure text of a contract run (scrubbed, each line `visible`), else its result."""
        from conformance.contract import run_contract
        from conformance.errors import ConformanceError

        where = f"{self.vendor} contract at {self.shown_url}"
        given = overrides.get("headers", ())
        try:
            options = self.contract_options(**overrides)
        except (TypeError, ValueError) as exc:  # a misspelt or mistyped override
            return self.scrub(visible(f"run_target.check_contract: {exc}"), given)
        try:
            result = run_contract(self.vendor, options)
        except ConformanceError as exc:
            return self.scrub(visible(f"{where}: {exc}"), given)
        except Exception as exc:  # a bug here too: its locals must not be shown
            problem = f"{type(exc).__name__}: {exc}"
            text = f"{where}: internal error (a bug in runconform): {problem}"
            return self.scrub(visible(text), given)
        return result if result.ok else self.scrub(contract_failure(result), given)


def _pairs(headers: Any) -> tuple[tuple[str, str], ...]:
    """Header pairs from what a caller may pass as `headers=` (pairs or a mapping)."""
    try:
        items = headers.items() if isinstance(headers, dict) else headers
        return tuple((str(k), str(v)) for k, v in items)
    except (TypeError, ValueError):
        return ()


def scrub(text: str, url: str, headers: tuple[tuple[str, str], ...]) -> str:
    """`text` without the header values, nor the user, password or query values of `url`,
    as given or as an error message quotes them (escaped: `'key\\nrest'`; line by line)."""
    from urllib.parse import parse_qsl, urlsplit

    from conformance.contract.safety import Scrubber

    secrets = list(headers)
    try:
        parts = urlsplit(url)
        secrets += [("user", parts.username or ""), ("password", parts.password or "")]
        secrets += [("query", parts.query), *parse_qsl(parts.query, keep_blank_values=True)]
    except ValueError:  # an unparseable URL never reached a socket
        pass
    forms = [(name, repr(value)[1:-1]) for name, value in secrets]
    forms += [(name, line) for name, value in secrets for line in value.splitlines()]
    return Scrubber((*secrets, *forms))(text)


def contract_failure(result: Any) -> str:
    """The failure text of a contract run, worded as `runconform contract` prints it: the
    operations that fail it, then the run's verdict when no response came at all or its
    time ran out. Each line `visible`: a server's message may hold a newline."""
    where = f"{result.vendor} contract at {result.base_url}"
    if not result.runs:
        lines = [f"{where}: {result.verdict}"]
        lines += [f"{operation}: skipped ({reason})" for operation, reason in result.skipped]
        return "\n".join(visible(line) for line in lines)
    problems = result.problems()
    failed = sum(1 for run in problems if run.status == "FAILED")
    untested = len(problems) - failed
    counts = "; ".join(
        f"{n} of {len(result.runs)} operations {word}"
        for n, word in ((failed, "failed"), (untested, "untested"))
        if n
    )
    lines = [f"{where}: {counts}:"]
    for run in problems:
        lines += run.lines()
    if result.unreachable or result.stopped:
        lines.append(result.verdict)
    elif untested:
        lines.append(
            "(give them data: check_contract(path_parameters={NAME: VALUE}); "
            "or accept them: check_contract(allow_untested=True))"
        )
    return "\n".join(visible(line) for line in lines)


def live_target(
    vendor: str, urls: dict[str | None, str], max_body_size: int | None = None
) -> Target:
    """The live target of `vendor`; skips the test when no URL covers that vendor."""
    url = urls.get(vendor) or urls.get(None)
    if url is None:
        given = ", ".join(sorted(str(v) for v in urls))
        pytest.skip(f"no --runconform-base-url for {vendor} (given for: {given})")
    from conformance.contract.runner import check_reachable
    from conformance.errors import ConformanceError

    headers = headers_from_env(vendor)
    try:
        check_reachable(url, timeout=5.0)
        problem = None
    except ConformanceError as exc:
        problem = f"run_target: {exc}"
    except Exception as exc:  # e.g. a host name idna refuses: one line
        problem = f"run_target: cannot reach {_shown(url)}: {type(exc).__name__}: {exc}"
    if problem is not None:  # raised outside the handler: no chained traceback to show
        pytest.fail(scrub(visible(problem), url, headers), pytrace=False)
    return Target(vendor, url, live=True, headers=headers, max_body_size=max_body_size)


def simulated(vendor: str, token: str, max_body_size: int | None = None) -> Target:
    """A reference simulator of `vendor` that demands `token`, as the contracts declare."""
    from conformance.errors import UsageError
    from conformance.simulator import start

    try:
        simulator, problem = start(vendor, host="127.0.0.1", port=0, seed=0, token=token), None
    except UsageError as exc:
        simulator, problem = None, f"run_target: {exc}"
    except OSError as exc:  # no free port, no threads: one line, not the token in locals
        simulator, problem = None, f"run_target: cannot start the {vendor} simulator: {exc}"
    if simulator is None:
        pytest.fail((problem or "").replace(token, "[REDACTED]"), pytrace=False)
    headers = (("Authorization", f"Bearer {token}"),)
    return Target(
        vendor,
        simulator.url,
        live=False,
        headers=headers,
        simulator=simulator,
        max_body_size=max_body_size,
    )
