"""Card station agents as processes, for integration tests (pcscd: the `virtual_readers` fixture)."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading

from tests.waiting import wait_until


class Agent:
    """`printrelease station run` as a process; its JSON answers arrive on a queue."""

    def __init__(self, stack, station: str, printer: str, reader: str, server_url: str | None = None,
                 extra_args: tuple[str, ...] = ()):
        token_file = stack.root / f"{station}.token"
        stack.cli("stations", "add", station, "--printer", printer, "--token-file", str(token_file))
        self.log_path = stack.root / f"{station}.log"
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (kept for the process's life)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "printrelease", "station", "run", "--server", server_url or stack.url,
             "--token-file", str(token_file), "--reader", reader, "--json-log", *extra_args],
            env=stack.env(), stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.answers: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_ready()

    def wait_ready(self):
        # A card already on the reader when the agent starts is not a tap (it may have been left
        # there): present cards only once the agent is watching.
        wait_until(lambda: "ready" in self.log_path.read_text(), timeout=30, what="the agent's reader")

    def _read(self):
        for line in self.process.stdout:
            self.answers.put(json.loads(line))

    def next_answer(self, timeout=20.0) -> dict:
        try:
            return self.answers.get(timeout=timeout)
        except queue.Empty:
            tail = "\n".join(self.log_path.read_text(errors="replace").splitlines()[-15:])
            alive = "running" if self.process.poll() is None else f"exited with {self.process.returncode}"
            raise AssertionError(f"the agent ({alive}) gave no answer within {timeout}s; its log ends:\n{tail}") \
                from None

    def stop(self):
        self.process.terminate()
        self.process.wait(10)
