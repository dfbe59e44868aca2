"""Page counting in limited worker processes: poison documents are refusals, a worker that hits a limit or
dies is replaced, and the workers are reused from job to job."""

import os
import signal
import threading
from pathlib import Path

import pytest

from printrelease.analysis import UnreadableDocument, count_pages
from printrelease.analysis_pool import AnalysisLimits, AnalysisPool
from sandbox.documents import make_pdf
from tests.corpus.make import ROOT, assemble
from tests.integration.conftest import wait_until

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
POISON = sorted(CORPUS.glob("*.pdf"))
# pypdf raised NotImplementedError and AssertionError on these, which the server answered with a 500.
CRASHERS = ["objstm-unknown-filter.pdf", "objstm-not-objstm.pdf", "encrypted-unknown-handler.pdf"]


@pytest.fixture
def pool():
    pool = AnalysisPool(AnalysisLimits(workers=1, memory_bytes=256 * 1024 * 1024, seconds=10)).start()
    yield pool
    pool.close()


def many_pages(path: Path, pages: int) -> Path:
    """A valid PDF that takes pypdf a while to count (about 0.15 ms a page)."""
    objects = {1: ROOT[1], 2: b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (n + 3) for n in range(pages))
               + b"] /Count %d >>" % pages}
    objects.update({n + 3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>" for n in range(pages)})
    path.write_bytes(assemble(objects, b"<< /Size %d /Root 1 0 R >>" % (pages + 3)))
    return path


def worker_pids(pool) -> list[int]:
    return [worker.process.pid for worker in list(pool._idle.queue)]


@pytest.mark.parametrize("count", ["in this process", "in the pool"])
@pytest.mark.parametrize("document", POISON, ids=lambda p: p.name)
def test_a_poison_pdf_is_counted_or_refused_never_an_error(pool, document, count):
    counter = count_pages if count == "in this process" else pool.count_pages
    try:
        assert counter(document) >= 1
    except UnreadableDocument as refusal:
        assert str(refusal)
    else:
        assert document.name not in CRASHERS


def test_the_known_crashers_are_refused(pool):
    for name in CRASHERS:
        with pytest.raises(UnreadableDocument, match="damaged"):
            pool.count_pages(CORPUS / name)


def test_workers_are_started_once_and_reused(pool, tmp_path):
    document = make_pdf(tmp_path / "doc.pdf", pages=2)
    before = worker_pids(pool)
    assert [pool.count_pages(document) for _ in range(5)] == [2] * 5
    assert worker_pids(pool) == before


def test_a_document_over_the_memory_limit_is_refused_and_the_worker_replaced(tmp_path):
    # A broken cross-reference table makes pypdf read the whole file: 100 MB, under a 96 MB limit.
    broken = assemble({**ROOT, 4: b"<< /Length 100000000 >>\nstream\n" + b"A" * 100_000_000 + b"\nendstream"},
                      b"<< /Size 5 /Root 1 0 R >>").replace(b" 00000 n ", b" 00000 x ")
    document = tmp_path / "broken-xref-100MB.pdf"
    document.write_bytes(broken)
    del broken
    pool = AnalysisPool(AnalysisLimits(workers=1, memory_bytes=96 * 1024 * 1024, seconds=30)).start()
    try:
        before = worker_pids(pool)
        with pytest.raises(UnreadableDocument, match="more memory"):
            pool.count_pages(document)
        assert worker_pids(pool) != before, "a worker that ran out of memory is not used again"
        assert pool.count_pages(make_pdf(tmp_path / "doc.pdf", pages=3)) == 3
    finally:
        pool.close()


def test_a_document_over_the_time_limit_is_refused_and_the_worker_replaced(tmp_path):
    document = many_pages(tmp_path / "slow.pdf", 5000)
    pool = AnalysisPool(AnalysisLimits(workers=1, seconds=0.05)).start()
    try:
        before = worker_pids(pool)
        with pytest.raises(UnreadableDocument, match="longer than 0.05 seconds"):
            pool.count_pages(document)
        (after,) = worker_pids(pool)
        assert after not in before and not os.path.exists(f"/proc/{before[0]}"), "the slow worker was killed"
    finally:
        pool.close()


def test_a_worker_killed_while_reading_refuses_that_document_only(pool, tmp_path):
    document = many_pages(tmp_path / "slow.pdf", 20000)
    (pid,) = worker_pids(pool)
    outcome = []
    reader = threading.Thread(target=lambda: outcome.append(_refusal(pool, document)))
    reader.start()

    def cpu_time():
        return sum(int(v) for v in open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[11:13])

    started = cpu_time()
    wait_until(lambda: cpu_time() > started + 10, timeout=30, interval=0.01, what="the worker reading")
    os.kill(pid, signal.SIGKILL)
    reader.join(30)
    assert outcome and "SIGKILL" in outcome[0]
    assert pool.count_pages(make_pdf(tmp_path / "doc.pdf", pages=1)) == 1


def test_a_worker_that_died_while_idle_does_not_cost_the_next_document(pool, tmp_path):
    (pid,) = worker_pids(pool)
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: pool._idle.queue[0].process.poll() is not None, what="the worker gone")
    assert pool.count_pages(make_pdf(tmp_path / "doc.pdf", pages=2)) == 2


def test_closing_the_pool_ends_its_workers(tmp_path):
    pool = AnalysisPool(AnalysisLimits(workers=2)).start()
    pids = worker_pids(pool)
    pool.close()
    for pid in pids:
        assert not os.path.exists(f"/proc/{pid}") or "Z" in open(f"/proc/{pid}/stat").read().split()[2]


def _refusal(pool, document) -> str:
    try:
        pool.count_pages(document)
    except UnreadableDocument as refusal:
        return str(refusal)
    return "counted"
