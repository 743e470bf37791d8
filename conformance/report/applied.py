"""What a run applied beyond the bundle, for every report to name.

The user errata in force (`conformance.bundle.user_errata` records them here when it
layers them) are part of every verdict, so every report says which they were and where
each came from, without each command having to pass them along.
"""

from __future__ import annotations

from collections.abc import Mapping

_USER_ERRATA: tuple[Mapping[str, str], ...] = ()


def record_user_errata(errata: tuple[Mapping[str, str], ...]) -> None:
    """The user errata now in force: id, object and source of each (empty: none)."""
    global _USER_ERRATA
    _USER_ERRATA = errata


def user_errata() -> tuple[Mapping[str, str], ...]:
    """The user errata in force: id, object and source of each."""
    return _USER_ERRATA
