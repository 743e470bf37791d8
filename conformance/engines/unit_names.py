"""A worker's read problems placed where one pass places them.

A unit of work is sent with its file's path absolute (`sent_unit`), and a JSONL block
counts its records from 0: the part a worker sends back names the file as it was sent,
and its record indices from the block's start. `ProblemPlaces` puts both back, in input
order: the file named as the user named it, each index counted from the file's start.
No Dask here: the code on the client side of `--engine dask` commands that merge parts.
"""

from __future__ import annotations

import os
from dataclasses import replace

from conformance.engines.blocks import DocumentFile, Unit
from conformance.records import ReadProblem
from conformance.records.documents import LineBlock
from conformance.records.inputs import is_url

__all__ = ["ProblemPlaces", "given_name", "sent_name", "sent_unit"]


def given_name(unit: Unit) -> tuple[str, str] | None:
    """(the name it was sent as, the name the user gave) of the file a worker read for
    `unit`, when they differ; None when the unit came read, or its file is named alike."""
    if isinstance(unit, LineBlock) and unit.length:
        name = unit.file
    elif isinstance(unit, DocumentFile):
        name = unit.path
    else:
        return None
    sent = sent_name(name)
    return None if sent == name else (sent, name)


def sent_unit(unit: Unit) -> Unit:
    """`unit` as a worker with another working folder finds it (`sent_name`)."""
    if isinstance(unit, LineBlock) and unit.length:  # named, not carried: read by the worker
        return replace(unit, file=sent_name(unit.file))
    if isinstance(unit, DocumentFile):
        return DocumentFile(sent_name(unit.path), unit.format)
    return unit


def sent_name(name: str) -> str:
    """The name a worker is given for the file the user named `name`: absolute, since a
    worker may run in another folder; a URL as it is."""
    return name if is_url(name) else os.path.abspath(name)


class ProblemPlaces:
    """Feed each unit's part in input order: its problems come back placed."""

    def __init__(self) -> None:
        self._base: dict[str, int] = {}  # records (and problems) already read per JSONL file

    def placed(self, unit: Unit, records: int, problems: list[ReadProblem]) -> list[ReadProblem]:
        """`problems` of `unit` (a part of `records` records) named and counted as one
        pass names and counts them."""
        names = given_name(unit)
        if names is not None:
            sent, name = names
            problems = [
                replace(p, locator=p.locator._replace(file=name)) if p.locator.file == sent else p
                for p in problems
            ]
        if isinstance(unit, LineBlock):
            offset = 0 if unit.offset == 0 else self._base[unit.file]
            self._base[unit.file] = offset + records + len(problems)
            problems = [_moved(p, offset) for p in problems]
        return problems


def _moved(problem: ReadProblem, offset: int) -> ReadProblem:
    """A block's problem with its file-wide record index (the block counts from 0)."""
    located = problem.locator
    if located.index is None or not offset:
        return problem
    return replace(problem, locator=located._replace(index=located.index + offset))
