"""My cards (/cards): the user's cards by their last four digits, claiming one with a station's code."""

from __future__ import annotations

from flask import Blueprint, render_template

from webui.auth import login_required

bp = Blueprint("cards", __name__, url_prefix="/cards")


@bp.get("")
@login_required
def index():
    return render_template("cards/index.html")
