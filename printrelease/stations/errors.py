"""Errors of the stations domain."""

from printrelease.errors import Invalid, NotFound
from printrelease.i18n import N_


class UnknownStation(NotFound):
    code = "unknown_station"
    template = N_("unknown station '%(name)s'")

    def __init__(self, name: str):
        super().__init__(name=name)


class StationExists(Invalid):
    code = "station_exists"
    template = N_("a station named '%(name)s' exists already")

    def __init__(self, name: str):
        super().__init__(name=name)


class BadReleaseMode(Invalid):
    code = "bad_release_mode"
    template = N_("'%(mode)s' is not a release mode (%(modes)s)")
