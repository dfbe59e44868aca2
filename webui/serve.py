"""`printrelease serve`: the web application under gunicorn, housekeeping and colour analysis in its worker.

gunicorn hands the application a request body that is read only as the application reads it, so that a
request refused on its headers (no credential, a declared size over the limit) costs nothing however
large its body: waitress, before it, stored every body whole before the application saw the request.
Its log lines, an access line per request among them, go through printrelease's logging
(webui/ops/accesslog.py); with several workers, /metrics adds up what each measured (webui/ops/metrics.py).
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import shutil
import signal
import sys
from pathlib import Path

import click

from printrelease.config import ConfigError
from printrelease.logs import configure_logging

log = logging.getLogger("printrelease")

PR_SET_PDEATHSIG = 1
HEADER_FIELD_BYTES = 32 * 1024  # the backend's percent-encoded job options and title, with room to spare


def _die_with_parent() -> None:
    """Have the kernel kill this process when the gunicorn master dies, even by SIGKILL: a worker left
    behind would keep the port and the analysis workers of a server that is gone."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


class Background:
    """What runs beside the requests in each worker: the page-counting pool, the sweeper, colour analysis."""

    def __init__(self, runtime):
        self.runtime, self.threads = runtime, []

    def start(self) -> None:
        from printrelease.jobs.colour_runner import ColourRunner
        from printrelease.sweeper import Sweeper

        settings = self.runtime.settings
        self.runtime.analysis_pool.start()  # before any thread: the workers start from a quiet process
        self.threads = [
            Sweeper(self.runtime, settings.sweep_interval),
            ColourRunner(self.runtime.sessions, self.runtime.spool, settings.sweep_interval,
                         settings.colour_seconds, settings.colour_memory_mb * 1024 * 1024),
        ]
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        for thread in self.threads:
            thread.stop()
        self.runtime.analysis_pool.close()


def _metrics_folder(runtime, port: int, workers: int) -> Path | None:
    """With several workers, the folder where each keeps its measurements for /metrics to add up (emptied:
    a server that starts again starts its latencies from nothing, as one process would); None with one.

    It must be set before prometheus-client is first imported, which `webui.ops.metrics` does: that
    import chooses between values in memory and values in files, once for the process and its workers.
    """
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)  # never someone else's folder, emptied below
    if workers == 1:
        return None
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus_client was imported before `printrelease serve` chose its mode")
    folder = runtime.settings.data_dir.resolve() / "metrics" / str(port)  # one per server on this data folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700, parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return folder


def _gunicorn_server(app, runtime, options: dict):
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            for name, value in options.items():
                self.cfg.set(name, value)

        def load(self):
            return app

    background = Background(runtime)

    def pre_fork(_server, _worker):
        # Everything loaded so far (the app, every import) lives as long as the workers do. Frozen out
        # of the collector's sight before each fork, a worker's full collection no longer walks it all
        # (it cost a request of My jobs 60-90 ms every few thousand), nor copies its pages by touching them.
        gc.freeze()

    def post_fork(_server, _worker):
        _die_with_parent()
        if "engine" in runtime.__dict__:
            runtime.engine.dispose(close=False)  # connections made before the fork belong to the master

    def post_worker_init(_worker):
        background.start()

    def worker_exit(_server, _worker):
        background.stop()

    def child_exit(_server, worker):
        # In the master, whatever ended the worker: its live gauges go; its counts stay in the sums.
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(worker.pid)

    options.update(pre_fork=pre_fork, post_fork=post_fork, post_worker_init=post_worker_init, worker_exit=worker_exit,
                   child_exit=child_exit)
    return Server()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8631, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="Request threads per worker process.")
@click.option("--workers", type=int, help="Worker processes [PRINTRELEASE_WEB_WORKERS, default 1]; one per "
                                          "core is best.")
@click.pass_obj
def serve(runtime, host: str, port: int, threads: int, workers: int | None) -> None:
    """Run the capture API and web UI, expiring and following jobs in the background."""
    from printrelease.doctor import startup_problems
    from webui import create_app

    configure_logging(runtime.settings.log_format, runtime.settings.log_level)
    workers = workers or runtime.settings.web_workers
    problems = startup_problems(runtime)
    if problems:
        # Every capture would fail, and a restart every 2 seconds mends nothing: said once, exit 78 (the
        # unit's RestartPreventExitStatus), until the administrator has mended it.
        for check in problems:
            click.echo(f"printrelease: cannot serve: {check.detail}; {check.remedy}", err=True)
        raise SystemExit(ConfigError.exit_status)
    _metrics_folder(runtime, port, workers)
    app = create_app(runtime=runtime)
    if not (runtime.settings.card_key and runtime.settings.secret_key):
        log.info("PRINTRELEASE_CARD_KEY or PRINTRELEASE_SECRET_KEY is not set: using keys kept in %s; servers "
                 "sharing this database need the same keys, set in the environment", runtime.settings.keys_dir)
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    click.echo(f"printrelease serving on http://{bind}/ (database {runtime.engine.url!r})")
    _gunicorn_server(app, runtime, {
        "bind": [bind],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": True,  # the app is ready before the port opens
        "graceful_timeout": 20,
        "limit_request_field_size": HEADER_FIELD_BYTES,
        # Proxy headers are believed only as PRINTRELEASE_TRUSTED_PROXIES says (werkzeug's ProxyFix).
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "control_socket_disable": True,
        "proc_name": "printrelease",
        "errorlog": "-",
        "logger_class": "webui.ops.accesslog.ServerLog",
        "accesslog": "-" if runtime.settings.access_log else None,
    }).run()
