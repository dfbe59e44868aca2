"""Fixtures of the capture API's tests: a capture token and a small PDF."""

import pytest

from printrelease.credentials.service import CAPTURE, issue_token
from sandbox.documents import make_pdf


@pytest.fixture
def token(runtime):
    with runtime.sessions.begin() as session:
        return issue_token(session, CAPTURE, "secure-print")[1]


@pytest.fixture
def pdf(tmp_path):
    return make_pdf(tmp_path / "doc.pdf", pages=2).read_bytes()
