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
from dataclasses import replace

from conformance.contract.discovery import Sightings
from conformance.contract.lifecycle_acts import cancel_findings, make_runs, replay_run
from conformance.contract.lifecycle_poller import Poller, TimeUp
from conformance.contract.lifecycle_result import PollOptions, PollResult
from conformance.contract.options import ContractOptions
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
from conformance.lifecycle.tracker import LifecycleTracker, short_id
from conformance.report.findings import Finding
from conformance.validation.routing import load_operations


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
    poller = Poller(
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


def _run(poller: Poller) -> int:
    """The rounds, the writes after the first; how many rounds were done."""
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
    except TimeUp:
        pass
    return rounds


def _sleep(seconds: float, deadline: float) -> None:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeUp
    time.sleep(min(seconds, left))


def _result(poller: Poller, rounds: int, started: float) -> PollResult:
    """The runs followed, with the stuck findings of the runs this poll made added."""
    poller.tracker.finish()
    extra: dict[str, tuple[Finding, ...]] = {}
    for finding in poller.made_tracker.finish():  # the rest the main tracker reports too
        # the tracker says stuck only of a run still in a state that waits (never of a
        # run that ended, as Paragon's do from their first observation)
        made = poller.made.get(_run_of(finding, poller))
        last = made.last if made is not None else None
        if finding.keyword == "stuck" and last is not None:
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


def _run_of(finding: Finding, poller: Poller) -> str:
    """The run a made-run finding is about (its message starts with its short id)."""
    for run_id in poller.made:
        if finding.message.startswith(f"run {short_id(run_id)}:"):
            return run_id
    return ""
