"""Card stations post taps here, with their bearer token."""

from __future__ import annotations

from flask import Blueprint, jsonify

from printrelease.credentials.service import authenticate
from printrelease.errors import Invalid
from printrelease.i18n import N_
from printrelease.stations.presence import mark_seen
from printrelease.stations.service import STATION, station_for_credential
from webui.api import bearer_token, json_object
from webui.database import get_session, runtime

bp = Blueprint("station", __name__)


@bp.post("/station/tap")
def tap():
    session = get_session()
    credential = authenticate(session, STATION, bearer_token())
    station_id = station_for_credential(session, credential.id).id
    session.rollback()  # the tap service runs its own transactions
    body = json_object()
    card = body.get("card")
    if not isinstance(card, str) or not card:
        raise Invalid(N_("the tap needs the card's UID in hex as 'card'"))
    pin, request_id = body.get("pin"), body.get("id")
    if request_id is not None and not (isinstance(request_id, str) and 0 < len(request_id) <= 64):
        raise Invalid(N_("a tap's 'id' is a string of at most 64 characters"))
    result = runtime().taps.tap(station_id, card, pin if isinstance(pin, str) else None, request_id)
    return jsonify(result.as_dict())


@bp.post("/station/hello")
def hello():
    """The agent's heartbeat (at start and every few minutes): records that the station is alive."""
    session = get_session()
    credential = authenticate(session, STATION, bearer_token())
    station = station_for_credential(session, credential.id)
    mark_seen(session, station.id)
    answer = {"station": station.name, "printer": station.printer.name}
    session.commit()
    return jsonify(answer)
