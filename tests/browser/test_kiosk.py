"""The kiosk in chromium beside a real station: paired with a code from the CLI, a job printed with `lp` to the
virtual queue, a virtual card tapped on the real pcscd at a "choose" station, the jobs on the kiosk within a
second without a reload, released to the printer's output folder; deletion, an unknown card, the phone's
width; every screen checked by axe-core, the idle and jobs screens pictured in Korean and English."""

from __future__ import annotations

import re
import time

import pytest

from printrelease.jobs.models import JobState
from printrelease.stations.reader import FEEDBACK, Signal
from sandbox.documents import make_pdf
from sandbox.pcsc import VirtualCard
from tests.integration.readers import Agent
from tests.waiting import wait_until

UID = "04C1C2C3C4C5C6"
READER = "Virtual PCD 00 01"  # the second virtual reader: the station tests use the first
TABLET = {"width": 1024, "height": 768}
BEEP = bytes(FEEDBACK[Signal.SUCCESS][:3])  # the LED and buzzer command, whichever signal it gives


@pytest.fixture
def station(web, virtual_readers):  # noqa: F811
    """Station kiosk-reader ("choose") at dept-a with its agent on the second virtual reader; kimsr's card;
    prices of dept-a's own (₩20 a mono side, ₩100 a colour one)."""
    agent = Agent(web, "kiosk-reader", "dept-a", READER)
    web.cli("stations", "set", "kiosk-reader", "--release-mode", "choose")
    web.cli("cards", "add", "kimsr", UID)
    web.cli("prices", "set", "--size", "A4", "--mono", "20", "--colour", "100", "--printer", "dept-a")
    yield agent, virtual_readers.port + 1
    agent.stop()
    web.cli("stations", "remove", "kiosk-reader")


def tap(station, uid=UID) -> tuple[dict, float]:
    """Put the card on the reader until the agent has its answer and the reader has beeped; the answer
    and when it came (the server had recorded the tap by then)."""
    agent, port = station
    with VirtualCard(uid, port) as card:
        answer = agent.next_answer()
        answered = time.monotonic()
        wait_until(lambda: any(apdu[:3] == BEEP for apdu in card.apdus), timeout=10, what="the reader's feedback")
    return answer, answered


def held(web, title: str):
    return wait_until(lambda: [j for j in web.jobs(JobState.HELD) if j.title == title], what=f"{title} held")[0]


def shown_within_a_second(page, selector: str, since: float) -> float:
    wait_until(lambda: page.locator(selector).count() > 0, timeout=max(0.05, since + 1.0 - time.monotonic()),
               interval=0.02, what=f"{selector} on the kiosk within a second of the tap")
    return time.monotonic() - since


