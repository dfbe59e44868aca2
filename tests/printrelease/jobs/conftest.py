"""A sample document for the jobs tests."""

import pytest

from sandbox.documents import make_pdf
from tests.printrelease.jobs.helpers import KOREAN_TITLE


@pytest.fixture
def pdf(tmp_path):
    return make_pdf(tmp_path / "doc.pdf", KOREAN_TITLE, pages=3).read_bytes()
