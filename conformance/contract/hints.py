"""What an untested operation needs to be tested, said as the flags that give it."""

from __future__ import annotations


def untested_hint(
    bundled: bool,
    stateful: bool,
    op_id: str | None,
    names: list[str],
    fixed: dict[str, str],
) -> str:
    """How to give an untested operation a response body a run schema can check.

    `bundled`: a run schema is known for its 2xx body (bundled, or named with --expect);
    `names`: its path parameters; `fixed`: the values --path-param gives."""
    if not bundled:
        named = op_id or "OPERATION_ID"
        return f"name the run schema of its 2xx body: --expect {named}=VENDOR.OBJECT"
    if not names:
        return "no 2xx JSON response came back; check --url and the credentials"
    missing = [n for n in names if n not in fixed]
    flags = " ".join(f"--path-param {n}=VALUE" for n in missing or names)
    if not missing:
        return f"give it data: {flags} with values that exist"
    return f"give it data: {flags}" + ("" if stateful else ", or --stateful")
