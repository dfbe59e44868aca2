"""Self-contained stand-ins for a site's infrastructure, used by `make demo` and the test suite."""
