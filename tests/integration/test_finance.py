"""Finance through real CUPS: a mixed colour and mono document is charged page by page at the price in force."""

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from printrelease.db import utcnow
from printrelease.jobs.models import JobState
from printrelease.prices.service import set_price
from printrelease.printers.service import sync_printers
from printrelease.usage.models import UsageRecord
from sandbox.documents import make_pdf
from tests.integration.conftest import wait_until

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def colour_printer(stack):
    """A colour department printer: a folder queue whose PPD says ColorDevice, PDF passed through."""
    folder = stack.cupsd.output_root / "dept-colour"
    folder.mkdir(exist_ok=True)
    shutil.chown(folder, "lp", "lp")
    subprocess.run(["lpadmin", "-h", stack.cupsd.address, "-p", "dept-colour", "-E", "-v",
                    f"printrelease-folder:{folder}", "-P", str(ROOT / "drivers" / "printrelease.ppd")], check=True)
    with stack.runtime.sessions.begin() as session:
        (printer,) = sync_printers(session, stack.runtime.print_server(), only={"dept-colour"})
        assert printer.supports_color
    yield folder
    subprocess.run(["lpadmin", "-h", stack.cupsd.address, "-x", "dept-colour"], check=True)
    shutil.rmtree(folder, ignore_errors=True)


def test_a_mixed_document_is_charged_for_its_colour_and_mono_pages(stack, colour_printer, tmp_path):
    with stack.runtime.sessions.begin() as session:
        set_price(session, "A4", "KRW", "20", "100", valid_from=utcnow() - timedelta(days=1),
                  now=utcnow() - timedelta(days=2))
        set_price(session, "A4", "KRW", "10", "70", printer="dept-colour")
    document = make_pdf(tmp_path / "혼합-문서.pdf", "혼합 문서", pages=5, colour_pages={2, 4})
    stack.lp(document, "김성렬", "혼합 문서.pdf", "secure-print", "copies=2")
    stack.wait_jobs(1, JobState.HELD)
    # The server's sweep measures the colour pages and the paper size of held jobs.
    (held,) = wait_until(lambda: [j for j in stack.jobs() if j.color_pages is not None and j.paper_size],
                         what="the colour analysis")
    assert (held.color_pages, held.paper_size) == (2, "A4")
    assert "\t~KRW\xa0520\t" in stack.cli("jobs", "list").stdout  # at site prices: 4 colour x 100 + 6 mono x 20
    stack.cli("jobs", "release", "--user", "김성렬", "--printer", "dept-colour", "--timeout", "60")
    assert len(list(colour_printer.glob("*.pdf"))) == 1
    with stack.runtime.sessions() as session:
        (row,) = session.scalars(select(UsageRecord)).all()
    assert (row.color_impressions, row.mono_impressions, row.impressions) == (4, 6, 10)
    assert (row.paper_size, row.currency, row.cost) == ("A4", "KRW", 4 * 70 + 6 * 10)  # the printer's own prices
    assert row.price_id is not None