def test_a_kiosk_paired_shows_the_jobs_of_whoever_taps_and_releases_them(web, station, open_visitor, pictures,
                                                                         tmp_path):
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", web.cli("stations", "pair", "kiosk-reader").stdout).group(0)
    kiosk = open_visitor("ko-KR", **TABLET)
    page = kiosk.goto("/kiosk")
    page.get_by_label("연결 코드").fill(code.lower())
    page.get_by_label("키오스크 위치").fill("3층 복사기 옆")
    page.get_by_role("button", name="연결", exact=True).click()
    page.wait_for_url("**/kiosk")
    kiosk.check()
    heading = page.locator("#kiosk-heading")
    assert "카드를 대 주세요" in heading.inner_text() and "Tap your card" in heading.inner_text()
    assert "dept-a" in page.locator(".kiosk-where").inner_text()
    assert page.url == web.url + "/kiosk", "no credential in the address"
    cookie = next(c for c in kiosk.context.cookies() if c["name"] == "kiosk")
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Strict", "/kiosk")
    page.screenshot(path=str(pictures / "kiosk-idle-ko.png"))

    document = make_pdf(tmp_path / "분기보고서.pdf", "분기 보고서", pages=2)
    web.lp(document, "kimsr", "분기 보고서.pdf")
    job = held(web, "분기 보고서.pdf")
    page.evaluate("window.unreloaded = true")
    answer, answered = tap(station)
    assert answer["outcome"] == "identified" and answer["display_name"] == "김성렬"
    shown_within_a_second(page, f"#kiosk-job-{job.id}", answered)
    assert page.evaluate("window.unreloaded === true"), "the screen changed without a reload"
    kiosk.check()
    assert "김성렬님의 대기 작업" in heading.inner_text()
    facts = page.locator(f"label[for=kiosk-job-{job.id}]").inner_text()
    assert "분기 보고서.pdf" in facts and "2쪽" in facts and "1부" in facts and "단면" in facts
    # Colour until its pages are measured (₩100 a side), black and white once they are (₩20).
    assert re.search(r"예상 비용 ₩(200|40)\b", facts), facts
    assert page.locator("#kiosk-news").inner_text().startswith("김성렬님"), "said to screen readers"
    page.screenshot(path=str(pictures / "kiosk-jobs-ko.png"))

    page.get_by_label(re.compile("분기 보고서.pdf")).check()
    page.get_by_role("button", name="선택한 작업 출력").click()
    page.wait_for_url("**/kiosk")
    kiosk.check()
    assert "작업 1건(2쪽)을 이곳 dept-a에서 출력합니다." in page.locator("#messages").inner_text()
    (printed,) = wait_until(lambda: web.output("dept-a"), what="the job at the printer")
    assert printed.read_bytes() == document.read_bytes()
    web.wait_jobs(1, JobState.PRINTED)
    page.get_by_role("button", name="완료").click()
    page.wait_for_url("**/kiosk")
    assert "카드를 대 주세요" in heading.inner_text()

    # In English, with a job deleted from the kiosk, and at a phone's width.
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/kiosk")
    kiosk.check()
    assert heading.inner_text().startswith("Tap your card")
    page.screenshot(path=str(pictures / "kiosk-idle-en.png"))
    web.lp(make_pdf(tmp_path / "minutes.pdf", "회의록", pages=3), "kimsr", "회의록.pdf")
    web.lp(make_pdf(tmp_path / "draft.pdf", "초안", pages=1), "kimsr", "초안.pdf")
    doomed = held(web, "초안.pdf")
    held(web, "회의록.pdf")
    answer, answered = tap(station)
    shown_within_a_second(page, f"#kiosk-job-{doomed.id}", answered)
    kiosk.check()
    assert "김성렬, your held jobs" in heading.inner_text()
    page.screenshot(path=str(pictures / "kiosk-jobs-en.png"))
    page.set_viewport_size({"width": 375, "height": 740})
    kiosk.check()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"
    page.get_by_label(re.compile("초안.pdf")).check()
    page.get_by_role("button", name="Delete selected").click()
    kiosk.check()
    page.get_by_role("button", name="Delete 1 job").click()
    page.wait_for_url("**/kiosk")
    kiosk.check()
    assert "1 job deleted." in page.locator("#messages").inner_text()
    wait_until(lambda: [j for j in web.jobs(JobState.DELETED) if j.id == doomed.id], what="deleted")
    assert page.locator(".kiosk-jobs li").count() == 1, "회의록.pdf is still there"

    # Someone else's card, unknown here: the previous person's screen goes, the claim code comes.
    page.evaluate("window.unreloaded = true")
    answer, answered = tap(station, uid="0A0B0C0E")
    assert answer["outcome"] == "unknown_card"
    shown_within_a_second(page, ".kiosk-code", answered)
    kiosk.check()
    assert page.locator(".kiosk-code").inner_text() == answer["claim_code"]
    assert "/cards" in page.locator(".kiosk-address").inner_text() and page.locator(".kiosk-jobs").count() == 0
    assert page.locator("#messages").inner_text() == "", "what was said to the last person is gone"
