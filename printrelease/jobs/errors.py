"""Errors of the jobs domain."""

from printrelease.errors import Invalid, NotFound


class UnknownJob(NotFound):
    def __init__(self, job_id: int):
        super().__init__(f"no such job: {job_id}")
        self.job_id = job_id


class JobNotHeld(Invalid):
    def __init__(self, job_id: int, state: str):
        super().__init__(f"job {job_id} is {state}, not held")
        self.job_id, self.state = job_id, state
