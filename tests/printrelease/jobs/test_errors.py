"""The jobs domain's errors: a state is worded as its reader calls it, and stays the database's word for programs."""

from printrelease.jobs.errors import JobNotHeld, JobNotLost


def test_a_state_in_an_error_reads_in_the_readers_language():
    error = JobNotHeld(7, "printed")
    assert error.words("ko") == "작업 7은(는) 보류 중이 아닙니다 (현재: 인쇄됨)"
    assert error.words("en") == "job 7 is not held (now: Printed)"
    assert error.params == {"job_id": 7, "state": "printed"}, "the JSON API's params keep the state's code"
    assert "분실된 작업만" in JobNotLost(7, "held").words("ko") and "대기 중" in JobNotLost(7, "held").words("ko")


def test_a_state_without_words_is_shown_as_it_is():
    assert JobNotHeld(7, "frozen").words("en") == "job 7 is not held (now: frozen)"
