"""The `check` report: one model (`model`) and its writers."""
