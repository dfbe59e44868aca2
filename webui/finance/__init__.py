"""Finance (/finance), for the finance and admin roles: print usage reports with a preview table, charts
and downloads (CSV, XLSX, PDF) over any period, department, user or printer.

Reports only read, through sessions that hold no lock writers wait for (`Runtime.reading_sessions`):
a download streamed to a slow client must not stop captures and releases on SQLite.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("finance", __name__, url_prefix="/finance")

from webui.finance import views  # noqa: E402,F401  (it adds its routes to bp)
