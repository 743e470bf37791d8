"""`runconform check`: every stage of the toolkit in one run, as one report."""

from conformance.check.options import CheckOptions
from conformance.check.tour import STAGES, run_check

__all__ = ["STAGES", "CheckOptions", "run_check"]
