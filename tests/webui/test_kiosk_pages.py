"""The kiosk through the test client: pairing (and refused, throttled codes, a revoked credential), the idle
screen, a tap at a "choose" station showing the person's jobs, release all or some, delete, done, a stale
tap or someone else's job refused, an unknown card's claim code, an "all" station's outcomes, the timeout,
CSRF, and a screen update that costs nothing when nothing changed."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from printrelease.audit.models import AuditEntry
from printrelease.db import utcnow
from printrelease.jobs.models import Job, JobEvent, JobState
from printrelease.kiosks.service import create_pairing_code, unpair
from printrelease.printers.models import Printer
from printrelease.printing import QueueInfo
from printrelease.prices.service import set_price
from printrelease.release.service import Releaser
from printrelease.runtime import Runtime
from printrelease.stations.models import Tap
from printrelease.stations.service import add_station, set_release_mode
from tests.fakes import FakePrintServer
from tests.webui.conftest import form_token, hold

KIM, LEE = "04A1B2C3", "04A1B2C4"


@pytest.fixture
def server(runtime):
    """Releases go to a fake CUPS (the browser test prints for real); the taps use the same releaser."""
    fake = FakePrintServer([QueueInfo("dept-a")])
    runtime.__dict__["releaser"] = Releaser(runtime.sessions, runtime.spool, lambda _: fake)
    return fake


@pytest.fixture
def station(runtime, people, server):
    """reader-a ("choose") beside dept-a on the 3rd floor; kimsr and leejy have cards. Its token."""
    from printrelease.cards.service import add_card

    with runtime.sessions.begin() as session:
        session.add(Printer(name="dept-a", cups_server="fake:631", cups_queue="dept-a", location="3층 기획예산과"))
        session.flush()
        add_card(session, runtime.card_key, "kimsr", KIM)
        add_card(session, runtime.card_key, "leejy", LEE)
        set_price(session, "A4", "KRW", mono="20", colour="100", printer="dept-a")
        return add_station(session, "reader-a", "dept-a", release_mode="choose")[1]


def pairing_code(runtime, station="reader-a") -> str:
    with runtime.sessions.begin() as session:
        return create_pairing_code(session, station, "choihs")[1]


def pair(client, code, label="3층 복도"):
    return client.post("/kiosk/pair", data={"code": code, "label": label, "csrf_token": form_token(client, "/kiosk")})


@pytest.fixture
def kiosk(app, runtime, station):
    client = app.test_client()
    assert pair(client, pairing_code(runtime)).status_code == 303
    return client


def tap(app, token, card):
    answer = app.test_client().post("/api/v1/station/tap", json={"card": card},
                                    headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.json
    return answer.json


def text(answer) -> str:
    return answer.get_data(as_text=True)


def shown_tap(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(Tap.id).order_by(Tap.id.desc()).limit(1))


def act(client, action, tap_id, **form):
    return client.post(f"/kiosk/{action}", data={"tap": str(tap_id), "csrf_token": form_token(client, "/kiosk"),
                                                 **form})


@pytest.fixture
def jobs(runtime, pdf):
    return {"mine": hold(runtime, "kimsr", "예산안 2013.pdf", pdf, age=timedelta(hours=1)),
            "newer": hold(runtime, "kimsr", "회의록.pdf", pdf, options="sides=two-sided-long-edge", copies="2"),
            "theirs": hold(runtime, "leejy", "이지영의 보고서.pdf", pdf)}


def states(runtime) -> dict[int, JobState]:
    with runtime.sessions() as session:
        return dict(session.execute(select(Job.id, Job.state)).all())


def test_a_code_pairs_the_browser_in_a_cookie_of_its_own(app, runtime, station):
    client = app.test_client()
    form = text(client.get("/kiosk"))
    assert "이 키오스크 연결" in form and 'name="code"' in form and 'name="label"' in form
    answer = pair(client, pairing_code(runtime).lower().replace("-", " "))
    assert answer.status_code == 303 and answer.headers["Location"] == "/kiosk"
    cookie = answer.headers["Set-Cookie"]
    credential = re.match(r"kiosk=([^;]+);", cookie).group(1)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/kiosk" in cookie
    assert "Secure" not in cookie and "Max-Age=34560000" in cookie
    assert credential != station and credential not in answer.headers["Location"]
    idle = text(client.get("/kiosk"))
    assert "카드를 대 주세요" in idle and "Tap your card" in idle
    assert "dept-a" in idle and "3층 기획예산과" in idle and credential not in idle
    with runtime.sessions() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "kiosks.pair"))
        assert (entry.actor, entry.target, entry.detail.endswith("(3층 복도)")) == ("kiosk:reader-a", "reader-a", True)
    english = app.test_client()
    english.set_cookie("kiosk", credential, path="/kiosk")
    idle = text(english.get("/kiosk", headers={"Accept-Language": "en"}))
    assert idle.index("Tap your card") < idle.index("카드를 대 주세요"), "the page's language first"


def test_behind_https_the_kiosk_cookie_is_secure(runtime, station):
    from webui import create_app

    secure = Runtime(dataclasses.replace(runtime.settings, secure_cookies=True))
    try:
        client = create_app({"TESTING": True}, runtime=secure).test_client()
        assert "Secure" in pair(client, pairing_code(secure)).headers["Set-Cookie"]
    finally:
        secure.close()


def test_wrong_codes_are_refused_alike_and_guessing_is_throttled(app, runtime, station):
    client = app.test_client()
    used = pairing_code(runtime)
    assert pair(app.test_client(), used).status_code == 303
    refusals = set()
    for code in (used, "ABCD-EFGH", "' OR 1=1 --"):
        answer = pair(client, code)
        assert answer.status_code == 400 and "kiosk=" not in answer.headers.get("Set-Cookie", "")
        refusals.add(re.search(r'id="pair-problem">([^<]+)<', text(answer)).group(1))
    assert refusals == {"연결 코드가 틀렸거나 이미 쓰였거나 만료되었습니다. 관리자에게 새 코드를 받으세요"}
    for _ in range(7):
        assert pair(client, "WXYZ-2345").status_code == 400
    good = pairing_code(runtime)
    answer = pair(client, good)
    assert answer.status_code == 429 and "15분 후에" in text(answer), "ten wrong codes: even a right one waits"
    assert "kiosk=" not in answer.headers.get("Set-Cookie", "")
    assert pair(client, "").status_code == 400


def test_a_revoked_credential_sends_the_kiosk_back_to_pairing(kiosk, runtime):
    assert "카드를 대 주세요" in text(kiosk.get("/kiosk"))
    with runtime.sessions.begin() as session:
        unpair(session, "reader-a")
    answer = kiosk.get("/kiosk/screen")
    assert answer.status_code == 401 and 'kiosk=;' in answer.headers["Set-Cookie"]
    kiosk.set_cookie("kiosk", "x" * 43, path="/kiosk")
    page = text(kiosk.get("/kiosk"))
    assert "이 키오스크 연결" in page and "카드를 대 주세요" not in page
    assert act(kiosk, "done", 1).headers["Location"] == "/kiosk"


def test_someone_logged_in_on_the_kiosks_browser_does_not_count(client_as, station):
    page = text(client_as("user").get("/kiosk"))
    assert "이 키오스크 연결" in page and "김성렬" not in page


def test_a_tap_shows_the_persons_jobs_with_their_costs_and_nobody_elses(app, kiosk, runtime, station, jobs):
    idle = kiosk.get("/kiosk/screen")
    assert idle.status_code == 200 and "카드를 대 주세요" in text(idle) and "<html" not in text(idle)
    assert kiosk.get("/kiosk/screen", headers={"If-None-Match": idle.headers["ETag"]}).status_code == 304
    assert tap(app, station, KIM)["outcome"] == "identified"
    answer = kiosk.get("/kiosk/screen", headers={"If-None-Match": idle.headers["ETag"]})
    html = text(answer)
    assert answer.status_code == 200 and "김성렬님의 대기 작업" in html
    assert html.index("예산안 2013.pdf") < html.index("회의록.pdf") and "이지영의 보고서" not in html
    assert "2쪽" in html and "2부" in html and "양면 (긴 쪽)" in html and "단면" in html and "컬러" in html
    assert "예상 비용 ₩200" in html and "예상 비용 ₩400" in html, "2 colour pages at ₩100, 2 copies"
    assert f'name="tap" value="{shown_tap(runtime)}"' in html and "모두 출력" in html and "완료" in html
    assert kiosk.get("/kiosk/screen", headers={"If-None-Match": answer.headers["ETag"]}).status_code == 304
    assert "김성렬님의 대기 작업" in text(kiosk.get("/kiosk")), "a reload shows the same"


def test_release_all_prints_here_as_the_kiosk(app, kiosk, runtime, station, jobs, server):
    tap(app, station, KIM)
    answer = act(kiosk, "release", shown_tap(runtime), all="1")
    assert answer.status_code == 303 and answer.headers["Location"] == "/kiosk"
    assert len(server.remote) == 2 and {j.owner for j in server.remote.values()} == {"kimsr"}
    assert states(runtime)[jobs["theirs"]] == JobState.HELD
    assert "작업 2건(4쪽)을 이곳 dept-a에서 출력합니다." in text(kiosk.get("/kiosk"))
    with runtime.sessions() as session:
        actors = set(session.scalars(select(JobEvent.actor).where(JobEvent.job_id == jobs["mine"])))
    assert "kiosk:reader-a" in actors


def test_a_job_that_could_not_be_sent_is_said_in_the_kiosks_language(app, kiosk, runtime, station, jobs, server):
    with runtime.sessions() as session:
        runtime.spool.path_for(session.get(Job, jobs["mine"]).storage_key).write_bytes(b"tampered")
    tap(app, station, KIM)
    act(kiosk, "release", shown_tap(runtime), all="1")
    screen = text(kiosk.get("/kiosk"))
    assert f"보내지 못함: 작업 {jobs['mine']}: 문서 파일" in screen and "체크섬과 맞지 않습니다" in screen
    assert "checksum" not in screen and len(server.remote) == 1


def test_release_selected_prints_only_the_ticked(app, kiosk, runtime, station, jobs, server):
    tap(app, station, KIM)
    assert act(kiosk, "release", shown_tap(runtime), job=str(jobs["newer"])).status_code == 303
    assert [j.name for j in server.remote.values()] == ["회의록.pdf"]
    assert states(runtime)[jobs["mine"]] == JobState.HELD
    assert act(kiosk, "release", shown_tap(runtime)).status_code == 303, "nothing ticked"
    assert "출력할 작업을 먼저 선택하세요" in text(kiosk.get("/kiosk")) and len(server.remote) == 1


def test_delete_asks_first_then_deletes_as_the_kiosk(app, kiosk, runtime, station, jobs):
    tap(app, station, KIM)
    tap_id = shown_tap(runtime)
    confirm = act(kiosk, "delete", tap_id, job=[str(jobs["mine"]), str(jobs["newer"])])
    html = text(confirm)
    assert confirm.status_code == 200 and "이 작업들을 삭제할까요?" in html and 'data-follow="leave"' in html
    assert "예산안 2013.pdf" in html and 'name="confirm" value="1"' in html
    assert states(runtime)[jobs["mine"]] == JobState.HELD, "nothing goes before it is confirmed"
    done = act(kiosk, "delete", tap_id, job=[str(jobs["mine"])], confirm="1")
    assert done.status_code == 303
    assert (states(runtime)[jobs["mine"]], states(runtime)[jobs["newer"]]) == (JobState.DELETED, JobState.HELD)
    with runtime.sessions() as session:
        assert session.scalar(select(JobEvent.actor).where(JobEvent.job_id == jobs["mine"],
                                                           JobEvent.kind == "deleted")) == "kiosk:reader-a"


def test_a_tap_in_between_makes_the_old_screens_actions_refused(app, kiosk, runtime, station, jobs, server):
    tap(app, station, KIM)
    kims = shown_tap(runtime)
    tap(app, station, LEE)
    for action, form in (("release", {"all": "1"}), ("delete", {"job": str(jobs["mine"]), "confirm": "1"})):
        answer = act(kiosk, action, kims, **form)
        assert answer.status_code == 409 and "화면이 바뀌었습니다" in text(answer)
        assert "이지영님의 대기 작업" in text(answer), "the screen as it is now"
    assert server.remote == {} and states(runtime)[jobs["mine"]] == JobState.HELD
    assert act(kiosk, "release", "not-a-number", all="1").status_code == 409


def test_another_users_job_ids_are_no_such_job(app, kiosk, runtime, station, jobs, server):
    tap(app, station, KIM)
    tap_id = shown_tap(runtime)
    for action, form in (("release", {}), ("delete", {}), ("delete", {"confirm": "1"})):
        answer = act(kiosk, action, tap_id, job=[str(jobs["mine"]), str(jobs["theirs"])], **form)
        assert answer.status_code == 404, (action, form)
    assert act(kiosk, "release", tap_id, job="1 OR 1=1").status_code == 404
    assert act(kiosk, "release", tap_id, job=str(2**31)).status_code == 404, "past the database's range"
    assert act(kiosk, "release", 2**31, all="1").status_code == 409
    assert act(kiosk, "done", 2**31).status_code == 303
    assert server.remote == {} and set(states(runtime).values()) == {JobState.HELD}


def test_an_unknown_card_shows_its_claim_code_and_how_to_claim_it(app, kiosk, client_as, runtime, station):
    code = tap(app, station, "0A0B0C0D")["claim_code"]
    html = text(kiosk.get("/kiosk/screen"))
    assert "끝자리가 0C0D인 카드는 등록되지 않았습니다" in html and code in html
    assert "http://localhost/cards" in html and "reader-a" in html and "10분 안에" in html
    assert "Unknown card" in html, "and in English"
    owner = client_as("other")
    claimed = owner.post("/cards/claim", data={"station": "reader-a", "code": code, "csrf_token": form_token(owner)})
    assert claimed.status_code == 303
    assert "카드를 대 주세요" in text(kiosk.get("/kiosk/screen")), "claimed: the code is shown no more"


def test_an_all_stations_kiosk_shows_each_taps_outcome_in_both_languages(app, kiosk, runtime, station, jobs, server):
    with runtime.sessions.begin() as session:
        set_release_mode(session, "reader-a", "all")
    tap(app, station, KIM)
    html = text(kiosk.get("/kiosk/screen"))
    assert "김성렬님, 2건 4쪽을 dept-a에서 출력합니다." in html and "printing 2 job(s), 4 page(s)" in html
    assert "kiosk-outcome ok" in html
    tap(app, station, KIM)
    assert "출력을 기다리는 문서가 없습니다" in text(kiosk.get("/kiosk/screen"))
    server.down = True
    tap(app, station, LEE)
    html = text(kiosk.get("/kiosk/screen"))
    assert "kiosk-outcome bad" in html and "connection refused" in html


def test_the_screen_goes_back_to_idle_after_the_window_or_when_done(app, kiosk, runtime, station, jobs):
    tap(app, station, KIM)
    tap_id = shown_tap(runtime)
    assert re.search(r'data-seconds="(59|60)">(59|60)</span>초 후에 처음 화면으로', text(kiosk.get("/kiosk/screen")))
    with runtime.sessions.begin() as session:
        session.execute(update(Tap).values(at=utcnow() - timedelta(seconds=61)))
    assert "카드를 대 주세요" in text(kiosk.get("/kiosk/screen"))
    assert act(kiosk, "release", tap_id, all="1").status_code == 409, "timed out: refused"
    tap(app, station, KIM)
    assert act(kiosk, "done", shown_tap(runtime)).status_code == 303
    assert "카드를 대 주세요" in text(kiosk.get("/kiosk/screen"))
    assert act(kiosk, "done", shown_tap(runtime)).status_code == 303, "done twice is still done"


def test_actions_need_the_forms_csrf_token(app, kiosk, runtime, station, jobs, server):
    tap(app, station, KIM)
    for action in ("release", "delete", "done"):
        answer = kiosk.post(f"/kiosk/{action}", data={"tap": str(shown_tap(runtime)), "all": "1", "confirm": "1",
                                                      "job": str(jobs["mine"])})
        assert answer.status_code == 400 and "양식이 오래되었거나" in text(answer)
    assert server.remote == {} and states(runtime)[jobs["mine"]] == JobState.HELD
    assert "김성렬님의 대기 작업" in text(kiosk.get("/kiosk/screen"))


def statements(runtime, client, path, **headers) -> tuple[int, int]:
    """The answer's status, and how many SQL statements it took (SQLite's BEGIN IMMEDIATE is not one)."""
    seen = []
    listener = lambda _conn, _cursor, sql, *_args: sql.startswith("BEGIN") or seen.append(sql)  # noqa: E731
    event.listen(runtime.engine, "before_cursor_execute", listener)
    try:
        status = client.get(path, headers=headers).status_code
    finally:
        event.remove(runtime.engine, "before_cursor_execute", listener)
    return status, len(seen)


def test_the_screen_update_is_cheap(app, kiosk, runtime, station, pdf):
    version = kiosk.get("/kiosk/screen").headers["ETag"]
    kiosk.get("/kiosk/screen")  # the credential is verified once in a while, the kiosk marked seen once a minute
    assert statements(runtime, kiosk, "/kiosk/screen", **{"If-None-Match": version}) == (304, 1)
    hold(runtime, "kimsr", "문서 0.pdf", pdf)
    tap(app, station, KIM)
    few = statements(runtime, kiosk, "/kiosk/screen")
    for n in range(1, 20):
        hold(runtime, "kimsr", f"문서 {n}.pdf", pdf)
    many = statements(runtime, kiosk, "/kiosk/screen")
    assert many == few and few[0] == 200, "no query per job"
    version = kiosk.get("/kiosk/screen").headers["ETag"]
    assert statements(runtime, kiosk, "/kiosk/screen", **{"If-None-Match": version}) == (304, 1), "someone shown"
    english = kiosk.get("/kiosk/screen", headers={"If-None-Match": version, "Accept-Language": "en"})
    assert english.status_code == 200 and "your held jobs" in text(english), "a screen in another language"
