"""The writes of `contract --lifecycle --allow-writes`: make a run to follow, make one and
cancel it at once, replay the first once it ended; and what a cancel must come to.

A cancel accepted (2xx) while the run had not ended must end the run in the vendor's
cancelled state (the terminal state named `cancel...`); showing `completed` after it
is also a terminal state that changed, which the tracker reports on its own.
"""

from __future__ import annotations

from collections.abc import Iterator

from conformance.contract.lifecycle_plan import WRITES, with_run
from conformance.contract.lifecycle_poller import Made, Poller, reach
from conformance.lifecycle.tracker import short_id
from conformance.report.findings import Finding


def _trigger(poller: Poller) -> Made | None:
    """Send the vendor's write that makes a run; the run it made, or None (noted)."""
    writes = WRITES.get(poller.vendor)
    op = poller.operations.get(writes.trigger) if writes else None
    if writes is None or op is None:
        poller.notes.setdefault(f"{poller.vendor}: the contract has no write that makes a run")
        return None
    params = poller.fill(op)
    if params is None:
        return None
    body = with_run(writes.body, "")
    if isinstance(body, dict) and "workflowName" in body:
        body["workflowName"] = dict(poller.options.path_parameters).get(
            "workflowName", body["workflowName"]
        )
    answer = poller.send(op, params, body)
    if answer is None:
        return None
    run_id = answer.run_id
    if not 200 <= answer.status < 300 or run_id is None:
        poller.notes.setdefault(
            f"{op.method} {op.path_template}: answered {answer.status}: no run made"
        )
        return None
    made = Made(run_id, reach(poller, writes.follow, run_id, params))
    made.last = answer.seen[0] if answer.seen else None
    if made.last is not None:
        poller.made_tracker.observe(made.last)
    poller.made[run_id] = made
    if made.follow is not None:  # at once: a run queued briefly is seen queued
        poller.send(*made.follow)
    return made


def make_runs(poller: Poller) -> None:
    """A run to follow to its end; where the contract cancels, a second one, cancelled."""
    if _trigger(poller) is None:
        return
    writes = WRITES[poller.vendor]
    if writes.cancel is None or writes.cancel[0] not in poller.operations:
        return
    second = _trigger(poller)
    if second is None:
        return
    op_id, body = writes.cancel
    target = reach(poller, op_id, second.run_id, second.follow[1] if second.follow else {})
    if target is None:
        return
    second.cancel_sent = second.last
    answer = poller.send(*target, with_run(body, second.run_id))
    if answer is not None and 200 <= answer.status < 300:
        second.cancel_answered = True
    elif answer is not None:
        poller.notes.setdefault(
            f"{target[0].method} {target[0].path_template}: answered {answer.status}: "
            "cancel not checked"
        )


def replay_run(poller: Poller) -> None:
    """Replay the first run made, once it ended, and look at it once more."""
    writes = WRITES.get(poller.vendor)
    first = next(iter(poller.made.values()), None)
    if writes is None or writes.replay is None or first is None:
        return
    op_id, body = writes.replay
    target = reach(poller, op_id, first.run_id, first.follow[1] if first.follow else {})
    if target is None:
        return
    answer = poller.send(*target, with_run(body, first.run_id))
    if answer is not None and not 200 <= answer.status < 300:
        poller.notes.setdefault(
            f"{target[0].method} {target[0].path_template}: answered {answer.status}: "
            "replay not checked"
        )
    elif answer is not None and first.follow is not None:
        poller.send(*first.follow)


def cancel_findings(poller: Poller) -> Iterator[tuple[str, Finding]]:
    """(run id, finding) for each accepted cancel of a running run that did not end cancelled."""
    for made in poller.made.values():
        before, last = made.cancel_sent, made.last
        if not made.cancel_answered or last is None or last.status is None:
            continue
        lifecycle = last.lifecycle
        if before is not None and before.status in lifecycle.terminal:
            continue  # it had ended already: a cancel changes nothing
        cancelled = sorted(s for s in lifecycle.terminal if s.lower().startswith("cancel"))
        if not cancelled or last.status not in lifecycle.terminal or last.status in cancelled:
            continue
        message = (
            f"run {short_id(made.run_id)}: cancelled while {before.status if before else 'new'}"
            f", then {last.status} ({last.where}): a cancelled run ends {cancelled[0]}"
        )
        yield (
            made.run_id,
            Finding(
                "error",
                "lifecycle",
                "cancel-ignored",
                lifecycle.status_pointer,
                message,
                subject=lifecycle.name,
                stage="lifecycle",
                file=last.file,
                label=last.label,
            ),
        )
