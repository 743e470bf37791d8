"""Validation: choose a schema for a record (named, routed, identified) and judge it.

Judging is the compiled validators, run invariants (`semantics`), drift and formats;
`explain` turns what they report into findings.
"""
