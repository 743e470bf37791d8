"""`python -m conformance` is `runconform`."""

import sys

from conformance.cli import main

sys.exit(main())
