"""Attacks on a running server, through real cupsd, real HTTP and the real backend: poison documents,
huge unauthenticated bodies, guessing behind a proxy, stolen cookies, a killed server."""

from __future__ import annotations

import json
import os
import re
import select
import socket
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select as sql_select

from printrelease.accounts.models import LoginAttempt
from printrelease.cupsadmin import capture_uri
from printrelease.jobs.models import JobState
from printrelease.printing import CANCELED, PRINTER_STOPPED
from sandbox.documents import make_large_pdf
from tests.integration.conftest import wait_until

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
POISON = ["objstm-unknown-filter.pdf", "objstm-not-objstm.pdf", "encrypted-unknown-handler.pdf", "pages-loop.pdf",
          "truncated.pdf", "nul-bytes.pdf", "syntax-error.ps"]
GIGABYTE = 1_000_000_000
PASSWORD = "비밀번호-2026"


def process_tree(pid: int) -> list[int]:
    pids, index = [pid], 0
    while index < len(pids):
        children = Path(f"/proc/{pids[index]}/task/{pids[index]}/children")
        pids += [int(child) for child in children.read_text().split()] if children.exists() else []
        index += 1
    return pids


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def rss_kib(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        total += int(status.split("VmRSS:")[1].split()[0])
    return total


def disk_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def huge_post(port: int, path: str, headers: dict[str, str], size: int = GIGABYTE) -> tuple[int | None, int]:
    """POST a body of `size` bytes, a megabyte at a time, until the server answers or hangs up; returns the
    status it answered (None if none) and how many bytes of the body were sent by then."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {size}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
        connection.sendall(head.encode())
        chunk, sent = b"%PDF-1.7 " + b"x" * (1024 * 1024 - 9), 0
        while sent < size:
            readable, writable, _ = select.select([connection], [connection], [], 30)
            if readable or not writable:
                break
            try:
                sent += connection.send(chunk[: size - sent])
            except (BrokenPipeError, ConnectionResetError):
                break
        reply = b""
        try:
            while b"\r\n" not in reply:
                data = connection.recv(65536)
                if not data:
                    break
                reply += data
        except ConnectionResetError:
            pass
    status = int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/") else None
    return status, sent


def capture_token(stack) -> str:
    return urllib.parse.urlsplit(stack.device_uri).password


def test_poison_documents_printed_with_lp_are_refused_and_the_next_job_is_captured(stack, documents):
    poisoned = {stack.lp(CORPUS / name, title=name): name for name in POISON}
    stack.lp(documents["pdf"], title="보통 문서.pdf")
    (held,) = stack.wait_jobs(1, JobState.HELD)
    assert held.title == "보통 문서.pdf"
    for cups_id, name in poisoned.items():
        attributes = wait_until(lambda: (a := stack.cups_job(cups_id))["job-state"] == CANCELED and a,
                                what=f"{name} cancelled")
        assert "refused by printrelease" in attributes["job-printer-state-message"], name
    # Each was refused once, with its reason, not retried: one rejected job apiece.
    rejected = stack.wait_jobs(len(POISON), JobState.REJECTED)
    assert sorted(job.title for job in rejected) == sorted(POISON)
    assert all(job.state_reason for job in rejected)
    for queue in stack.runtime.print_server().queues():
        assert queue.state != PRINTER_STOPPED, f"{queue.name} stopped: {queue.state_message}"
    assert list(stack.runtime.spool.tmp.iterdir()) == []


def test_a_gigabyte_without_credentials_is_refused_unread(stack, tmp_path):
    temporary = tmp_path / "server-tmp"
    temporary.mkdir()
    stack.stop_server()
    stack.extra_env["TMPDIR"] = str(temporary)
    stack.start_server()
    with urllib.request.urlopen(stack.url + "/api/v1/health", timeout=10):
        pass  # answered: every process of the server is up
    pids = process_tree(stack.process.pid)
    before = rss_kib(pids)

    status, sent = huge_post(stack.port, "/api/v1/capture", {"Content-Type": "application/pdf"})
    assert status == 401 and sent < 64 * 1024 * 1024, (status, sent)
    status, sent = huge_post(stack.port, "/api/v1/session", {"Content-Type": "application/json"})
    assert status == 413 and sent < 64 * 1024 * 1024, (status, sent)
    # With the credential, a declared size over the limit is refused before the body too, and recorded.
    credential = {"Content-Type": "application/pdf", "X-Job-User": "kim",
                  "Authorization": f"Bearer {capture_token(stack)}"}
    status, sent = huge_post(stack.port, "/api/v1/capture", credential)
    assert status == 413 and sent < 64 * 1024 * 1024, (status, sent)
    (rejected,) = stack.jobs(JobState.REJECTED)
    assert "larger than the limit" in rejected.state_reason

    assert rss_kib(pids) - before < 32 * 1024, "no memory growth worth measuring"
    assert disk_bytes(temporary) == 0 and list(stack.runtime.spool.tmp.iterdir()) == []


def test_an_upload_cut_short_keeps_nothing_and_refuses_nothing(stack, documents):
    head = (f"POST /api/v1/capture HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4000000\r\n"
            f"Content-Type: application/pdf\r\nX-Job-User: kim\r\nX-Job-Options: job-uuid=urn:uuid:cut\r\n"
            f"Authorization: Bearer {capture_token(stack)}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", stack.port)) as connection:
        connection.sendall(head.encode() + documents["pdf"].read_bytes())  # then gone, 4 MB short
        connection.shutdown(socket.SHUT_WR)
        answer = connection.recv(65536)
    assert answer.startswith(b"HTTP/1.1 503"), answer
    assert stack.jobs() == [] and list(stack.runtime.spool.tmp.iterdir()) == []
    # CUPS sends the job again: it is held, not refused as a duplicate of a half.
    done = run_backend(stack, documents["pdf"], capture_token(stack), uuid="urn:uuid:cut")
    assert done.returncode == 0, done.stderr
    (job,) = stack.jobs(JobState.HELD)


def run_backend(stack, document: Path, token: str, url: str | None = None, stdin: bool = False,
                uuid: str = "urn:uuid:big"):
    env = {"DEVICE_URI": capture_uri(url or stack.url, token), "CONTENT_TYPE": "application/pdf",
           "PRINTER": "secure-print"}
    argv = [str(stack.cupsd.backend_dir / "printrelease"), "41", "이지영", "큰 문서", "1", f"job-uuid={uuid}"]
    if stdin:
        with open(document, "rb") as body:
            return subprocess.run(argv, env=env, stdin=body, capture_output=True, text=True)
    return subprocess.run(argv + [str(document)], env=env, capture_output=True, text=True)


def test_the_backend_reads_the_answer_the_server_gave_before_reading_the_upload(stack, tmp_path):
    big = make_large_pdf(tmp_path / "big.pdf", 40_000_000)
    refused = run_backend(stack, big, "not-the-token")
    assert refused.returncode == 4 and "refused this queue's capture credential" in refused.stderr, refused.stderr
    for stdin in (False, True):  # with Content-Length, and chunked from stdin
        too_large = run_backend(stack, big, capture_token(stack), stdin=stdin)
        assert too_large.returncode == 5 and "larger than the limit" in too_large.stderr, too_large.stderr


class _Answering(BaseHTTPRequestHandler):
    status = 500

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        body = f"status {self.status}".encode()
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("status, exit_code", [(500, 6), (502, 6), (503, 4), (404, 4)])
def test_one_documents_server_error_retries_that_job_and_an_outage_stops_the_queue(
        stack, documents, status, exit_code):
    handler = type("Handler", (_Answering,), {"status": status})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = run_backend(stack, documents["pdf"], "token", url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == exit_code, done.stderr
    assert f"status {status}" in done.stderr


def post_json(stack, path: str, body: dict, forwarded_for: str | None = None, cookie: str | None = None):
    headers = {"Content-Type": "application/json"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    if cookie:
        headers["Cookie"] = cookie
    request = urllib.request.Request(stack.url + path, data=json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def test_thirty_failed_logins_through_a_proxy_do_not_lock_out_a_colleague(stack):
    for login, name in (("kimsr", "김성렬"), ("leejy", "이지영")):
        stack.cli("users", "add", login, "--name", name)
        stack.cli("users", "set-password", login, "--password", PASSWORD)
    stack.stop_server()
    stack.extra_env["PRINTRELEASE_TRUSTED_PROXIES"] = "1"
    stack.start_server()
    attacker = "203.0.113.66"
    for n in range(30):
        login = "kimsr" if n % 3 == 0 else ("leejy" if n % 3 == 1 else f"made-up-{n}")
        status, _ = post_json(stack, "/api/v1/session", {"login": login, "password": f"guess-{n}"}, attacker)
        assert status in (401, 429)
    # A client's own X-Forwarded-For entries are not believed: only the one the proxy added.
    status, _ = post_json(stack, "/api/v1/session", {"login": "kimsr", "password": PASSWORD},
                          f"198.51.100.7, {attacker}")
    assert status == 429, "the attacker's address stays held back"
    for login in ("kimsr", "leejy"):
        status, _ = post_json(stack, "/api/v1/session", {"login": login, "password": PASSWORD}, "198.51.100.7")
        assert status == 201, f"{login} logs in from their own desk"
    with stack.runtime.sessions() as session:
        addresses = {row.remote_address for row in session.scalars(sql_select(LoginAttempt))}
    assert addresses == {attacker, "198.51.100.7"}


def test_a_cookie_copied_before_logout_does_not_work_after_it(stack):
    stack.cli("users", "add", "kimsr", "--name", "김성렬")
    stack.cli("users", "set-password", "kimsr", "--password", PASSWORD)
    status, headers = post_json(stack, "/api/v1/session", {"login": "kimsr", "password": PASSWORD})
    assert status == 201
    stolen = headers["Set-Cookie"].split(";")[0]

    def me(cookie: str) -> int:
        request = urllib.request.Request(stack.url + "/api/v1/me", headers={"Cookie": cookie})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert me(stolen) == 200
    # The logout form carries the CSRF token of the page it is on; that page gives the browser its cookie.
    with urllib.request.urlopen(urllib.request.Request(stack.url + "/jobs", headers={"Cookie": stolen}),
                                timeout=10) as page:
        cookie = page.headers["Set-Cookie"].split(";")[0]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)
    logout = urllib.request.Request(stack.url + "/logout", data=urllib.parse.urlencode({"csrf_token": token}).encode(),
                                    headers={"Cookie": cookie}, method="POST")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    with pytest.raises(urllib.error.HTTPError) as answered:
        urllib.request.build_opener(NoRedirect).open(logout, timeout=10)
    assert answered.value.code == 303
    assert me(stolen) == 401


def test_a_server_killed_outright_takes_its_workers_along_and_starts_again(stack, documents):
    with urllib.request.urlopen(stack.url + "/api/v1/health", timeout=10):
        pass
    pids = process_tree(stack.process.pid)
    assert len(pids) >= 4, "gunicorn's master, its worker and the page-counting processes"
    stack.process.kill()
    stack.process.wait()
    wait_until(lambda: not any(alive(pid) for pid in pids), what="every process of the killed server gone")
    stack.start_server()  # on the same port
    stack.lp(documents["pdf"])
    stack.wait_jobs(1, JobState.HELD)


def test_the_database_file_is_private(stack):
    database = Path(stack.settings.effective_database_url.split(":///", 1)[1])
    assert database.stat().st_mode & 0o777 == 0o600
    assert os.stat(database.parent / (database.name + "-wal")).st_mode & 0o777 == 0o600


def test_the_server_measures_colour_in_a_thread_of_its_own(stack, tmp_path):
    from sandbox.documents import make_pdf

    stack.lp(make_pdf(tmp_path / "차트.pdf", "예산 차트", pages=3, colour_pages={2}))
    (job,) = wait_until(lambda: [j for j in stack.jobs(JobState.HELD) if j.color_pages is not None],
                        what="the colour pages measured")
    assert job.color_pages == 1
