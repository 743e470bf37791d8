"""The vendors' run lifecycles, read from `contracts/lifecycles.yaml`.

A lifecycle says how one run may change between two observations of it: which status
may follow which, which fields are fixed once set, which timestamps only move forward
and which counters only grow. The status set and the terminal states are the run
profile's (`contracts/semantics.yaml`, the one place for them); the lifecycle file adds
the rest, each rule with its evidence or marked as runconform's assumption.

A poll may miss states (queued, then completed: the run went through running unseen),
so a transition is allowed when its target is *reachable* through the allowed direct
transitions; a terminal state reaches nothing but itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from conformance.bundle.document_loader import load_document
from conformance.bundle.resources import contracts_dir
from conformance.bundle.run_profiles import load_profiles
from conformance.errors import BundleError

_FILE = "contracts/lifecycles.yaml"


@dataclass(frozen=True)
class Rule:
    """One rule of a lifecycle and why runconform holds it."""

    evidence: str = ""  # where the vendor says so (a contract, the SDK, the docs)
    assumption: str = ""  # or why runconform assumes it where nothing says so


@dataclass(frozen=True)
class FieldRule:
    """A field a rule is about (an RFC 6901 pointer), with the rule's grounds."""

    pointer: str
    rule: Rule


@dataclass(frozen=True)
class Lifecycle:
    """How one run object may change between two observations of the same run."""

    name: str  # the run profile: "hatchet.V1TaskSummary"
    family: str  # observations of runs of one family are one run when their ids match
    id_pointer: str
    status_pointer: str
    states: frozenset[str]
    initial: frozenset[str]
    terminal: frozenset[str]
    allowed: dict[str, frozenset[str]]  # direct transitions, as the file states them
    reachable: dict[str, frozenset[str]]  # every status a status may be followed by
    fixed: tuple[FieldRule, ...]
    forward: tuple[FieldRule, ...]
    counters: tuple[FieldRule, ...]
    grounds: dict[str, Rule]  # "states", "initial", "terminal", "transitions"

    def may_follow(self, before: str, after: str) -> bool:
        """Whether `after` may be observed after `before` (unknown statuses: not judged)."""
        if before == after or before not in self.states or after not in self.states:
            return True
        return after in self.reachable.get(before, frozenset())


def _rule(data: Any, where: str) -> Rule:
    if not isinstance(data, dict):
        raise BundleError(
            "expected a mapping with evidence or assumption", file=_FILE, pointer=where
        )
    evidence, assumption = data.get("evidence", ""), data.get("assumption", "")
    if not isinstance(evidence, str) or not isinstance(assumption, str):
        raise BundleError("evidence and assumption are text", file=_FILE, pointer=where)
    if bool(evidence.strip()) == bool(assumption.strip()):
        raise BundleError(
            "every rule needs exactly one of evidence or assumption", file=_FILE, pointer=where
        )
    return Rule(evidence.strip(), assumption.strip())


def _fields(data: Any, where: str) -> tuple[FieldRule, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        raise BundleError(
            "expected a list of {pointer, evidence|assumption}", file=_FILE, pointer=where
        )
    found = []
    for index, item in enumerate(data):
        at = f"{where}/{index}"
        pointer = item.get("pointer") if isinstance(item, dict) else None
        if not isinstance(pointer, str) or not (pointer == "" or pointer.startswith("/")):
            raise BundleError("expected a JSON pointer in `pointer`", file=_FILE, pointer=at)
        found.append(FieldRule(pointer, _rule(item, at)))
    return tuple(found)


def _states(values: Any, known: frozenset[str], where: str) -> frozenset[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise BundleError("expected a list of statuses", file=_FILE, pointer=where)
    unknown = sorted(set(values) - known)
    if unknown:
        raise BundleError(
            f"not a status of this run: {', '.join(unknown)}", file=_FILE, pointer=where
        )
    return frozenset(values)


def _reachable(allowed: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """The transitive closure of `allowed` (a handful of statuses: a plain search)."""
    closure = {}
    for start in allowed:
        seen: set[str] = set()
        todo = list(allowed[start])
        while todo:
            state = todo.pop()
            if state not in seen:
                seen.add(state)
                todo.extend(allowed.get(state, ()))
        closure[start] = frozenset(seen)
    return closure


def _lifecycle(name: str, entry: dict[str, Any], family: str) -> Lifecycle:
    where = f"/lifecycles/{name}"
    profile = load_profiles().get(name)
    if profile is None or "id" not in profile or "status" not in profile:
        raise BundleError("no run profile with an id and a status", file=_FILE, pointer=where)
    terminal = frozenset(profile.get("terminal", ()))
    states = terminal | frozenset(profile.get("active", ()))
    transitions = entry.get("transitions")
    if not isinstance(transitions, dict) or not isinstance(transitions.get("allowed"), dict):
        raise BundleError("expected transitions.allowed", file=_FILE, pointer=where)
    allowed = {}
    for source, targets in transitions["allowed"].items():
        at = f"{where}/transitions/allowed/{source}"
        _states([source], states, at)
        if source in terminal and targets:
            raise BundleError("a terminal state has no transitions", file=_FILE, pointer=at)
        allowed[source] = _states(targets or [], states, at)
    initial = entry.get("initial")
    if not isinstance(initial, dict):
        raise BundleError("expected initial", file=_FILE, pointer=where)
    return Lifecycle(
        name,
        family,
        profile["id"],
        profile["status"],
        states,
        _states(initial.get("values"), states, f"{where}/initial/values"),
        terminal,
        allowed,
        _reachable(allowed),
        _fields(entry.get("fixed"), f"{where}/fixed"),
        _fields(entry.get("forward"), f"{where}/forward"),
        _fields(entry.get("counters"), f"{where}/counters"),
        {
            key: _rule(entry.get(key), f"{where}/{key}")
            for key in ("states", "initial", "terminal", "transitions")
        },
    )


@cache
def load_lifecycles() -> dict[str, Lifecycle]:
    """Every bundled lifecycle by run profile name, `extends` resolved."""
    data = load_document(contracts_dir() / "lifecycles.yaml", display=_FILE)
    if not isinstance(data, dict) or not isinstance(data.get("lifecycles"), dict):
        raise BundleError("expected a mapping with `lifecycles`", file=_FILE)
    entries: dict[str, Any] = data["lifecycles"]
    found = {}
    for name, entry in entries.items():
        if not isinstance(entry, dict):
            raise BundleError("expected a mapping", file=_FILE, pointer=f"/lifecycles/{name}")
        family, seen = name, {name}
        while "extends" in entry:  # a detail view of a run is the same run
            family = entry["extends"]
            if family in seen:
                raise BundleError("extends itself", file=_FILE, pointer=f"/lifecycles/{name}")
            seen.add(family)
            base = entries.get(family)
            if not isinstance(base, dict):
                raise BundleError(
                    f"extends an unknown lifecycle: {family}",
                    file=_FILE,
                    pointer=f"/lifecycles/{name}",
                )
            entry = {**base, **{k: v for k, v in entry.items() if k != "extends"}}
        found[name] = _lifecycle(name, entry, family)
    return found


def lifecycle_of(name: str | None) -> Lifecycle | None:
    """The lifecycle of a bundled run object, or None for any other object."""
    return load_lifecycles().get(name) if name else None
