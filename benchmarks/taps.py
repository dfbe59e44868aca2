"""Tap to print: card detection through pcscd, then the agent's UID to every job accepted by CUPS."""

from __future__ import annotations

import gc
import queue
import threading
import time

from printrelease.accounts.service import add_user
from printrelease.cards.service import add_card
from printrelease.jobs.capture import CaptureRequest, capture_job
from sandbox.documents import make_pdf
from sandbox.pcsc import VirtualCard, VirtualReaderDaemon
from printrelease.stations.agent import StationAgent, TapClient
from printrelease.stations.reader import PcscReader
from printrelease.stations.service import add_station

UID = "04C0FFEE123456"


def tap_latency(stack, rounds: int, job_counts=(1, 10)) -> dict:
    runtime = stack.runtime
    readers = VirtualReaderDaemon(stack.root / "pcscd").ensure()
    with runtime.sessions.begin() as session:
        add_user(session, "choi", "최윤서")
        add_card(session, runtime.card_key, "choi", UID)
        token = add_station(session, "bench-reader", "dept-a")[1]
    answers: queue.Queue = queue.Queue()
    agent = StationAgent(PcscReader("Virtual PCD 00 00"), TapClient(f"http://127.0.0.1:{stack.port}", token),
                         poll=0.5, on_tap=answers.put)
    agent_thread = threading.Thread(target=agent.run_forever, daemon=True)
    agent_thread.start()
    time.sleep(1.5)  # the agent's first look at the reader
    document = make_pdf(stack.root / "tap.pdf", "카드 출력", 1).read_bytes()
    results = {}
    try:
        for count in job_counts:
            detection, release = [], []
            for r in range(rounds):
                with runtime.sessions.begin() as session:
                    for j in range(count):
                        capture_job(session, runtime.spool, runtime.capture_policy,
                                    CaptureRequest(user="choi", title=f"tap {count}-{r}-{j}",
                                                   options=f"job-uuid=tap-{count}-{r}-{j}"), [document])
                with VirtualCard(UID, readers.port) as card:
                    answer = answers.get(timeout=30)
                assert answer["outcome"] == "released" and answer["jobs"] == count, answer
                detection.append(answer["uid_at"] - card.inserted_at)
                release.append(answer["answered_at"] - answer["uid_at"])
                stack.wait(lambda: stack.cups_busy() == 0)
                time.sleep(0.3)
            results[count] = {"detection": detection, "release": release}
    finally:
        agent.running = False
        agent_thread.join(10)  # let go of the reader before pcscd goes away
        gc.collect()  # pyscard releases its contexts in __del__: do it while pcscd still answers
        readers.stop()
    return results
