"""Errors of the jobs domain."""

from printrelease.errors import Invalid, NotFound
from printrelease.i18n import N_


class UnknownJob(NotFound):
    code = "unknown_job"
    template = N_("no such job: %(job_id)s")

    def __init__(self, job_id: int):
        super().__init__(job_id=job_id)
        self.job_id = job_id


class JobNotHeld(Invalid):
    code = "job_not_held"
    template = N_("job %(job_id)s is %(state)s, not held")

    def __init__(self, job_id: int, state: str):
        super().__init__(job_id=job_id, state=state)
        self.job_id, self.state = job_id, state


class JobNotLost(Invalid):
    code = "job_not_lost"
    template = N_("job %(job_id)s is %(state)s; only lost jobs can be resolved")

    def __init__(self, job_id: int, state: str):
        super().__init__(job_id=job_id, state=state)
        self.job_id, self.state = job_id, state


class OptionRefused(Invalid):
    """A change to a held job's options that is not allowed (see jobs/changes.py)."""

    code = "option_refused"
