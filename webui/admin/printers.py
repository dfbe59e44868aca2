"""Printers: the list with each one's polled status, sync from CUPS, add, import from a CSV, location,
enable and disable, remove."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from flask import abort, render_template, request
from flask_babel import gettext, lazy_gettext as _l, ngettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from printrelease.csvinput import read_rows
from printrelease.errors import PrintReleaseError
from printrelease.paging import Page
from printrelease.printers.errors import UnknownPrinter
from printrelease.printers.models import Printer
from printrelease.printers.service import (IMPORT_COLUMNS, MAX_LOCATION, Note, add_printer, get_printer,
                                           import_printers, list_printers, remove_printer, set_printer_active,
                                           set_printer_location, sync_printers, unshare_printers)
from printrelease.printing import PrintServerUnavailable
from printrelease.stations.service import stations_at
from webui.admin import bp
from webui.admin.common import (ConfirmForm, CsvForm, TargetForm, audited, done, file_form, form_problems, page_of,
                                read_csv, refused)
from webui.auth import role_required
from webui.database import get_session, runtime
from webui.errors import status_for
from webui.i18n import language
from webui.jobs.printers import printer_status

PER_PAGE = 100
NAME = r"^[^\s/#?]+$"  # as CUPS names queues: no spaces, slashes or #


class AddPrinterForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=128),
                                               Regexp(NAME, message=_l("no spaces, slashes or #"))])
    queue = StringField(_l("CUPS queue (if not the same as the name)"),
                        validators=[Optional(), Length(max=128), Regexp(NAME, message=_l("no spaces, slashes or #"))])
    cups_server = StringField(_l("CUPS server (if not this server's)"), validators=[Optional(), Length(max=255)])
    location = StringField(_l("Location"), validators=[Optional(), Length(max=MAX_LOCATION)])


class LocationForm(FlaskForm):
    name = HiddenField(validators=[InputRequired(), Length(max=128)])
    location = StringField(_l("Location"), validators=[Optional(), Length(max=MAX_LOCATION)])


class ActiveForm(TargetForm):
    active = BooleanField()


@dataclass
class Report:
    """What a sync or an import did, shown once on the page that answers it."""

    title: str
    added: list[str] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    unshared: list[tuple[Printer, PrintReleaseError | None]] = field(default_factory=list)

    def of(self, kind: str) -> list[str]:
        return [note.words(language()) for note in self.notes if note.kind == kind]


@dataclass(frozen=True)
class Row:
    printer: Printer
    status: object  # webui.jobs.printers.PrinterChoice
    supplies: str


def rows() -> Page:
    return page_of(list_printers(get_session()), PER_PAGE,
                   lambda printer: Row(printer, printer_status(printer, language()), _supplies(printer)))


def _supplies(printer: Printer) -> str:
    """Toner and ink levels as the last poll saw them: "Black 7%, Cyan 40%"."""
    try:
        markers = json.loads(printer.status_markers or "[]")
    except ValueError:
        return ""
    return ", ".join(f"{m.get('name', '?')} {m['level']}%" for m in markers
                     if isinstance(m, dict) and isinstance(m.get("level"), int) and m["level"] >= 0)


def _page(status: int = 200, report: Report | None = None, problem: str | None = None,
          add: AddPrinterForm | None = None, upload: CsvForm | None = None):
    return render_template("admin/printers.html", rows=rows(), report=report, problem=problem,
                           add=add or AddPrinterForm(formdata=None), upload=upload or CsvForm(formdata=None),
                           server=runtime().settings.cups_server or gettext("this machine's CUPS")), status


@bp.get("/printers")
@role_required("admin")
def printers():
    return _page()


@bp.get("/printers/rows")
@role_required("admin")
def printer_rows():
    """The table's rows alone: the page refreshes the polled status in place (htmx)."""
    return render_template("admin/_printer_rows.html", rows=rows())


@bp.post("/printers/sync")
@role_required("admin")
def printers_sync():
    session, settings = get_session(), runtime().settings
    server = runtime().print_server()
    known = {printer.name for printer in list_printers(session)}
    report = Report(gettext("Synchronised with CUPS"))
    try:
        synced = sync_printers(session, server, note=report.notes.append)
    except PrintServerUnavailable as error:
        return refused(error, "admin.printers")
    report.added = [p.name for p in synced if p.name not in known]
    report.refreshed = [p.name for p in synced if p.name in known]
    audited("printers.sync", settings.cups_server or "", _summary(report))
    session.commit()
    report.unshared = _unshare(server, settings.cups_server or "", synced)
    return _page(report=report)


