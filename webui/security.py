"""CSRF tokens on every form, and the headers that keep pages from being framed, sniffed or scripted.

Every state-changing request carries Flask-WTF's token unless its blueprint is exempted here for a
reason: the CUPS backend and the stations authenticate with bearer tokens (no cookie to ride on), and
the JSON session API accepts only JSON from this site's own origin (webui.auth.check_same_site).
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter

from printrelease.db import MAX_ID

csrf = CSRFProtect()
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def row_id(value: str | None) -> int | None:
    """A row id sent in a form or a query, or None for anything that names no row: not plain digits, zero,
    or past the database's range (PostgreSQL would refuse it with an error rather than find nothing)."""
    if not value or not (value.isascii() and value.isdigit()) or len(value) > len(str(MAX_ID)):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


class DatabaseId(IntegerConverter):
    """`<int:...>` in a URL is a row id: a number past the database's range is no such page (404), never an
    overflow inside SQL (500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


# Scripts only from this site (vendored htmx, no inline code); no plugins; no other site may frame a page.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def init_app(app: Flask, exempt: list) -> None:
    """Before any blueprint is registered: the URL converter applies to the routes registered after it."""
    app.url_map.converters["int"] = DatabaseId
    csrf.init_app(app)
    for blueprint in exempt:
        csrf.exempt(blueprint)
    # Views that read their own bodies (bearer-token APIs, the upload with its own size limit): their forms
    # are not parsed here, and their JSON is checked by webui.api.json_object.
    own_blueprints = {view.name for view in exempt if isinstance(view, Blueprint)}
    own_views = {view for view in exempt if not isinstance(view, Blueprint)}

    @app.before_request
    def _storable_text():
        """Text no database can store (NUL) in a query or a form is a 400 before any view sees it."""
        fields = [request.args]
        own = (request.blueprint or "").rsplit(".", 1)[-1] in own_blueprints or \
            app.view_functions.get(request.endpoint) in own_views
        if request.mimetype in FORM_TYPES and not own:
            fields.append(request.form)
        for values in fields:
            if any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
                abort(400)

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.endpoint != "static" and response.mimetype in ("text/html", "application/json"):
            # Pages show one user's jobs: no shared cache keeps them, and Back after logout refetches.
            headers.setdefault("Cache-Control", "no-store")
        return response
