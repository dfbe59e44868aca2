"""Errors of the release domain."""

from printrelease.errors import PrintReleaseError
from printrelease.i18n import N_


class PrinterUnavailable(PrintReleaseError):
    """The destination printer is stopped, not accepting jobs, or its CUPS server is unreachable."""

    code = "printer_unavailable"
    template = N_("printer %(printer)s is unavailable: %(why)s")

    def __init__(self, printer: str, why: str):
        super().__init__(printer=printer, why=why)
        self.printer, self.why = printer, why
