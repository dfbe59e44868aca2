"""The web server's own log lines through printrelease's logging: one access line per request, with fields a
site can ship (plain `key=value` text, or JSON lines with PRINTRELEASE_LOG_FORMAT=json), and gunicorn's
own lines (workers booting, timeouts) beside them in the same format.

An access line holds the method, the path without its query string (where a code or a filter could be),
the status, the bytes sent, the duration and the client's address as ProxyFix made it; never a header,
so no bearer token and no session cookie.
"""

from __future__ import annotations

import logging

from gunicorn.glogging import Logger

from printrelease.events import event

log = logging.getLogger("printrelease.access")


class ServerLog(Logger):
    """gunicorn's logger class for `printrelease serve` (its `logger_class` setting)."""

    def setup(self, cfg):
        super().setup(cfg)
        # No handlers of gunicorn's: its lines go up to the one handler printrelease's logging set.
        for logger in (self.error_log, self.access_log):
            for handler in [h for h in logger.handlers if getattr(h, "_gunicorn", False)]:
                logger.removeHandler(handler)
            logger.propagate = True

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = str(resp.status).split(None, 1)[0]
        event("request", logger=log, method=environ.get("REQUEST_METHOD"),
              path=environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
              status=int(status) if status.isdigit() else status, bytes=getattr(resp, "sent", None),
              ms=round(request_time.total_seconds() * 1000, 1), client=environ.get("REMOTE_ADDR"))
