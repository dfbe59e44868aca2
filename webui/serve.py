"""`printrelease serve`: the web application under waitress, with the housekeeping sweeper beside it."""

from __future__ import annotations

import logging

import click

from printrelease.logs import configure_logging
from printrelease.sweeper import Sweeper


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8631, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.pass_obj
def serve(runtime, host: str, port: int, threads: int) -> None:
    """Run the capture API and web UI, expiring and following jobs in the background."""
    import waitress

    from webui import create_app

    configure_logging(runtime.settings.log_format, runtime.settings.log_level)
    app = create_app(runtime=runtime)
    if not (runtime.settings.card_key and runtime.settings.secret_key):
        logging.getLogger("printrelease").info(
            "PRINTRELEASE_CARD_KEY or PRINTRELEASE_SECRET_KEY is not set: using keys kept in %s; servers "
            "sharing this database need the same keys, set in the environment", runtime.settings.keys_dir)
    sweeper = Sweeper(runtime, runtime.settings.sweep_interval)
    sweeper.start()
    click.echo(f"printrelease serving on http://{host}:{port}/ (database {runtime.engine.url!r})")
    try:
        # Bodies over 1 MB are buffered to temporary files by waitress, so captures stay out of memory.
        waitress.serve(app, host=host, port=port, threads=threads, max_request_body_size=1 << 40,
                       inbuf_overflow=1 << 20, ident="printrelease")
    finally:
        sweeper.stop()
