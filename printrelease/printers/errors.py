"""Errors of the printers domain."""

from printrelease.errors import NotFound


class UnknownPrinter(NotFound):
    def __init__(self, name: str):
        super().__init__(f"unknown printer {name!r}")
        self.name = name
