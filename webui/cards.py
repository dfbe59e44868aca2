"""My cards (/cards): the user's cards by their last four digits, claiming a new one with the one-time
code its station showed, and removing one."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, Regexp

from printrelease.cards.service import claim_card_with_code, list_cards, remove_own_card
from printrelease.errors import PrintReleaseError
from printrelease.printers.models import Printer
from printrelease.stations.models import Station
from webui.auth import login_required
from webui.database import get_session, runtime
from webui.i18n import language

bp = Blueprint("cards", __name__, url_prefix="/cards")


class ClaimForm(FlaskForm):
    station = SelectField(_l("Station where you tapped the card"), validators=[InputRequired()])
    code = StringField(_l("Code shown at the station"),
                       validators=[InputRequired(), Length(max=32), Regexp(r"^[0-9 ]+$", message=_l("digits only"))])


def _stations() -> list[tuple[str, str]]:
    rows = get_session().execute(select(Station.name, Printer.location).join(Station.printer).order_by(Station.name))
    return [("", gettext("Choose the station"))] + [
        (name, f"{name} · {location}" if location else name) for name, location in rows]


def _page(form: ClaimForm, problem: str | None = None, status: int = 200):
    return render_template("cards/index.html", cards=list_cards(get_session(), g.user.login), form=form,
                           problem=problem, window=int(runtime().settings.claim_window.total_seconds() // 60)), status


@bp.get("")
@login_required
def index():
    form = ClaimForm()
    form.station.choices = _stations()
    return _page(form)


@bp.post("/claim")
@login_required
def claim():
    form = ClaimForm()
    form.station.choices = _stations()
    if not form.validate_on_submit():
        return _page(form, status=400)
    session = get_session()
    try:
        card = claim_card_with_code(session, runtime().card_key, g.user.login, form.station.data, form.code.data,
                                    runtime().settings.claim_window)
    except PrintReleaseError as error:
        session.commit()  # wrong codes are counted whether or not this one was right
        return _page(form, error.words(language()), 400)
    session.commit()
    flash(gettext("Card …%(last4)s is now yours: tap it at any printer.", last4=card.last4), "ok")
    return redirect(url_for("cards.index"), 303)


@bp.post("/<int:card_id>/remove")
@login_required
def remove(card_id: int):
    session = get_session()
    card = remove_own_card(session, g.user.login, card_id)
    session.commit()
    flash(gettext("Card …%(last4)s is removed: it no longer prints your jobs.", last4=card.last4), "ok")
    return redirect(url_for("cards.index"), 303)
