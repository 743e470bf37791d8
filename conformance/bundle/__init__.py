"""The bundle: vendor contracts in, JSON Schemas out, and the catalog that serves them.

Build (OpenAPI -> JSON Schema 2020-12, errata applied), the catalog (lookup by
"vendor.Object"), provenance, lint. The lowest layer: it imports nothing of ours
but `errors`.
"""
