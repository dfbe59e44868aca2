"""The printrelease web application: the users' pages, one blueprint per area, and the JSON API."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, redirect, url_for

from printrelease.accounts.sessions import LIFETIME
from printrelease.config import Settings
from printrelease.runtime import Runtime

# Every request body but a captured or uploaded document's is a small JSON object or form; the capture
# and upload routes raise their own limit once they have checked who is sending.
MAX_REQUEST_BYTES = 8 * 1024
IDLE_TIMEOUT = timedelta(minutes=30)


def create_app(test_config: dict | None = None, runtime: Runtime | None = None) -> Flask:
    """Application factory; `test_config` overrides settings, `runtime` shares an existing one."""
    app = Flask(__name__)
    if runtime is None:
        overrides = dict((test_config or {}).get("PRINTRELEASE", {}))
        runtime = Runtime(Settings.from_env(**overrides))
    app.config.from_mapping(SECRET_KEY=runtime.secret_key, MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
                            SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True,
                            SESSION_COOKIE_SECURE=runtime.settings.secure_cookies,
                            PERMANENT_SESSION_LIFETIME=LIFETIME, SESSION_IDLE_TIMEOUT=IDLE_TIMEOUT,
                            # The cookie lasts as long as the session on the server (LIFETIME from the
                            # login, not from the last visit): signing it again for every response bought
                            # nothing, at a tenth of a millisecond a page.
                            SESSION_REFRESH_EACH_REQUEST=False,
                            # A form is good as long as the session it belongs to.
                            WTF_CSRF_TIME_LIMIT=int(LIFETIME.total_seconds()),
                            SEND_FILE_MAX_AGE_DEFAULT=3600)
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if k != "PRINTRELEASE"})
    app.json.ensure_ascii = False  # Korean names stay readable in the JSON (sent as UTF-8)
    hops = runtime.settings.trusted_proxies
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Only as many X-Forwarded-For entries as there are proxies of our own are believed; anything a
        # client put in front of them is ignored. The proxies must keep the Host header (README).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from webui import (admin, auth, cards, database, errors, finance, i18n, jobs, kiosk, ops, security,
                       upload)
    from webui.api import blueprint as api_blueprint
    from webui.api import capture, me, session, station

    database.init_app(app, runtime)
    i18n.init_app(app, runtime.settings.timezone)
    errors.init_app(app)
    # Bearer tokens (capture, stations) and JSON-only same-origin requests (session, me) need no form
    # token; the upload and the admin's CSV imports check theirs themselves, once they know who is sending.
    security.init_app(app, exempt=[capture.bp, station.bp, session.bp, me.bp, upload.upload_view, *admin.FILE_FORMS])
    for blueprint in (auth.bp, jobs.bp, cards.bp, upload.bp, kiosk.bp, admin.bp, finance.bp, ops.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(api_blueprint())

    @app.get("/")
    def index():
        return redirect(url_for("jobs.index"))

    return app
