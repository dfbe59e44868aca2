"""My jobs (/jobs): the logged-in user's held jobs, their options, release and deletion, and history."""

from __future__ import annotations

from flask import Blueprint, render_template

from webui.auth import login_required

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.get("")
@login_required
def index():
    return render_template("jobs/index.html")
