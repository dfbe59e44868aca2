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


class TapIdReused(Invalid):
    """A station sent a tap id it used before, with another card: a repeat must be the same tap."""

    code = "tap_id_reused"
    template = N_("tap id '%(tap_id)s' was used before for another card; give each tap an id of its own")

    def __init__(self, tap_id: str):
        super().__init__(tap_id=tap_id)
