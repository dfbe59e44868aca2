"""Fuzzing the document analysis: whatever the bytes, a page count or a refusal, never anything else."""

import pytest
from hypothesis import given

from printrelease.analysis import UnreadableDocument
from printrelease.analysis_pool import AnalysisLimits, AnalysisPool
from tests.fuzzing import FUZZ, documents, seeds

SEEDS = seeds()


@pytest.fixture(scope="module")
def pool():
    pool = AnalysisPool(AnalysisLimits(workers=2, memory_bytes=256 * 1024 * 1024, seconds=5)).start()
    yield pool
    pool.close()


@FUZZ
@given(data=documents(SEEDS))
def test_any_bytes_are_counted_or_refused(pool, tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "document.pdf"
    path.write_bytes(data)
    try:
        assert pool.count_pages(path) >= 1
    except UnreadableDocument as refusal:
        assert str(refusal)
