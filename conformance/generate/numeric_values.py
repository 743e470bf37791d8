"""Numbers for the schema walker: integers and floats inside a schema's bounds.

An integer also leans towards the realistic range its property name suggests
(`values.int_range`), falling back to the schema's edge where the two miss.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from conformance.errors import BundleError
from conformance.generate.choosers import Chooser
from conformance.generate.shapes import Shape
from conformance.generate.values import int_range


def integer_generator(shape: Shape, hint: str) -> Callable[[Chooser, int], int]:
    """Integers in the schema's bounds (and multipleOf), near the realistic range for `hint`."""
    lo, hi = int_bounds(shape)
    want_lo, want_hi = int_range(hint)
    if shape.format == "uint64" or shape.format == "uint32":
        want_lo = max(want_lo, 0)
    nice_lo, nice_hi = max(lo, want_lo), min(hi, want_hi)
    if nice_lo > nice_hi:  # the realistic range misses the schema's: stay near its edge
        if lo > -(10**18):
            nice_lo, nice_hi = lo, min(hi, lo + 1000)
        else:
            nice_lo, nice_hi = max(lo, hi - 1000), hi
    step = shape.multiple_of
    if step:
        step_i = int(step) if float(step).is_integer() else None
        if step_i is None:
            return lambda ch, d: 0
        first, last = math.ceil(nice_lo / step_i), math.floor(nice_hi / step_i)
        if first > last:
            first, last = math.ceil(lo / step_i), math.floor(hi / step_i)
        return lambda ch, d: ch.integer(first, last) * step_i
    return lambda ch, d: ch.integer(nice_lo, nice_hi)


def int_bounds(shape: Shape) -> tuple[int, int]:
    """The closed integer range the schema's (exclusive) minimum and maximum allow."""
    lo, hi = -(10**18), 10**18
    if shape.minimum is not None:
        lo = max(lo, math.ceil(shape.minimum))
    if shape.exclusive_minimum is not None:
        lo = max(lo, math.floor(shape.exclusive_minimum) + 1)
    if shape.maximum is not None:
        hi = min(hi, math.floor(shape.maximum))
    if shape.exclusive_maximum is not None:
        hi = min(hi, math.ceil(shape.exclusive_maximum) - 1)
    if lo > hi:
        raise BundleError(f"{shape.where}: no integer satisfies the bounds")
    return lo, hi


def number_generator(shape: Shape) -> Callable[[Chooser, int], float | int]:
    """Numbers in the schema's bounds, rounded to cents; a multipleOf draws integers."""
    if shape.multiple_of:
        return integer_generator(shape, "")
    lo = shape.minimum if shape.minimum is not None else 0.0
    hi = shape.maximum if shape.maximum is not None else lo + 1000.0
    if shape.exclusive_minimum is not None:
        lo = max(lo, shape.exclusive_minimum + 0.01)
    if shape.exclusive_maximum is not None:
        hi = min(hi, shape.exclusive_maximum - 0.01)
    low, high = float(lo), float(hi)

    def gen(ch: Chooser, d: int) -> float:
        value = round(ch.number(low, high), 2)
        return min(max(value, low), high)

    return gen
