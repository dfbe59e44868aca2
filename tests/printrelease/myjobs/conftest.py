"""The release tests' fake print server, releaser and held jobs."""

from tests.printrelease.release.conftest import hold, policy, releaser, server  # noqa: F401
