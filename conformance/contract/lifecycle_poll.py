"""`contract --lifecycle`: follow a live API's runs over a bounded window of polls.

Every round calls each GET operation of the bundled contract whose 2xx body carries runs
(lists and get-ones, path parameters from --path-param and from the runs seen so far),
and every run each response shows is one observation for a `LifecycleTracker`, timed by
when its request was sent. With --allow-writes it first makes a run (`lifecycle_plan`)
and follows it until it ends or the run's --max-time; one that never leaves its initial
state for longer than --stuck-after is stuck. Where the contract cancels, a second run is
made and cancelled at once: it must end in the vendor's cancelled state. Where it
replays, the first run is replayed once it ended, and followed again.

Safe by default like the rest of `contract`: GETs only without --allow-writes, only the
base URL named (redirects stay below it), rate-limited, every request bounded in time
and size, credentials scrubbed from everything kept. No run observed twice is untested.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from conformance.bundle.run_profiles import load_profiles
from conformance.contract.discovery import Sighting, Sightings
from conformance.contract.lifecycle_plan import READ_QUERY, with_run
from conformance.contract.lifecycle_result import PollOptions, PollResult
from conformance.contract.options import ContractOptions
from conformance.contract.recordings import Exchange, record_cut
from conformance.contract.response_checks import Observed
from conformance.contract.routes import route_operation
from conformance.contract.safety import (
    RateLimit,
    Scrubber,
    basic_auth_clash,
    check_reachable,
    shown_url,
    split_base_url,
)
from conformance.contract.transport import BoundedSession, Bounds
from conformance.errors import UsageError
from conformance.lifecycle.check import LifecycleResult
from conformance.lifecycle.definitions import lifecycle_of
from conformance.lifecycle.observations import Observation, observations_of
from conformance.lifecycle.tracker import LifecycleTracker, short_id
from conformance.records import HttpExchange, Locator, Record, loads_strict
from conformance.report.findings import Finding
from conformance.validation.operations import Operation
from conformance.validation.routing import load_operations


class _TimeUp(Exception):
    """The run's --max-time ran out: no more requests."""


def carries_runs(schema: str | None, depth: int = 0) -> bool:
    """Whether a body of `schema` shows runs a lifecycle follows (itself or its items)."""
    if schema is None or depth > 4:
        return False
    if lifecycle_of(schema) is not None:
        return True
    children = load_profiles().get(schema, {}).get("children", ())
    return any(carries_runs(child["profile"], depth + 1) for child in children)


@dataclass(frozen=True)
class Answer:
    """What one request came back with."""

    status: int
    seen: tuple[Observation, ...]  # the runs it showed
    run_id: str | None  # the first run it names (a body no lifecycle follows too)


@dataclass
class _Made:
    """A run this poll made (or cancelled): how to reach it and what it showed last."""

    run_id: str
    follow: tuple[Operation, dict[str, str]] | None
    last: Observation | None = None
    cancel_sent: Observation | None = None  # its last observation before the cancel
    cancel_answered: bool = False


