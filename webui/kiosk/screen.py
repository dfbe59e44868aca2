"""The kiosk's screen: the whole page once, then the part that changes, polled with its version.

The page asks `/kiosk/screen` twice a second with the version it shows (If-None-Match); an unchanged
screen is a 304 after one query, and nothing is looked up or drawn. Polling, not server-sent events: under
`printrelease serve` an open event stream holds one of a worker's few threads for as long as the kiosk
is on, and 50 kiosks would take them all (BENCHMARKS.md, "Kiosks").
"""

from __future__ import annotations

from flask import make_response, render_template, request, url_for
from markupsafe import Markup

from printrelease.accounts.models import User
from printrelease.db import utcnow
from printrelease.i18n import LANGUAGES, N_, both
from printrelease.kiosks.screens import KioskScreen, KioskVisitor, UnknownCardTap, kiosk_screen, screen_version
from printrelease.kiosks.service import mark_kiosk_seen
from printrelease.kiosks.models import Kiosk
from printrelease.myjobs.views import held_jobs
from printrelease.printers.errors import PrinterDisabled
from printrelease.stations.wording import wording
from webui.database import get_session, runtime
from webui.i18n import language
from webui.jobs import words
from webui.kiosk import bp
from webui.kiosk.credential import COOKIE, current_credential, current_kiosk, remember, unpaired
from webui.kiosk.pairing import pairing_page

POLL_MS = 500  # tap to screen within a second at the 95th percentile, measured with 50 kiosks polling
GOOD, NEUTRAL = {"released", "identified"}, {"nothing_to_print", "pending"}  # the rest is a problem
HINTS = {"choose": N_("Your held jobs appear here: print or delete the ones you choose."),
         "all": N_("Everything you have sent prints here at once.")}


@bp.get("")
def index():
    kiosk = current_kiosk()
    if kiosk is None:
        return pairing_page()
    response = make_response(page(kiosk))
    remember(response, request.cookies[COOKIE])
    return response


def page(kiosk: Kiosk) -> str:
    """The whole kiosk page around the screen as it is now."""
    version = look()
    return render_template("kiosk/index.html", body=draw(kiosk_screen(get_session(), kiosk, runtime().card_key)),
                           version=version, poll_ms=POLL_MS)


def following(kiosk: Kiosk, template: str, **context) -> str:
    """A page of one step (confirming a deletion) that leaves for the screen as soon as the screen
    changes: a new tap, or the timeout, ends the step too."""
    version = look()
    get_session().commit()
    return render_template(template, version=version, poll_ms=POLL_MS, **context)


@bp.get("/screen")
def screen():
    """The screen alone, for the page to swap in: 304 if the kiosk has this version, 401 once unpaired."""
    version = look()
    if version is None:
        return "", 401
    if request.if_none_match.contains_weak(version):
        get_session().commit()
        response = make_response("", 304)
    else:
        # Looked up after the version: at worst the screen is newer than its version, and is sent again.
        kiosk = current_kiosk()
        if kiosk is None:
            return "", 401
        response = make_response(draw(kiosk_screen(get_session(), kiosk, runtime().card_key)))
    response.set_etag(version, weak=True)
    return response


def look() -> str | None:
    """The version of this browser's kiosk's screen (its language is part of how it looks), in one query;
    None if it is no kiosk."""
    credential_id = current_credential()
    if credential_id is None:
        return None
    session = get_session()
    found = screen_version(session, credential_id)
    if found is None:
        unpaired()
        return None
    mark_kiosk_seen(session, found.kiosk_id, found.last_seen_at)
    return f"{found.version}-{language()}"


def draw(screen: KioskScreen) -> Markup:
    """The screen's HTML; the request's transaction ends before it is drawn."""
    session = get_session()
    shown, jobs = screen.shown, []
    if isinstance(shown, KioskVisitor):
        user = session.get(User, shown.user_id)
        try:
            jobs = held_jobs(session, user, printer=screen.printer)
        except PrinterDisabled:  # its prices may not apply; the release will say it cannot print there
            jobs = held_jobs(session, user)
    session.commit()
    context = {"screen": screen, "shown": shown, "jobs": jobs, "words": words, "other": other_languages()}
    if shown is None:
        context.update(kind="idle", greeting=both(N_("Tap your card")),
                       hint=both(HINTS.get(screen.release_mode, HINTS["all"])))
    elif isinstance(shown, KioskVisitor):
        context.update(kind="visitor")
    elif isinstance(shown, UnknownCardTap):
        context.update(kind="unknown", said=wording("unknown_card", station=shown.station, code=shown.claim_code),
                       claim_url=url_for("cards.index", _external=True),
                       claim_minutes=int(runtime().settings.claim_window.total_seconds() // 60))
    else:
        context.update(kind="outcome", tone="ok" if shown.outcome in GOOD else
                       "info" if shown.outcome in NEUTRAL else "bad")
    if shown is not None:
        context["seconds_left"] = max(0, int((shown.ends_at - utcnow()).total_seconds()))
    return Markup(render_template("kiosk/_screen.html", **context))


def other_languages() -> list[str]:
    """The languages a line everyone reads is repeated in, after the page's own."""
    return [code for code in LANGUAGES if code != language()]
