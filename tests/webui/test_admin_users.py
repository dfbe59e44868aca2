"""The users pages, on SQLite and PostgreSQL: search and paging over many users, a Korean Excel (CP949) CSV
imported all or none with line numbers, role, department, disabling (which ends their sessions), passwords
typed or generated (shown once, ending their sessions), directory users without a password here, and an
admin who cannot lock themselves out; every change audited."""

from __future__ import annotations

import io
import re
from dataclasses import replace


from printrelease.accounts.models import User
from printrelease.accounts.service import add_user, get_user
from printrelease.cards.service import list_cards
from printrelease.config import LdapSettings
from printrelease.runtime import Runtime
from tests.webui import admin_helpers
from tests.webui.admin_helpers import ADDRESS, entries, flashed, post, text
from tests.webui.conftest import form_token, log_in

admin = admin_helpers.admin  # the fixture: the admin's client

SECRET = re.compile(r'<code id="secret"[^>]*>([^<]+)</code>')


def test_users_are_found_by_name_or_department_a_page_at_a_time(admin, runtime):
    with runtime.sessions.begin() as session:
        for n in range(120):
            add_user(session, f"staff{n:03d}", f"직원{n:03d}", department_code=f"D{n % 2}",
                     department_name="정보통신과" if n % 2 else "민원봉사과")
    first = text(admin.get("/admin/users?q=직원"))
    assert "사용자 120명을 찾았습니다" in first and "3쪽 중 1쪽" in first
    assert first.count('href="/admin/users/user?login=staff') == 50
    assert 'href="/admin/users?page=2&amp;q=' in admin.get("/admin/users?q=직원").get_data(as_text=True)
    last = text(admin.get("/admin/users?q=직원&page=3"))
    assert last.count('href="/admin/users/user?login=staff') == 20 and "staff119" in last
    assert "사용자 60명을 찾았습니다" in text(admin.get("/admin/users?q=정보통신"))
    assert "사용자 4명을 찾았습니다" in text(admin.get("/admin/users?q=예산담당관"))
    admins = text(admin.get("/admin/users?role=admin"))
    assert "사용자 1명을 찾았습니다" in admins and "choihs" in admins
    assert admin.get("/admin/users?q=" + "가" * 201).status_code == 400
    assert admin.get("/admin/users?role=boss").status_code == 400


