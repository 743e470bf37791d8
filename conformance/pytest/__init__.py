"""The pytest plugin (entry point `conformance.pytest.plugin`): thin, over the public API."""
