"""The card reader behind a small interface, and its PC/SC implementation with pyscard."""

from __future__ import annotations

import enum
import logging
from typing import Protocol

log = logging.getLogger(__name__)

GET_UID = [0xFF, 0xCA, 0x00, 0x00, 0x00]


class Signal(enum.Enum):
    SUCCESS = "success"
    NOTHING = "nothing"
    UNKNOWN = "unknown"
    ERROR = "error"


# ACR122U-class LED/buzzer pseudo-APDU FF 00 40 P2 04 T1 T2 N L: P2 picks LED states, T1/T2 are on/off
# times in 100 ms, N repetitions, L buzzer mode (1: on during T1). Each outcome sounds different, so a
# user hears the difference between "printing", "nothing to print", "who are you?" and "broken".
FEEDBACK = {
    Signal.SUCCESS: [0xFF, 0x00, 0x40, 0x2E, 0x04, 0x02, 0x00, 0x01, 0x01],  # green, one short beep
    Signal.NOTHING: [0xFF, 0x00, 0x40, 0xAF, 0x04, 0x01, 0x01, 0x02, 0x01],  # orange, two short beeps
    Signal.UNKNOWN: [0xFF, 0x00, 0x40, 0x5D, 0x04, 0x01, 0x01, 0x03, 0x01],  # red blink, three beeps
    Signal.ERROR: [0xFF, 0x00, 0x40, 0x5D, 0x04, 0x0A, 0x00, 0x01, 0x01],  # red, one long beep
}


class ReaderUnavailable(Exception):
    """No reader, or pcscd is not running; the agent waits and tries again."""


def _pcsc_errors() -> tuple[type[Exception], ...]:
    """Everything pyscard raises when pcscd or the reader goes away (two unrelated hierarchies)."""
    from smartcard.Exceptions import SmartcardException
    from smartcard.pcsc.PCSCExceptions import BaseSCardException

    return SmartcardException, BaseSCardException


class CardPresence(Protocol):
    """A card on the reader, for as long as the agent needs it."""

    uid: bytes

    def signal(self, signal: Signal) -> bool:
        """Play feedback on the reader; False if the reader cannot."""

    def close(self) -> None: ...


class CardReader(Protocol):
    name: str

    def wait_for_card(self, timeout: float) -> CardPresence | None:
        """A newly presented card, or None after `timeout` seconds; a card left on the reader is not new."""


class PcscCard:
    def __init__(self, connection, uid: bytes):
        self.connection, self.uid = connection, uid

    def signal(self, signal: Signal) -> bool:
        try:
            _data, sw1, _sw2 = self.connection.transmit(FEEDBACK[signal])
        except _pcsc_errors() as error:
            log.debug("feedback not possible: %s", error)
            return False
        return sw1 == 0x90

    def close(self) -> None:
        try:
            self.connection.disconnect()
        except _pcsc_errors():
            pass


class PcscReader:
    """A PC/SC reader through pcscd, found by (part of) its name or the first one present.

    A tap is a card put on the reader. pcscd counts every insertion and removal per reader (the upper
    bits of a reader's event state), so a card is new exactly when that count moved since the card
    handled last: asking pyscard for "new cards only" instead would miss a card put down in the moment
    between two requests. A card left on the reader is one tap; one already there when the agent starts
    is none.
    """

    def __init__(self, name: str | None = None):
        self.wanted = name
        self.name = name or "(first reader)"
        self._context = None
        self._handled: int | None = None  # pcscd's event count when the last card was handed out
        self._started = False

    def _reader(self):
        from smartcard.System import readers

        try:
            found = readers()
        except _pcsc_errors() as error:
            raise ReaderUnavailable(f"pcscd is not reachable: {error}") from error
        for reader in found:
            if self.wanted is None or self.wanted in str(reader):
                self.name = str(reader)
                return reader
        raise ReaderUnavailable(f"no reader matching {self.wanted!r}" if self.wanted else "no card reader present")

    def _state(self, timeout: float, known: int | None = None) -> tuple[int, bool]:
        """(event count, card present) now, or after the next change within `timeout` seconds when the
        state `known` (as returned before) is given."""
        from smartcard import scard

        if self._context is None:
            result, self._context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if result != scard.SCARD_S_SUCCESS:
                self._context = None
                raise ReaderUnavailable(f"pcscd is not reachable: {scard.SCardGetErrorMessage(result)}")
        current = scard.SCARD_STATE_UNAWARE if known is None else known
        result, states = scard.SCardGetStatusChange(self._context, int(timeout * 1000) if known is not None else 0,
                                                    [(self.name, current)])
        if result == scard.SCARD_E_TIMEOUT:
            return self._state(0)
        if result != scard.SCARD_S_SUCCESS:
            scard.SCardReleaseContext(self._context)
            self._context = None  # pcscd restarted, or the reader went: start afresh next time
            raise ReaderUnavailable(f"{self.name}: {scard.SCardGetErrorMessage(result)}")
        _name, event_state, _atr = states[0]
        return event_state, bool(event_state & scard.SCARD_STATE_PRESENT)

    def wait_for_card(self, timeout: float) -> PcscCard | None:
        reader = self._reader()
        state, present = self._state(0)
        if not self._started:
            self._started = True
            self._handled = state >> 16 if present else None  # lying there before the agent started
        if not present or state >> 16 == self._handled:
            state, present = self._state(timeout, state)  # until a card is put down or taken away
            if not present or state >> 16 == self._handled:
                return None
        self._handled = state >> 16
        connection = reader.createConnection()
        try:
            connection.connect()
            data, sw1, sw2 = connection.transmit(GET_UID)
        except _pcsc_errors() as error:
            log.warning("card on %s could not be read (taken away too soon?): %s", self.name, error)
            return None
        if (sw1, sw2) != (0x90, 0x00) or not data:
            log.warning("card on %s gave no UID (status %02X %02X)", self.name, sw1, sw2)
            connection.disconnect()
            return None
        return PcscCard(connection, bytes(data))
