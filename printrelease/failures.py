"""Known failures of what printrelease depends on (the database, its files), as one-line domain errors
that say what to do, for the CLI, the server and `doctor` alike: no traceback for a known cause.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_


class DatabaseProblem(PrintReleaseError):
    code = "database"


# Two problems that waiting does not mend (the server refuses to start on them), unlike a database away.
NOT_SET_UP = N_("the database at %(url)s is not set up (%(detail)s): run printrelease db upgrade")
READ_ONLY = N_("cannot write the database at %(url)s (%(detail)s): run printrelease as root or as the service "
               "user, and check that the data folder belongs to the service user (printrelease doctor)")


def shown_url(url: str) -> str:
    """The database URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL has no password we could find either
        return url.split("@")[-1]


def database_problem(error: Exception, url: str) -> DatabaseProblem | None:
    """The failure explained with its remedy, or None when it is not one we know."""
    if not isinstance(error, DBAPIError):
        return None
    detail = str(getattr(error, "orig", error)).strip().splitlines()[0] if str(error).strip() else ""
    where = shown_url(url)
    lowered = detail.lower()
    if "no such table" in lowered or "does not exist" in lowered and "relation" in lowered:
        return DatabaseProblem(NOT_SET_UP, url=where, detail=detail)
    if "readonly database" in lowered or "read-only" in lowered or "unable to open database" in lowered:
        return DatabaseProblem(READ_ONLY, url=where, detail=detail)
    if isinstance(error, (OperationalError, ProgrammingError)):
        return DatabaseProblem(N_("cannot use the database at %(url)s: %(detail)s; check "
                                  "PRINTRELEASE_DATABASE_URL and that the database server runs"),
                               url=where, detail=detail)
    return None


def one_line(error: Exception, url: str) -> str:
    """What a background task logs for a failure of the database: the known cause with its remedy, else
    the error's first line (never its SQL and parameters, nor a traceback)."""
    problem = database_problem(error, url)
    if problem is not None:
        return problem.words("en")
    text = str(getattr(error, "orig", None) or error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"
