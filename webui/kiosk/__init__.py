"""The kiosk beside a printer (/kiosk): paired once with a station, it shows whoever just tapped there.

A kiosk is not a person. It carries no login, only the credential its pairing gave it, in a cookie of its
own (HttpOnly, SameSite=Strict, only for /kiosk, Secure behind HTTPS): never in a URL, never the
station's API token. Whoever may be logged in on the same browser does not count here (`g.user` is
cleared): every action is for the person the kiosk shows, named by the tap it showed.
"""

from __future__ import annotations

from flask import Blueprint, g

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")


@bp.before_request
def _nobody_logged_in() -> None:
    g.user = None


from webui.kiosk import actions, pairing, screen  # noqa: E402,F401  (they add their routes to bp)
