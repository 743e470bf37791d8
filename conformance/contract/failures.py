"""One failed check as a `CheckFailure`: the check's name and a scrubbed one-line message.

Kept apart from the runner so the runner holds the run's flow and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable

from conformance.contract.results import CheckFailure


def record_failure(
    failures: dict[tuple[str, str], CheckFailure],
    label: str,
    failure: BaseException,
    status: int,
    scrub: Callable[[str], str],
) -> None:
    """Add `failure` once per (check, message): repeats of one failure are one finding."""
    title = getattr(failure, "title", None) or type(failure).__name__
    message = scrub(
        str(getattr(failure, "message", None) or failure).strip().splitlines()[0]
        if str(failure).strip()
        else title
    )
    check = check_name(failure)
    failures.setdefault((check, message), CheckFailure(label, check, status, message))


def check_name(failure: BaseException) -> str:
    """The check that failed: Schemathesis' own name, or ours from the custom-failure title."""
    title = str(getattr(failure, "title", "") or "")
    if title.startswith("Custom check failed: `"):
        return title.split("`")[1]
    checks = getattr(type(failure), "checks", ())
    return str(checks[0]) if checks else type(failure).__name__
