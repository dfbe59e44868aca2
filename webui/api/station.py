"""Card stations post taps here; users claim a card they just tapped."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from printrelease.cards.service import claim_unknown_card
from printrelease.credentials.service import authenticate
from printrelease.errors import Invalid
from printrelease.stations.service import STATION, station_for_credential
from webui.api import bearer_token
from webui.auth import login_required
from webui.database import get_session, runtime

bp = Blueprint("station", __name__, url_prefix="/api/v1")


@bp.post("/station/tap")
def tap():
    session = get_session()
    credential = authenticate(session, STATION, bearer_token())
    station_id = station_for_credential(session, credential.id).id
    session.rollback()  # the tap service runs its own transactions
    body = request.get_json(silent=True) or {}
    card = body.get("card")
    if not isinstance(card, str) or not card:
        raise Invalid("the tap needs the card's UID in hex as 'card'")
    pin = body.get("pin")
    result = runtime().taps.tap(station_id, card, pin if isinstance(pin, str) else None)
    return jsonify(result.as_dict())


@bp.post("/me/cards/claim")
@login_required
def claim(login: str):
    """Claim the unknown card the logged-in user just tapped at the named station."""
    body = request.get_json(silent=True) or {}
    station = body.get("station")
    if not isinstance(station, str) or not station:
        raise Invalid("name the station where you tapped the card as 'station'")
    session = get_session()
    card = claim_unknown_card(session, login, station, runtime().settings.claim_window)
    session.commit()
    return jsonify(last4=card.last4, user=login), 201
