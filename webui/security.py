"""CSRF tokens on every form, and the headers that keep pages from being framed, sniffed or scripted.

Every state-changing request carries Flask-WTF's token unless its blueprint is exempted here for a
reason: the CUPS backend and the stations authenticate with bearer tokens (no cookie to ride on), and
the JSON session API accepts only JSON from this site's own origin (webui.auth.check_same_site).
"""

from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

# Scripts only from this site (vendored htmx, no inline code); no plugins; no other site may frame a page.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def init_app(app: Flask, exempt: list) -> None:
    csrf.init_app(app)
    for blueprint in exempt:
        csrf.exempt(blueprint)

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
