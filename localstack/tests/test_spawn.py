"""Runtime processes outlive the thread that started them, and have a process group of their own."""
import os
import sys
import threading
import time

from stagegraph_localstack import spawn


def test_a_process_started_from_a_thread_that_ends_keeps_running():
    started = {}

    def start():
        started["process"] = spawn.popen([sys.executable, "-c", "import time; time.sleep(30)"])

    thread = threading.Thread(target=start)
    thread.start()
    thread.join()
    process = started["process"]
    try:
        # The parent-death signal would have come when the thread ended; give it time to arrive.
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline:
            assert process.poll() is None, f"killed with {process.returncode}"
            time.sleep(0.05)
        assert os.getpgid(process.pid) == process.pid
    finally:
        process.kill()
        process.wait(5)
