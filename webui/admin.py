"""Administration (/admin), for the admin role: a placeholder until the admin pages are built (issue 9,
part 7)."""

from __future__ import annotations

from flask import Blueprint, render_template

from webui.auth import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("")
@role_required("admin")
def index():
    return render_template("admin/index.html")
