"""Errors of the jobs domain."""

from printrelease.errors import Invalid, NotFound
from printrelease.i18n import N_, Message, translate
from printrelease.jobs.words import STATES


class _InState(Invalid):
    """An error about a job's state: `state` stays the database's word in the parameters (for programs),
    and is worded as its reader calls it ("인쇄됨", "Printed") in the message."""

    def words(self, language: str | None = "en") -> str:
        state = self.params["state"]
        return translate(self.template, language, **{**self.params, "state": Message(STATES.get(state, state))})


class UnknownJob(NotFound):
    code = "unknown_job"
    template = N_("no such job: %(job_id)s")

    def __init__(self, job_id: int):
        super().__init__(job_id=job_id)
        self.job_id = job_id


class JobNotHeld(_InState):
    code = "job_not_held"
    template = N_("job %(job_id)s is not held (now: %(state)s)")

    def __init__(self, job_id: int, state: str):
        super().__init__(job_id=job_id, state=state)
        self.job_id, self.state = job_id, state


class JobNotLost(_InState):
    code = "job_not_lost"
    template = N_("only lost jobs can be resolved; job %(job_id)s is not lost (now: %(state)s)")

    def __init__(self, job_id: int, state: str):
        super().__init__(job_id=job_id, state=state)
        self.job_id, self.state = job_id, state


class OptionRefused(Invalid):
    """A change to a held job's options that is not allowed (see jobs/changes.py)."""

    code = "option_refused"
