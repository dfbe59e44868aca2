"""Printer health: what IPP says of a printer (its CUPS queue, and the device when it speaks IPP itself),
and whether a release may go there now.

A CUPS queue learns its device's trouble only while it prints a job, so an idle queue in front of a
jammed printer looks fine: the device is asked too. A release is refused for the reasons that stop
paper coming out (a jam, no paper, an open door, offline, stopped), whatever suffix the printer gives
them (an idle printer may say "media-jam-report"), and for any other reason marked -error (or without a
suffix, which RFC 8011 says to read as an error); -warning and -report ones (toner low) do not block.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from printrelease.db import utcnow
from printrelease.i18n import N_, translate
from printrelease.printers.models import Printer
from printrelease.printing import PRINTER_STOPPED, DeviceStatus, Marker, PrintServer, PrintServerUnavailable, QueueInfo

log = logging.getLogger(__name__)

# Reasons CUPS or printers report without a suffix that are not errors: notes. CUPS says
# "cups-ipp-missing-<operation>" of a printer that lacks an optional IPP operation or attribute (it
# prints all the same), and a printer asked to identify itself (it beeps) is not in trouble.
INFORMATIONAL = {"none", "cups-waiting-for-job-completed", "moving-to-paused", "other", "processing-to-stop-point",
                 "identify-printer-requested"}
INFORMATIONAL_PREFIXES = ("cups-ipp-missing-",)
# Reasons that stop paper coming out, whatever their suffix.
STOPPERS = {"media-jam", "media-empty", "media-needed", "door-open", "cover-open", "input-tray-missing",
            "output-area-full", "toner-empty", "marker-supply-empty", "marker-waste-full", "offline", "shutdown",
            "stopped", "paused"}
IPP_SCHEMES = ("ipp://", "ipps://")

WORDS = {
    "media-jam": N_("paper jam"),
    "media-empty": N_("out of paper"),
    "media-needed": N_("paper needed"),
    "media-low": N_("paper low"),
    "door-open": N_("a door is open"),
    "cover-open": N_("the cover is open"),
    "input-tray-missing": N_("a paper tray is missing"),
    "output-area-full": N_("the output tray is full"),
    "toner-empty": N_("out of toner"),
    "toner-low": N_("toner low"),
    "marker-supply-empty": N_("out of toner or ink"),
    "marker-supply-low": N_("toner or ink low"),
    "marker-waste-full": N_("the waste toner box is full"),
    "offline": N_("offline"),
    "shutdown": N_("switched off"),
    "stopped": N_("stopped"),
    "paused": N_("stopped by an administrator"),
    "disabled": N_("disabled by an administrator"),
    "not-accepting": N_("not accepting jobs"),
    "unreachable": N_("does not answer"),
    # One wording for a printer that does not respond, whoever found out: our poll or CUPS's backend.
    "connecting-to-device": N_("does not answer"),
}


def split_reason(reason: str) -> tuple[str, str]:
    """("media-jam", "error") from "media-jam-report": the keyword, and how much it matters here."""
    keyword, severity = reason, "report" if informational(reason) else "error"
    for suffix in ("error", "warning", "report"):
        if reason.endswith(f"-{suffix}"):
            keyword, severity = reason[: -len(suffix) - 1], suffix
            break
    return keyword, "error" if keyword in STOPPERS else severity


def informational(keyword: str) -> bool:
    """A note, never shown as a problem: "none", "identify-printer-requested", "cups-ipp-missing-..."."""
    return keyword in INFORMATIONAL or keyword.startswith(INFORMATIONAL_PREFIXES)


def word(keyword: str, language: str) -> str:
    return translate(WORDS[keyword], language) if keyword in WORDS else keyword


@dataclass(frozen=True)
class Health:
    queue: QueueInfo
    state: int
    blocking: tuple[str, ...]  # reason keywords without their suffix
    warnings: tuple[str, ...]
    message: str = ""
    markers: tuple[Marker, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.blocking

    def describe(self, language: str = "en") -> str:
        """The blocking reasons in words, with the printer's own message: "paper jam (tray 2)"."""
        said = ", ".join(dict.fromkeys(word(keyword, language) for keyword in self.blocking or self.warnings))
        if self.message and self.message not in said:
            said = f"{said} ({self.message})" if said else self.message
        return said


