"""Errors of the printers domain."""

from printrelease.errors import NotFound
from printrelease.i18n import N_


class UnknownPrinter(NotFound):
    code = "unknown_printer"
    template = N_("unknown printer '%(name)s'")

    def __init__(self, name: str):
        super().__init__(name=name)
        self.name = name
