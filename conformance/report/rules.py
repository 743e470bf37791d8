"""What each rule (`kind/keyword`) means and how to fix it: the help SARIF rules carry.

Code scanning shows `shortDescription` as an alert's title and `help` under it, so every
rule gets both: a sentence on its kind (what was judged), one on its keyword where
runconform knows it, and what to do about it.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.report.findings import Finding
from conformance.report.text import rule_id

#: kind -> (what is judged, what to do)
_KINDS: dict[str, tuple[str, str]] = {
    "schema": (
        "A value in a record does not match the vendor's JSON Schema",
        "Fix the producer of the record, or, when the API really returns this, report it "
        "to the vendor (runconform's errata list documented corrections).",
    ),
    "invariant": (
        "A record breaks a run invariant the schema cannot express",
        "Check how the run's times, counts and status were recorded; `--strict` makes "
        "these errors.",
    ),
    "drift": (
        "A record carries a property its schema does not document",
        "The vendor may have added a field: compare with their changelog; `--strict` makes "
        "drift an error.",
    ),
    "contract": (
        "An API response breaks the vendor's contract",
        "Reproduce the request against the API and compare the answer with the contract.",
    ),
    "routing": (
        "No schema could be chosen for a record",
        "Pass `--schema vendor.Object`, or record responses with their request so they "
        "can be routed.",
    ),
    "read": (
        "An input could not be read as a recording",
        "Check the file's format and encoding; runconform reads JSON, JSON Lines, YAML, "
        "HAR, VCR cassettes and Postman collections.",
    ),
    "lint": (
        "A bundled schema or vendor source breaks a lint rule",
        "Nothing to fix in your repository: this is about runconform's bundled schemas.",
    ),
    "mapping": (
        "A vendor-to-canonical mapping is wrong",
        "Nothing to fix in your repository: this is about runconform's bundled mappings.",
    ),
    "fixtures": (
        "A generated fixture disagreed with its own schema",
        "Nothing to fix in your repository: report it to runconform with the seed.",
    ),
    "lifecycle": (
        "A sequence of observations of one run broke its state machine",
        "Check the order of the recorded observations and the statuses between them.",
    ),
    "coverage": (
        "A status, transition or operation was never exercised",
        "Record or generate more runs so that the missing case is covered.",
    ),
    "diff": (
        "A contract changed between two versions in a way a client or a server notices",
        "Read the rule's reason; keep the old behaviour, version the API, or update the "
        "clients or servers the change breaks.",
    ),
}

#: keyword -> what it checks (JSON Schema keywords, invariants, contract checks)
_KEYWORDS: dict[str, str] = {
    "enum": "The value must be one of the values the schema lists.",
    "const": "The value must be exactly the one the schema names.",
    "type": "The value must have the JSON type the schema names.",
    "required": "An object lacks a property the schema requires.",
    "format": "A string does not have the format the schema names (date-time, uuid, ...).",
    "pattern": "A string does not match the schema's regular expression.",
    "additionalProperties": "An object has a property the schema does not allow.",
    "unevaluatedProperties": "An object has a property no part of the schema allows.",
    "minimum": "A number is below the schema's minimum.",
    "maximum": "A number is above the schema's maximum.",
    "minLength": "A string is shorter than the schema allows.",
    "maxLength": "A string is longer than the schema allows.",
    "minItems": "An array has fewer items than the schema allows.",
    "maxItems": "An array has more items than the schema allows.",
    "anyOf": "The value matches none of the shapes the schema allows.",
    "oneOf": "The value must match exactly one of the shapes the schema allows.",
    "time-order": "A run's times must not go backwards (created, started, finished).",
    "duration-consistent": "A run's duration must agree with its start and end times.",
    "terminal-has-end": "A run in a terminal status must have an end time.",
    "active-has-no-end": "A run that is still active must not have an end time.",
    "non-negative-count": "Counts must not be negative.",
    "step-count": "A run's step counts must add up.",
    "run-identity": "A run must carry its identifier.",
    "no-schema": "No schema was given or could be identified for the record.",
    "malformed-json": "The text is not valid JSON.",
    "malformed-yaml": "The text is not valid YAML.",
    "nothing-required": "The schema requires no property, so `{}` is a valid instance.",
    "unknown-format": "The schema names a format no validator checks.",
    "missing-type": "A property has no `type`, so any value is accepted.",
    "required-undefined": "`required` names a property `properties` does not define.",
    "openapi-keyword": "An OpenAPI 3.0 keyword that JSON Schema 2020-12 ignores.",
    "accepts-anything": "A branch of the schema accepts any value.",
    "enum-duplicate": "An enum lists the same value twice.",
    "enum-case-variant": "An enum lists values that differ only in case.",
    "dangling-ref": "A `$ref` points at nothing.",
    "round-trip": "A vendor run must map to the canonical run and back unchanged.",
}


@dataclass(frozen=True, slots=True)
class RuleHelp:
    """The texts of one SARIF rule."""

    short: str  # shortDescription: the alert's title
    full: str  # fullDescription
    help: str  # help.text: what it checks and what to do


def rule_help(finding: Finding) -> RuleHelp:
    """The help of the rule `finding` falls under (the kind's text when the keyword is new)."""
    judged, remedy = _KINDS.get(finding.kind, (f"A {finding.kind} check failed", ""))
    keyword = _KEYWORDS.get(finding.keyword, "")
    short = f"{judged} ({finding.keyword})."
    full = f"{judged}: rule `{rule_id(finding)}`. {keyword}".strip()
    return RuleHelp(short, full, f"{full}\n\n{remedy}".strip())
