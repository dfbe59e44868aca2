"""The logged-in user's own things: who they are, and claiming a card they just tapped."""

from __future__ import annotations

from flask import Blueprint, g, jsonify

from printrelease.cards.service import claim_card_with_code, list_cards
from printrelease.errors import Invalid
from printrelease.i18n import N_
from webui.api import json_object
from webui.auth import check_same_site, login_required
from webui.database import get_session, runtime

bp = Blueprint("me", __name__, url_prefix="/me")
bp.before_request(check_same_site)


@bp.get("")
@login_required
def me():
    session = get_session()
    user = g.user
    department = user.department
    return jsonify(login=user.login, display_name=user.display_name, email=user.email,
                   department={"code": department.code, "name": department.name} if department else None,
                   cards=[{"last4": card.last4, "label": card.label} for card in list_cards(session, user.login)])


@bp.post("/cards/claim")
@login_required
def claim():
    """Claim the unknown card the logged-in user just tapped: the station's name and the one-time code the
    station showed. Nobody is ever shown other people's taps."""
    body = json_object()
    station, code = body.get("station"), body.get("code")
    if not isinstance(station, str) or not station:
        raise Invalid(N_("name the station where you tapped the card as 'station'"))
    if not isinstance(code, str) or not code.strip() or len(code) > 32:
        raise Invalid(N_("give the code the station showed when you tapped the card as 'code'"))
    session = get_session()
    try:
        card = claim_card_with_code(session, runtime().card_key, g.user.login, station, code,
                                    runtime().settings.claim_window)
    finally:
        session.commit()  # wrong codes are counted whether or not this one was right
    return jsonify(last4=card.last4, user=g.user.login), 201
