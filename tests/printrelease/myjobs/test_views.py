"""A person's held jobs and history: only their own, in order, with costs, paged and filtered, and a fixed
number of queries however many jobs there are."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from printrelease.accounts.service import get_user
from printrelease.db import utcnow
from printrelease.errors import Invalid
from printrelease.jobs.models import Job
from printrelease.jobs.service import delete_job, expire_jobs
from printrelease.myjobs.views import held_jobs, job_history
from printrelease.prices.service import set_price
from printrelease.usage.models import UsageRecord
from printrelease.usage.service import correct_usage


@pytest.fixture
def priced(runtime, releaser):
    with runtime.sessions.begin() as session:
        set_price(session, "A4", "KRW", "20", "100")


@contextmanager
def counted(runtime):
    statements = []

    def note(*args):
        statements.append(args[2])

    event.listen(runtime.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(runtime.engine, "before_cursor_execute", note)


def mine(runtime, login="kimsr", **kwargs):
    with runtime.sessions() as session:
        return job_history(session, get_user(session, login), **kwargs)


def test_held_jobs_are_the_owners_oldest_first_with_estimates(runtime, priced, hold):
    first, second = hold(pages=2), hold(options="print-color-mode=monochrome")
    hold(user="leejy")
    late = hold()
    with runtime.sessions.begin() as session:
        session.execute(update(Job).where(Job.id == late).values(expires_at=utcnow() - timedelta(minutes=1)))
    with runtime.sessions() as session:
        jobs = held_jobs(session, get_user(session, "kimsr"))
    assert [job.id for job in jobs] == [first, second]
    assert [(job.pages, job.color_mode, job.estimate.amount, job.estimate.currency) for job in jobs] == [
        (2, "color", 200, "KRW"), (1, "monochrome", 20, "KRW")]
    assert 23 * 3600 < jobs[0].seconds_left() <= 24 * 3600


def print_one(runtime, releaser, server, job_id):
    (sent,) = releaser.release("kimsr", "dept-a", [job_id]).released
    server.finish(sent.cups_job_id)
    releaser.follow()


def test_history_has_every_end_newest_first_with_net_costs(runtime, priced, releaser, server, hold):
    printed, deleted, expired, held = hold(pages=3), hold(), hold(), hold()
    hold(user="leejy")
    print_one(runtime, releaser, server, printed)
    with runtime.sessions.begin() as session:
        delete_job(session, runtime.spool, deleted, "kimsr", owner="kimsr")
        session.execute(update(Job).where(Job.id == expired).values(expires_at=utcnow() - timedelta(seconds=1)))
        expire_jobs(session, runtime.spool)
    page = mine(runtime)
    assert [(job.id, job.state) for job in page.items] == [(expired, "expired"), (deleted, "deleted"),
                                                           (printed, "printed")]
    assert page.items[2].printer == "dept-a" and page.items[2].cost == 60 and page.items[2].currency == "KRW"
    assert page.items[0].cost is None and held not in [job.id for job in page.items]
    with runtime.sessions.begin() as session:
        usage_id = session.scalar(select(UsageRecord.id).where(UsageRecord.job_id == printed))
        correct_usage(session, usage_id, "용지 걸림", "finance", cost=20)
    assert mine(runtime, states=["printed"]).items[0].cost == 20
    assert [job.state for job in mine(runtime, states=["expired", "deleted"]).items] == ["expired", "deleted"]
    with pytest.raises(Invalid):
        mine(runtime, states=["nonsense"])


def test_history_pages_and_date_filters(runtime, releaser, hold):
    ids = [hold() for _ in range(5)]
    with runtime.sessions.begin() as session:
        for n, job_id in enumerate(ids):
            session.execute(update(Job).where(Job.id == job_id).values(submitted_at=utcnow() - timedelta(days=n)))
            delete_job(session, runtime.spool, job_id, "kimsr")
    first, last = mine(runtime, per_page=2), mine(runtime, page=3, per_page=2)
    assert ([job.id for job in first.items], first.total, first.pages, first.has_next) == (ids[:2], 5, 3, True)
    assert ([job.id for job in last.items], last.has_next, last.has_previous) == (ids[4:], False, True)
    assert mine(runtime, page=99).items == [] and mine(runtime, per_page=10**9).per_page == 200
    window = mine(runtime, since=utcnow() - timedelta(days=3, hours=1), until=utcnow() - timedelta(hours=12))
    assert [job.id for job in window.items] == ids[1:4] and window.total == 3
    assert mine(runtime, "leejy").total == 0
    with pytest.raises(Invalid):
        mine(runtime, since=utcnow().replace(tzinfo=None))


def test_the_number_of_queries_does_not_grow_with_the_jobs(runtime, priced, releaser, server, hold):
    def queries():
        with runtime.sessions() as session:
            user = get_user(session, "kimsr")
            with counted(runtime) as statements:
                held_jobs(session, user)
                job_history(session, user, per_page=50)
            return len(statements)

    for _ in range(2):
        print_one(runtime, releaser, server, hold())
        hold()
    few = queries()
    for _ in range(12):
        print_one(runtime, releaser, server, hold())
        hold(options="print-color-mode=monochrome")
    assert queries() == few
