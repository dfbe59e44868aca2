"""Fixtures of the web UI's tests: a capture token, a small PDF, users of every role, logged-in clients."""

import functools
import re

import pytest

from printrelease.accounts.passwords import hash_password
from printrelease.accounts.service import add_user, get_user, set_role
from printrelease.credentials.service import CAPTURE, issue_token
from sandbox.documents import make_pdf

PASSWORD = "비밀번호-2026"
# One user per role, and a second plain user to try each other's things.
PEOPLE = {"user": ("kimsr", "김성렬"), "other": ("leejy", "이지영"), "finance": ("parkmj", "박민정"),
          "admin": ("choihs", "최현수")}
ROLES = {"kimsr": "user", "leejy": "user", "parkmj": "finance", "choihs": "admin"}


@pytest.fixture
def token(runtime):
    with runtime.sessions.begin() as session:
        return issue_token(session, CAPTURE, "secure-print")[1]


@pytest.fixture
def pdf(tmp_path):
    return make_pdf(tmp_path / "doc.pdf", pages=2).read_bytes()


def give_roles(runtime, roles: dict[str, str]) -> None:
    with runtime.sessions.begin() as session:
        for login, role in roles.items():
            set_role(session, login, role)


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD)  # scrypt is slow on purpose: once per test session


@pytest.fixture
def people(runtime):
    """kimsr and leejy (users), parkmj (finance) and choihs (admin), all with PASSWORD."""
    with runtime.sessions.begin() as session:
        for login, name in PEOPLE.values():
            add_user(session, login, name, department_code="budget", department_name="예산담당관").password_hash = \
                password_hash()
    give_roles(runtime, ROLES)
    return PEOPLE


def log_in(client, login: str, password: str = PASSWORD):
    answer = client.post("/api/v1/session", json={"login": login, "password": password})
    assert answer.status_code == 201, answer.data
    return client


@pytest.fixture
def client_as(app, runtime, people):
    """client_as("user"|"other"|"finance"|"admin"|"anonymous"): a test client logged in as that person
    (a session started on the server, as the login page does, without the slow password check)."""
    from printrelease.accounts.sessions import start_session

    def make(who: str):
        client = app.test_client()
        if who != "anonymous":
            with runtime.sessions.begin() as session:
                token = start_session(session, get_user(session, people[who][0]))
            with client.session_transaction() as cookie:
                cookie["sid"], cookie.permanent = token, True
        return client

    return make


TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def form_token(client, path: str = "/login") -> str:
    """The CSRF token of this client's session, as a page's form carries it."""
    page = client.get(path, follow_redirects=True)
    match = TOKEN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} ({page.status_code})"
    return match.group(1)


def hold(runtime, login: str, title: str, body: bytes, options: str = "", age=None, copies: str = "1") -> int:
    """Capture a held job for `login` as the capture API does (pages counted in-process); `age` moves its
    submission (and deadline) that far into the past. Returns the job's id."""
    from sqlalchemy import update

    from printrelease.jobs.capture import CapturePolicy, CaptureRequest, capture_job
    from printrelease.jobs.models import Job

    with runtime.sessions.begin() as session:
        job = capture_job(session, runtime.spool, CapturePolicy(), CaptureRequest(
            user=login, title=title, options=options, copies=copies), [body]).job
        if age is not None:
            session.execute(update(Job).where(Job.id == job.id).values(
                submitted_at=job.submitted_at - age, expires_at=job.expires_at - age))
        return job.id
