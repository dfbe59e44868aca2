"""Which kiosk this browser is: the credential from its pairing, kept in a cookie of its own."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, request, url_for

from printrelease.credentials.service import BadCredentials
from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_
from printrelease.kiosks.models import Kiosk
from printrelease.kiosks.service import KIOSK, kiosk_for_credential
from webui.database import get_session, runtime
from webui.kiosk import bp

COOKIE = "kiosk"
# Browsers keep a cookie 400 days at most: every page load of the kiosk renews it.
COOKIE_AGE = int(timedelta(days=400).total_seconds())
MAX_TOKEN = 100  # a credential is 43 characters; anything much longer is not one


class NotPaired(PrintReleaseError):
    code = "kiosk_not_paired"
    template = N_("this browser is not a paired kiosk")


def current_credential() -> int | None:
    """The id of this browser's kiosk credential if it is one (revoked or not: the kiosk's row says),
    found valid once in a while rather than at every look at the screen."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        if len(token) > MAX_TOKEN:
            raise BadCredentials()
        return runtime().verified_tokens.check(KIOSK, token)
    except BadCredentials:
        unpaired()
        return None


def unpaired() -> None:
    """This browser's credential is no good: the cookie goes with the answer."""
    g.kiosk_unpaired = True


def current_kiosk() -> Kiosk | None:
    """The kiosk this browser is (with its station and printer), or None: not paired, or unpaired."""
    if "kiosk" not in g:
        g.kiosk = None
        credential_id = current_credential()
        if credential_id is not None:
            try:
                g.kiosk = kiosk_for_credential(get_session(), credential_id)
            except BadCredentials:
                unpaired()
    return g.kiosk


def paired_kiosk() -> Kiosk:
    kiosk = current_kiosk()
    if kiosk is None:
        raise NotPaired()
    return kiosk


def _cookie_options() -> dict:
    return {"path": url_for("kiosk.index"), "secure": current_app.config["SESSION_COOKIE_SECURE"],
            "httponly": True, "samesite": "Strict"}


def remember(response, token: str) -> None:
    response.set_cookie(COOKIE, token, max_age=COOKIE_AGE, **_cookie_options())


@bp.after_request
def _forget_revoked(response):
    if g.get("kiosk_unpaired"):
        response.delete_cookie(COOKIE, **_cookie_options())
    return response
