"""Errors of the printers domain."""

from printrelease.errors import Invalid, NotFound, PrintReleaseError
from printrelease.i18n import N_


class UnknownPrinter(NotFound):
    code = "unknown_printer"
    template = N_("unknown printer '%(name)s'")

    def __init__(self, name: str):
        super().__init__(name=name)
        self.name = name


class PrinterDisabled(PrintReleaseError):
    code = "printer_disabled"
    template = N_("printer %(name)s is disabled by an administrator (printrelease printers enable %(name)s)")

    def __init__(self, name: str):
        super().__init__(name=name)
        self.name = name


class PrinterConflict(Invalid):
    """Two printers would share a name, or one CUPS queue would be two printers."""

    code = "printer_conflict"


class PrinterInUse(PrintReleaseError):
    code = "printer_in_use"