def assess(queue: QueueInfo, device: DeviceStatus | None = None, device_problem: str = "") -> Health:
    blocking, warnings = [], []
    for reason in queue.reasons + (device.reasons if device else ()):
        keyword, severity = split_reason(reason)
        # Reports worth a look (toner low, as an idle printer says it) are shown with the warnings.
        target = blocking if severity == "error" else None if informational(keyword) else warnings
        if target is not None and keyword not in target:
            target.append(keyword)
    if queue.state == PRINTER_STOPPED and "paused" not in blocking:
        blocking.append("stopped")
    if device is not None and device.state == PRINTER_STOPPED and not blocking:
        blocking.append("stopped")
    if not queue.accepting:
        blocking.append("not-accepting")
    if device_problem:
        blocking.append("unreachable")
    message = queue.state_message or (device.message if device else "") or device_problem
    markers = queue.markers or (device.markers if device else ())
    state = device.state if device and device.state == PRINTER_STOPPED else queue.state
    return Health(queue, state, tuple(blocking), tuple(warnings), message, markers)


def check_printer(server: PrintServer, queue_name: str, device_timeout: float = 2.0) -> Health:
    """Poll the queue (raises PrintServerUnavailable) and, for IPP devices, the device itself."""
    queue = server.queue(queue_name)
    device, problem = None, ""
    if device_timeout > 0 and queue.device_uri.startswith(IPP_SCHEMES):
        try:
            device = server.device_status(queue.device_uri, device_timeout)
        except PrintServerUnavailable as error:
            problem = str(error)
    return assess(queue, device, problem)


def record_health(session: Session, printer: Printer, health: Health | None, problem: str = "",
                  now: datetime | None = None) -> None:
    """Keep what a poll saw, for `printers list`, the web UI and other servers; None: CUPS did not answer."""
    printer.status_checked_at = now or utcnow()
    if health is None:
        printer.status_state, printer.status_reasons, printer.status_message = None, "unreachable", problem[:1000]
        printer.status_markers = ""
        return
    printer.status_state = health.state
    printer.status_reasons = ",".join(f"{k}-error" for k in health.blocking) + (
        "," if health.blocking and health.warnings else "") + ",".join(f"{k}-warning" for k in health.warnings)
    printer.status_message = health.message[:1000]
    printer.status_markers = json.dumps([m.__dict__ for m in health.markers], ensure_ascii=False)


def poll_printers(sessions: sessionmaker, server_for, device_timeout: float = 2.0) -> int:
    """Poll every active printer once and keep the results; returns how many were polled."""
    with sessions() as session:
        targets = [(p.id, p.cups_server, p.cups_queue) for p in
                   session.scalars(select(Printer).where(Printer.is_active.is_(True)))]
    for printer_id, address, queue in targets:
        try:
            health, problem = check_printer(server_for(address), queue, device_timeout), ""
        except PrintServerUnavailable as error:
            health, problem = None, str(error)
        with sessions.begin() as session:
            printer = session.get(Printer, printer_id)
            if printer is not None:
                record_health(session, printer, health, problem)
    return len(targets)


def describe_status(printer: Printer, language: str = "en") -> str:
    """A printer's last polled health in one line: "error: paper jam; toner low; Black 7% (2026-11-25 10:00)"."""
    if printer.status_checked_at is None:
        return "not polled yet"
    if printer.status_reasons == "unreachable" and printer.status_state is None:
        checked = f"{printer.status_checked_at:%Y-%m-%d %H:%M} UTC"
        return f"{word('unreachable', language)}: {printer.status_message} ({checked})"
    reasons = [split_reason(r) for r in printer.status_reasons.split(",") if r]
    errors = [word(k, language) for k, severity in reasons if severity == "error"]
    warnings = [word(k, language) for k, severity in reasons if severity != "error"]
    parts = [f"error: {', '.join(errors)}" if errors else "ready"]
    if warnings:
        parts.append(", ".join(warnings))
    markers = json.loads(printer.status_markers or "[]")
    if markers:
        parts.append(", ".join(f"{m['name']} {m['level']}%" for m in markers if m.get("level", -1) >= 0))
    return "; ".join(p for p in parts if p) + f" ({printer.status_checked_at:%Y-%m-%d %H:%M} UTC)"
