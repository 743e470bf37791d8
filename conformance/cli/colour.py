"""Whether runconform colours its output: `--color/--no-color`, then the environment.

One decision for every command and both ways of writing (click.echo, rich): the flag
wins; without it `NO_COLOR` (no-color.org) turns colour off and `FORCE_COLOR`
(force-color.org) turns it on even when the output is not a terminal; with neither,
colour is used on a terminal only. The decision is kept on the click context
(`ctx.color`), which `click.echo` already honours.
"""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rich.console import Console


def chosen(flag: bool | None) -> bool | None:
    """True/False when the flag or the environment decides; None: a terminal decides."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return None


def _decided() -> bool | None:
    """The decision of the running command (its context), else of the environment."""
    ctx = click.get_current_context(silent=True)
    return ctx.color if ctx is not None else chosen(None)


def use_colour(stream: IO[str]) -> bool:
    """Colour what goes to `stream`: as decided, else when it is a terminal."""
    decided = _decided()
    return stream.isatty() if decided is None else decided


def console(*, stderr: bool = False, soft_wrap: bool = False) -> Console:
    """A rich Console that colours as decided (rich alone reads only the environment)."""
    from rich.console import Console

    decided = _decided()
    return Console(
        stderr=stderr,
        soft_wrap=soft_wrap,
        force_terminal=True if decided else None,
        no_color=None if decided is None else not decided,
    )
