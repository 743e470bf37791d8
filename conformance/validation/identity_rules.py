"""The run-identity invariant: a run or step carries its id and status, a page its items.

A schema that requires nothing accepts `{}` as a run. This rule reports an object
missing what makes it one, only where the schema does not already require it (the
schema's `required` error says so then, and the rule would repeat it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urldefrag, urljoin

from conformance.bundle.catalog import derived_cache
from conformance.bundle.run_profiles import identity
from conformance.validation.instants import pointer_tokens, value_at


def lacks(instance: dict[str, Any], pointer: str) -> str:
    """'missing' (absent), 'null', or '' when the value is there."""
    tokens = pointer_tokens(pointer)
    holder = value_at(instance, tokens[:-1])
    if type(holder) is not dict or tokens[-1] not in holder:
        return "missing"
    return "null" if holder[tokens[-1]] is None else ""


@derived_cache
def _unrequired(name: str) -> tuple[str, ...]:
    """The identity pointers of `name` its schema does not require."""
    from conformance.bundle.catalog import load_catalog

    found = identity(name)
    if found is None:
        return ()
    catalog = load_catalog()
    return tuple(p for p in found.pointers if not _schema_requires(catalog, name, p))


def unrequired_identity(name: str) -> tuple[tuple[str, ...], ...]:
    """The same as token lists, for the fast screen: all of them present, nothing to say."""
    return tuple(pointer_tokens(p) for p in _unrequired(name))


def _schema_requires(catalog: Any, name: str, pointer: str) -> bool:
    """Whether every step of `pointer` is required (through `$ref` and `allOf`)."""
    nodes = [(catalog.schema(name), catalog.entry(name).id)]
    for token in pointer_tokens(pointer):
        flat, required, found = list(nodes), False, None
        while flat:
            node, base = flat.pop()
            if isinstance(node.get("$ref"), str):
                url, fragment = urldefrag(urljoin(base, node["$ref"]))
                if not fragment:  # an unfollowed pointer: the rule applies, never wrong
                    flat.append((catalog.schema_by_id(url), url))
                continue
            flat.extend((branch, base) for branch in node.get("allOf") or ())
            required = required or token in (node.get("required") or ())
            if token in (node.get("properties") or {}):
                found = (node["properties"][token], base)
        if not required or found is None:
            return False
        nodes = [found]
    return True


def identity_violations(
    instance: dict[str, Any], name: str, base: str
) -> Iterator[tuple[str, str]]:
    """(pointer, message) for what `instance` lacks of its identity: all of it, "not a run";
    part of it, "a run has an id"."""
    checked = _unrequired(name)
    gone = [(p, lack) for p in checked if (lack := lacks(instance, p))]
    if not gone:
        return
    found = identity(name)
    assert found is not None
    if len(gone) == len(found.pointers):
        if all(lack == "missing" for _, lack in gone):
            verb = "are" if len(gone) > 1 else "is"
            what = f"{' and '.join(p for p, _ in gone)} {verb} missing"
        else:
            what = " and ".join(f"{p} is {lack}" for p, lack in gone)
        yield base, f"not a {found.noun}: {what}"
        return
    for at, lack in gone:
        role = "a status" if at == found.pointers[-1] and len(found.pointers) > 1 else "an id"
        yield base + at, f"a {found.noun} has {role}: {at} is {lack}"
