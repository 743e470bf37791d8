"""Compiled validators for one bundled schema: fast, detailed and strict (drift).

The fast path (jsonschema-rs) answers "valid?" for every record; the detailed
path (jsonschema, for its error data) runs only on records that fail. Both get
their format meanings from `conformance.bundle.formats`, so they agree. Compiling is
the expensive part, so validators are cached per (schema, variant, formats).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conformance.bundle.catalog import Catalog, Variant, derived_cache, load_catalog
from conformance.bundle.formats import CHECKED_FORMATS, format_checker
from conformance.bundle.run_profiles import has_profile
from conformance.validation.drift import LENIENT_SUFFIX, strict_schema


def _refuse(uri: str) -> Any:
    raise ValueError(f"runconform never retrieves remote schemas ({uri})")


@dataclass(frozen=True)
class BundleResources:
    """All schemas of one variant, as (uri, schema) pairs: plain and strict twins."""

    plain: tuple[tuple[str, dict[str, Any]], ...]
    strict: tuple[tuple[str, dict[str, Any]], ...]


@derived_cache
def bundle_resources(root: str, variant: Variant) -> BundleResources:
    catalog = load_catalog(root)
    plain, strict = [], []
    for name in catalog.names(include_dependencies=True):
        uri = catalog.entry(name, variant).id
        schema = catalog.schema(name, variant)
        plain.append((uri, schema))
        strict.append((uri, strict_schema(schema)))
        lenient = strict_schema(schema, close_root=False)
        lenient["$id"] = uri + LENIENT_SUFFIX
        strict.append((uri + LENIENT_SUFFIX, lenient))
    return BundleResources(tuple(plain), tuple(strict))


def _rs_registry(resources: tuple[tuple[str, dict[str, Any]], ...]) -> jsonschema_rs.Registry:
    return jsonschema_rs.Registry(list(resources))


@derived_cache
def _rs_registries(
    root: str, variant: Variant
) -> tuple[jsonschema_rs.Registry, jsonschema_rs.Registry]:
    resources = bundle_resources(root, variant)
    return _rs_registry(resources.plain), _rs_registry(resources.strict)


@derived_cache
def _py_registry(root: str, variant: Variant, strict: bool) -> Registry:
    resources = bundle_resources(root, variant)
    pairs = resources.strict if strict else resources.plain
    # `referencing` declares Registry with an attrs decorator mypy does not read as a
    # dataclass transform, so its `retrieve` keyword looks unexpected.
    registry: Registry = Registry(retrieve=_refuse)  # type: ignore[call-arg]
    return registry.with_resources(
        (uri, Resource.from_contents(schema, default_specification=DRAFT202012))
        for uri, schema in pairs
    ).crawl()


class SchemaValidators:
    """The validators of one schema (by bundle name) under one configuration."""

    def __init__(
        self,
        name: str,
        *,
        variant: Variant = "corrected",
        formats: tuple[str, ...] | None = None,
        catalog: Catalog | None = None,
    ) -> None:
        self.catalog = catalog or load_catalog()
        self.name = self.catalog.resolve(name)
        self.variant = variant
        self.formats = CHECKED_FORMATS if formats is None else formats
        self.entry = self.catalog.entry(self.name, variant)
        self._root = self.catalog.key
        self._schema = self.catalog.schema(self.name, variant)
        self.profiled = has_profile(self.name)  # has run invariants to check

    def _rs(self, schema: dict[str, Any], registry: jsonschema_rs.Registry) -> Any:
        off = {f: (lambda _value: True) for f in CHECKED_FORMATS if f not in self.formats}
        return jsonschema_rs.validator_for(
            schema, registry=registry, validate_formats=True, formats=off or None
        )

    @cached_property
    def fast(self) -> Any:
        """jsonschema-rs validator of the schema (is_valid is the hot path)."""
        return self._rs(self._schema, _rs_registries(self._root, self.variant)[0])

    @cached_property
    def fast_strict(self) -> Any:
        """jsonschema-rs validator that also rejects undocumented properties."""
        return self._rs(strict_schema(self._schema), _rs_registries(self._root, self.variant)[1])

    @cached_property
    def detailed(self) -> Draft202012Validator:
        """jsonschema validator: errors with keyword, paths and messages."""
        return Draft202012Validator(
            self._schema,
            registry=_py_registry(self._root, self.variant, False),
            format_checker=format_checker(self.formats),
        )

    @cached_property
    def detailed_strict(self) -> Draft202012Validator:
        """jsonschema validator of the strict twin, to name undocumented properties."""
        return Draft202012Validator(
            strict_schema(self._schema),
            registry=_py_registry(self._root, self.variant, True),
            format_checker=format_checker(self.formats),
        )


@derived_cache
def validators_for(
    name: str,
    variant: Variant = "corrected",
    formats: tuple[str, ...] | None = None,
    root: str | None = None,
) -> SchemaValidators:
    """Cached SchemaValidators (compiling a schema costs far more than using it)."""
    catalog = load_catalog(root) if root else load_catalog()
    return SchemaValidators(name, variant=variant, formats=formats, catalog=catalog)
