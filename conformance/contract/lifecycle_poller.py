"""The state of one `contract --lifecycle` poll and its requests (`Poller`): what it sends,
what each answer showed, the runs it made. `lifecycle_poll` runs it; `lifecycle_acts`
makes, cancels and replays runs through it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from conformance.bundle.lifecycles import lifecycle_of
from conformance.bundle.run_profiles import load_profiles
from conformance.contract.discovery import Sighting, Sightings
from conformance.contract.lifecycle_plan import READ_QUERY
from conformance.contract.lifecycle_result import PollOptions
from conformance.contract.options import ContractOptions
from conformance.contract.recordings import Exchange, record_cut
from conformance.contract.response_checks import Observed
from conformance.contract.routes import route_operation
from conformance.contract.safety import (
    RateLimit,
    Scrubber,
    split_base_url,
)
from conformance.lifecycle.observations import Observation, observations_of
from conformance.lifecycle.tracker import LifecycleTracker
from conformance.records import HttpExchange, Locator, Record, loads_strict
from conformance.validation.operations import Operation


class TimeUp(Exception):
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
class Made:
    """A run this poll made (or cancelled): how to reach it and what it showed last."""

    run_id: str
    follow: tuple[Operation, dict[str, str]] | None
    last: Observation | None = None
    cancel_sent: Observation | None = None  # its last observation before the cancel
    cancel_answered: bool = False


@dataclass
class Poller:
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
    made: dict[str, Made] = field(default_factory=dict)
    notes: dict[str, None] = field(default_factory=dict)
    exchanges: list[Exchange] = field(default_factory=list)
    sent: int = 0
    answered: int = 0

    # -- sending ------------------------------------------------------------------------------

    def send(self, op: Operation, params: dict[str, str], body: Any = None) -> Answer | None:
        """One request and what it showed; None: no answer."""
        self.limiter.wait()
        if time.monotonic() >= self.deadline:
            raise TimeUp
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
        """A run this poll made was seen, and not yet in a terminal state (one never seen as
        a run a lifecycle follows does not keep the poll going past --polls)."""
        return any(
            m.last is not None and m.last.status not in m.last.lifecycle.terminal
            for m in self.made.values()
        )


def _names(template: str) -> list[str]:
    return [part.split("}")[0] for part in template.split("{")[1:]]


def reach(
    poller: Poller, op_id: str | None, run_id: str, near: dict[str, str]
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
