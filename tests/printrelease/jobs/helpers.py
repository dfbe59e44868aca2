"""Capturing test jobs the way the capture API does, in one committed transaction."""

from printrelease.jobs.capture import CaptureRequest, capture_job

KOREAN_TITLE = "예산안 2013.pdf"


def capture(runtime, body, user="김성렬", title=KOREAN_TITLE, options="job-uuid=urn:uuid:a1", copies="2",
            policy=None):
    with runtime.sessions.begin() as session:
        outcome = capture_job(session, runtime.spool, policy or runtime.capture_policy,
                              CaptureRequest(user=user, title=title, options=options, copies=copies), [body])
        return outcome.job.id, outcome.job.state, outcome.duplicate
