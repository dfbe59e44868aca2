"""Is this installation healthy? Each check says what it found and, when something is wrong, how to
mend it; `printrelease doctor` prints them and the health endpoint answers them as JSON.

Run as the service user (the CLI becomes it), so "writable" means writable by the service.
"""

from __future__ import annotations

import os
import pwd
import grp
import stat
import uuid
from dataclasses import asdict, dataclass
from typing import Callable

from sqlalchemy import select, text

from printrelease.cupsadmin import BACKEND_SCHEME
from printrelease.cupsbugs import installed_cupsd_version, known_problem, remedy
from printrelease.failures import NOT_SET_UP, READ_ONLY, database_problem, shown_url
from printrelease.printers.models import Printer
from printrelease.printing import PRINTER_STOPPED
from printrelease.runtime import Runtime
from printrelease.stations.models import Station
from printrelease.stations.presence import is_quiet, last_heard

OK, WARNING, FAIL = "ok", "warning", "fail"
ORDER = {OK: 0, WARNING: 1, FAIL: 2}
SOCKET_ADVICE = ("put the service user in group lpadmin (adduser USER lpadmin) and set "
                 "PRINTRELEASE_CUPS_SERVER=/run/cups/cups.sock, then restart printrelease")


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    remedy: str = ""
    critical: bool = False  # the server itself cannot work (the health endpoint answers 503)
    lasting: bool = False  # a restart does not mend it: the server refuses to start (`startup_problems`)

    def as_dict(self) -> dict:
        return asdict(self)


def worst(checks: list[Check]) -> str:
    return max((c.status for c in checks), key=ORDER.get, default=OK)


def _configuration(runtime: Runtime) -> list[Check]:
    settings = runtime.settings
    where = str(settings.config_file) if settings.config_file else "no file (defaults and environment)"
    checks = [Check("configuration", OK, f"read {where}", critical=True)]
    config = settings.config_file
    if config and settings.service_user and not os.access(config, os.R_OK):
        # Root read it for this command; the service, started on its own, could not.
        checks = [Check("configuration", FAIL, f"{config} is not readable by {settings.service_user}: the server "
                        "cannot start", f"chown root:{settings.service_user} {config} && chmod 640 {config}",
                        critical=True)]
    if config and config.stat().st_mode & stat.S_IROTH:
        checks.append(Check("configuration mode", WARNING, f"{config} is readable by everyone and may hold keys",
                            f"chmod 640 {config}"))
    if settings.secure_cookies and not settings.trusted_proxies:
        # HTTPS is the proxy's: without believing it, every login comes from its address, and a few
        # guesses there lock out the whole site.
        checks.append(Check("proxy", WARNING, "PRINTRELEASE_SECURE_COOKIES=1 (behind an HTTPS proxy) but "
                            "PRINTRELEASE_TRUSTED_PROXIES=0: failed logins all count against the proxy's address",
                            "set PRINTRELEASE_TRUSTED_PROXIES=1, with the proxy sending X-Forwarded-For (README)"))
    if settings.service_user:
        me = pwd.getpwuid(os.geteuid()).pw_name
        if me != settings.service_user:
            checks.append(Check("service user", WARNING, f"checked as {me}, not as {settings.service_user}",
                                "run printrelease doctor as root or as the service user"))
        if _cups_is_local(settings.cups_server):
            groups = {grp.getgrgid(g).gr_name for g in os.getgrouplist(settings.service_user,
                                                                       pwd.getpwnam(settings.service_user).pw_gid)}
            if "lpadmin" not in groups:
                checks.append(Check("service user", FAIL, f"{settings.service_user} is not in group lpadmin: "
                                    "it cannot resume capture queues", f"adduser {settings.service_user} lpadmin"))
    return checks


def _database(runtime: Runtime) -> list[Check]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from printrelease.db import alembic_config

    url = runtime.settings.effective_database_url
    try:
        head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        with runtime.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            connection.rollback()
            if current != head:
                return [Check("database", FAIL, f"{shown_url(url)} is at revision {current or 'none'}, the code "
                              f"needs {head}", "printrelease db upgrade", critical=True, lasting=True)]
            with connection.begin() as transaction:  # a write, undone: fails on a read-only database
                connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
                transaction.rollback()
    except Exception as error:
        problem = database_problem(error, url)
        if problem is None:
            raise
        return [Check("database", FAIL, str(problem), "see the message", critical=True,
                      lasting=problem.template in (NOT_SET_UP, READ_ONLY))]
    return [Check("database", OK, f"{shown_url(url)} at revision {head}, writable", critical=True)]


