"""Colour analysis in a background thread of its own, Ghostscript bounded in time and memory, so that
measuring documents never delays expiry, follow-up or recovery in the sweep."""

from __future__ import annotations

import logging
import threading

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from printrelease.errors import PrintReleaseError
from printrelease.failures import one_line
from printrelease.jobs.colour import measure_pending_colour
from printrelease.spool import Spool

log = logging.getLogger(__name__)


class ColourRunner(threading.Thread):
    """Measures held colour jobs a batch at a time; waits `interval` seconds when there is nothing to do."""

    def __init__(self, sessions: sessionmaker, spool: Spool, interval: float, timeout: float = 120.0,
                 memory_bytes: int = 1024**3, batch: int = 10):
        super().__init__(name="printrelease-colour", daemon=True)
        self.sessions, self.spool, self.interval = sessions, spool, interval
        self.timeout, self.memory_bytes, self.batch = timeout, memory_bytes, batch
        self._stop_event = threading.Event()

    def run_once(self) -> int:
        """Measure one batch; returns how many jobs were measured (failures are logged, never raised)."""
        try:
            return measure_pending_colour(self.sessions, self.spool, self.batch, self.timeout, self.memory_bytes,
                                          stop=self._stop_event)
        except SQLAlchemyError as error:
            log.warning("colour analysis: %s", one_line(error, str(self.sessions.kw["bind"].url)))
        except (PrintReleaseError, OSError) as error:
            log.warning("colour analysis: %s", error)
        except Exception:  # a background thread must never take the server down
            log.exception("colour analysis failed")
        return 0

    def run(self) -> None:
        while not self._stop_event.is_set():
            measured = self.run_once()
            if measured:
                log.info("colour analysis: %s job(s) measured", measured)
            if measured < self.batch and self._stop_event.wait(self.interval):
                return

    def stop(self) -> None:
        self._stop_event.set()
