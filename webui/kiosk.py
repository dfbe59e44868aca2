"""The kiosk beside a printer (/kiosk): a placeholder until the kiosk pages are built (issue 9, part 6)."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")


@bp.get("")
def index():
    return render_template("kiosk/index.html")
