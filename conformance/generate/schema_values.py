"""The schema walker: a shape compiled once into a tree of small generator closures.

Compiling up front (not interpreting the schema per value) is what makes bulk
generation fast: each closure knows its bounds, its realistic pool and its
children, and draws through a Chooser. Values are schema-valid by
construction for every keyword `shapes.UNDERSTOOD` lists; a shape using any
other keyword is reported inexact and callers filter (see `Compiled.exact`).
Generated objects never carry undocumented properties, so drift stays silent.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.bundle.catalog import derived_cache
from conformance.bundle.formats import is_valid_format
from conformance.errors import BundleError
from conformance.generate.choosers import LOWER_ALNUM, Chooser, RandomChooser
from conformance.generate.numeric_values import integer_generator, number_generator
from conformance.generate.profiles import owned_fields
from conformance.generate.shapes import Shape, inexact_keywords, merge, shape_for
from conformance.generate.values import (
    FORMAT_LENGTHS,
    FORMATS,
    WORDS,
    UnsupportedPattern,
    pattern_generator,
    realistic,
    uuid4,
    words,
)

Gen = Callable[[Chooser, int], Any]  # (chooser, depth) -> value

#: Optional properties are present this often (Hypothesis shrinks them away).
P_OPTIONAL = 0.7
#: A type array with "null" draws null this often.
P_NULL = 0.2
#: Array lengths when the schema does not bound them: at most this many items...
ARRAY_MAX = 4
#: ...and at most one item for arrays that recurse into their own parent (task children).
RECURSIVE_MAX_DEPTH = 2


@dataclass(frozen=True)
class Compiled:
    """The compiled generator of one bundled object."""

    name: str
    shape: Shape
    generate: Gen
    exact: bool  # False: some keyword is not implemented; callers must filter
    unsupported: frozenset[str]


@derived_cache
def compiled(name: str, sane: bool = False) -> Compiled:
    """The cached generator of `name` ("vendor.Object").

    With `sane`, fields the sanitiser always rewrites (timestamps, durations) get
    a None placeholder instead of a value: the output is then only valid once
    `sanity.sanitize` has run on it.
    """
    shape = shape_for(name)
    owned: dict[int, frozenset[str]] = {}
    needed: dict[int, frozenset[str]] = {}
    if sane:
        owned, needed = owned_fields(name)
    compiler = _Compiler(owned, needed)
    gen = compiler.compile(shape, "")
    unsupported = inexact_keywords(shape) | frozenset(compiler.unsupported)
    return Compiled(name, shape, gen, not unsupported, unsupported)


@derived_cache
def value_generator(shape: Shape, hint: str) -> Gen:
    """A generator of one non-null value of `shape` (a property the sanitiser must fill in)."""
    enum = shape.enum and (tuple(v for v in shape.enum if v is not None) or shape.enum)
    types = shape.types - {"null"} or shape.types
    plain = Shape(**{**shape.__dict__, "types": types, "enum": enum})
    return _Compiler({}, {}).compile(plain, hint)


def _placeholder(ch: Chooser, d: int) -> None:
    return None


def _typed(value: Any) -> Gen:
    if isinstance(value, (dict, list)):
        return lambda ch, d: copy.deepcopy(value)
    return lambda ch, d: value


class _Compiler:
    def __init__(self, owned: dict[int, frozenset[str]], needed: dict[int, frozenset[str]]) -> None:
        self.owned = owned
        self.needed = needed
        self.memo: dict[tuple[int, str], Gen] = {}
        self.active: set[int] = set()  # shapes being compiled (to spot recursion)
        self.unsupported: set[str] = set()

    def compile(self, shape: Shape, hint: str) -> Gen:
        key = (id(shape), hint)
        if key in self.memo:
            return self.memo[key]
        cell: list[Gen] = []
        self.memo[key] = lambda ch, d: cell[0](ch, d)  # forward reference for cycles
        self.active.add(id(shape))
        try:
            gen = self._compile(shape, hint)
        finally:
            self.active.discard(id(shape))
        cell.append(gen)
        self.memo[key] = gen
        return gen

    def _compile(self, shape: Shape, hint: str) -> Gen:
        if shape.enum is not None:
            options = list(shape.enum)
            if not options:
                raise BundleError(f"{shape.where}: no value satisfies this schema")
            if len(options) == 1:
                return _typed(options[0])
            if not any(isinstance(v, (dict, list)) for v in options):
                return lambda ch, d: ch.choice(options)  # scalars: nothing to copy
            gens = [_typed(v) for v in options]
            return lambda ch, d: ch.choice(gens)(ch, d)
        if shape.branches:
            return self._branches(shape, hint)
        types = sorted(shape.types) if shape.types else ["string", "integer", "boolean"]
        if "number" in types and "integer" in types:
            types.remove("integer")
        nonnull = [t for t in types if t != "null"]
        gens = [self._typed(shape, t, hint) for t in nonnull]
        if not gens:
            return lambda ch, d: None
        main = gens[0] if len(gens) == 1 else lambda ch, d: ch.choice(gens)(ch, d)
        if "null" in types:
            return lambda ch, d: None if ch.boolean(P_NULL) else main(ch, d)
        return main

    def _branches(self, shape: Shape, hint: str) -> Gen:
        rest = Shape(**{**shape.__dict__, "branches": (), "branch_keyword": None})
        options = [merge(rest, b) if rest.types or rest.properties else b for b in shape.branches]
        if shape.branch_keyword == "oneOf":
            seen: set[str] = set()
            for option in options:
                kinds = set(option.types) or {"any"}
                if kinds & seen or "any" in kinds or option.enum is not None:
                    self.unsupported.add("oneOf")  # branches may overlap: filter
                seen |= kinds
        gens = [self.compile(o, hint) for o in options]
        return lambda ch, d: ch.choice(gens)(ch, d)

    def _typed(self, shape: Shape, kind: str, hint: str) -> Gen:
        if kind == "boolean":
            return lambda ch, d: ch.boolean()
        if kind == "integer":
            return integer_generator(shape, hint)
        if kind == "number":
            return number_generator(shape)
        if kind == "string":
            return self._string(shape, hint)
        if kind == "array":
            return self._array(shape, hint)
        if kind == "object":
            return self._object(shape)
        raise BundleError(f"{shape.where}: unknown type {kind!r}")

    def _string(self, shape: Shape, hint: str) -> Gen:
        lo, hi = shape.min_length, shape.max_length

        def fits(value: str) -> bool:
            return lo <= len(value) and (hi is None or len(value) <= hi)

        base: Callable[[Chooser], str] | None = None
        if shape.format in FORMATS:
            base = FORMATS[shape.format]
        elif shape.pattern is not None:
            try:
                base = pattern_generator(shape.pattern)
            except UnsupportedPattern:
                self.unsupported.add("pattern")
        if base is not None:
            gen = base
            if shape.pattern is not None and shape.format in FORMATS:
                self.unsupported.add("pattern")  # format + pattern: filtered
            shortest, longest = FORMAT_LENGTHS.get(shape.format or "", (0, None))
            if lo <= shortest and (hi is None or (longest is not None and longest <= hi)):
                return lambda ch, d: gen(ch)  # always within the bounds: nothing to fit
            return lambda ch, d: _fit(gen(ch), lo, hi)
        examples = [
            e
            for e in shape.examples
            if isinstance(e, str) and fits(e) and is_valid_format(shape.format or "", e)
        ]
        if examples and all(is_valid_format("uuid", e) and len(e) == 36 for e in examples):
            return lambda ch, d: uuid4(ch)  # documented as a uuid: make fresh ones
        if examples and hint.startswith("__"):
            constant = examples[0]  # __typename and friends: the documented value
            return lambda ch, d: constant
        pool = realistic(hint)
        upper = hi if hi is not None else max(lo, 16)
        floor = min(max(lo, 3), upper)

        def plain(ch: Chooser, d: int) -> str:
            if pool is not None:
                value = pool(ch)
                if lo <= len(value) and (hi is None or len(value) <= hi):  # fits(value)
                    return value
            return words(ch, floor, upper)

        if examples and pool is None:
            return lambda ch, d: ch.choice(examples) if ch.boolean(0.5) else plain(ch, d)
        return plain

    def _array(self, shape: Shape, hint: str) -> Gen:
        item_shape = shape.items or Shape(types=frozenset({"string"}))
        recursive = id(item_shape) in self.active
        item = self.compile(item_shape, hint)
        lo = shape.min_items
        hi = shape.max_items if shape.max_items is not None else lo + ARRAY_MAX
        hi = min(hi, max(lo, lo + ARRAY_MAX))
        unique = shape.unique_items

        def gen(ch: Chooser, d: int) -> list[Any]:
            top = hi
            if recursive:
                top = lo if d >= RECURSIVE_MAX_DEPTH else min(hi, max(lo, 1))
            elif d >= 3:
                top = min(hi, max(lo, 2))
            n = ch.integer(lo, top)
            out = [item(ch, d + 1) for _ in range(n)]
            return _dedupe(out, item, ch, d) if unique else out

        return gen

    def _object(self, shape: Shape) -> Gen:
        if not shape.properties and not shape.closed:
            return _free_object
        owned = self.owned.get(id(shape), frozenset())
        always = shape.required | self.needed.get(id(shape), frozenset())
        fields = [
            (name, self.compile(sub, name), name in always)
            if name not in owned
            else (name, _placeholder, name in always)
            for name, sub in shape.properties.items()
        ]
        missing = shape.required - set(shape.properties)
        if missing:
            for name in sorted(missing):  # required but undefined: any value will do
                fields.append((name, _free_value, True))
        need = shape.min_properties
        limit = shape.max_properties
        if limit is not None and len([f for f in fields if f[2]]) > limit:
            raise BundleError(f"{shape.where}: more required properties than maxProperties")

        def gen(ch: Chooser, d: int) -> dict[str, Any]:
            out: dict[str, Any] = {}
            below = d + 1
            if type(ch) is RandomChooser:  # is_plain_random: boolean(p) inline
                random = ch.random
                for name, sub, required in fields:
                    if required or random() < P_OPTIONAL:
                        out[name] = sub(ch, below)
            else:
                boolean = ch.boolean
                for name, sub, required in fields:
                    if required or boolean(P_OPTIONAL):
                        out[name] = sub(ch, below)
            if len(out) < need or (limit is not None and len(out) > limit):
                _resize(out, fields, need, limit, ch, d)
            return out

        return gen


def _resize(
    out: dict[str, Any],
    fields: list[tuple[str, Gen, bool]],
    need: int,
    limit: int | None,
    ch: Chooser,
    d: int,
) -> None:
    for name, sub, _required in fields:
        if len(out) >= need:
            break
        if name not in out:
            out[name] = sub(ch, d + 1)
    if limit is not None:
        for name, _sub, required in reversed(fields):
            if len(out) <= limit:
                break
            if not required:
                out.pop(name, None)


def _fit(value: str, lo: int, hi: int | None) -> str:
    """Pad or cut a formatted value into its length bounds (the caller filters if that fails)."""
    if len(value) < lo:
        value += "x" * (lo - len(value))
    if hi is not None and len(value) > hi:
        value = value[:hi]
    return value


def _dedupe(out: list[Any], item: Gen, ch: Chooser, d: int) -> list[Any]:
    seen: set[str] = set()
    unique = []
    for value in out:
        key = repr(value)
        for _ in range(20):
            if key not in seen:
                break
            value = item(ch, d + 1)
            key = repr(value)
        if key not in seen:
            seen.add(key)
            unique.append(value)
    return unique


_FREE_KEYS = ("customer_id", "priority", "region", "batch", "source", "retries", "book", "env")
_FREE_PREFIXES = {key: f"{key[:3]}_" for key in _FREE_KEYS}


def _free_value(ch: Chooser, d: int) -> Any:
    kind = ch.integer(0, 2)
    if kind == 0:
        return ch.choice(WORDS)
    if kind == 1:
        return ch.integer(0, 100)
    return ch.boolean()


def _free_object(ch: Chooser, d: int) -> dict[str, Any]:
    """An open object (input, output, metadata): a few plausible key/value pairs."""
    if type(ch) is RandomChooser:  # is_plain_random
        return _free_object_inline(ch.random)
    out: dict[str, Any] = {}
    for _ in range(ch.integer(0, 3)):
        key = ch.choice(_FREE_KEYS)
        out[key] = (
            _FREE_PREFIXES[key] + ch.text(LOWER_ALNUM, 4, 6)
            if ch.boolean(0.5)
            else _free_value(ch, d)
        )
    return out


_FREE_TEXT = float(len(LOWER_ALNUM))
_N_FREE_KEYS = len(_FREE_KEYS)


def _free_object_inline(random: Callable[[], float]) -> dict[str, Any]:
    """`_free_object` with a RandomChooser's decisions made inline: the same draws, same object."""
    out: dict[str, Any] = {}
    for _ in range(int(random() * 4)):  # integer(0, 3)
        key = _FREE_KEYS[int(random() * _N_FREE_KEYS)]  # choice(_FREE_KEYS)
        if random() < 0.5:  # text(LOWER_ALNUM, 4, 6) after the key's prefix
            size = 4 + int(random() * 3)
            out[key] = _FREE_PREFIXES[key] + "".join(
                [LOWER_ALNUM[int(random() * _FREE_TEXT)] for _ in range(size)]
            )
            continue
        kind = int(random() * 3)  # _free_value: integer(0, 2)
        if kind == 0:
            out[key] = WORDS[int(random() * len(WORDS))]
        elif kind == 1:
            out[key] = int(random() * 101)  # integer(0, 100)
        else:
            out[key] = random() < 0.5
    return out


def prune(instance: Any, shape: Shape, depth: int = 0) -> Any:
    """Drop properties `shape` does not document (foreign generators add them: drift)."""
    if depth > 64:
        return instance
    if isinstance(instance, dict):
        for _ in range(8):  # anyOf/oneOf: follow the one branch that takes an object
            fitting = [b for b in shape.branches if b.allows("object")]
            if len(fitting) != 1:
                break
            shape = merge(shape, fitting[0]) if shape.properties else fitting[0]
        if shape.properties:
            for name in [k for k in instance if k not in shape.properties]:
                del instance[name]
            for name, value in instance.items():
                prune(value, shape.properties[name], depth + 1)
    elif isinstance(instance, list) and shape.items is not None:
        for value in instance:
            prune(value, shape.items, depth + 1)
    return instance


__all__ = ["Compiled", "Gen", "compiled", "prune", "value_generator"]
