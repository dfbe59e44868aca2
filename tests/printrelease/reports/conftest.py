"""The generated month in a database of each kind, and its reports."""

import pytest

from tests.printrelease.reports.month import make_month


@pytest.fixture
def month(runtime):
    with runtime.sessions.begin() as session:
        make_month(session)
    return runtime
