"""A generated month of printing (March 2026, Asia/Seoul) whose totals are worked out here by hand."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from printrelease.accounts.service import add_user
from printrelease.jobs.models import Job, JobState
from printrelease.prices.service import charge_for, set_price
from printrelease.printers.models import Printer
from printrelease.usage.service import usage_for
from printrelease.usage.service import correct_usage

SEOUL = ZoneInfo("Asia/Seoul")
LONG_AGO = datetime(2020, 1, 1, tzinfo=timezone.utc)  # "now" for setting prices that start in the past


def kst(*args) -> datetime:
    return datetime(*args, tzinfo=SEOUL).astimezone(timezone.utc)


USERS = [("kimsr", "김성렬", "D100", "기획예산과"), ("leejy", "이지영", "D100", "기획예산과"),
         ("parkjy", "박지영", "D200", "민원봉사과"), ("choims", "최민수", "D300", "정보통신과"),
         ("guest", "방문자", None, None)]
DEPARTMENT_OF = {login: code or "" for login, _n, code, _d in USERS}
PRICE_CHANGE = kst(2026, 3, 16)

# (A4 mono, A4 colour, duplex mono, duplex colour) per impression, in won; A3 always 40/200 (no duplex
# discount); printer colour-a3 has its own A4 colour price (90, duplex 90) the whole month.
A4_BEFORE, A4_AFTER = (20, 100, 15, 80), (25, 120, 20, 100)


@dataclass
class Spec:
    user: str
    printer: str | None
    when: datetime
    pages: int
    copies: int = 1
    colour_pages: int = 0
    duplex: bool = False
    size: str = "A4"
    state: JobState = JobState.PRINTED
    title: str = "예산안"
    monochrome: bool = False

    @property
    def impressions(self) -> int:
        return self.pages * self.copies

    @property
    def colour(self) -> int:
        return 0 if self.monochrome else min(self.impressions, self.colour_pages * self.copies)

    @property
    def sheets(self) -> int:
        return math.ceil(self.pages / 2) * self.copies if self.duplex else self.impressions

    def cost(self) -> int:
        colour, mono = self.colour, self.impressions - self.colour
        if self.size == "A3":
            return colour * 200 + mono * 40
        table = A4_AFTER if self.when >= PRICE_CHANGE else A4_BEFORE
        if self.printer == "colour-a3" and self.state == JobState.PRINTED:
            table = (25, 90, 20, 90)
        mono_price, colour_price = (table[2], table[3]) if self.duplex else (table[0], table[1])
        return colour * colour_price + mono * mono_price


SPECS = [
    Spec("kimsr", "dept-a", kst(2026, 3, 1, 0, 0, 0), 10, title="월초 자정 정각"),  # counts in March (UTC: Feb 28)
    Spec("kimsr", "dept-a", kst(2026, 3, 3, 9), 21, colour_pages=1, title="=SUM(A1:A9) 예산"),  # 1 colour + 20 mono
    Spec("kimsr", "colour-a3", kst(2026, 3, 5, 14), 4, copies=3, colour_pages=4, title="+컬러 포스터"),
    Spec("leejy", "dept-a", kst(2026, 3, 9, 11), 7, copies=2, duplex=True, title="-양면 회의록"),
    Spec("leejy", "colour-a3", kst(2026, 3, 10, 16), 2, colour_pages=1, size="A3", title="@A3 도면"),
    Spec("parkjy", "dept-b", kst(2026, 3, 15, 23, 59, 59), 5, colour_pages=5, title="가격 변경 직전"),
    Spec("parkjy", "dept-b", kst(2026, 3, 16, 0, 0, 0), 5, colour_pages=5, title="가격 변경 정각"),
    Spec("parkjy", "dept-b", kst(2026, 3, 20, 10), 9, copies=2, colour_pages=3, duplex=True, title="민원 안내문"),
    Spec("choims", "dept-a", kst(2026, 3, 24, 8), 30, monochrome=True, colour_pages=0, title="서버 점검표"),
    Spec("choims", "colour-a3", kst(2026, 3, 25, 13), 3, size="A3", duplex=True, colour_pages=3, title="A3 양면"),
    Spec("guest", "dept-b", kst(2026, 3, 28, 15), 2, colour_pages=2, size="Letter", title="Letter 가 A4 로"),
    Spec("kimsr", "dept-a", kst(2026, 3, 31, 23, 59, 59), 3, title="월말 마지막 초"),
    # Outside the month on either side.
    Spec("kimsr", "dept-a", kst(2026, 2, 28, 23, 59, 59), 100, title="2월"),
    Spec("kimsr", "dept-a", kst(2026, 4, 1, 0, 0, 0), 100, title="4월"),
    # Not printed: expired and deleted; priced at site prices when they ended.
    Spec("kimsr", None, kst(2026, 3, 12, 18), 6, colour_pages=2, state=JobState.EXPIRED, title="만료"),
    Spec("parkjy", None, kst(2026, 3, 18, 9), 4, copies=2, duplex=True, state=JobState.DELETED, title="삭제"),
    Spec("choims", None, kst(2026, 3, 30, 9), 2, size="A3", colour_pages=1, state=JobState.EXPIRED, title="A3 만료"),
]
REFUNDED = 2  # index in SPECS of the job refunded on 2026-03-21 (the colour A3 posters)
REFUND_AT = kst(2026, 3, 21, 10)
IN_MARCH = [s for s in SPECS if kst(2026, 3, 1) <= s.when < kst(2026, 4, 1)]


def expected(key=lambda spec: DEPARTMENT_OF[spec.user]) -> dict[str, dict[str, int]]:
    """Totals per group (department code by default) of the March jobs, with the refund, and "" the total."""
    groups: dict[str, dict[str, int]] = {}
    for spec in IN_MARCH:
        for name in (key(spec), "*"):
            group = groups.setdefault(name, dict.fromkeys(
                ("jobs", "pages", "sheets", "colour", "mono", "charged", "corrections", "cost",
                 "unprinted_jobs", "unprinted_pages", "unspent", "sheets_saved"), 0))
            if spec.state == JobState.PRINTED:
                group["jobs"] += 1
                group["pages"] += spec.pages
                group["sheets"] += spec.sheets
                group["colour"] += spec.colour
                group["mono"] += spec.impressions - spec.colour
                group["charged"] += spec.cost()
                group["cost"] += spec.cost()
                if spec is SPECS[REFUNDED]:
                    for field in ("pages", "sheets"):
                        group[field] -= getattr(spec, field)
                    group["colour"] -= spec.colour
                    group["mono"] -= spec.impressions - spec.colour
                    group["corrections"] -= spec.cost()
                    group["cost"] -= spec.cost()
            else:
                group["unprinted_jobs"] += 1
                group["unprinted_pages"] += spec.pages
                group["sheets_saved"] += spec.sheets
                group["unspent"] += spec.cost()
    return groups


def make_month(session: Session) -> list[Job]:
    """Users, printers, prices and the jobs of SPECS with their usage rows, and the refund."""
    for login, name, code, department in USERS:
        add_user(session, login, name, department_code=code, department_name=department)
    printers = {}
    for name in ("dept-a", "dept-b", "colour-a3"):
        # A whole stack has dept-a and dept-b from its cupsd already (the browser tests).
        printers[name] = session.scalar(select(Printer).where(Printer.name == name)) or Printer(
            name=name, cups_queue=name, supports_duplex=True, supports_color=True)
        session.add(printers[name])
    session.flush()
    start = kst(2026, 2, 1)
    set_price(session, "A4", "KRW", "20", "100", "15", "80", valid_from=start, now=LONG_AGO)
    set_price(session, "A3", "KRW", "40", "200", valid_from=start, now=LONG_AGO)
    set_price(session, "A4", "KRW", "25", "120", "20", "100", valid_from=PRICE_CHANGE, now=LONG_AGO)
    set_price(session, "A4", "KRW", "25", "90", "20", "90", valid_from=start, printer="colour-a3", now=LONG_AGO)
    # The override's mono prices must follow the site's change too: a second override row from the change.
    set_price(session, "A4", "KRW", "25", "90", "20", "90", valid_from=PRICE_CHANGE, printer="colour-a3",
              now=LONG_AGO)
    jobs, users = [], {}
    from printrelease.accounts.service import get_user
    for login, *_ in USERS:
        users[login] = get_user(session, login)
    for spec in SPECS:
        job = Job(owner=users[spec.user], title=spec.title, pages=spec.pages, copies=spec.copies,
                  sides="two-sided-long-edge" if spec.duplex else "one-sided",
                  color_mode="monochrome" if spec.monochrome else "color", color_pages=spec.colour_pages,
                  paper_size=spec.size, submitted_at=spec.when - timedelta(hours=1), state=spec.state,
                  printer=printers[spec.printer] if spec.printer else None, updated_at=spec.when)
        session.add(job)
        session.flush()
        if spec.state == JobState.PRINTED:
            row = usage_for(job, job.printer.name, charge_for(session, job, at=spec.when))
            row.printed_at = spec.when
            session.add(row)
            session.flush()
            job.usage_id = row.id
        jobs.append(job)
    correct_usage(session, jobs[REFUNDED].usage_id, "용지 걸림으로 재출력", "finance-kim", refund=True,
                  now=REFUND_AT)
    session.flush()
    return jobs
