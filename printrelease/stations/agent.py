"""The station agent: waits for a card, posts the tap to the server, gives feedback, survives outages."""

from __future__ import annotations

import json
import logging
import socket
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Callable

from printrelease.stations.reader import CardReader, ReaderUnavailable, Signal
from printrelease.stations.wording import wording

log = logging.getLogger("printrelease.station")

SIGNALS = {
    "released": Signal.SUCCESS,
    "identified": Signal.SUCCESS,  # the kiosk beside the reader shows the person's jobs
    "nothing_to_print": Signal.NOTHING,
    "unknown_card": Signal.UNKNOWN,
    "rate_limited": Signal.UNKNOWN,
}


class ServerUnreachable(Exception):
    pass


class ServerTimedOut(Exception):
    """The request reached the server (or may have), but no answer came in time."""


@dataclass
class TapClient:
    """Posts taps to the server's station API with the station's bearer token.

    Every tap carries an id made here; the server answers a repeated id with its first answer. Even
    so, a request is sent again only when it provably never reached the server (the connection was
    refused): after a timeout the server may still be releasing, and a second post would at best
    wait for the same answer while the person at the printer waits too. A tap is never queued for
    later: its owner would be gone, and the pages would print unattended.
    """

    server_url: str
    token: str
    timeout: float = 30.0  # longer than the server's own limit for starting a release (5 s) and an upload
    attempts: int = 3

    def post(self, uid_hex: str, pin: str | None = None) -> dict:
        body = json.dumps({"card": uid_hex, "id": str(uuid.uuid4()), **({"pin": pin} if pin else {})}).encode()
        request = urllib.request.Request(
            self.server_url.rstrip("/") + "/api/v1/station/tap", data=body, method="POST",
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        last_error: Exception | None = None
        for attempt in range(self.attempts):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.load(response)
            except urllib.error.HTTPError as error:
                detail = error.read().decode("utf-8", "replace")[:300]
                raise ServerUnreachable(f"server answered {error.code}: {detail}") from error
            except (urllib.error.URLError, OSError) as error:
                reason = getattr(error, "reason", error)
                if not isinstance(reason, ConnectionRefusedError):
                    if isinstance(reason, (TimeoutError, socket.timeout)):
                        raise ServerTimedOut(f"{self.server_url} did not answer within {self.timeout:g}s") from error
                    # Reset or broken mid-request: it may have arrived, so it is not sent again.
                    raise ServerUnreachable(f"{self.server_url} unreachable: {reason}") from error
                last_error = error
                time.sleep(0.3 * (attempt + 1))
        raise ServerUnreachable(f"{self.server_url} unreachable: {getattr(last_error, 'reason', last_error)}")


class StationAgent:
    def __init__(self, reader: CardReader, client: TapClient, pin_source: Callable[[], str | None] | None = None,
                 poll: float = 1.0, on_tap: Callable[[dict], None] | None = None):
        self.reader, self.client, self.pin_source = reader, client, pin_source
        self.poll, self.on_tap = poll, on_tap
        self.running = True

    def run_forever(self) -> None:
        log.info("station agent started; server %s", self.client.server_url)
        reader_ok = None
        while self.running:
            try:
                card = self.reader.wait_for_card(self.poll)
                if reader_ok is not True:
                    log.info("reader %s ready", self.reader.name)
                    reader_ok = True
            except ReaderUnavailable as error:
                if reader_ok is not False:
                    log.warning("waiting for the card reader: %s", error)
                    reader_ok = False
                time.sleep(self.poll)
                continue
            except Exception:  # an unattended agent must never die; log it and go on
                log.exception("unexpected error while waiting for a card")
                reader_ok = None
                time.sleep(self.poll)
                continue
            if card is not None:
                try:
                    self.handle(card)
                finally:
                    card.close()

    def handle(self, card) -> dict:
        uid_at = time.monotonic()
        uid_hex = card.uid.hex().upper()
        shown = f"…{uid_hex[-4:]}"
        try:
            answer = self.client.post(uid_hex)
            if answer.get("outcome") == "pin_required" and self.pin_source is not None:
                answer = self.client.post(uid_hex, self.pin_source())
        except ServerTimedOut as error:
            answer = {"outcome": "timeout", "message": str(error)}
        except ServerUnreachable as error:
            answer = {"outcome": "error", "message": str(error)}
        answer["uid_at"], answer["answered_at"] = uid_at, time.monotonic()
        signal = SIGNALS.get(answer.get("outcome"), Signal.ERROR)
        played = card.signal(signal)
        name = answer.get("display_name") or "-"
        if not isinstance(answer.get("say"), dict):
            answer["say"] = wording(answer["outcome"])  # no answer from the server: the agent words it
        if answer.get("claim_code"):
            # Only someone at this reader learns it: the display shows it, and this log keeps it.
            log.info("claim code %s for the unknown card …%s at station %s", answer["claim_code"], uid_hex[-4:],
                     answer.get("station", "?"))
        log.info("tap card %s user %s: %s (%s) jobs=%s pages=%s feedback=%s — %s", shown, name,
                 answer.get("outcome"), answer.get("message", ""), answer.get("jobs", 0), answer.get("pages", 0),
                 signal.value if played else "none (reader has no LED/buzzer)", answer["say"].get("ko", ""))
        if self.on_tap is not None:
            self.on_tap(answer)
        return answer
