"""contracts/lifecycles.yaml holds together: every run has a lifecycle, every rule says
why (evidence or assumption), states are the run profile's, terminal states are final and
reachable, and every pointer names a property the bundled schema declares.

The checks are plain functions returning problem lines, run once per entry on the shipped
data and once per defect injected into a copy of it (each defect caught, exact line).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from conformance.bundle.catalog import Catalog, load_catalog
from conformance.bundle.resources import contracts_dir
from conformance.bundle.run_profiles import load_profiles

if TYPE_CHECKING:
    from referencing._core import Resolver  # the class `referencing` exports no name for

REQUIRED = (
    "hatchet.V1WorkflowRun",
    "hatchet.V1TaskSummary",
    "knock.WorkflowRecipientRun",
    "knock.WorkflowRecipientRunDetail",
    "paragon.WorkflowExecution",
    "restack.WorkflowRunStatus",
    "restack.AgentRunStatus",
    "xceptor.WorkflowRun",
    "canonical.WorkflowRun",
)
POINTER_RULES = ("fixed", "forward", "counters")
#: what a pointer of each kind must point at: (JSON Schema keyword, accepted values)
KIND_OF_VALUE = {"forward": ("format", {"date-time"}), "counters": ("type", {"integer"})}

Lifecycles = dict[str, dict[str, Any]]


def load_lifecycles() -> Lifecycles:
    with (contracts_dir() / "lifecycles.yaml").open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    lifecycles: Lifecycles = data["lifecycles"]
    return lifecycles


def resolved(lifecycles: Lifecycles, name: str) -> dict[str, Any]:
    """One entry with `extends` applied: the keys it gives replace the base's whole."""
    entry = lifecycles[name]
    base = resolved(lifecycles, entry["extends"]) if "extends" in entry else {}
    return {**base, **{k: v for k, v in entry.items() if k != "extends"}}


def run_profiles() -> list[str]:
    """Profiles that describe a run: an id and a status, and not a step of one."""
    return sorted(
        name
        for name, profile in load_profiles().items()
        if "id" in profile and "status" in profile and "noun" not in profile
    )