def _summary(report: Report) -> str:
    parts = [("added", report.added), ("refreshed", report.refreshed),
             ("skipped", [n.queue for n in report.notes if n.kind == "skipped"]),
             ("moved", [n.queue for n in report.notes if n.kind == "moved"])]
    return "; ".join(f"{kind}: {', '.join(names)}" for kind, names in parts if names)


def _unshare(server, address: str, printers: list[Printer]):
    """After the commit, as the command line does: a CUPS queue that is shared could be printed to around
    the release step."""
    try:
        return unshare_printers(server, address, printers)
    except PrintServerUnavailable as error:
        return [(printer, error) for printer in printers]


@bp.post("/printers/add")
@role_required("admin")
def printers_add():
    form = AddPrinterForm()
    if not form.validate():
        return _page(400, add=form)
    session = get_session()
    address = (form.cups_server.data or "").strip()
    server = runtime().print_server(address)
    report = Report(gettext("Printer added"))
    try:
        printer = add_printer(session, server, form.name.data, form.queue.data or form.name.data,
                              (form.location.data or "").strip(), note=report.notes.append)
    except PrintReleaseError as error:
        session.rollback()
        return _page(status_for(error), problem=error.words(language()), add=form)
    audited("printers.add", printer.name, f"{printer.cups_server or 'default'}/{printer.cups_queue}"
            + (f", {printer.location}" if printer.location else ""))
    report.added = [printer.name]
    session.commit()
    report.unshared = _unshare(server, address or runtime().settings.cups_server or "", [printer])
    return _page(report=report)


@bp.post("/printers/import")
@file_form("admin.printers")
def import_printers_view():
    form = CsvForm()
    session = get_session()
    report = Report(gettext("Printers imported"))
    try:
        text, filename, encoding = read_csv(form)
        printers = import_printers(session, read_rows(text, IMPORT_COLUMNS, ("queue",)), runtime().print_server,
                                   runtime().settings.cups_server or "", report.notes.append)
    except PrintReleaseError as error:
        session.rollback()
        return _page(status_for(error), problem=gettext("Nothing was imported: %(why)s", why=error.words(language())),
                     upload=form)
    audited("printers.import", filename, f"{encoding}: " + ", ".join(p.name for p in printers))
    session.commit()
    report.added = [p.name for p in printers]
    report.title = ngettext("%(num)s printer imported (read as %(encoding)s)",
                            "%(num)s printers imported (read as %(encoding)s)", len(printers), encoding=encoding)
    return _page(report=report)


def _printer_or_404(name: str | None) -> Printer:
    try:
        return get_printer(get_session(), name or "", active_only=False)
    except UnknownPrinter:
        abort(404)


@bp.get("/printers/printer")
@role_required("admin")
def printer():
    found = _printer_or_404(request.args.get("name"))
    return render_template("admin/printer.html", row=Row(found, printer_status(found, language()), _supplies(found)),
                           stations=stations_at(get_session(), found.name),
                           location=LocationForm(formdata=None, name=found.name, location=found.location))


@bp.post("/printers/location")
@role_required("admin")
def printer_location():
    form = LocationForm()
    if not form.validate():
        return refused(form_problems(form), "admin.printers")
    found = set_printer_location(get_session(), form.name.data, form.location.data or "")
    audited("printers.set_location", found.name, found.location)
    return done(gettext("The location of %(name)s is saved.", name=found.name), "admin.printer", name=found.name)


@bp.post("/printers/active")
@role_required("admin")
def printer_active():
    form = ActiveForm()
    if not form.validate():
        return refused(form_problems(form), "admin.printers")
    found = set_printer_active(get_session(), form.name.data, form.active.data)
    audited("printers.enable" if found.is_active else "printers.disable", found.name)
    message = (gettext("%(name)s is enabled: jobs can be released to it.", name=found.name) if found.is_active else
               gettext("%(name)s is disabled: nothing is released to it, and held jobs wait.", name=found.name))
    return done(message, "admin.printer", name=found.name)


@bp.post("/printers/remove")
@role_required("admin")
def printer_remove():
    form = ConfirmForm()
    if not form.validate():
        return refused(form_problems(form), "admin.printer", name=form.name.data)
    session = get_session()
    name = form.name.data
    users = stations_at(session, name)
    if users:
        return refused(gettext("%(name)s cannot be removed: the stations %(stations)s release to it. Move them to "
                               "another printer or remove them first, or disable the printer instead.", name=name,
                               stations=", ".join(s.name for s in users)), "admin.printer", name=name)
    try:
        remove_printer(session, name)
    except PrintReleaseError as error:
        return refused(error, "admin.printer", name=name)
    audited("printers.remove", name)
    return done(gettext("%(name)s is removed.", name=name), "admin.printers")
