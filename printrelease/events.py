"""One log line per thing that happened (a job captured, released, printed; a tap; a queue resumed).

Every line names what it is about as fields (job, user, printer, station, ...), so that a site can read
the plain text or ship the same fields as JSON lines (`extra["fields"]` holds them for a formatter).
"""

from __future__ import annotations

import json
import logging

log = logging.getLogger("printrelease.events")


def _value(value) -> str:
    text = str(value)
    # Quoted when it has spaces, so a title cannot make a line look like more fields than it has.
    plain = text and not any(ch.isspace() or ch in '"=\\' or not ch.isprintable() for ch in text)
    return text if plain else json.dumps(text, ensure_ascii=False)


def event(kind: str, level: int = logging.INFO, logger: logging.Logger = log, **fields) -> None:
    """Log `kind` (captured, refused, released, printed, expired, tap, ...) with its fields, Nones left out."""
    fields = {name: value for name, value in fields.items() if value is not None}
    logger.log(level, "%s %s", kind, " ".join(f"{name}={_value(value)}" for name, value in fields.items()),
               extra={"event": kind, "fields": fields})