def _spool(runtime: Runtime) -> list[Check]:
    data = runtime.settings.data_dir
    owner = runtime.settings.service_user or pwd.getpwuid(os.geteuid()).pw_name
    try:
        spool = runtime.spool.root  # made if missing, as the server would at its first capture
        probe = spool / f".doctor-{uuid.uuid4().hex}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        return [Check("spool", FAIL, f"cannot write in {runtime.settings.spool_dir}: {error.strerror}",
                      f"chown -R {owner}: {data}", critical=True, lasting=True)]
    foreign = [p for p in [data, *data.iterdir(), *spool.iterdir()]
               if p.stat().st_uid != os.geteuid() and not p.name.startswith(".")][:3]
    if foreign:
        return [Check("spool", FAIL, f"not the service's: {', '.join(map(str, foreign))}",
                      f"chown -R {owner}: {data}", critical=True)]
    return [Check("spool", OK, f"{spool} writable", critical=True)]


def _keys(runtime: Runtime) -> list[Check]:
    checks = []
    for name, configured in (("card_key", runtime.settings.card_key), ("secret_key", runtime.settings.secret_key)):
        kept = runtime.settings.keys_dir / name
        if configured:
            checks.append(Check(name, OK, "configured"))
        elif kept.exists() and kept.stat().st_mode & 0o077:
            checks.append(Check(name, WARNING, f"{kept} is readable by others than the service",
                                f"chmod 600 {kept}"))
        elif kept.exists():
            checks.append(Check(name, OK, f"kept in {kept}"))
        else:
            checks.append(Check(name, WARNING, "not configured and not made yet",
                                f"set PRINTRELEASE_{name.upper()} in the configuration (the server would make one "
                                f"in {kept} at its first start)"))
    return checks


def _cups_is_local(address: str | None) -> bool:
    address = address or ""
    return address == "" or address.startswith("/") or address.split(":")[0] in ("localhost", "127.0.0.1", "[::1]")


def _cups(runtime: Runtime) -> list[Check]:
    settings = runtime.settings
    server = runtime.print_server()
    try:
        queues = {q.name: q for q in server.queues()}
    except Exception as error:
        return [Check("cups", FAIL, str(error), "start CUPS, and check PRINTRELEASE_CUPS_SERVER")]
    checks = [Check("cups", OK, f"{server.address} answers ({len(queues)} queue(s))")]
    if _cups_is_local(settings.cups_server) and not (settings.cups_server or "").startswith("/"):
        checks.append(Check("cups socket", WARNING, f"CUPS is reached over TCP ({server.address}): under the stock "
                            "policy the service cannot resume capture queues that way", SOCKET_ADVICE))
    if _cups_is_local(settings.cups_server):
        checks.append(_backend(runtime))
        checks.append(_cups_build())
    return checks + _capture_queues(runtime, server, queues)


def _cups_reachable(runtime: Runtime) -> list[Check]:
    server = runtime.print_server()
    try:
        count = len(server.queues())
    except Exception as error:
        return [Check("cups", FAIL, str(error), "start CUPS, and check PRINTRELEASE_CUPS_SERVER")]
    return [Check("cups", OK, f"{server.address} answers ({count} queue(s))")]


def _cups_build() -> Check:
    version = installed_cupsd_version()
    known = known_problem(version)
    if known:
        return Check("cups build", WARNING, f"cups-daemon {version}: {known.problem}", remedy(known))
    return Check("cups build", OK, f"cups-daemon {version or 'version unknown'}: no known problem")


def _backend(runtime: Runtime) -> Check:
    backend = runtime.settings.cups_backend_dir / BACKEND_SCHEME
    try:
        info = backend.stat()
    except OSError:
        return Check("backend", FAIL, f"{backend} is missing", "printrelease cups install-queue (as root)")
    if info.st_uid != 0 or info.st_mode & 0o022 or not info.st_mode & 0o100:
        return Check("backend", FAIL, f"{backend} must be root's, executable and not group/other-writable (cupsd "
                     "refuses it otherwise)", "printrelease cups install-queue (as root)")
    return Check("backend", OK, f"{backend} installed")


