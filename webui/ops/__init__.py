"""Operations: /healthz for probes (the same quick checks as /api/v1/health), /metrics for Prometheus."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_babel import force_locale, gettext
from prometheus_client import CONTENT_TYPE_LATEST

from webui.api.health import health
from webui.database import runtime
from webui.errors import api_language
from webui.ops import metrics
from webui.ops.access import metrics_access

bp = Blueprint("ops", __name__)
bp.add_url_rule("/healthz", "healthz", health, methods=["GET"])
# The releases and taps of every app in this process are measured from the moment one is made.
bp.record_once(lambda _state: metrics.start_recording())


@bp.get("/metrics")
def scrape():
    status = metrics_access(runtime().settings.metrics_token_sha256)
    if status != 200:
        headers = {"WWW-Authenticate": 'Bearer realm="printrelease metrics"'} if status == 401 else {}
        with force_locale(api_language()):  # words for a program: English unless it asks for Korean
            why = (gettext("A bearer token is needed to read the metrics.") if status == 401 else
                   gettext("The metrics cannot be read from here."))
        return Response(why + "\n", status, headers, mimetype="text/plain")
    response = Response(metrics.exposition(runtime().reading_sessions), 200, content_type=CONTENT_TYPE_LATEST)
    response.cache_control.no_store = True
    return response
