"""Administration (/admin), for the admin role: printers, stations and kiosks, users, cards, site settings,
prices, usage corrections and the audit trail, a page for each with a sub-navigation.

Every change goes through a core service and is written to the audit trail in the same transaction
(`common.audited`): who (the admin's login), what, on what, and from which address. Secrets (a station's
token, a kiosk pairing code, a generated password) are shown once, in the answer to the form that made
them: never in a URL, a flash message (it travels in the session cookie) or the trail. Pages name the
thing they act on in the query string or the form (`?name=dept-a`), never in the path.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from printrelease.accounts.models import User
from printrelease.printers.models import Printer
from printrelease.stations.models import Station
from webui.auth import role_required
from webui.database import get_session

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("")
@role_required("admin")
def index():
    session = get_session()
    counts = {name: session.scalar(select(func.count()).select_from(model))
              for name, model in (("printers", Printer), ("stations", Station), ("users", User))}
    return render_template("admin/index.html", counts=counts)


from webui.admin import (audit, cards, printers, prices, settings, stations, usage,  # noqa: E402,F401
                         users)

# The views that take a file: their CSRF token is checked by the view, after the request size allowed
# for who is asking (webui/admin/common.py `file_form`).
FILE_FORMS = [printers.import_printers_view, users.import_users_view]
