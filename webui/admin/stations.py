"""Stations (card readers beside printers): the list with when each was last heard from, creating one with its
token shown once, its printer and release mode, removing it; and pairing kiosks with it."""

from __future__ import annotations

from flask import abort, g, render_template, request
from flask_babel import gettext, lazy_gettext as _l, ngettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from printrelease.db import MAX_ID
from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_
from printrelease.kiosks.service import PAIRING_VALID, create_pairing_code, list_kiosks, unpair
from printrelease.printers.service import list_printers
from printrelease.stations.errors import UnknownStation
from printrelease.stations.models import Station
from printrelease.stations.presence import is_quiet, last_heard
from printrelease.stations.service import (add_station, get_station, last_taps, list_stations, remove_station,
                                           set_release_mode, set_station_printer)
from webui.admin import bp
from webui.admin.common import ConfirmForm, TargetForm, audited, done, form_problems, page_of, refused
from webui.auth import role_required
from webui.database import get_session, runtime
from webui.errors import status_for
from webui.i18n import language

PER_PAGE = 100
MODES = {"all": N_("Release everything on a tap"), "choose": N_("Choose on the kiosk after a tap")}
OUTCOMES = {
    "pending": N_("being answered"), "released": N_("released"), "nothing_to_print": N_("nothing to print"),
    "unknown_card": N_("unknown card"), "card_disabled": N_("disabled user"), "pin_required": N_("PIN needed"),
    "wrong_pin": N_("wrong PIN"), "printer_unavailable": N_("printer unavailable"),
    "rate_limited": N_("too many tries"), "identified": N_("shown on the kiosk"),
}


def _modes():
    return [(mode, gettext(words)) for mode, words in MODES.items()]


def _printers():
    return [(p.name, f"{p.name} · {p.location}" if p.location else p.name)
            for p in list_printers(get_session()) if p.is_active]


class StationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=128),
                                               Regexp(r"^[^\s/#?]+$", message=_l("no spaces, slashes or #"))])
    printer = SelectField(_l("Printer its taps release to"), validators=[InputRequired()])
    release_mode = SelectField(_l("What a tap does"), default="all")
    require_pin = BooleanField(_l("Ask every user for their PIN at this station"))

    def fill(self) -> "StationForm":
        self.printer.choices, self.release_mode.choices = _printers(), _modes()
        return self


class PrinterForm(FlaskForm):
    name = HiddenField(validators=[InputRequired(), Length(max=128)])
    printer = SelectField(_l("Printer"), validators=[InputRequired()])


class ModeForm(FlaskForm):
    name = HiddenField(validators=[InputRequired(), Length(max=128)])
    release_mode = SelectField(_l("What a tap does"))


class UnpairForm(TargetForm):
    kiosk = IntegerField(validators=[Optional(), NumberRange(1, MAX_ID)])


def _list(status: int = 200, form: StationForm | None = None, problem: str | None = None):
    session = get_session()
    taps, within = last_taps(session), runtime().settings.station_seen_within

    def row(station: Station):
        tap = taps.get(station.id)
        at = tap.at if tap else None
        return station, tap, last_heard(station, at), is_quiet(station, at, within)

    rows = page_of(list_stations(session), PER_PAGE, row)
    kiosks = {}
    for kiosk in list_kiosks(session):
        kiosks[kiosk.station_id] = kiosks.get(kiosk.station_id, 0) + 1
    return render_template("admin/stations.html", rows=rows, kiosks=kiosks, modes=MODES, outcomes=OUTCOMES,
                           form=form or StationForm(formdata=None).fill(), problem=problem), status


@bp.get("/stations")
@role_required("admin")
def stations():
    return _list()


@bp.post("/stations/add")
@role_required("admin")
def stations_add():
    form = StationForm().fill()
    if not form.validate():
        return _list(400, form)
    session = get_session()
    try:
        station, token = add_station(session, form.name.data, form.printer.data, form.require_pin.data,
                                     form.release_mode.data)
    except PrintReleaseError as error:
        session.rollback()
        return _list(status_for(error), form, error.words(language()))
    audited("stations.add", station.name, f"at {station.printer.name}, release {station.release_mode}"
            + (", PIN required" if station.require_pin else ""))
    session.commit()
    # The token is in this answer only (never stored, never in a URL or a flash message in the cookie).
    return render_template("admin/station_created.html", station=station, token=token,
                           server_url=request.url_root.rstrip("/"))


