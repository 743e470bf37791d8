"""What the bundle declares for coverage to count against: operations, run objects,
their status values and fields.

Derived from the catalog in force, so a user's errata (a status value added, a field
documented) count as declared; the caches are emptied when that catalog changes.
"""

from __future__ import annotations

from conformance.bundle.catalog import derived_cache, load_catalog
from conformance.bundle.run_profiles import load_profiles
from conformance.mapping.schemawalk import node_at, root_node
from conformance.validation.routing import Operation, load_operations


@derived_cache
def contract_operations(vendor: str) -> tuple[Operation, ...]:
    """The vendor's contract operations; () for a vendor with no contract (canonical)."""
    if vendor not in {op.vendor for op in load_operations()}:
        return ()
    return load_operations(vendor)


def operation_item(op: Operation) -> str:
    return f"{op} ({op.operation_id})"


@derived_cache
def run_objects(vendor: str) -> tuple[tuple[str, str], ...]:
    """(vendor.Object, status pointer) of every bundled run object of the vendor: the
    objects whose profile names a status (`contracts/semantics.yaml`)."""
    known = set(load_catalog().names(include_dependencies=True))
    return tuple(
        (name, profile["status"])
        for name, profile in sorted(load_profiles().items())
        if name.startswith(f"{vendor}.") and name in known and "status" in profile
    )


@derived_cache
def declared_statuses(name: str, pointer: str) -> tuple[object, ...]:
    node = node_at(name, pointer)
    return tuple(dict.fromkeys(node.enum)) if node is not None else ()


@derived_cache
def status_schemas(name: str, pointer: str) -> frozenset[str]:
    """The `$id`s of the schemas an object's status field is (`V1TaskStatus.json` for
    Hatchet's runs; the object's own for an inline enum)."""
    node = node_at(name, pointer)
    return frozenset(base for _, base, _ in node.parts) if node is not None else frozenset()


@derived_cache
def _schema_names() -> dict[str, str]:
    catalog = load_catalog()
    return {catalog.entry(n).id: n for n in catalog.names(include_dependencies=True)}


@derived_cache
def status_group(name: str) -> str:
    """Whose status values an object's statuses are: the status schema several run objects
    share (`hatchet.V1TaskStatus`), else the object itself (an inline enum). A bare status
    body (Hatchet's get-status) is of the shared schema, so it counts for the same values
    as the runs' own status fields, and no run object is credited with what it never showed.
    """
    profile = load_profiles().get(name, {})
    if "status" not in profile:
        return name
    ids = status_schemas(name, profile["status"])
    shared = _schema_names().get(next(iter(ids))) if len(ids) == 1 else None
    return shared if shared is not None and shared != name else name


@derived_cache
def status_groups(vendor: str) -> tuple[tuple[str, str, tuple[object, ...]], ...]:
    """(group, label, declared values) of the vendor's run statuses, once per group:
    `V1TaskStatus` for a shared schema, `WorkflowRun.status` for an inline enum."""
    groups: dict[str, tuple[str, str, tuple[object, ...]]] = {}
    for name, pointer in run_objects(vendor):
        group = status_group(name)
        own = load_profiles().get(group, {}).get("status")  # the group is a run object
        label = f"{short(group)}.{own.strip('/').replace('/', '.')}" if own else short(group)
        groups.setdefault(group, (group, label, declared_statuses(name, pointer)))
    return tuple(groups.values())


@derived_cache
def declared_fields(name: str) -> tuple[str, ...]:
    return root_node(name).properties()


def short(name: str) -> str:
    """`hatchet.V1WorkflowRun` -> `V1WorkflowRun`: the case already names the vendor."""
    return name.partition(".")[2] or name
