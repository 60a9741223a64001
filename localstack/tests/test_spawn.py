"""Runtime processes outlive the thread that started them, and have a process group of their own."""
import os
import signal
import subprocess
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


def test_a_process_dies_with_the_process_that_started_it():
    # A parent that starts a sleeper through spawn.popen, prints its pid, and is then killed with SIGKILL.
    parent = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from stagegraph_localstack import spawn; "
         "p = spawn.popen([sys.executable, '-c', 'import time; time.sleep(60)']); print(p.pid, flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    child = int(parent.stdout.readline())
    assert os.getpgid(child) == child
    parent.kill()
    parent.wait(5)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if _gone(child):
            return
        time.sleep(0.02)
    os.kill(child, signal.SIGKILL)
    raise AssertionError(f"the child {child} outlived its parent")


def test_without_setpriv_a_fork_starts_it_in_its_own_group_and_it_outlives_its_thread(monkeypatch):
    monkeypatch.setattr(spawn, "SETPRIV", None)
    test_a_process_started_from_a_thread_that_ends_keeps_running()


def _gone(pid: int) -> bool:
    """Exited: no such process, or a zombie its new parent has not reaped yet."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except FileNotFoundError:
        return True
    return stat[stat.rindex(")") + 2] in "ZX"


def test_the_guard_does_not_start_a_command_whose_parent_is_not_the_localstack_named():
    # The shell's parent is this test, not pid 1: it exits 137 without running the command.
    marker = f"/tmp/stagegraph-guard-{os.getpid()}"
    done = subprocess.run([*spawn._GUARD, "1", "/bin/sh", "-c", f"touch {marker}"], timeout=10)
    assert done.returncode == 137
    assert not os.path.exists(marker)
    # and runs it, as it is, when the parent is the one named
    done = subprocess.run([*spawn._GUARD, str(os.getpid()), "/bin/sh", "-c", "exit 7"], timeout=10)
    assert done.returncode == 7
