"""The internal exception readers raise for what they refuse, and its ``ReadProblem``."""

from __future__ import annotations

from .model import Locator, ReadProblem


class Refused(Exception):
    """A value, record or file the readers will not hand out, with why and where.

    ``line``/``column`` are 1-based positions in the file when known; ``offset`` is a byte
    offset when that is the more useful position (invalid UTF-8).
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column

    def with_position(self) -> str:
        """The message with its position appended, e.g. ``... (line 3, column 7)``."""
        if self.line is None:
            return self.message
        if self.column is None:
            return f"{self.message} (line {self.line})"
        return f"{self.message} (line {self.line}, column {self.column})"


def problem(
    file: str, index: int | None, label: str, refusal: Refused, line: int | None = None
) -> ReadProblem:
    """The ``ReadProblem`` for a refusal, located at the refusal's line if it has one."""
    locator = Locator(file, index, refusal.line or line, label)
    return ReadProblem(locator, refusal.with_position(), refusal.kind)
