"""Pairing this browser with a station, with a one-time code from the administrator (page or CLI)."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length, Optional

from printrelease.kiosks.errors import BadPairingCode, PairingThrottled
from printrelease.kiosks.service import pair_kiosk, unpair
from webui.database import get_session
from webui.i18n import language
from webui.kiosk import bp
from webui.kiosk.credential import current_kiosk, remember


class PairForm(FlaskForm):
    code = StringField(_l("Pairing code"), validators=[InputRequired(), Length(max=32)])
    label = StringField(_l("Where this kiosk stands (optional)"), validators=[Optional(), Length(max=128)])


def pairing_page(form: PairForm | None = None, problem: str | None = None, status: int = 200):
    if problem is None and g.get("kiosk_unpaired"):
        problem = gettext("This kiosk was unpaired by an administrator. Pair it again with a new code.")
    return render_template("kiosk/pair.html", form=form or PairForm(), problem=problem), status


@bp.post("/pair")
def pair():
    """A wrong, used or expired code is refused alike, and too many from here are not even tried; both are
    recorded (the audit trail), so the attempt is committed whatever came of it."""
    form = PairForm()
    if not form.validate_on_submit():
        return pairing_page(form, status=400)
    session = get_session()
    before = current_kiosk()
    try:
        kiosk, token = pair_kiosk(session, form.code.data, form.label.data or "", request.remote_addr or "")
    except (BadPairingCode, PairingThrottled) as error:
        session.commit()
        return pairing_page(form, error.words(language()), 429 if isinstance(error, PairingThrottled) else 400)
    if before is not None:
        unpair(session, before.station.name, before.id)  # this browser's old credential is not left alive
    session.commit()
    response = redirect(url_for("kiosk.index"), 303)
    remember(response, token)
    return response
