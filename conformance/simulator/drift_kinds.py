"""The names of the simulator's drift kinds and what each breaks: the one list of them.

Body drift breaks one rule of the contract in every 2xx body that can express it
(`faults.apply_drift`); lifecycle drift breaks one rule of a run's lifecycle across reads
(`lifecycle_drift`), so only a second observation of a run shows it (cancel-ignored: a
cancel accepted, then the run's end). This module imports
nothing, so `runconform serve --help` can list the kinds without loading the simulator.
"""

from __future__ import annotations

#: body drift kind -> what every 2xx body that can express it then carries
BODY_DRIFTS = {
    "wrong-enum": "a status outside its enum",
    "missing-required": "a required field (or the run's id) missing",
    "wrong-type": "a field of the wrong type",
    "time-order": "a run that ends before it starts",
    "undocumented-field": "a property its schema does not document",
}

#: lifecycle drift kind -> what a run's lifecycle then shows (every run observed twice; stuck:
#: runs made by writes; cancel-ignored: runs cancelled)
LIFECYCLE_DRIFTS = {
    "terminal-changes": "a run seen in a terminal state shows another state on a later read",
    "start-moves": "a fixed start or created time moves between reads",
    "counter-decreases": "a counter of the run's lifecycle goes down between reads",
    "stuck": "runs made by writes never leave their initial (queued) state",
    "cancel-ignored": "a cancel is answered as accepted but the run goes on to its normal end",
}

#: lifecycle drift kinds shown only to a client that makes runs: the flags `serve`'s
#: printed contract command adds so that it fails naming them (stuck: a bound to wait)
WRITE_DRIFT_FLAGS = {
    "stuck": ("--allow-writes", "--max-time 20"),
    "cancel-ignored": ("--allow-writes",),
}

BODY_DRIFT_KINDS = tuple(BODY_DRIFTS)
LIFECYCLE_DRIFT_KINDS = tuple(LIFECYCLE_DRIFTS)
DRIFT_KINDS = BODY_DRIFT_KINDS + LIFECYCLE_DRIFT_KINDS


def drift_help() -> str:
    """The kinds as `--fault drift=KIND`'s help lists them: body kinds, then lifecycle ones."""
    return (
        f"body drift ({', '.join(BODY_DRIFT_KINDS)}) breaks every run body; lifecycle drift "
        f"({', '.join(LIFECYCLE_DRIFT_KINDS)}) breaks a run's lifecycle: "
        + "; ".join(f"{kind}: {what}" for kind, what in LIFECYCLE_DRIFTS.items())
    )