def _station_or_404(name: str | None) -> Station:
    try:
        return get_station(get_session(), name or "")
    except UnknownStation:
        abort(404)


@bp.get("/stations/station")
@role_required("admin")
def station():
    found = _station_or_404(request.args.get("name"))
    session = get_session()
    tap = last_taps(session).get(found.id)
    choices = _printers()
    if found.printer.name not in {name for name, _label in choices}:
        choices.insert(0, (found.printer.name, gettext("%(name)s (disabled)", name=found.printer.name)))
    printer = PrinterForm(formdata=None, name=found.name, printer=found.printer.name)
    printer.printer.choices = choices
    mode = ModeForm(formdata=None, name=found.name, release_mode=found.release_mode)
    mode.release_mode.choices = _modes()
    return render_template("admin/station.html", station=found, tap=tap, outcomes=OUTCOMES, modes=MODES,
                           heard=last_heard(found, tap.at if tap else None), kiosks=list_kiosks(session, found.name),
                           printer=printer, mode=mode)


@bp.post("/stations/printer")
@role_required("admin")
def station_printer():
    form = PrinterForm()
    form.printer.choices = _printers()
    if not form.validate():
        return refused(form_problems(form), "admin.station", name=form.name.data)
    found = _station_or_404(form.name.data)
    before = found.printer.name
    try:
        set_station_printer(get_session(), found.name, form.printer.data)
    except PrintReleaseError as error:
        return refused(error, "admin.station", name=found.name)
    audited("stations.set_printer", found.name, f"{before} -> {form.printer.data}")
    return done(gettext("Taps at %(station)s now release to %(printer)s.", station=found.name,
                        printer=form.printer.data), "admin.station", name=found.name)


@bp.post("/stations/mode")
@role_required("admin")
def station_mode():
    form = ModeForm()
    form.release_mode.choices = _modes()
    if not form.validate():
        return refused(form_problems(form), "admin.station", name=form.name.data)
    found = set_release_mode(get_session(), form.name.data, form.release_mode.data)
    audited("stations.set_release_mode", found.name, found.release_mode)
    return done(gettext("%(station)s: %(mode)s.", station=found.name, mode=gettext(MODES[found.release_mode])),
                "admin.station", name=found.name)


@bp.post("/stations/remove")
@role_required("admin")
def station_remove():
    form = ConfirmForm()
    if not form.validate():
        return refused(form_problems(form), "admin.station", name=form.name.data)
    session = get_session()
    gone = unpair(session, form.name.data)
    remove_station(session, form.name.data)
    audited("stations.remove", form.name.data, f"{len(gone)} kiosk(s) unpaired" if gone else "")
    return done(gettext("Station %(name)s is removed; its token and its kiosks no longer work.",
                        name=form.name.data), "admin.stations")


@bp.post("/stations/pair")
@role_required("admin")
def station_pair():
    form = TargetForm()
    if not form.validate():
        return refused(form_problems(form), "admin.stations")
    session = get_session()
    pairing, code = create_pairing_code(session, form.name.data, g.user.login)
    audited("stations.pair", form.name.data, f"pairing code valid until {pairing.expires_at:%Y-%m-%d %H:%M} UTC")
    session.commit()
    return render_template("admin/pairing.html", station=form.name.data, code=code, expires_at=pairing.expires_at,
                           minutes=int(PAIRING_VALID.total_seconds() // 60),
                           kiosk_url=request.url_root.rstrip("/") + "/kiosk")


@bp.post("/stations/unpair")
@role_required("admin")
def station_unpair():
    form = UnpairForm()
    if not form.validate():
        return refused(form_problems(form), "admin.stations")
    try:
        gone = unpair(get_session(), form.name.data, form.kiosk.data)
    except PrintReleaseError as error:
        return refused(error, "admin.station", name=form.name.data)
    audited("stations.unpair", form.name.data, ", ".join(f"kiosk {k.id}" for k in gone) or "no kiosk paired")
    return done(ngettext("%(num)s kiosk of %(station)s unpaired: it no longer shows anyone's jobs.",
                         "%(num)s kiosks of %(station)s unpaired: they no longer show anyone's jobs.",
                         len(gone), station=form.name.data), "admin.station", name=form.name.data)
