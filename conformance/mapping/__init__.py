"""Mapping vendor run objects to runconform's canonical run, and back.

    from conformance.mapping import to_canonical, from_canonical, check_mappings
    run = to_canonical(task, "hatchet.V1TaskSummary")
    knock = from_canonical(run, "knock.WorkflowRecipientRun")

The mappings are data (`contracts/mappings/<vendor>.yaml`), so what is mapped,
left out or inexpressible can be read, checked statically and reported.
"""

from __future__ import annotations

from conformance.mapping.engine import (
    from_canonical,
    object_spec,
    to_canonical,
    to_canonical_items,
)
from conformance.mapping.spec import load_spec, load_specs
from conformance.mapping.transforms import TRANSFORMS, MappingError

__all__ = [
    "TRANSFORMS",
    "MappingError",
    "from_canonical",
    "load_spec",
    "load_specs",
    "object_spec",
    "to_canonical",
    "to_canonical_items",
]
