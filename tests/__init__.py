"""printrelease test suite."""
