"""Page counting in pre-started worker processes with memory and time limits, reused from job to job.

A PDF built to hurt its reader (exhaust memory, recurse, loop, crash the interpreter) can then cost at most
one worker process, which is killed and replaced, and never the server that took the upload. The workers
are started once (a Python start and the pypdf import cost about a hundred milliseconds), so a capture
pays only a line of JSON each way. `python -m printrelease.analysis_pool` is the worker.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import resource
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from printrelease.analysis import OUT_OF_MEMORY, UnreadableDocument, check_document, read_page_count
from printrelease.i18n import N_

log = logging.getLogger(__name__)

TOO_SLOW = N_("the PDF took longer than %(seconds)s seconds to read")
WORKER_DIED = N_("the PDF could not be read: its reader was stopped (%(why)s)")


@dataclass(frozen=True)
class AnalysisLimits:
    workers: int = 2
    memory_bytes: int = 512 * 1024 * 1024
    seconds: float = 30.0


class _Worker:
    """One worker process, spoken to in JSON lines over its stdin and stdout."""

    def __init__(self, limits: AnalysisLimits):
        self.limits = limits
        self.process = subprocess.Popen(
            [sys.executable, "-m", "printrelease.analysis_pool", str(limits.memory_bytes), str(limits.seconds)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, close_fds=True)
        self._pending = b""

    def ask(self, request: dict) -> dict:
        """The worker's answer; {"timeout": True} if it gave none in time (it is then killed), {"gone": True}
        if it died on the way. Raises BrokenPipeError if it was gone before it got the request."""
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        self.process.stdin.flush()
        deadline = time.monotonic() + self.limits.seconds
        out = self.process.stdout.fileno()
        while b"\n" not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([out], [], [], left)[0]:
                self.kill()
                return {"timeout": True}
            chunk = os.read(out, 65536)
            if not chunk:
                return {"gone": True}
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        try:
            answer = json.loads(line)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            self.kill()  # it no longer speaks the protocol: replaced like one that died
            return {"gone": True}
        return answer

    def why_gone(self) -> str:
        try:
            status = self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.kill()
            status = self.process.wait()
        if status < 0:
            return signal.Signals(-status).name
        return f"exit status {status}"

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass

    def close(self) -> None:
        try:
            self.process.stdin.close()  # the worker ends at end of input
            self.process.wait(2)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


class AnalysisPool:
    """Counts pages in worker processes; safe to call from many threads at once."""

    def __init__(self, limits: AnalysisLimits = AnalysisLimits()):
        self.limits = limits
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._started = 0
        self._closed = False
        self.pid = os.getpid()

    def start(self) -> "AnalysisPool":
        """Start the workers now instead of at the first document."""
        with self._lock:
            while self._started < self.limits.workers:
                self._idle.put(_Worker(self.limits))
                self._started += 1
        return self

    def count_pages(self, path: Path, content_type: str = "application/pdf") -> int:
        """Pages in the document; raises UnreadableDocument for anything wrong with it."""
        check_document(path, content_type)
        if self._started < self.limits.workers:
            self.start()
        worker = self._idle.get()
        replace = True
        request = {"path": str(Path(path).resolve())}
        try:
            try:
                answer = worker.ask(request)
            except BrokenPipeError:
                # It had died while idle (killed from outside): not this document's doing.
                worker.kill()
                worker = _Worker(self.limits)
                answer = worker.ask(request)
            if answer.get("gone") or not ("pages" in answer or "template" in answer or answer.get("timeout")):
                why = worker.why_gone()
                log.warning("page count of %s stopped its worker (%s); starting another", path, why)
                raise UnreadableDocument(WORKER_DIED, why=why)
            if answer.get("timeout"):
                log.warning("page count of %s took over %s s; worker killed", path, self.limits.seconds)
                raise UnreadableDocument(TOO_SLOW, seconds=f"{self.limits.seconds:g}")
            replace = bool(answer.get("retire"))
            if "pages" in answer:
                return int(answer["pages"])
            raise UnreadableDocument(answer["template"], **answer.get("params", {}))
        finally:
            if replace:
                worker.kill()
                worker = self._replacement()
            if worker is not None and self._closed:
                worker.close()
            elif worker is not None:
                self._idle.put(worker)

    def _replacement(self) -> _Worker | None:
        try:
            return _Worker(self.limits)
        except OSError as error:  # out of processes or files: the next document starts one
            log.error("cannot start a page-counting worker: %s", error)
            with self._lock:
                self._started -= 1
            return None

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


_pools: dict[AnalysisLimits, AnalysisPool] = {}
_pools_lock = threading.Lock()


def shared_pool(limits: AnalysisLimits) -> AnalysisPool:
    """This process's pool for these limits; a forked child gets its own, never its parent's workers."""
    with _pools_lock:
        pool = _pools.get(limits)
        if pool is None or pool.pid != os.getpid():
            pool = _pools[limits] = AnalysisPool(limits)
        return pool


def close_shared_pools() -> None:
    with _pools_lock:
        for pool in _pools.values():
            if pool.pid == os.getpid():
                pool.close()
        _pools.clear()


def _serve(memory_bytes: int, seconds: float) -> None:
    """The worker: one request per line on stdin, one answer per line on stdout, until end of input."""
    # Answers go to the original stdout alone; anything a library prints goes to stderr (discarded).
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    import pypdf  # noqa: F401  (now, while idle: not during the first document's capture)

    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    for line in sys.stdin.buffer:
        request = json.loads(line)
        # CPU time adds up over a worker's life: each document gets `seconds` more than so far.
        usage = resource.getrusage(resource.RUSAGE_SELF)
        budget = int(usage.ru_utime + usage.ru_stime + seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (budget, cpu_hard))
        try:
            answer = {"pages": read_page_count(Path(request["path"]))}
        except UnreadableDocument as error:
            # After running out of memory the heap may be in a poor state: a fresh worker takes over.
            answer = {"template": error.template, "params": error.params,
                      "retire": error.template == OUT_OF_MEMORY}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on the server's terminal is the server's to handle
    _serve(int(sys.argv[1]), float(sys.argv[2]))
