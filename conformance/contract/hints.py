"""What an untested operation needs to be tested, said as the flags that give it."""

from __future__ import annotations

from typing import Any


def untested_hint(
    vendor: str,
    expected: bool,
    stateful: bool,
    operation: Any,
    op_id: str | None,
    names: list[str],
    fixed: dict[str, str],
) -> str:
    """How to give an untested operation a response body a run schema can check.

    `expected`: --expect names a schema for it; `names`: its path parameters; `fixed`:
    the values --path-param gives."""
    if not expected and not returns_bundled_schema(vendor, operation):
        named = op_id or "OPERATION_ID"
        return f"name the run schema of its 2xx body: --expect {named}=VENDOR.OBJECT"
    if not names:
        return "no 2xx JSON response came back; check --base-url and the credentials"
    missing = [n for n in names if n not in fixed]
    flags = " ".join(f"--path-param {n}=VALUE" for n in missing or names)
    if not missing:
        return f"give it data: {flags} with values that exist"
    return f"give it data: {flags}" + ("" if stateful else ", or --stateful")


def returns_bundled_schema(vendor: str, operation: Any) -> bool:
    """True when a 2xx response of the operation is a bundled runconform schema."""
    from conformance.validation.routing import load_operations

    for candidate in load_operations(vendor):
        if (
            candidate.method == operation.method.upper()
            and candidate.path_template == operation.path
        ):
            return any(
                status.startswith("2") and spec.schema is not None
                for status, spec in candidate.responses.items()
            )
    return False