@dataclass
class _Poller:
    vendor: str
    options: ContractOptions
    poll: PollOptions
    deadline: float
    session: requests.Session
    scrub: Scrubber
    limiter: RateLimit
    tracker: LifecycleTracker
    made_tracker: LifecycleTracker
    sightings: Sightings
    operations: dict[str, Operation]
    made: dict[str, _Made] = field(default_factory=dict)
    notes: dict[str, None] = field(default_factory=dict)
    exchanges: list[Exchange] = field(default_factory=list)
    sent: int = 0
    answered: int = 0

    # -- sending ------------------------------------------------------------------------------

    def send(self, op: Operation, params: dict[str, str], body: Any = None) -> Answer | None:
        """One request and what it showed; None: no answer."""
        self.limiter.wait()
        if time.monotonic() >= self.deadline:
            raise _TimeUp
        endpoint, query = split_base_url(self.options.base_url)
        path = op.path_template
        for name, value in params.items():
            path = path.replace("{" + name + "}", quote(value, safe=""))
        self.sent += 1
        label = f"{op.method} {op.path_template}"
        try:
            response = self.session.request(
                op.method,
                endpoint.rstrip("/") + path,
                params={**dict(query), **READ_QUERY.get(op.operation_id, {})},
                headers=dict(self.options.headers),
                json=body,
                timeout=self.options.timeout,
            )
        except requests.RequestException as exc:
            self.notes.setdefault(self.scrub(f"{label}: no answer: {exc}"))
            return None
        self.answered += 1
        return self._observed(op, params, label, response)

    def _observed(
        self, op: Operation, params: dict[str, str], label: str, response: requests.Response
    ) -> Answer:
        """Keep the exchange, feed every run it shows to the trackers, learn ids from it."""
        # record_cut keeps a response without its body: the body is put back, scrubbed
        exchange = record_cut(label, response, self.scrub, dict(self.options.headers), "")
        text = self.scrub(response.content.decode("utf-8", "replace"))
        exchange = replace(exchange, response_body=text, note="")
        if self.options.record:
            self.exchanges.append(exchange)
        status = response.status_code
        schema = route_operation(self.vendor, op.method, op.path_template).schema_for(status)
        try:
            payload = loads_strict(response.content) if response.content else None
        except ValueError:
            return Answer(status, (), None)
        if not 200 <= status < 300:
            return Answer(status, (), None)
        locator = Locator(f"#{self.sent} {label}", self.sent, None, "")
        sent = HttpExchange(
            op.method, exchange.url, urlsplit(exchange.url).path, status, None, exchange.started
        )
        record = Record(locator, payload, sent)
        seen = list(observations_of(record, schema, self.sent))
        for observation in seen:
            self.tracker.observe(observation)
            made = self.made.get(observation.run_id)
            if made is not None:
                self.made_tracker.observe(observation)
                made.last = observation
        observed = Observed(self.vendor, op.method, exchange.url, status, response.content, schema)
        self.sightings.add(observed, params)
        named = Sightings(self.vendor)  # this response's own run, whatever came before
        named.add(observed, params)
        run_id = seen[0].run_id if seen else None
        if run_id is None and named.found:
            run_id = named.found[0].roles.get("id")
        return Answer(status, tuple(seen), run_id)

    # -- reading ------------------------------------------------------------------------------

    def reads(self) -> list[Operation]:
        """The GET operations whose 2xx bodies carry runs, those with fewer parameters first."""
        found = [
            op
            for op in self.operations.values()
            if op.method == "GET"
            and any(s.startswith("2") and carries_runs(r.schema) for s, r in op.responses.items())
        ]
        return sorted(found, key=lambda op: op.path_template.count("{"))

    def fill(self, op: Operation, known: dict[str, str] | None = None) -> dict[str, str] | None:
        """Values for every path parameter of `op`, or None (and a note) when one is unknown."""
        names = _names(op.path_template)
        fixed = {**dict(self.options.path_parameters), **(known or {})}
        values = {**self.sightings.values(names, fixed), **fixed}
        missing = [name for name in names if name not in values]
        if missing:
            self.notes.setdefault(
                f"{op.method} {op.path_template}: not polled: no value for "
                f"{', '.join(missing)} (give it with --path-param)"
            )
            return None
        return {name: values[name] for name in names}

    def round(self) -> None:
        """One poll: every read operation once, then every run this poll made."""
        for op in self.reads():
            params = self.fill(op)
            if params is not None:
                self.send(op, params)
        for made in self.made.values():
            if made.follow is not None:
                self.send(*made.follow)

    def waiting(self) -> bool:
        """A run this poll made has not been seen in a terminal state yet."""
        return any(
            m.last is None or m.last.status not in m.last.lifecycle.terminal
            for m in self.made.values()
        )


def _names(template: str) -> list[str]:
    return [part.split("}")[0] for part in template.split("{")[1:]]


