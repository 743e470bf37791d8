"""Run lifecycles: observations of one run over time, the vendors' state machines, and coverage."""
