"""Out-of-range numbers and unparseable URLs on the command line: usage errors (exit 2) with
a click-style message naming the flag, never a traceback or an internal error (exit 70).

Nothing here needs a server: every value is refused before a socket is opened (the
127.0.0.1:9 base URL is never dialled).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.contract.safety import base_url_problem
from conformance.pytest.target import parse_base_urls

Cli = Callable[..., tuple[int, str, str]]
CONTRACT = ("contract", "hatchet", "--base-url", "http://127.0.0.1:9")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ("serve", "hatchet", "--port", "99999"),
            "Error: Invalid value for '--port': 99999 is not in the range 0<=x<=65535.",
            id="port-too-big",
        ),
        pytest.param(
            ("serve", "hatchet", "--port", "-1"),
            "Error: Invalid value for '--port': -1 is not in the range 0<=x<=65535.",
            id="port-negative",
        ),
        pytest.param(
            ("contract", "hatchet", "--base-url", "http://[::1"),
            "Error: Invalid value for '--base-url': not a valid URL (Invalid IPv6 URL): "
            "'http://[::1'",
            id="contract-ipv6-bracket",
        ),
        pytest.param(
            ("contract", "hatchet", "--base-url", "http://user:key@[::1/v1?api_key=k"),
            "Error: Invalid value for '--base-url': not a valid URL (Invalid IPv6 URL): "
            "'http://[REDACTED]@[::1/v1?[REDACTED]'",
            id="contract-ipv6-credentials-redacted",
        ),
        pytest.param(
            ("contract", "hatchet", "--base-url", "http://127.0.0.1:99999"),
            "Error: Invalid value for '--base-url': not a valid URL "
            "(Port out of range 0-65535): 'http://127.0.0.1'",
            id="contract-port",
        ),
        pytest.param(
            ("contract", "hatchet", "--base-url", "ftp://127.0.0.1"),
            "Error: Invalid value for '--base-url': expected an http(s) URL, got 'ftp://127.0.0.1'",
            id="contract-scheme",
        ),
        pytest.param(
            ("check", "--vendor", "knock", "--base-url", "http://[::1"),
            "Error: Invalid value for '--base-url': not a valid URL (Invalid IPv6 URL): "
            "'http://[::1'",
            id="check-ipv6-bracket",
        ),
        pytest.param(
            ("contract", "hatchet", "--base-url", "http://[::1\n::error x::y"),
            "Error: Invalid value for '--base-url': not a valid URL (Invalid IPv6 URL): "
            "'http://[::1\\n::error x::y'",
            id="newline-escaped",
        ),
        pytest.param(
            (*CONTRACT, "--timeout", "-1"),
            "Error: Invalid value for '--timeout': -1.0 is not in the range x>0.",
            id="timeout-negative",
        ),
        pytest.param(
            (*CONTRACT, "--timeout", "nan"),
            "Error: Invalid value for '--timeout': 'nan' is not a finite number of seconds",
            id="timeout-nan",
        ),
        pytest.param(
            (*CONTRACT, "--timeout", "inf"),
            "Error: Invalid value for '--timeout': 'inf' is not a finite number of seconds",
            id="timeout-inf",
        ),
        pytest.param(
            (*CONTRACT, "--max-time", "-1"),
            "Error: Invalid value for '--max-time': -1.0 is not in the range x>0.",
            id="max-time-negative",
        ),
        pytest.param(
            (*CONTRACT, "--rate-limit", "-5"),
            "runconform: error: --rate-limit wants N, N/s or N/m, got '-5'",
            id="rate-negative",
        ),
        pytest.param(
            (*CONTRACT, "--rate-limit", "nan/s"),
            "runconform: error: --rate-limit wants N, N/s or N/m, got 'nan/s'",
            id="rate-nan",
        ),
    ],
)
def test_a_bad_flag_value_is_a_usage_error(
    run_cli: Cli, args: tuple[str, ...], message: str
) -> None:
    code, out, err = run_cli(*args)
    assert (code, out, err.splitlines()[-1]) == (2, "", message)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.1:8080/api", None),
        ("https://[::1]:8443", None),
        ("http://[::1", "not a valid URL (Invalid IPv6 URL): 'http://[::1'"),
        (
            "http://h:-1",
            "not a valid URL (Port could not be cast to integer value as '-1'): 'http://h'",
        ),
        ("http://", "expected an http(s) URL, got 'http://'"),
        ("127.0.0.1:8080", "expected an http(s) URL, got '127.0.0.1:8080'"),
    ],
)
def test_one_base_url_check(url: str, problem: str | None) -> None:
    assert base_url_problem(url) == problem


@pytest.mark.parametrize("given", ["http://[::1", "knock=http://[::1", "knock=http://h:99999"])
def test_the_pytest_plugin_refuses_the_same_urls(given: str) -> None:
    with pytest.raises(pytest.UsageError) as caught:
        parse_base_urls([given])
    assert str(caught.value) == (
        f"--runconform-base-url: expected an http(s) URL or VENDOR=URL, got {given!r}"
    )
