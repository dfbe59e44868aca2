"""Who may use which address: every route of the app against anonymous, a user, another user, finance and
admin. A route missing from ROUTES fails the test, so that each new page says who may use it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.webui.conftest import form_token, hold

WHO = ("anonymous", "user", "other", "finance", "admin")
LOGIN = "login page"  # anonymous visitors of a page are sent to log in


def everyone(status) -> dict:
    return {who: status for who in WHO}


def users(status, anonymous=LOGIN) -> dict:
    return {"anonymous": anonymous, **{who: status for who in WHO[1:]}}


# Another user's job or card is "no such job" (404) for everyone but its owner, admins included: their
# pages are elsewhere.
OWNER = {"anonymous": LOGIN, "user": None, "other": 404, "finance": 404, "admin": 404}


def owner(status) -> dict:
    return {**OWNER, "user": status}


FINANCE = {"anonymous": LOGIN, "user": 403, "other": 403, "finance": 200, "admin": 200}
ADMIN = {"anonymous": LOGIN, "user": 403, "other": 403, "finance": 403, "admin": 200}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {job}: a held job of "user"'s; {card}: a card of "user"'s
    expect: dict
    data: dict = field(default_factory=dict)  # the form (pages) or JSON (API) sent
    json: bool = False


ROUTES = [
    Route("GET", "/", everyone(302)),
    Route("GET", "/login", users(303, anonymous=200)),  # a logged-in user goes on to My jobs
    Route("POST", "/login", everyone(400)),  # no login name or password given
    Route("POST", "/logout", everyone(303)),
    Route("POST", "/language", everyone(303), {"language": "en"}),
    Route("GET", "/jobs", users(200)),
    Route("GET", "/jobs/printers", users(200)),
    Route("GET", "/jobs/history", users(200)),
    Route("GET", "/jobs/{job}", owner(200)),
    Route("POST", "/jobs/{job}", owner(303), {"copies": "2", "sides": "one-sided"}),
    Route("GET", "/jobs/{job}/thumbnail", owner(200)),
    Route("POST", "/jobs/release", owner(303), {"job": "{job}"}),  # no printer chosen: back to the list
    Route("POST", "/jobs/delete", owner(200), {"job": "{job}"}),  # the page that asks to confirm
    Route("GET", "/cards", users(200)),
    Route("POST", "/cards/claim", users(400)),  # no station or code given
    Route("POST", "/cards/{card}/remove", owner(303)),
    Route("GET", "/upload", users(200)),
    Route("POST", "/upload", users(400)),  # no file given
    # The kiosk: nobody's login counts there, only a kiosk's own cookie, which none of these clients has.
    Route("GET", "/kiosk", everyone(200)),  # the pairing form
    Route("POST", "/kiosk/pair", everyone(400)),  # no code given
    Route("GET", "/kiosk/screen", everyone(401)),
    Route("POST", "/kiosk/release", everyone(303), {"all": "1", "tap": "1"}),  # to the pairing form
    Route("POST", "/kiosk/delete", everyone(303), {"job": "{job}", "tap": "1"}),
    Route("POST", "/kiosk/done", everyone(303), {"tap": "1"}),
    Route("GET", "/admin", ADMIN),
    # Administration: admins only. A form that names nothing is refused (400, or back to its page: 303); a
    # page of a printer, station or usage row that does not exist is 404 once the role has been checked.
    Route("GET", "/admin/printers", ADMIN),
    Route("GET", "/admin/printers/rows", ADMIN),
    Route("POST", "/admin/printers/sync", {**ADMIN, "admin": {200, 303}}),  # 303: CUPS unreachable here
    Route("POST", "/admin/printers/add", {**ADMIN, "admin": 400}),
    Route("POST", "/admin/printers/import", {**ADMIN, "admin": 400}),  # no file
    Route("GET", "/admin/printers/printer?name=dept-a", {**ADMIN, "admin": 404}),
    Route("POST", "/admin/printers/location", {**ADMIN, "admin": 303}),
    Route("POST", "/admin/printers/active", {**ADMIN, "admin": 303}),
    Route("POST", "/admin/printers/remove", {**ADMIN, "admin": 303}),
    Route("GET", "/admin/stations", ADMIN),
    Route("POST", "/admin/stations/add", {**ADMIN, "admin": 400}),
    Route("GET", "/admin/stations/station?name=reader-a", {**ADMIN, "admin": 404}),
    Route("POST", "/admin/stations/printer", {**ADMIN, "admin": 303}),
    Route("POST", "/admin/stations/mode", {**ADMIN, "admin": 303}),
    Route("POST", "/admin/stations/remove", {**ADMIN, "admin": 303}),
    Route("POST", "/admin/stations/pair", {**ADMIN, "admin": 303}),
    Route("POST", "/admin/stations/unpair", {**ADMIN, "admin": 303}),
    Route("GET", "/admin/users?q=김", ADMIN),
    Route("POST", "/admin/users/import", {**ADMIN, "admin": 400}),  # no file
    Route("GET", "/admin/users/user?login=leejy", ADMIN),
    Route("POST", "/admin/users/role", {**ADMIN, "admin": 303}, {"login": "leejy", "role": "user"}),
    Route("POST", "/admin/users/department", {**ADMIN, "admin": 303}, {"login": "leejy", "code": "budget"}),
    Route("POST", "/admin/users/active", {**ADMIN, "admin": 303}, {"login": "leejy", "active": "y"}),
    Route("POST", "/admin/users/password", ADMIN, {"login": "leejy", "generate": "y"}),  # shown once: 200
    Route("GET", "/admin/cards?login=kimsr", ADMIN),
    Route("POST", "/admin/cards/add", {**ADMIN, "admin": 303}, {"login": "leejy", "number": "0A0B0C0D"}),
    Route("POST", "/admin/cards/remove", {**ADMIN, "admin": 303}, {"login": "kimsr", "card": "{card}"}),
    Route("GET", "/admin/settings", ADMIN),
    Route("POST", "/admin/settings", {**ADMIN, "admin": 303}, {"name": "hold_hours", "value": "48"}),
    Route("POST", "/admin/settings/reset", {**ADMIN, "admin": 303}, {"name": "hold_hours"}),
    Route("GET", "/admin/prices", ADMIN),
    Route("POST", "/admin/prices/set", {**ADMIN, "admin": 303}, {"size": "A4", "mono": "20", "colour": "100"}),
    Route("POST", "/admin/prices/end-override", {**ADMIN, "admin": 400}),
    Route("GET", "/admin/usage?user=kimsr", ADMIN),
    Route("GET", "/admin/usage/record?id=1", {**ADMIN, "admin": 404}),
    Route("POST", "/admin/usage/correct", {**ADMIN, "admin": 404}),  # no such row
    Route("GET", "/admin/audit", ADMIN),
    Route("GET", "/finance", FINANCE),
    Route("GET", "/finance?from=2026-03-01&to=2026-03-31&by=department&then=month", FINANCE),
    Route("GET", "/finance/download?format=csv&from=2026-03-01&to=2026-03-31", FINANCE),
    Route("GET", "/finance/download?format=xlsx&from=2026-03-01&to=2026-03-31&kind=detail", FINANCE),
    Route("GET", "/finance/download?format=pdf&from=2026-03-01&to=2026-03-31&kind=clicks", FINANCE),
    Route("GET", "/healthz", everyone({200, 503})),
    Route("GET", "/api/v1/health", everyone({200, 503})),
    Route("GET", "/metrics", everyone(200)),  # the test client is on this machine; tests/webui/test_metrics.py
    Route("POST", "/api/v1/capture", everyone(401), json=True),
    Route("POST", "/api/v1/station/tap", everyone(401), json=True),
    Route("POST", "/api/v1/station/hello", everyone(401), json=True),
    Route("POST", "/api/v1/session", everyone(400), json=True),
    Route("DELETE", "/api/v1/session", everyone(204), json=True),
    Route("GET", "/api/v1/me", users(200, anonymous=401)),
    Route("POST", "/api/v1/me/cards/claim", users(400, anonymous=401), json=True),
]


def test_every_route_is_in_the_table(app):
    table = {(route.method, route.path.split("?")[0]) for route in ROUTES}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = rule.rule.replace("<int:job_id>", "{job}").replace("<int:card_id>", "{card}")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (method, path) not in table:
                missing.append(f"{method} {path}")
    assert missing == [], "add these routes to ROUTES with who may use them"


@pytest.fixture
def database_url(tmp_path, request):
    """Who may do what does not depend on the database: SQLite only, the IDOR tests run on both."""
    from tests.conftest import fresh_database

    return fresh_database(request, "sqlite", tmp_path)


@pytest.fixture
def things(runtime, people, pdf):
    """What the table's placeholders name: a held job and a card of the user's."""
    from printrelease.cards.service import add_card

    with runtime.sessions.begin() as session:
        card = add_card(session, runtime.card_key, "kimsr", "04A1B2C3").id
    return {"job": hold(runtime, "kimsr", "예산안 2013.pdf", pdf), "card": card}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_who_may_use_what(client_as, things, route):
    for who in WHO:
        client = client_as(who)
        path = route.path.format(**things)
        data = {name: str(value).format(**things) for name, value in route.data.items()}
        kwargs = {"json": data} if route.json else {"data": {**data, "csrf_token": form_token(client)}}
        answer = client.open(path, method=route.method, **kwargs)
        wanted = route.expect[who]
        if wanted == LOGIN:
            assert answer.status_code == 303 and answer.headers["Location"].startswith("/login"), (who, answer)
        elif isinstance(wanted, set):
            assert answer.status_code in wanted, (who, answer.status_code)
        else:
            assert answer.status_code == wanted, (who, answer.status_code, answer.get_data(as_text=True)[-300:])


@pytest.mark.parametrize("route", [r for r in ROUTES if r.method == "POST" and not r.json],
                         ids=lambda r: f"{r.method} {r.path}")
def test_every_form_is_refused_without_its_csrf_token(client_as, things, route):
    client = client_as("user")
    data = {name: str(value).format(**things) for name, value in route.data.items()}
    for token in (None, "forged-token"):
        answer = client.post(route.path.format(**things), data={**data, **({"csrf_token": token} if token else {})})
        assert answer.status_code == 400, (token, answer.status_code)
        assert "양식이 오래되었거나" in answer.get_data(as_text=True)
