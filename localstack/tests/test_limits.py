"""Lambda's limits as the executor enforces them: memory, measured on a real process, and payload sizes."""
import json
import subprocess
import sys
import threading
import time

from stagegraph_localstack.limits import (
    ASYNC_PAYLOAD_BYTES,
    SYNC_PAYLOAD_BYTES,
    request_limit,
    response_too_large,
)
from stagegraph_localstack.memory_watch import MemoryWatch, resident_bytes

GROW = "import sys, time\nblocks = []\nfor _ in range(int(sys.argv[1])):\n    blocks.append(bytearray(10 * 1024 * 1024))\n    time.sleep(0.01)\nprint('done', flush=True)\ntime.sleep(30)\n"


def test_a_process_past_its_memory_size_is_reported_once_and_can_be_stopped():
    # GIVEN a process that grows to about 300 MB, watched with a limit of 128 MB
    process = subprocess.Popen([sys.executable, "-c", GROW, "30"], stdout=subprocess.PIPE)
    exceeded: list[int] = []
    stopped = threading.Event()

    def on_exceeded(used: int) -> None:
        exceeded.append(used)
        process.kill()
        stopped.set()

    watch = MemoryWatch(interval=0.01)
    try:
        watch.watch(process.pid, 128, on_exceeded)
        # THEN it is stopped before it finishes growing
        assert stopped.wait(20)
        process.wait(5)
        assert process.stdout.read() == b""
        assert len(exceeded) == 1
        assert 128 * 1024 * 1024 < exceeded[0] < 200 * 1024 * 1024
    finally:
        process.kill()


def test_a_process_within_its_memory_size_runs_on():
    process = subprocess.Popen([sys.executable, "-c", GROW, "3"], stdout=subprocess.PIPE)
    watch = MemoryWatch(interval=0.01)
    exceeded: list[int] = []
    try:
        watch.watch(process.pid, 256, exceeded.append)
        assert process.stdout.readline() == b"done\n"
        time.sleep(0.05)  # a few more rounds of the watch over the grown process
        assert exceeded == []
        assert resident_bytes(process.pid) > 30 * 1024 * 1024
    finally:
        watch.unwatch(process.pid)
        process.kill()


def test_resident_bytes_of_a_gone_process_is_none():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    assert resident_bytes(process.pid) is None


def test_payload_limits_are_lambdas():
    assert request_limit("RequestResponse") == request_limit(None) == SYNC_PAYLOAD_BYTES == 6 * 1024 * 1024
    assert request_limit("Event") == ASYNC_PAYLOAD_BYTES == 1024 * 1024
    assert response_too_large(b"x" * SYNC_PAYLOAD_BYTES) is None
    error = json.loads(response_too_large(b"x" * (SYNC_PAYLOAD_BYTES + 1)))
    assert error == {
        "errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
        "errorType": "Function.ResponseSizeTooLarge",
    }
