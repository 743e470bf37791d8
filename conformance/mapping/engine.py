"""Run the mapping specs: vendor object -> canonical run, and back where invertible.

Both directions are all-or-nothing: the input is validated first, every rule
runs, the result is validated (canonical schema one way; vendor schema and run
invariants the other), and any problem raises `MappingError` naming the field
or pointer. A caller never receives a half-filled run.
"""

from __future__ import annotations

from typing import Any

from conformance.bundle.catalog import load_catalog
from conformance.errors import UsageError
from conformance.mapping.spec import ListSpec, ObjectSpec, Rule, shipped_objects
from conformance.mapping.transforms import (
    ABSENT,
    TRANSFORMS,
    Context,
    MappingError,
    get,
    put,
)
from conformance.validation.engine import validate
from conformance.validation.semantics import check_invariants
from conformance.validation.validators import validators_for

CANONICAL = "canonical.WorkflowRun"


def _spec(name: str) -> ObjectSpec | ListSpec:
    resolved = load_catalog().resolve(name)  # UnknownObjectError for names not in the bundle
    spec = shipped_objects().get(resolved)
    if spec is None:
        mapped = ", ".join(sorted(shipped_objects()))
        raise UsageError(f"no mapping for {resolved}; mapped objects: {mapped}")
    return spec


def object_spec(name: str) -> ObjectSpec:
    """The mapping of one run object (a list object is refused with a hint)."""
    spec = _spec(name)
    if isinstance(spec, ListSpec):
        raise UsageError(f"{spec.name} is a list of {spec.item}: use to_canonical_items")
    return spec


def _first_error(instance: Any, name: str) -> str | None:
    """None when `instance` is a valid `name`, else `path: message` of its first error."""
    if validators_for(name).fast.is_valid(instance):
        return None
    result = validate(instance, name, invariants=False, drift=False)
    for finding in result.findings:
        if finding.severity == "error":
            return f"{finding.path or '$'}: {finding.message}"
    return "does not conform"  # pragma: no cover - fast and detailed engines agree


def _context(spec: ObjectSpec, rule: Rule, instance: Any) -> Context:
    return Context(spec.name, rule.target, rule.source, rule.table, rule.args, instance)


def _forward(spec: ObjectSpec, rule: Rule, instance: Any) -> Any:
    if rule.has_const:
        return rule.const
    transform = TRANSFORMS[rule.transform]
    value = get(instance, rule.source) if rule.source else None
    if rule.source and value is ABSENT:
        return _forward(spec, rule.fallback, instance) if rule.fallback else ABSENT
    result = transform.forward(value, _context(spec, rule, instance))
    if result is ABSENT and rule.fallback:
        return _forward(spec, rule.fallback, instance)
    return result


def to_canonical(obj: Any, name: str) -> dict[str, Any]:
    """Map one vendor run object (`"hatchet.V1TaskSummary"`) to a canonical run."""
    spec = object_spec(name)
    problem = _first_error(obj, spec.name)
    if problem is not None:
        raise MappingError(f"{spec.name}: the input does not conform to its schema: {problem}")
    required = set(load_catalog().schema(CANONICAL)["required"])
    run: dict[str, Any] = {}
    for rule in spec.rules:
        value = _forward(spec, rule, obj)
        if value is ABSENT:
            if rule.target in required:
                raise MappingError(
                    f"{spec.name}: required source {rule.source} (canonical {rule.target}) "
                    "is missing"
                )
            continue
        run[rule.target] = value
    vendor, _, obj_name = spec.name.partition(".")
    run["source"] = {"vendor": vendor, "object": obj_name}
    if spec.cannot_express_fields:
        run["source"]["unexpressed"] = sorted(spec.cannot_express_fields)
    problem = _first_error(run, CANONICAL)
    if problem is not None:
        raise MappingError(f"{spec.name}: the mapped run is not a valid {CANONICAL}: {problem}")
    return run


def to_canonical_items(obj: Any, name: str) -> list[dict[str, Any]]:
    """Map a run object ([run]) or a list object (its items, in order) to canonical runs."""
    spec = _spec(name)
    if isinstance(spec, ObjectSpec):
        return [to_canonical(obj, name)]
    problem = _first_error(obj, spec.name)
    if problem is not None:
        raise MappingError(f"{spec.name}: the input does not conform to its schema: {problem}")
    items = get(obj, spec.items)
    return [_item(item, spec, i) for i, item in enumerate(items if items is not ABSENT else ())]


def _item(item: Any, spec: ListSpec, index: int) -> dict[str, Any]:
    try:
        return to_canonical(item, spec.item)
    except MappingError as exc:
        raise MappingError(f"{spec.name}{spec.items}/{index}: {exc.message}") from None


def _default_value(built: dict[str, Any], default: Any) -> Any:
    for pointer in default.first_of:
        value = get(built, pointer)
        if value is not ABSENT:
            return value
    return default.value if default.has_value else ABSENT


def _status_check(spec: ObjectSpec, run: dict[str, Any]) -> None:
    status = run["status"]
    reason = spec.cannot_express_statuses.get(status)
    if reason is not None:
        vendor = spec.name.split(".")[0]
        raise MappingError(f"{vendor} cannot express status {status!r}: {reason}")


def from_canonical(run: Any, name: str) -> dict[str, Any]:
    """Render a canonical run as a vendor run object, where the vendor can express it.

    Fields the vendor declares it cannot express (`cannot_express.fields`) are
    not carried; a status or trigger kind it cannot express raises
    `MappingError`. Vendor-required fields without a canonical source come from
    the spec's documented defaults. The result validates against the vendor
    schema and keeps the vendor's run invariants.
    """
    spec = object_spec(name)
    problem = _first_error(run, CANONICAL)
    if problem is not None:
        raise MappingError(f"the input is not a valid {CANONICAL}: {problem}")
    _status_check(spec, run)
    built: dict[str, Any] = {}
    pending = []
    for rule in spec.rules:
        transform = TRANSFORMS[rule.transform]
        if transform.inverse is None or rule.source is None:
            continue  # derived or constant: nothing to write back
        value = run.get(rule.target, ABSENT)
        if value is not ABSENT:
            value = transform.inverse(value, _context(spec, rule, run))
        if value is not ABSENT:
            put(built, rule.source, value)
        elif rule.default is not None:
            pending.append((rule.source, rule.default))
    pending.extend(spec.defaults.items())
    for pointer, default in pending:
        if get(built, pointer) is ABSENT:
            value = _default_value(built, default)
            if value is not ABSENT:
                put(built, pointer, value)
    problem = _first_error(built, spec.name)
    if problem is not None:
        raise MappingError(f"{spec.name} cannot express this run: {problem}")
    broken = check_invariants(built, spec.name)
    if broken:
        raise MappingError(
            f"{spec.name} cannot express this run: {broken[0].pointer}: {broken[0].message}"
        )
    return built
