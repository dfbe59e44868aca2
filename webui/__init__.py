"""The printrelease web application: the capture API now, the users' pages later."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from printrelease.config import Settings
from printrelease.runtime import Runtime


def create_app(test_config: dict | None = None, runtime: Runtime | None = None) -> Flask:
    """Application factory; `test_config` overrides settings, `runtime` shares an existing one."""
    app = Flask(__name__)
    if runtime is None:
        overrides = dict((test_config or {}).get("PRINTRELEASE", {}))
        runtime = Runtime(Settings.from_env(**overrides))
    app.config.from_mapping(SECRET_KEY=runtime.secret_key, MAX_CONTENT_LENGTH=None,
                            SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True,
                            SESSION_COOKIE_SECURE=runtime.settings.secure_cookies,
                            PERMANENT_SESSION_LIFETIME=timedelta(hours=8))
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if k != "PRINTRELEASE"})
    app.json.ensure_ascii = False  # Korean names stay readable in the JSON (sent as UTF-8)

    from webui import database, errors

    database.init_app(app, runtime)
    errors.init_app(app)

    from webui.api import capture, health, me, session, station

    for blueprint in (capture.bp, health.bp, me.bp, session.bp, station.bp):
        app.register_blueprint(blueprint)
    return app
