"""--stateful: learn the ids an API holds and feed them to the operations that need them.

Random path parameters only meet 404s on a live API. With `--stateful` the runner tests
list operations first and keeps a *sighting* of every 2xx response that holds a run: the
run's canonical id / workflow / tenant (read through the vendor mapping, or, for a body
no mapping covers such as Restack's `{runId, status}`, from the fields the mapping names)
together with the path parameters of the request that returned it. An operation then
takes its path parameters from the sighting that covers them all, preferring the one whose
request shared most of its parameter names (so Restack's agent run id goes to the agent
GET, not the workflow one). A parameter names a role by its name: the static table below,
or the vendor's own field for that role in the mapping (`workflowName`, `workflow_id`,
`tenantId` ...), compared without case or punctuation. Values the user gives with
--path-param always win.

A list whose generated examples returned no run (random filters narrow it to nothing) is
probed: its required parameters only, a bounded number of times, until one answers a run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from conformance.contract.response_checks import Observed
from conformance.contract.routes import route_operation
from conformance.mapping import MappingError, to_canonical
from conformance.mapping.spec import ListSpec, ObjectSpec, shipped_objects
from conformance.mapping.transforms import get
from conformance.records import loads_strict

ROLES = ("id", "workflow", "tenant")
#: How many list requests a probe may send to find a first run, and how many sightings kept.
PROBE_ATTEMPTS = 20
MAX_SIGHTINGS = 16

#: Path parameter names (normalized) whose role no mapping field names.
_STATIC_ROLES = {
    "runid": "id",
    "executionid": "id",
    "v1workflowrun": "id",
    "workflowrun": "id",
    "task": "id",
    "workflowid": "workflow",
    "workflowname": "workflow",
    "workflow": "workflow",
    "tenant": "tenant",
    "tenantid": "tenant",
}


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


@cache
def role_names(vendor: str) -> dict[str, str]:
    """Normalized field or parameter name -> role, for `vendor`: the static table plus the
    last token of each mapping's source pointer for id, workflow and tenant."""
    names = dict(_STATIC_ROLES)
    for name, spec in shipped_objects().items():
        if not name.startswith(f"{vendor}.") or not isinstance(spec, ObjectSpec):
            continue
        for role in ROLES:
            rule = spec.rule(role)
            if rule is not None and rule.source:
                names.setdefault(_norm(rule.source.rsplit("/", 1)[-1]), role)
    return names


@dataclass(frozen=True)
class Sighting:
    """One response that held a run: its roles and the path parameters that reached it."""

    roles: dict[str, str]
    names: dict[str, str]

    def value(self, vendor: str, name: str) -> str | None:
        if name in self.names:
            return self.names[name]
        role = role_names(vendor).get(_norm(name))
        return self.roles.get(role) if role is not None else None


@dataclass
class Sightings:
    """The sightings of one run, oldest first (bounded)."""

    vendor: str
    found: list[Sighting] = field(default_factory=list)

    def add(self, observed: Observed, path_parameters: dict[str, Any] | None) -> bool:
        """Keep a sighting of this exchange if it held a run; True when it did."""
        roles = _roles_of(observed)
        if "id" not in roles or len(self.found) >= MAX_SIGHTINGS:
            return "id" in roles
        names = {str(k): str(v) for k, v in (path_parameters or {}).items()}
        for name, value in names.items():  # the request's own context, where the body is silent
            role = role_names(self.vendor).get(_norm(name))
            if role is not None:
                roles.setdefault(role, value)
        sighting = Sighting(roles, names)
        if sighting not in self.found:
            self.found.append(sighting)
        return True

    def values(self, names: list[str], fixed: dict[str, str]) -> dict[str, str]:
        """Values for the path parameters `names` not in `fixed`, all from one sighting:
        the first that covers them all, preferring one reached through the same names."""
        needed = [n for n in names if n not in fixed]
        if not needed:
            return {}
        best: dict[str, str] = {}
        best_score = (-1, -1)
        for sighting in self.found:
            got = {n: v for n in needed if (v := sighting.value(self.vendor, n)) is not None}
            score = (len(got), len(set(sighting.names) & set(names)))
            if score > best_score:
                best, best_score = got, score
        return best


def _roles_of(observed: Observed) -> dict[str, str]:
    """The id / workflow / tenant of the first run a 2xx JSON response holds, if any."""
    if not 200 <= observed.status < 300:
        return {}
    try:
        body = loads_strict(observed.body)
    except ValueError:
        return {}
    schema = observed.schema
    spec = shipped_objects().get(schema or "")
    if spec is not None:  # the first item that maps (a drifted one may not)
        items = get(body, spec.items) if isinstance(spec, ListSpec) else [body]
        for item in items if isinstance(items, list) else ():
            try:
                run = to_canonical(item, spec.item if isinstance(spec, ListSpec) else spec.name)
            except MappingError:
                continue
            return {k: str(run[k]) for k in ROLES if run.get(k) is not None}
        return {}
    if schema is None or not isinstance(body, dict):
        return {}
    names = role_names(observed.vendor)  # a run body no mapping covers: its named fields
    return {
        role: str(value)
        for key, value in body.items()
        if (role := names.get(_norm(key))) is not None and isinstance(value, (str, int))
    }


def is_list(vendor: str, operation: Any) -> bool:
    """True when a 2xx response of a GET operation is a list of runs (mapped as a list)."""
    if operation.method.upper() != "GET":
        return False
    lists = {n for n, s in shipped_objects().items() if isinstance(s, ListSpec)}
    responses = route_operation(vendor, "GET", operation.path).responses
    return any(
        status.startswith("2") and spec.schema in lists for status, spec in responses.items()
    )


def stateful_order(vendor: str, operations: list[Any]) -> list[Any]:
    """Lists first (their runs feed the rest), then by how many path parameters each needs."""
    return sorted(
        operations,
        key=lambda op: (not is_list(vendor, op), len(list(op.path_parameters))),
    )


def required_only(case: Any) -> None:
    """Drop a generated case's optional query parameters (a probe wants the widest list)."""
    required = {p.name for p in case.operation.query if p.is_required}
    if case.query:
        case.query = {k: v for k, v in case.query.items() if k in required}