def poll_lifecycle(vendor: str, options: ContractOptions, poll: PollOptions) -> PollResult:
    """Follow `vendor`'s runs at `options.base_url` for `poll.polls` rounds (and, with
    writes, until the runs it made end or --max-time runs out)."""
    started = time.monotonic()
    clash = basic_auth_clash(options.base_url, options.headers)
    if clash:
        raise UsageError(clash)
    if options.contract is not None:
        raise UsageError("--lifecycle follows the bundled contract's operations: drop --contract")
    operations = {op.operation_id: op for op in load_operations(vendor)}
    check_reachable(options.base_url, min(options.timeout, options.max_time))
    deadline = started + options.max_time
    endpoint, _ = split_base_url(options.base_url)
    bounds = Bounds(endpoint, options.timeout, options.max_time, deadline, options.max_body_size)
    window = poll.interval * max(poll.polls - 1, 1)
    poller = _Poller(
        vendor,
        options,
        poll,
        deadline,
        BoundedSession(bounds),
        Scrubber(options.headers, options.base_url),
        RateLimit(options.rate_limit),
        LifecycleTracker(poll.stuck_after),
        LifecycleTracker(poll.stuck_after if poll.stuck_after is not None else window),
        Sightings(vendor),
        operations,
    )
    rounds = _run(poller)
    return _result(poller, rounds, started)


def _run(poller: _Poller) -> int:
    """The rounds, the writes after the first; how many rounds were done."""
    from conformance.contract.lifecycle_acts import make_runs, replay_run

    poll, rounds = poller.poll, 0
    try:
        poller.round()
        rounds = 1
        if poller.options.allow_writes:
            make_runs(poller)
        while rounds < poll.polls or poller.waiting():
            _sleep(poll.interval, poller.deadline)
            poller.round()
            rounds += 1
        if poller.options.allow_writes:
            replay_run(poller)
    except _TimeUp:
        pass
    return rounds


def _sleep(seconds: float, deadline: float) -> None:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _TimeUp
    time.sleep(min(seconds, left))


def _result(poller: _Poller, rounds: int, started: float) -> PollResult:
    """The runs followed, with the stuck findings of the runs this poll made added."""
    from conformance.contract.lifecycle_acts import cancel_findings

    poller.tracker.finish()
    extra: dict[str, tuple[Finding, ...]] = {}
    for finding in poller.made_tracker.finish():  # the rest the main tracker reports too
        made = poller.made.get(_run_of(finding, poller))
        last = made.last if made is not None else None
        if finding.keyword == "stuck" and last is not None:
            if last.status not in last.lifecycle.terminal:  # Paragon's runs begin ended
                extra[last.run_id] = (*extra.get(last.run_id, ()), finding)
    for run_id, finding in cancel_findings(poller):
        extra[run_id] = (*extra.get(run_id, ()), finding)
    runs = tuple(
        replace(tally, findings=tally.findings + extra.get(tally.run_id, ()))
        for tally in poller.tracker.runs()
    )
    lifecycle = LifecycleResult(
        runs, poller.tracker.observations, tuple(poller.tracker.ordered_by.most_common())
    )
    stopped = ""
    if rounds < 2:
        stopped = f"the run's --max-time of {poller.options.max_time:g} s ran out"
    return PollResult(
        poller.vendor,
        shown_url(poller.options.base_url),
        lifecycle,
        tuple(poller.notes),
        poller.sent,
        poller.answered,
        rounds,
        tuple(poller.exchanges),
        stopped,
        time.monotonic() - started,
    )


def _run_of(finding: Finding, poller: _Poller) -> str:
    """The run a made-run finding is about (its message starts with its short id)."""
    for run_id in poller.made:
        if finding.message.startswith(f"run {short_id(run_id)}:"):
            return run_id
    return ""


def reach(
    poller: _Poller, op_id: str | None, run_id: str, near: dict[str, str]
) -> tuple[Operation, dict[str, str]] | None:
    """(operation, parameters) that reach `run_id` through `op_id`, or None."""
    op = poller.operations.get(op_id or "")
    if op is None:
        return None
    sighting = Sighting({"id": run_id}, near)
    values = {name: sighting.value(poller.vendor, name) for name in _names(op.path_template)}
    known = {name: value for name, value in values.items() if value is not None}
    params = poller.fill(op, known)
    return None if params is None else (op, params)


__all__ = ["PollOptions", "PollResult", "carries_runs", "poll_lifecycle", "reach", "with_run"]
