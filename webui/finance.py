"""Finance (/finance), for the finance and admin roles: a placeholder until the report pages are built
(issue 10, part 3)."""

from __future__ import annotations

from flask import Blueprint, render_template

from webui.auth import role_required

bp = Blueprint("finance", __name__, url_prefix="/finance")


@bp.get("")
@role_required("finance")
def index():
    return render_template("finance/index.html")
