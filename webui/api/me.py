"""The logged-in user's own things: who they are, and claiming a card they just tapped."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from printrelease.accounts.service import get_user
from printrelease.cards.service import claim_unknown_card, claimable_taps, list_cards
from printrelease.errors import Invalid
from printrelease.i18n import N_
from webui.auth import check_same_site, login_required
from webui.database import get_session, runtime

bp = Blueprint("me", __name__, url_prefix="/api/v1/me")
bp.before_request(check_same_site)


@bp.get("")
@login_required
def me(login: str):
    session = get_session()
    user = get_user(session, login)
    department = user.department
    return jsonify(login=user.login, display_name=user.display_name, email=user.email,
                   department={"code": department.code, "name": department.name} if department else None,
                   cards=[{"last4": card.last4, "label": card.label} for card in list_cards(session, login)])


@bp.get("/cards/claimable")
@login_required
def claimable(_login: str):
    """Unknown cards tapped lately, so the user can pick theirs by station and time."""
    taps = claimable_taps(get_session(), runtime().settings.claim_window)
    return jsonify(taps=[{"tap": tap.id, "station": tap.station.name, "printer": tap.station.printer.name,
                          "at": tap.at.isoformat(), "last4": tap.last4} for tap in taps])


@bp.post("/cards/claim")
@login_required
def claim(login: str):
    """Claim the unknown card the logged-in user just tapped at the named station (optionally which tap)."""
    body = request.get_json(silent=True) or {}
    station, tap_id = body.get("station"), body.get("tap")
    if not isinstance(station, str) or not station:
        raise Invalid(N_("name the station where you tapped the card as 'station'"))
    if tap_id is not None and (not isinstance(tap_id, int) or isinstance(tap_id, bool)):
        raise Invalid(N_("'tap' is the number of the tap, as listed by /api/v1/me/cards/claimable"))
    session = get_session()
    card = claim_unknown_card(session, login, station, runtime().settings.claim_window, tap_id)
    session.commit()
    return jsonify(last4=card.last4, user=login), 201
