"""Nobody sees or touches another user's job or card by any URL: each action, tried by a colleague on the
owner's things (alone, and mixed in with the colleague's own), is "no such job" and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from printrelease.cards.models import Card
from printrelease.jobs.models import Job, JobEvent, JobState
from tests.webui.conftest import form_token, hold


@pytest.fixture
def setting(runtime, people, pdf):
    """kimsr's held job and card, and leejy's own held job."""
    from printrelease.cards.service import add_card
    from printrelease.printers.models import Printer

    with runtime.sessions.begin() as session:
        session.add(Printer(name="dept-a", cups_server="127.0.0.1:1", cups_queue="dept-a", supports_duplex=True))
        card = add_card(session, runtime.card_key, "kimsr", "04A1B2C3")
        session.flush()
        card_id = card.id
    return {"victim_job": hold(runtime, "kimsr", "인사 기밀.pdf", pdf), "card": card_id,
            "own_job": hold(runtime, "leejy", "이지영의 문서.pdf", pdf)}


def unchanged(runtime, setting) -> bool:
    with runtime.sessions() as session:
        job = session.get(Job, setting["victim_job"])
        events = session.scalar(select(func.count()).select_from(JobEvent).where(JobEvent.job_id == job.id))
        own = session.get(Job, setting["own_job"])
        cards = session.scalar(select(func.count()).select_from(Card).where(Card.id == setting["card"]))
    return (job.state, job.copies, job.color_mode, events, own.state, cards) == \
        (JobState.HELD, 1, "color", 1, JobState.HELD, 1)


JOB_ACTIONS = [
    ("GET", "/jobs/{victim_job}", {}),
    ("POST", "/jobs/{victim_job}", {"copies": "5", "sides": "one-sided", "monochrome": "y"}),
    ("GET", "/jobs/{victim_job}/thumbnail", {}),
    ("POST", "/jobs/release", {"job": ["{victim_job}"], "printer": "dept-a"}),
    ("POST", "/jobs/release", {"job": ["{own_job}", "{victim_job}"], "printer": "dept-a"}),
    ("POST", "/jobs/delete", {"job": ["{victim_job}"]}),
    ("POST", "/jobs/delete", {"job": ["{own_job}", "{victim_job}"], "confirm": "1"}),
    ("POST", "/jobs/delete", {"job": ["{victim_job}"], "confirm": "1"}),
    ("POST", "/cards/{card}/remove", {}),
]


@pytest.mark.parametrize("method, path, form", JOB_ACTIONS, ids=lambda v: v if isinstance(v, str) else "")
def test_a_colleague_gets_no_such_thing(client_as, runtime, setting, method, path, form):
    colleague = client_as("other")
    data = {name: [v.format(**setting) for v in value] if isinstance(value, list) else value
            for name, value in form.items()}
    if method == "POST":
        data["csrf_token"] = form_token(colleague)
    answer = colleague.open(path.format(**setting), method=method, data=data)
    assert answer.status_code == 404
    text = answer.get_data(as_text=True)
    assert "인사 기밀" not in text and "김성렬" not in text and "04A1B2C3" not in text
    assert unchanged(runtime, setting)


def test_release_all_releases_only_ones_own(client_as, runtime, setting):
    colleague = client_as("other")
    colleague.post("/jobs/release", data={"all": "1", "printer": "dept-a", "csrf_token": form_token(colleague)})
    assert unchanged(runtime, setting), "the owner's job is not even looked at; the colleague's printer is away"


@pytest.mark.parametrize("job", ["0", "999999", "-1", "abc", "²", "9" * 40])
def test_jobs_that_do_not_exist_are_404_too(client_as, setting, job):
    client = client_as("user")
    answer = client.post("/jobs/delete", data={"job": [job], "csrf_token": form_token(client)})
    assert answer.status_code == 404