def upload(client, data: bytes, filename="직원.csv", encoding=""):
    return client.post("/admin/users/import", data={"csrf_token": form_token(client, "/admin"), "encoding": encoding,
                                                    "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data", environ_base={"REMOTE_ADDR": ADDRESS})


def test_a_korean_excel_csv_is_imported_all_or_none_with_line_numbers(admin, runtime):
    rows = ("login,display_name,department,department_name,card,role\n"
            "hongkd,홍길동,D300,정보통신과,04A1B2C3D4E5F6,\nkangms,강민수,D300,,,finance\n")
    answer = upload(admin, rows.encode("cp949"))
    assert answer.status_code == 303
    assert ("직원.csv(CP949로 읽음): 사용자 2명을 만들고 0명을 고쳤으며, 카드 1장을 등록했습니다."
            in flashed(admin, answer.headers["Location"]))
    with runtime.sessions() as session:
        assert get_user(session, "hongkd").department.name == "정보통신과"
        assert get_user(session, "kangms").role == "finance"
        assert [c.last4 for c in list_cards(session, "hongkd")] == ["E5F6"]
    (entry,) = entries(runtime, "users.import")
    assert (entry.target, entry.detail, entry.address) == ("직원.csv", "CP949: 2 created, 0 updated, 1 card(s)",
                                                           ADDRESS)
    assert "04A1B2C3" not in entry.detail
    bad = upload(admin, "login,display_name,role\nyoonsj,윤서진,\nbaejh,배정훈,boss\n".encode("cp949"))
    assert bad.status_code == 400
    assert "아무것도 가져오지 않았습니다: 3번째 줄: 'boss'은(는) 역할이 아닙니다" in text(bad)
    with runtime.sessions() as session:
        assert session.query(User).filter(User.login == "yoonsj").count() == 0, "all or none"
    bom = upload(admin, "\ufefflogin,display_name\nhongkd,홍길동 주무관\n".encode("utf-8"))
    assert "(UTF-8로 읽음): 사용자 0명을 만들고 1명을 고쳤으며" in flashed(admin, bom.headers["Location"])
    unknown = upload(admin, "login,nickname\nx,y\n".encode())
    assert unknown.status_code == 400 and "nickname" in text(unknown)


def test_role_department_and_disabling_are_audited_and_disabling_ends_their_sessions(admin, client_as, runtime):
    leejy = client_as("other")
    assert leejy.get("/jobs").status_code == 200
    answer = post(admin, "/admin/users/active", {"login": "leejy"})
    assert "leejy 계정을 사용 중지했습니다" in flashed(admin, answer.headers["Location"])
    assert leejy.get("/jobs").status_code == 303, "logged out at once"
    post(admin, "/admin/users/active", {"login": "leejy", "active": "y"})
    post(admin, "/admin/users/role", {"login": "leejy", "role": "finance"})
    post(admin, "/admin/users/department", {"login": "leejy", "code": "budget"})
    refused = post(admin, "/admin/users/department", {"login": "leejy", "code": "D900"})
    assert "아직 D900 부서가 없습니다" in flashed(admin, refused.headers["Location"])
    post(admin, "/admin/users/department", {"login": "leejy", "code": "D900", "name": "감사관실"})
    with runtime.sessions() as session:
        user = get_user(session, "leejy")
        assert (user.is_active, user.role, user.department.name) == (True, "finance", "감사관실")
    assert [(e.action, e.target, e.detail) for e in entries(runtime)] == [
        ("users.disable", "leejy", ""), ("users.enable", "leejy", ""), ("users.set_role", "leejy", "user -> finance"),
        ("users.set_department", "leejy", "budget (예산담당관)"), ("users.set_department", "leejy", "D900 (감사관실)")]
    assert all(e.actor == "choihs" and e.address == ADDRESS for e in entries(runtime))
    page = text(admin.get("/admin/users/user?login=leejy"))
    assert "감사관실 (D900)" in page and "재무" in page
    assert admin.get("/admin/users/user?login=nobody").status_code == 404


def test_an_admin_cannot_take_away_their_own_rights(admin, runtime):
    demoted = post(admin, "/admin/users/role", {"login": "choihs", "role": "user"})
    assert "자기 관리자 권한은 뺄 수 없습니다" in flashed(admin, demoted.headers["Location"])
    disabled = post(admin, "/admin/users/active", {"login": "choihs"})
    assert "자기 계정은 사용 중지할 수 없습니다" in flashed(admin, disabled.headers["Location"])
    with runtime.sessions() as session:
        assert (get_user(session, "choihs").role, get_user(session, "choihs").is_active) == ("admin", True)
    assert entries(runtime) == []


def test_a_password_typed_or_generated_ends_their_sessions_and_stays_out_of_the_trail(admin, client_as, app,
                                                                                      runtime):
    leejy = client_as("other")
    differ = post(admin, "/admin/users/password", {"login": "leejy", "password": "새-비밀번호-2027",
                                                   "confirm": "다른-비밀번호"})
    assert "두 비밀번호가 다릅니다" in flashed(admin, differ.headers["Location"])
    short = post(admin, "/admin/users/password", {"login": "leejy", "password": "짧음", "confirm": "짧음"})
    assert "최소 8자 이상" in flashed(admin, short.headers["Location"])
    assert leejy.get("/jobs").status_code == 200, "nothing changed yet"
    typed = post(admin, "/admin/users/password", {"login": "leejy", "password": "새-비밀번호-2027",
                                                  "confirm": "새-비밀번호-2027"})
    assert "leejy의 비밀번호를 새로 정했고" in flashed(admin, typed.headers["Location"])
    assert leejy.get("/jobs").status_code == 303
    log_in(app.test_client(), "leejy", "새-비밀번호-2027")
    generated = post(admin, "/admin/users/password", {"login": "leejy", "generate": "y"})
    password = SECRET.search(text(generated)).group(1).strip()
    assert generated.status_code == 200 and len(password) == 14
    log_in(app.test_client(), "leejy", password)
    assert [e.detail for e in entries(runtime, "users.set_password")] == ["typed by the administrator", "generated"]
    assert all(password not in e.detail and "새-비밀번호" not in e.detail for e in entries(runtime))
    assert password not in text(admin.get("/admin/users/user?login=leejy"))


def test_directory_users_have_no_password_here(settings, runtime, people):
    from webui import create_app
    from printrelease.accounts.sessions import start_session

    directory = Runtime(replace(settings, ldap=LdapSettings(url="ldap://127.0.0.1:1",
                                                            user_dn="uid={login},ou=people,dc=example")))
    app = create_app({"TESTING": True}, runtime=directory)
    with directory.sessions.begin() as session:
        add_user(session, "dirkim", "김디렉")
        token = start_session(session, get_user(session, "choihs"))
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["sid"] = token
    page = text(client.get("/admin/users/user?login=dirkim"))
    assert "디렉터리(LDAP): 여기에는 비밀번호를 보관하지 않습니다" in page and "비밀번호 만들기" not in page
    refused = post(client, "/admin/users/password", {"login": "dirkim", "generate": "y"})
    assert "디렉터리에서 바꿔 주세요" in flashed(client, refused.headers["Location"])
    with directory.sessions() as session:
        assert get_user(session, "dirkim").password_hash is None
    assert "여기에 보관한 비밀번호" in text(client.get("/admin/users/user?login=kimsr")), "a local account"
    directory.close()
