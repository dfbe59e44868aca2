"""Logging for every edge, set up in one place: plain lines or JSON lines (PRINTRELEASE_LOG_FORMAT=json).

An event (`printrelease.events.event`) carries its fields in `extra["fields"]`; in JSON they become
top-level keys beside `event`, so a log shipper can index job, user, printer and station directly.
"""

from __future__ import annotations

import logging
import sys

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
CLI_FORMAT = "%(levelname)s: %(message)s"


def _json_formatter() -> logging.Formatter:
    from pythonjsonlogger.json import JsonFormatter

    class EventFormatter(JsonFormatter):
        def add_fields(self, log_data, record, message_dict):
            super().add_fields(log_data, record, message_dict)
            for name, value in (log_data.pop("fields", None) or {}).items():
                log_data.setdefault(name, value if isinstance(value, (int, float, bool)) else str(value))

    return EventFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                          rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                          json_ensure_ascii=False)


def configure_logging(log_format: str = "text", level: str | int = "INFO", for_terminal: bool = False,
                      stream=None) -> None:
    """Send every printrelease log line to stderr (journald reads it under systemd).

    `for_terminal` is the CLI's choice: warnings and errors only, without time stamps, since the
    command's own output says what it did.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    if log_format == "json":
        handler.setFormatter(_json_formatter())
    else:
        handler.setFormatter(logging.Formatter(CLI_FORMAT if for_terminal else TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING if for_terminal else level)
    # Alembic's own notes (its plugins, each revision applied) say nothing an administrator needs.
    logging.getLogger("alembic").setLevel(logging.WARNING)
