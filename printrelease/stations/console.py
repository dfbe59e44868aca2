"""`printrelease-station`: the card station's own light command (click, pyscard and the standard library
only: no Flask, no database drivers, no pycups), also offered by the main CLI as `printrelease station`.

Configuration errors (no server URL, a token file the agent cannot read, no pyscard) exit with status
78, which the station's systemd unit lists in RestartPreventExitStatus: a broken set-up stops once with
its reason in the journal instead of restarting every few seconds for ever.
"""

from __future__ import annotations

import faulthandler
import json
import logging
import os
import signal
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import click

from printrelease.config import PREFIX, ConfigError, Settings, environment
from printrelease.i18n import N_, terminal_language
from printrelease.logs import configure_logging
from printrelease.privileges import become_service_user

log = logging.getLogger("printrelease.station")
HEARTBEAT_SECONDS = 300


def read_token(path: Path) -> str:
    """The station token, or a configuration error saying who may read the file and how to fix it."""
    try:
        token = path.read_text().strip()
    except FileNotFoundError:
        raise ConfigError(N_("the station token file %(file)s does not exist: on the server, printrelease "
                             "stations add NAME --printer P --token-file FILE, then copy it here"),
                          file=str(path)) from None
    except PermissionError:
        raise ConfigError(N_("the station token file %(file)s is not readable by %(user)s: chown %(user)s "
                             "%(file)s && chmod 600 %(file)s"),
                          file=str(path), user=os.environ.get("USER") or str(os.getuid())) from None
    if not token:
        raise ConfigError(N_("the station token file %(file)s is empty"), file=str(path))
    mode = path.stat()
    if mode.st_mode & 0o004 or (mode.st_mode & 0o040 and mode.st_gid != os.getegid()):
        # Whoever can read it can tap as this station: release anyone's jobs here by their card number.
        raise ConfigError(N_("the station token file %(file)s can be read by other users: chmod 600 %(file)s, "
                             "and if they may have read it, make a new token on the server"), file=str(path))
    return token


def hello(server_url: str, token: str, timeout: float = 10.0) -> dict:
    """Tell the server this station is alive; it answers the station's name and printer."""
    request = urllib.request.Request(server_url.rstrip("/") + "/api/v1/station/hello", data=b"{}", method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


def _heartbeat(server_url: str, token: str, stop: threading.Event) -> None:
    while True:
        try:
            answer = hello(server_url, token)
            log.debug("server knows this station as %s at %s", answer.get("station"), answer.get("printer"))
        except urllib.error.HTTPError as error:
            log.warning("server refused this station (%s): is the token still valid?", error.code)
        except OSError as error:
            log.warning("server %s unreachable: %s", server_url, error)
        if stop.wait(HEARTBEAT_SECONDS):
            return


class StationCommand(click.Group):
    """Configuration errors become one line and exit status 78."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            click.echo(f"printrelease-station: {error.words(terminal_language())}", err=True)
            ctx.exit(error.exit_status)


@click.group("station", cls=StationCommand, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """The agent that runs beside a printer's card reader (settings: /etc/printrelease/printrelease.conf)."""
    values, _path = environment()
    ctx.obj = values
    become_service_user(Settings(service_user=values.get(PREFIX + "USER") or None))


def _options(command):
    command = click.option("--server", "server_url", help="Server URL [PRINTRELEASE_SERVER_URL].")(command)
    command = click.option("--token-file", type=click.Path(dir_okay=False, path_type=Path),
                           help="The station's token [PRINTRELEASE_STATION_TOKEN_FILE].")(command)
    return command


def _resolve(values: dict, server_url: str | None, token_file: Path | None) -> tuple[str, str]:
    server_url = server_url or values.get(PREFIX + "SERVER_URL")
    token_file = token_file or (Path(values[PREFIX + "STATION_TOKEN_FILE"])
                                if values.get(PREFIX + "STATION_TOKEN_FILE") else None)
    if not server_url:
        raise ConfigError(N_("no server URL: set PRINTRELEASE_SERVER_URL in the configuration or give --server"))
    if token_file is None:
        raise ConfigError(N_("no token file: set PRINTRELEASE_STATION_TOKEN_FILE in the configuration or give "
                             "--token-file"))
    return server_url, read_token(token_file)


@main.command("check")
@_options
@click.pass_obj
def check(values, server_url, token_file) -> None:
    """Check the set-up: token readable, server reachable, token accepted; says which printer this is."""
    server_url, token = _resolve(values, server_url, token_file)
    try:
        answer = hello(server_url, token)
    except urllib.error.HTTPError as error:
        raise click.ClickException(f"{server_url} refused the token ({error.code}): issue a new one with "
                                   "printrelease stations add") from None
    except OSError as error:
        raise click.ClickException(f"{server_url} unreachable: {error}") from None
    click.echo(f"station {answer.get('station')} at printer {answer.get('printer')}; server {server_url} ok")


@main.command("run")
@_options
@click.option("--reader", "reader_name", help="Part of the reader's name [PRINTRELEASE_STATION_READER].")
@click.option("--pin-from-tty", is_flag=True, help="Ask for a PIN on this terminal when the server wants one.")
@click.option("--json-log", is_flag=True, help="Also print each tap's answer as a JSON line on stdout.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds to wait for the server's answer to a tap; a tap is never sent again after it.")
@click.pass_obj
def run(values, server_url, token_file, reader_name, pin_from_tty, json_log, timeout) -> None:
    """Wait for cards, release their owners' jobs here, give feedback; runs until stopped."""
    configure_logging(values.get(PREFIX + "LOG_FORMAT", "text"), values.get(PREFIX + "LOG_LEVEL", "INFO").upper())
    server_url, token = _resolve(values, server_url, token_file)
    reader_name = reader_name or values.get(PREFIX + "STATION_READER") or None
    try:
        from printrelease.stations.reader import PcscReader
    except ImportError as error:  # pragma: no cover - an install without the [station] extra
        raise ConfigError(N_("pyscard is missing (%(detail)s): pip install 'printrelease[station]'"),
                          detail=str(error)) from None
    from printrelease.stations.agent import StationAgent, TapClient

    # `kill -USR1` makes a stuck agent show where it is.
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    # pyscard's destructors raise when pcscd has gone away; that is expected here, not worth a traceback.
    sys.unraisablehook = lambda unraisable: log.debug("ignored in %s: %s", unraisable.object, unraisable.exc_value)

    def pin_source():
        return click.prompt("PIN", hide_input=True, default="", show_default=False) or None

    def print_json(answer):
        print(json.dumps(answer, ensure_ascii=False), flush=True)

    stop = threading.Event()
    threading.Thread(target=_heartbeat, args=(server_url, token, stop), name="heartbeat", daemon=True).start()
    agent = StationAgent(PcscReader(reader_name), TapClient(server_url, token, timeout=timeout),
                         pin_source=pin_source if pin_from_tty else None, on_tap=print_json if json_log else None)
    try:
        agent.run_forever()
    except KeyboardInterrupt:
        sys.exit(0)
    finally:
        stop.set()
