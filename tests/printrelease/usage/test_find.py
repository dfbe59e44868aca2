"""Finding usage rows for a correction: a job's printed row with its corrections, a user's rows, dates, pages."""

from datetime import timedelta

import pytest

from printrelease.errors import Invalid
from printrelease.usage.models import UsageRecord
from printrelease.usage.service import correct_usage, find_usage
from tests.printrelease.reports.month import REFUNDED, kst, make_month


@pytest.fixture
def month(session):
    return session, make_month(session)


def test_a_job_is_found_with_its_corrections_newest_first(month):
    session, jobs = month
    job = jobs[REFUNDED]
    found = find_usage(session, job_id=job.id)
    assert [row.original_id for row in found.items] == [job.usage_id, None]
    assert found.items[1].job_id == job.id and found.total == 2
    again = correct_usage(session, found.items[0].id, "환불 취소", "choihs", pages=1)
    assert find_usage(session, job_id=job.id).items[0].id == again.id
    assert find_usage(session, job_id=10**9).total == 0


def test_a_users_rows_between_two_days_by_page(month):
    session, _jobs = month
    since, until = kst(2026, 3, 1), kst(2026, 3, 16)
    found = find_usage(session, user="kimsr", since=since, until=until, per_page=2)
    everything = session.query(UsageRecord).filter(UsageRecord.user_login == "kimsr", UsageRecord.printed_at >= since,
                                                   UsageRecord.printed_at < until).count()
    assert found.total == everything > 2 and len(found.items) == 2
    assert all(row.user_login == "kimsr" and since <= row.printed_at < until for row in found.items)
    assert found.items[0].printed_at >= found.items[1].printed_at
    with pytest.raises(Invalid):
        find_usage(session, since=since.replace(tzinfo=None))
    assert find_usage(session, since=until + timedelta(days=3650)).total == 0