# -- the checks ---------------------------------------------------------------------------
def _rules(entry: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for key in ("states", "initial", "terminal", "transitions"):
        yield key, entry.get(key)
    for key in POINTER_RULES:
        for item in entry.get(key) or ():
            yield f"{key} {item.get('pointer') if isinstance(item, dict) else item}", item


def reason_problems(entry: dict[str, Any]) -> list[str]:
    """Every rule has exactly one of evidence / assumption, a non-empty string."""
    problems = []
    for label, rule in _rules(entry):
        given = [k for k in ("evidence", "assumption") if isinstance(rule, dict) and k in rule]
        if len(given) != 1:
            problems.append(f"{label}: needs exactly one of evidence/assumption, has {given}")
        elif not isinstance(rule[given[0]], str) or not rule[given[0]].strip():
            problems.append(f"{label}: empty {given[0]}")
    return problems


def _reachable(allowed: dict[str, list[str]], start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for target in allowed.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def state_problems(name: str, entry: dict[str, Any]) -> list[str]:
    """States are the profile's; terminal ones are final; every state is on a path."""
    profile = load_profiles()[name]
    terminal, states = set(profile["terminal"]), set(profile["terminal"]) | set(profile["active"])
    initial = list(entry["initial"]["values"])
    allowed: dict[str, list[str]] = entry["transitions"]["allowed"]
    problems = [f"initial {s}: not a state of {name}" for s in initial if s not in states]
    if not initial:
        problems.append("initial: no initial state")
    for source, targets in allowed.items():
        problems += [
            f"transition {source} -> {s}: not a state of {name}"
            for s in (source, *targets)
            if s not in states
        ]
        if source in terminal and targets:
            problems.append(f"transition {source} -> {', '.join(targets)}: {source} is terminal")
    from_initial = set().union(*(_reachable(allowed, s) for s in initial))
    for state in sorted(states):
        if state not in from_initial:
            problems.append(f"state {state}: not reachable from an initial state")
        if state not in terminal and not _reachable(allowed, state) & terminal:
            problems.append(f"state {state}: cannot reach a terminal state")
    return problems


def _branches(node: Any, resolver: Resolver[Any]) -> Iterator[tuple[dict[str, Any], Resolver[Any]]]:
    """`node` and every subschema it stands for: `$ref` targets, allOf/anyOf/oneOf parts."""
    todo, seen = [(node, resolver)], set()
    while todo:
        current, here = todo.pop()
        if not isinstance(current, dict) or id(current) in seen:
            continue
        seen.add(id(current))
        yield current, here
        if isinstance(current.get("$ref"), str):
            target = here.lookup(current["$ref"])
            todo.append((target.contents, target.resolver))
        todo += [
            (part, here) for key in ("allOf", "anyOf", "oneOf") for part in current.get(key, ())
        ]


def declared(catalog: Catalog, name: str, pointer: str) -> list[dict[str, Any]] | None:
    """The schemas a pointer reaches through declared `properties`; None if it leaves them."""
    entry = catalog.entry(name)
    resolver = catalog.registry().resolver(base_uri=entry.id)
    nodes: list[tuple[Any, Resolver[Any]]] = [(catalog.schema_by_id(entry.id), resolver)]
    for raw in pointer.split("/")[1:]:
        segment = raw.replace("~1", "/").replace("~0", "~")
        nodes = [
            (branch["properties"][segment], here)
            for node, at in nodes
            for branch, here in _branches(node, at)
            if segment in branch.get("properties", {})
        ]
        if not nodes:
            return None
    return [branch for node, at in nodes for branch, _ in _branches(node, at)]


def pointer_problems(catalog: Catalog, name: str, entry: dict[str, Any]) -> list[str]:
    problems = []
    for kind in POINTER_RULES:
        for item in entry.get(kind) or ():
            pointer = item["pointer"]
            found = declared(catalog, name, pointer)
            if not pointer.startswith("/") or found is None:
                problems.append(f"{kind} {pointer}: not a property of {name}'s bundled schema")
                continue
            if kind in KIND_OF_VALUE:
                keyword, accepted = KIND_OF_VALUE[kind]
                values = {v for b in found for v in _as_list(b.get(keyword))}
                if not values & accepted:
                    problems.append(f"{kind} {pointer}: its schema has no {keyword} {accepted}")
    return problems


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def problems(catalog: Catalog, lifecycles: Lifecycles, name: str) -> list[str]:
    entry = resolved(lifecycles, name)
    return (
        reason_problems(entry)
        + state_problems(name, entry)
        + pointer_problems(catalog, name, entry)
    )


# -- the shipped data ---------------------------------------------------------------------
def test_every_run_profile_and_the_required_entries_have_a_lifecycle() -> None:
    names = set(load_lifecycles())
    assert set(REQUIRED) <= names
    assert set(run_profiles()) <= names
    assert names <= set(run_profiles()), "a lifecycle for something that is not a run profile"


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_lifecycle_holds_together(name: str) -> None:
    assert problems(load_catalog(), load_lifecycles(), name) == []


# -- each defect, injected into a copy, is caught --------------------------------------
def _broken(name: str, path: tuple[Any, ...], value: Any) -> list[str]:
    lifecycles = copy.deepcopy(load_lifecycles())
    target = lifecycles[name]
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return problems(load_catalog(), lifecycles, name)


DEFECTS = [
    (
        "hatchet.V1TaskSummary",
        ("fixed", 0, "pointer"),
        "/metadata/uuid",
        "fixed /metadata/uuid: not a property of hatchet.V1TaskSummary's bundled schema",
    ),
    (
        "knock.WorkflowRecipientRun",
        ("fixed", 0, "pointer"),
        "/events",
        "fixed /events: not a property of knock.WorkflowRecipientRun's bundled schema",
    ),
    (
        "xceptor.WorkflowRun",
        ("forward",),
        [{"pointer": "/workflow_id", "assumption": "x"}],
        "forward /workflow_id: its schema has no format {'date-time'}",
    ),
    (
        "hatchet.V1TaskSummary",
        ("counters", 0, "assumption"),
        None,
        "counters /retryCount: needs exactly one of evidence/assumption, has []",
    ),
    (
        "restack.WorkflowRunStatus",
        ("initial", "evidence"),
        "also evidence",
        "initial: needs exactly one of evidence/assumption, has ['evidence', 'assumption']",
    ),
    ("xceptor.WorkflowRun", ("terminal", "assumption"), " ", "terminal: empty assumption"),
    (
        "xceptor.WorkflowRun",
        ("transitions", "allowed", "completed"),
        ["running"],
        "transition completed -> running: completed is terminal",
    ),
    (
        "knock.WorkflowRecipientRun",
        ("transitions", "allowed", "paused"),
        ["processing", "failed"],
        "transition paused -> failed: not a state of knock.WorkflowRecipientRun",
    ),
    (
        "restack.AgentRunStatus",
        ("transitions", "allowed", "running"),
        [],
        "state running: cannot reach a terminal state",
    ),
    (
        "canonical.WorkflowRun",
        ("transitions", "allowed", "running"),
        ["queued", "succeeded", "failed", "cancelled"],
        "state paused: not reachable from an initial state",
    ),
    (
        "restack.WorkflowRunStatus",
        ("initial", "values"),
        ["pending"],
        "initial pending: not a state of restack.WorkflowRunStatus",
    ),
]


@pytest.mark.parametrize(("name", "path", "value", "expected"), DEFECTS)
def test_an_injected_defect_is_caught(
    name: str, path: tuple[Any, ...], value: Any, expected: str
) -> None:
    assert expected in _broken(name, path, value)


def test_an_extended_entry_is_checked_with_its_base_rules() -> None:
    lifecycles = copy.deepcopy(load_lifecycles())
    lifecycles["knock.WorkflowRecipientRun"]["forward"][0]["pointer"] = "/updatedAt"
    found = problems(load_catalog(), lifecycles, "knock.WorkflowRecipientRunDetail")
    assert found == [
        "forward /updatedAt: not a property of knock.WorkflowRecipientRunDetail's bundled schema"
    ]


# -- the mapping carries each vendor's lifecycle into the canonical one -------------------
def _status_table(name: str) -> dict[str, str]:
    vendor, obj = name.split(".")
    with (contracts_dir() / "mappings" / f"{vendor}.yaml").open(encoding="utf-8") as handle:
        objects = yaml.safe_load(handle)["objects"]
    mapped = objects.get(obj) or objects[obj.removesuffix("Detail")]  # a Detail maps as its run
    table: dict[str, str] = mapped["fields"]["status"]["table"]
    return table


def canonical_problems(lifecycles: Lifecycles, name: str) -> list[str]:
    """Every vendor transition and initial state, mapped, is one the canonical run allows."""
    canonical = resolved(lifecycles, "canonical.WorkflowRun")
    allowed = canonical["transitions"]["allowed"]
    start = set().union(*(_reachable(allowed, s) for s in canonical["initial"]["values"]))
    entry, table = resolved(lifecycles, name), _status_table(name)
    found = [
        f"{name} initial {s}: canonical {table[s]} is not reachable from a canonical initial state"
        for s in entry["initial"]["values"]
        if table[s] not in start
    ]
    for source, targets in entry["transitions"]["allowed"].items():
        found += [
            f"{name} {source} -> {t}: canonical {table[source]} -> {table[t]} is not allowed"
            for t in targets
            if table[t] not in _reachable(allowed, table[source])
        ]
    return found


VENDOR_ENTRIES = [n for n in REQUIRED if not n.startswith("canonical.")]


@pytest.mark.parametrize("name", VENDOR_ENTRIES)
def test_the_mapping_carries_the_vendor_lifecycle_into_the_canonical_one(name: str) -> None:
    assert canonical_problems(load_lifecycles(), name) == []


def test_a_vendor_transition_the_canonical_run_lacks_is_caught() -> None:
    lifecycles = copy.deepcopy(load_lifecycles())
    lifecycles["canonical.WorkflowRun"]["transitions"]["allowed"]["running"].remove("paused")
    assert canonical_problems(lifecycles, "knock.WorkflowRecipientRun") == [
        "knock.WorkflowRecipientRun processing -> paused: canonical running -> paused is not allowed"
    ]
