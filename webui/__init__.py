"""The printrelease web application: the capture API now, the users' pages later."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from printrelease.config import Settings
from printrelease.runtime import Runtime

# Every request body but a captured document's is a small JSON object or form; the capture route raises
# its own limit once it has checked the credential.
MAX_REQUEST_BYTES = 8 * 1024


def create_app(test_config: dict | None = None, runtime: Runtime | None = None) -> Flask:
    """Application factory; `test_config` overrides settings, `runtime` shares an existing one."""
    app = Flask(__name__)
    if runtime is None:
        overrides = dict((test_config or {}).get("PRINTRELEASE", {}))
        runtime = Runtime(Settings.from_env(**overrides))
    app.config.from_mapping(SECRET_KEY=runtime.secret_key, MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
                            SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True,
                            SESSION_COOKIE_SECURE=runtime.settings.secure_cookies,
                            PERMANENT_SESSION_LIFETIME=timedelta(hours=8))
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if k != "PRINTRELEASE"})
    app.json.ensure_ascii = False  # Korean names stay readable in the JSON (sent as UTF-8)
    hops = runtime.settings.trusted_proxies
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Only as many X-Forwarded-For entries as there are proxies of our own are believed; anything a
        # client put in front of them is ignored. The proxies must keep the Host header (README).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    from webui import database, errors

    database.init_app(app, runtime)
    errors.init_app(app)

    from webui.api import capture, health, me, session, station

    for blueprint in (capture.bp, health.bp, me.bp, session.bp, session.forms, station.bp):
        app.register_blueprint(blueprint)
    return app
