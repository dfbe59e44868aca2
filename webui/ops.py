"""Operations: /healthz for probes (the same quick checks as /api/v1/health)."""

from __future__ import annotations

from flask import Blueprint

from webui.api.health import health

bp = Blueprint("ops", __name__)
bp.add_url_rule("/healthz", "healthz", health, methods=["GET"])
