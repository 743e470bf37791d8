"""The coverage section of a contract run's reports: what the run exercised of the vendor's
contract (operations called, responses, run statuses and fields seen, transitions, query
parameters sent), counted from the exchanges it made.

The exchanges are counted as `runconform coverage` counts a recording, by the same
counters (`lifecycle.coverage.coverage_of_records`), straight from memory: no file is
written. Each exchange is one record located as the entry of `contract-VENDOR.har` that
`--report har` writes. Unlike a recording read back, an exchange whose body is empty or
not JSON still counts as a call, a response and the parameters it sent: the run made it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conformance.contract.options import ContractOptions
from conformance.contract.recordings import Exchange
from conformance.contract.report_files import report_path
from conformance.contract.results import ContractResult
from conformance.errors import ConformanceError
from conformance.records import HttpExchange, Locator, Record, loads_strict
from conformance.report.cases import Case


def exchange_records(exchanges: Iterable[Exchange], file: str) -> Iterator[Record]:
    """Each exchange as a record of `file`: its request, its status, its body's JSON value
    (None when the body is empty or not JSON)."""
    for index, exchange in enumerate(exchanges):
        media = next((v for n, v in exchange.response_headers if n.lower() == "content-type"), "")
        try:
            path = unquote(urlsplit(exchange.url).path) or "/"
        except ValueError:  # an unbalanced IPv6 bracket: routed nowhere, still a call
            path = exchange.url.partition("?")[0]
        sent = HttpExchange(
            exchange.method.upper(),
            exchange.url,
            path,
            exchange.status,
            media.split(";", 1)[0].strip().lower() or None,
            exchange.started or None,
        )
        locator = Locator(file, index, None, f"entries[{index}]")
        yield Record(locator, _payload(exchange.response_body), sent)


def _payload(body: str) -> object:
    if not body:
        return None
    try:
        return loads_strict(body)
    except (ValueError, RecursionError):  # not JSON (a number a double cannot hold, nesting
        return None  # deeper than the decoder goes): no body to count, still a call


def contract_coverage(result: ContractResult, options: ContractOptions) -> tuple[Case, ...]:
    """The run's coverage of its vendor's bundled contract, one case per kind (stage
    "coverage", numbers in `details`). None when the run tested your own document
    (`--contract`: the bundled one is not what it called), kept no exchange
    (`options.record` off) or its vendor has no bundled contract to count against."""
    from conformance.lifecycle.coverage import coverage_of_records
    from conformance.lifecycle.coverage_cases import coverage_cases

    if options.contract is not None or not result.exchanges:
        return ()
    har = report_path(Path(), result.vendor, "har").name  # the recording's own name
    records = exchange_records(result.exchanges, har)
    try:
        found = coverage_of_records(records, vendor=result.vendor)
    except ConformanceError:
        return ()
    return tuple(case for case in coverage_cases(found) if case.details)
