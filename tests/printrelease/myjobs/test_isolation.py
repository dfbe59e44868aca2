"""Nobody sees or touches another user's job by its id: every job action a page offers answers UnknownJob
for someone else's job, exactly as for a job that does not exist, and changes nothing."""

import pytest

from printrelease.accounts.service import get_user
from printrelease.jobs.changes import change_options
from printrelease.jobs.errors import UnknownJob
from printrelease.jobs.models import Job, JobState
from printrelease.jobs.service import delete_job, get_job
from printrelease.jobs.thumbnails import first_page
from printrelease.myjobs.views import held_jobs, job_history


def actions(runtime, releaser):
    def change(session, job_id):
        change_options(session, job_id, "kimsr", copies=9, color_mode="monochrome")

    def delete(session, job_id):
        delete_job(session, runtime.spool, job_id, "kimsr", owner="kimsr")

    def picture(session, job_id):
        first_page(session, runtime.spool, job_id, "kimsr")

    def show(session, job_id):
        get_job(session, job_id, owner="kimsr")

    def release(session, job_id):
        releaser.release("kimsr", "dept-a", [job_id])

    return [change, delete, picture, show, release]


@pytest.mark.parametrize("action", range(5))
def test_another_users_job_is_unknown_to_every_action(runtime, releaser, server, hold, action):
    theirs = hold(user="leejy")
    hold()  # kimsr has a job of their own: a release of everything must not reach leejy's
    do = actions(runtime, releaser)[action]
    for job_id in (theirs, theirs + 1000):
        with runtime.sessions.begin() as session:
            with pytest.raises(UnknownJob) as raised:
                do(session, job_id)
        assert raised.value.words("en") == f"no such job: {job_id}"
    with runtime.sessions() as session:
        job = session.get(Job, theirs)
        assert (job.state, job.copies, job.color_mode) == (JobState.HELD, 1, "color")
        assert runtime.spool.path_for(job.storage_key).exists()
        assert not runtime.spool.thumbnail_path(job.storage_key).exists()
    assert server.remote == {}


def test_lists_hold_only_the_users_own_jobs(runtime, releaser, hold):
    mine, theirs = hold(), hold(user="leejy")
    with runtime.sessions.begin() as session:
        delete_job(session, runtime.spool, theirs, "leejy")
    with runtime.sessions() as session:
        kim = get_user(session, "kimsr")
        assert [job.id for job in held_jobs(session, kim)] == [mine]
        assert job_history(session, kim).total == 0
        assert [job.id for job in job_history(session, get_user(session, "leejy")).items] == [theirs]
