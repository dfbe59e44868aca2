"""Cards: one user's ID cards by their last four digits, giving them a card by its number, removing one.

A card number is a secret of sorts (whoever has it can print another's jobs with a cloned badge): it is
taken by POST only, kept as a keyed hash, not put back into the form, and the trail names only its last four
digits.
"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from printrelease.accounts.errors import UnknownUser
from printrelease.accounts.service import get_user
from printrelease.cards.errors import OWNED_BY, CardInUse
from printrelease.cards.service import add_card, list_cards, remove_own_card
from printrelease.db import MAX_ID
from printrelease.errors import PrintReleaseError
from printrelease.i18n import translate
from webui.admin import bp
from webui.admin.common import audited, done, form_problems, refused
from webui.auth import role_required
from webui.database import get_session, runtime
from webui.errors import status_for
from webui.i18n import language


class FindForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only chooses whose cards are shown

    login = StringField(_l("User's login"), validators=[Optional(), Length(max=255)])


class CardForm(FlaskForm):
    login = HiddenField(validators=[InputRequired(), Length(max=255)])
    number = StringField(_l("Card number"), validators=[InputRequired(), Length(max=64)])
    label = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=100)])


class RemoveForm(FlaskForm):
    login = HiddenField(validators=[InputRequired(), Length(max=255)])
    card = IntegerField(validators=[InputRequired(), NumberRange(1, MAX_ID)])


def _page(login: str, form: CardForm | None = None, problem: str | None = None, status: int = 200):
    user = None
    if login:
        try:
            user = get_user(get_session(), login)
        except UnknownUser as error:
            problem, status = error.words(language()), 404
    if form is not None:
        form.number.data = ""  # never sent back to the browser
    return render_template("admin/cards.html", find=FindForm(formdata=None, login=login), user=user,
                           cards=list_cards(get_session(), user.login) if user else [],
                           form=form or CardForm(formdata=None, login=login), problem=problem), status


@bp.get("/cards")
@role_required("admin")
def cards():
    return _page(request.args.get("login", "").strip()[:255])


@bp.post("/cards/add")
@role_required("admin")
def cards_add():
    form = CardForm()
    if not form.validate():
        return _page(form.login.data or "", form, status=400)
    session = get_session()
    login, label = form.login.data, (form.label.data or "").strip()
    try:
        card = add_card(session, runtime().card_key, login, form.number.data, label)
    except CardInUse as error:
        session.rollback()  # admins are told whose card it is (users never are)
        return _page(login, form, translate(OWNED_BY, language(), owner=error.owner, **error.params), 409)
    except PrintReleaseError as error:
        session.rollback()
        return _page(login, form, error.words(language()), status_for(error))
    audited("cards.add", login, f"…{card.last4}" + (f" ({label})" if label else ""))
    return done(gettext("Card …%(last4)s now belongs to %(login)s.", last4=card.last4, login=login), "admin.cards",
                login=login)


@bp.post("/cards/remove")
@role_required("admin")
def cards_remove():
    form = RemoveForm()
    if not form.validate():
        return refused(form_problems(form), "admin.cards", login=form.login.data)
    card = remove_own_card(get_session(), form.login.data, form.card.data)
    audited("cards.remove", form.login.data, f"…{card.last4}")
    return done(gettext("Card …%(last4)s of %(login)s is removed: it releases nothing any more.", last4=card.last4,
                        login=form.login.data), "admin.cards", login=form.login.data)
