"""The report page (a preview of the first rows, key figures, charts) and its downloads, which stream."""

from __future__ import annotations

import re
import threading
import unicodedata
from urllib.parse import quote

from flask import Response, render_template, request, url_for
from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from printrelease.errors import Invalid, PrintReleaseError
from printrelease.i18n import N_
from printrelease.localtime import local_now, previous_month
from printrelease.reports.engine import Report, Site
from printrelease.reports.files import FORMATS, MEDIA_TYPES, chunks_of, download as chunks, spooled
from printrelease.reports.query import ReportFilter
from webui.auth import role_required
from webui.database import runtime
from webui.finance import bp
from webui.finance.forms import ReportForm, chosen_format
from webui.finance.preview import charts, key_figures, preview
from webui.i18n import language

PREVIEW_DAYS = 366  # a year, leap day included; downloads take any period
# reportlab lays a PDF's whole table out in memory (measured: about 12 KB a row, 10,000 rows in 9 s), so a
# PDF stops at this many rows; CSV and XLSX stream any number in flat memory.
PDF_ROWS = 5000
# Exports at once in one server process: a whole year's XLSX keeps a core busy for a while, so more wait
# their turn rather than take the machine from the captures and releases.
_EXPORTING = threading.BoundedSemaphore(2)
FILE_NAME_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


class TooManyRows(Invalid):
    code = "too_many_rows"
    template = N_("A PDF holds at most %(rows)s rows and this report has more: download it as CSV or XLSX, or "
                  "choose a shorter period.")


class Capped:
    """A report whose rows stop with TooManyRows past `limit`, before the PDF writer lays any out."""

    def __init__(self, report: Report, limit: int):
        self.report, self.limit = report, limit

    def __getattr__(self, name):
        return getattr(self.report, name)

    def rows(self):
        for number, row in enumerate(self.report.rows()):
            if number >= self.limit and row.level != "total":
                raise TooManyRows(rows=f"{self.limit:,}")
            yield row


@bp.get("")
@role_required("finance")
def index():
    with runtime().reading_sessions() as session:
        form = ReportForm(session, _query())
        if not form.validate():
            return _page(form, status=400)
        days = (form.last.data - form.first.data).days + 1
        if days > PREVIEW_DAYS:
            problem = gettext("The page shows at most %(days)s days at once; the downloads below have the whole "
                              "period.", days=PREVIEW_DAYS)
            return _page(form, problem=problem, downloads=_downloads(form), status=400)
        try:
            report = _report(session, form)
            table = preview(report)
            return _page(form, report=report, table=table, figures=key_figures(report, table.total),
                         charts=charts(report), downloads=_downloads(form))
        except PrintReleaseError as error:  # a period with costs in two currencies
            return _page(form, problem=error.words(language()), status=400)


@bp.get("/download")
@role_required("finance")
def download():
    """The report of the page's form as a file, streamed: the rows are read as the client takes them."""
    fmt = chosen_format(request.args.get("format"))
    session, handed_over = runtime().reading_sessions(), False
    try:
        form = ReportForm(session, request.args)
        if not form.validate() or fmt is None:
            problem = None if fmt else gettext("Choose a format: %(formats)s.", formats=", ".join(FORMATS))
            return _page(form, problem=problem, status=400)
        try:
            report = _report(session, form)
            if fmt == "pdf":
                # Written whole before the answer, so that a refusal is a page and not a broken download.
                with _EXPORTING:
                    document = spooled(Capped(report, PDF_ROWS), fmt)
                session.close()  # the rest is the file's bytes
                body = chunks_of(document)
            else:
                body = _exporting(session, report, fmt)
        except PrintReleaseError as error:
            return _page(form, problem=error.words(language()), status=400)
        response = Response(body, mimetype=MEDIA_TYPES[fmt].split(";")[0])
        if fmt == "pdf":
            response.call_on_close(document.close)
        if fmt == "csv":
            response.charset = "utf-8"
        response.headers["Content-Disposition"] = _disposition(report, fmt)
        response.headers["Cache-Control"] = "no-store"
        response.call_on_close(session.close)  # when the file is sent, or the client went away before
        handed_over = True
        return response
    finally:
        if not handed_over:
            session.close()


def _exporting(session, report: Report, fmt: str):
    try:
        with _EXPORTING:
            yield from chunks(report, fmt)
    finally:
        session.close()  # as soon as the rows are read: the transaction ends before the last bytes go out


def _query() -> MultiDict:
    """The form's query, or last month by department when the page is opened without one."""
    if "from" in request.args or "to" in request.args:
        return request.args
    first, last = previous_month(local_now(runtime().settings.timezone).date())
    return MultiDict({"from": first.isoformat(), "to": last.isoformat()})


def _report(session, form: ReportForm) -> Report:
    flt = ReportFilter(form.first.data, form.last.data, form.department.data or None, form.user.data or None,
                       form.printer.data or None)
    return Report(session, flt, form.grouping, form.kind.data, Site.from_settings(runtime().settings), language())


def _downloads(form: ReportForm) -> list[tuple[str, str]]:
    query = {"from": form.first.data.isoformat(), "to": form.last.data.isoformat(), "kind": form.kind.data,
             "by": form.by.data, "then": form.then.data, "department": form.department.data,
             "user": form.user.data, "printer": form.printer.data}
    query = {name: value for name, value in query.items() if value}
    return [(fmt, url_for("finance.download", format=fmt, **query)) for fmt in FORMATS]


def _disposition(report: Report, fmt: str) -> str:
    """An attachment named in the report's language (RFC 5987 `filename*`, which browsers prefer), with a
    plain ASCII name beside it for the few that do not read that."""
    flt = report.filter
    period = f"{flt.first.isoformat()}_{flt.last.isoformat()}"
    name = FILE_NAME_UNSAFE.sub("_", unicodedata.normalize("NFC", f"{report.title} {period}.{fmt}"))
    fallback = "-".join(("print-usage", report.kind, *report.by, period)) + f".{fmt}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _page(form: ReportForm, status: int = 200, **context):
    context.setdefault("problem", None)
    return render_template("finance/index.html", form=form, **context), status
