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
    def __init__(self, service, uid: bytes):
        # Keep the CardService: pyscard disconnects its connection when the service is collected.
        self.service, self.connection, self.uid = service, service.connection, uid

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
    """A PC/SC reader through pcscd, found by (part of) its name or the first one present."""

    def __init__(self, name: str | None = None):
        self.wanted = name
        self.name = name or "(first reader)"
        self._present: set[str] = set()

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

    def wait_for_card(self, timeout: float) -> PcscCard | None:
        from smartcard.CardRequest import CardRequest
        from smartcard.Exceptions import CardRequestTimeoutException

        reader = self._reader()
        try:
            service = CardRequest(timeout=timeout, readers=[reader], newcardonly=True).waitforcard()
        except CardRequestTimeoutException:
            return None
        except _pcsc_errors() as error:
            raise ReaderUnavailable(f"{self.name}: {error}") from error
        connection = service.connection
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
        return PcscCard(service, bytes(data))
