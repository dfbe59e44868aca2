"""Errors of the release domain."""

from printrelease.errors import PrintReleaseError


class PrinterUnavailable(PrintReleaseError):
    """The destination printer is stopped, not accepting jobs, or its CUPS server is unreachable."""

    def __init__(self, printer: str, why: str):
        super().__init__(f"printer {printer} is unavailable: {why}")
        self.printer, self.why = printer, why
