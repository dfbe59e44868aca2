"""Errors of the stations domain."""

from printrelease.errors import Invalid, NotFound


class UnknownStation(NotFound):
    def __init__(self, name: str):
        super().__init__(f"unknown station {name!r}")


class StationExists(Invalid):
    def __init__(self, name: str):
        super().__init__(f"a station named {name!r} exists already")
