"""--stateful: feed ids seen in list responses to the operations that need them.

Random path parameters only meet 404s on a live API. With `--stateful` the runner
tests list operations first, maps the runs they return into canonical runs (the
vendor mappings say where the id, workflow and tenant are) and then fills path
parameters of the remaining operations by role: a parameter that names a run
gets a seen run id, one that names a workflow its workflow, `tenant` its tenant.
Values the user gives with --path-param always win.
"""

from __future__ import annotations

from typing import Any

from conformance.contract.checks import Observed, schema_of
from conformance.records import loads_strict

#: Path parameter names (lower-case) by the canonical field they carry.
_ROLES = {
    "id": "id",
    "runid": "id",
    "executionid": "id",
    "v1-workflow-run": "id",
    "workflow-run": "id",
    "workflowid": "workflow",
    "workflowname": "workflow",
    "workflow": "workflow",
    "tenant": "tenant",
    "tenantid": "tenant",
}


def harvest(observed: Observed) -> dict[str, str]:
    """Canonical id / workflow / tenant of the first run a list response holds, if any."""
    from conformance.mapping import MappingError, to_canonical_items
    from conformance.mapping.spec import shipped_objects

    if not 200 <= observed.status < 300:
        return {}
    schema = schema_of(observed)
    if schema is None or schema not in shipped_objects():
        return {}
    try:
        runs = to_canonical_items(loads_strict(observed.body), schema)
    except (MappingError, ValueError):
        return {}
    if not runs:
        return {}
    first: dict[str, Any] = runs[0]
    return {k: str(first[k]) for k in ("id", "workflow", "tenant") if k in first}


def path_values(names: list[str], seen: dict[str, str]) -> dict[str, str]:
    """Values for the path parameters `names` from what was seen, matched by role."""
    values = {}
    for name in names:
        role = _ROLES.get(name.lower())
        if role is not None and role in seen:
            values[name] = seen[role]
    return values
