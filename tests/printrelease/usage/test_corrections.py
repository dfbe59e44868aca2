"""Corrections are new rows: refunds, a correction of a correction, no net below zero, no edits."""

import pytest

from printrelease.usage.errors import NegativeNet, NothingToCorrect, ReasonRequired
from printrelease.usage.models import UsageIsImmutable, UsageRecord
from printrelease.usage.service import correct_usage, corrections_of, net_figures
from tests.printrelease.reports.month import REFUNDED, make_month


@pytest.fixture
def month(session):
    jobs = make_month(session)
    return session, jobs


def test_a_refund_is_a_new_row_and_the_original_is_untouched(month):
    session, jobs = month
    original = session.get(UsageRecord, jobs[REFUNDED].usage_id)
    (refund,) = corrections_of(session, original.id)
    assert (original.cost, refund.cost, refund.corrects_id) == (1080, -1080, original.id)
    assert refund.reason == "용지 걸림으로 재출력"
    assert net_figures(session, original.id).cost == 0
    with pytest.raises(NegativeNet):
        correct_usage(session, original.id, "again", "finance", cost=-1)
    with pytest.raises(NothingToCorrect):
        correct_usage(session, original.id, "again", "finance", refund=True)
    original.cost = 1
    with pytest.raises(UsageIsImmutable):
        session.flush()


def test_a_correction_of_a_correction_corrects_the_job(month):
    session, jobs = month
    original_id = jobs[1].usage_id  # 21 pages: 1 colour + 20 mono, ₩500 at ₩100/₩20
    first = correct_usage(session, original_id, "컬러 쪽이 흑백으로 나옴", "finance", color_impressions=0,
                          mono_impressions=21)
    assert (first.color_impressions, first.mono_impressions, first.cost) == (-1, 1, -80)  # priced again
    second = correct_usage(session, first.id, "앞의 정정 취소", "finance", color_impressions=1,
                           mono_impressions=20)
    assert (second.original_id, second.corrects_id, second.cost) == (original_id, first.id, 80)
    assert net_figures(session, original_id).cost == 500
    third = correct_usage(session, second.id, "합의된 금액", "finance", cost=123)
    assert third.cost == -377 and net_figures(session, original_id).cost == 123


def test_a_correction_needs_a_reason_and_an_author(month):
    session, jobs = month
    for reason, actor in (("", "finance"), ("  ", "finance"), ("why", "")):
        with pytest.raises(ReasonRequired):
            correct_usage(session, jobs[0].usage_id, reason, actor, refund=True)


def test_two_people_refunding_one_job_at_once_refund_it_once(runtime):
    import threading

    with runtime.sessions.begin() as session:
        record_id = make_month(session)[0].usage_id
    barrier, outcomes = threading.Barrier(2), []

    def refund(who):
        try:
            with runtime.sessions.begin() as session:
                barrier.wait()
                correct_usage(session, record_id, "중복 출력", who, refund=True)
            outcomes.append("refunded")
        except NothingToCorrect:
            outcomes.append("already")

    threads = [threading.Thread(target=refund, args=(who,)) for who in ("finance-a", "finance-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["already", "refunded"]
    with runtime.sessions() as session:
        assert net_figures(session, record_id).cost == 0 and len(corrections_of(session, record_id)) == 1