def _capture_queues(runtime: Runtime, server, queues: dict) -> list[Check]:
    name = runtime.settings.capture_queue
    queue = queues.get(name)
    if queue is None:
        return [Check("capture queue", FAIL, f"no queue {name}", "printrelease cups install-queue")]
    members = [queues[m] for m in queue.members if m in queues] if queue.is_class else [queue]
    captures = [m for m in members if m.device_uri.startswith(f"{BACKEND_SCHEME}:")]
    if not captures:
        return [Check("capture queue", FAIL, f"{name} has no printrelease capture queue",
                      "printrelease cups install-queue")]
    checks = []
    stopped = [m.name for m in captures if m.state == PRINTER_STOPPED or not m.accepting]
    try:
        for member in captures:  # what the sweep does after an outage: proves the service may
            server.enable(member.name)
    except Exception as error:
        checks.append(Check("capture resume", FAIL, f"the service cannot resume {member.name}: {error}",
                            SOCKET_ADVICE))
    else:
        checks.append(Check("capture resume", OK, "the service can resume the capture queues"))
        if stopped:
            checks.append(Check("capture queue", WARNING, f"{', '.join(stopped)} had stopped (the server was "
                                "unreachable?) and were resumed now", "check that printrelease runs"))
    if not stopped:
        checks.append(Check("capture queue", OK, f"{name}: {len(captures)} capture queue(s), enabled"))
    return checks


def _printers(runtime: Runtime) -> list[Check]:
    checks = []
    with runtime.sessions() as session:
        printers = [(p.name, p.cups_server, p.cups_queue) for p in
                    session.scalars(select(Printer).where(Printer.is_active.is_(True)).order_by(Printer.name))]
    for name, address, queue_name in printers:
        try:
            queue = runtime.print_server(address).queue(queue_name)
        except Exception as error:
            checks.append(Check(f"printer {name}", FAIL, str(error),
                                f"check the queue {queue_name} on {address or 'the CUPS server'}"))
            continue
        if queue.state == PRINTER_STOPPED or not queue.accepting:
            checks.append(Check(f"printer {name}", FAIL, f"stopped: {queue.state_message or 'no reason given'}",
                                f"mend the printer, then cupsenable {queue_name}; cupsaccept {queue_name}"))
        else:
            checks.append(Check(f"printer {name}", OK, f"{queue_name} ready"))
    return checks


def _stations(runtime: Runtime) -> list[Check]:
    from printrelease.stations.service import last_taps

    within = runtime.settings.station_seen_within
    checks = []
    with runtime.sessions() as session:
        taps = last_taps(session)
        for station in session.scalars(select(Station).order_by(Station.name)).unique():
            tap = taps.get(station.id)
            heard = last_heard(station, tap.at if tap else None)
            if is_quiet(station, tap.at if tap else None, within):
                since = f"since {heard:%Y-%m-%d %H:%M} UTC" if heard else "ever"
                checks.append(Check(f"station {station.name}", WARNING, f"not heard from {since}",
                                    "on that computer: systemctl status printrelease-station; "
                                    "printrelease-station check"))
            else:
                checks.append(Check(f"station {station.name}", OK, f"heard from {heard:%Y-%m-%d %H:%M} UTC"))
    return checks


def _lost_jobs(runtime: Runtime) -> list[Check]:
    from printrelease.jobs.models import Job, JobState

    with runtime.sessions() as session:
        lost = session.scalars(select(Job.id).where(Job.state == JobState.LOST).order_by(Job.id)).all()
    if not lost:
        return [Check("lost jobs", OK, "none")]
    shown = ", ".join(map(str, lost[:10])) + (" ..." if len(lost) > 10 else "")
    return [Check("lost jobs", WARNING, f"{len(lost)} job(s) CUPS forgot before their end was seen: {shown}",
                  "check at the printer, then: printrelease jobs resolve ID --printed (or --held)")]


SECTIONS: list[Callable[[Runtime], list[Check]]] = [_configuration, _database, _spool, _keys, _cups, _printers,
                                                    _stations, _lost_jobs]
# What a health probe asks every few seconds: quick, and changing nothing (the full doctor also proves
# that the service may resume the capture queues, by resuming them, and asks every printer).
QUICK: list[Callable[[Runtime], list[Check]]] = [_configuration, _database, _spool, _keys, _cups_reachable]


def startup_problems(runtime: Runtime) -> list[Check]:
    """What keeps the server from working that no restart mends: a spool (data folder) the service cannot
    write, a database not migrated or read-only. A database that is away is not among them: it may come
    back, and the server says so in its log and health meanwhile."""
    return [check for check in run_checks(runtime, [_spool, _database]) if check.lasting]


def run_checks(runtime: Runtime, sections=None) -> list[Check]:
    """Every check (or those of `sections`); a section failing unexpectedly is itself reported, and the
    rest still run."""
    checks = []
    database_ok = True
    for section in sections or SECTIONS:
        if section in (_printers, _stations, _lost_jobs) and not database_ok:
            continue
        try:
            found = section(runtime)
        except Exception as error:  # a check must never crash the doctor
            found = [Check(section.__name__.strip("_"), FAIL, f"{type(error).__name__}: {error}")]
        if section is _database:
            database_ok = all(c.status == OK for c in found)
        checks.extend(found)
    return checks
