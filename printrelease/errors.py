"""Base of every domain error; each edge (HTTP, CLI, CUPS backend) translates these to its own terms."""


class PrintReleaseError(Exception):
    """A failure the caller can explain to a person: the message is meant to be shown as is."""


class NotFound(PrintReleaseError):
    """The named user, printer, job or credential does not exist."""


class Invalid(PrintReleaseError):
    """The input is well-formed but not acceptable (bad CSV row, unknown option, ...)."""
