"""Starting runtime processes that die with LocalStack, and only with it.

A runtime process asks the kernel for SIGKILL when its parent dies (`PR_SET_PDEATHSIG`), so that a LocalStack killed
with -9 leaves no function running. The kernel sends that signal when the *thread* that forked the child ends, not the
process: an execution environment started from a short-lived thread (an event source mapping's extra poller that stops
at its first empty poll, a thread of LocalStack's that handled one request) was killed with it, and the invocations it
was running failed with `Runtime exited with error: signal 9`. So every runtime process is forked by one of a few
threads that live as long as LocalStack.
"""
import concurrent.futures
import ctypes
import os
import signal
import subprocess

# Forks run in parallel on these threads (a cold start of many environments at once is not queued behind one fork).
SPAWN_THREADS = 4

_pool = concurrent.futures.ThreadPoolExecutor(max_workers=SPAWN_THREADS, thread_name_prefix="stagegraph-spawn")


# Looked up here, in the parent: loading a library in the child between fork and exec could wait forever on a lock
# another thread of LocalStack held at the fork.
_prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
# A fork and exec take milliseconds; one that does not return in this time will not.
START_TIMEOUT_SECONDS = 30.0


def die_with_parent() -> None:
    """Runs in the child before exec: start a process group, and get SIGKILL when LocalStack dies."""
    os.setsid()
    _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: when the forking thread ends, which lives as long as LocalStack


def popen(command: list[str], **kwargs) -> subprocess.Popen:
    """`subprocess.Popen(command, preexec_fn=die_with_parent, **kwargs)`, forked by a long-lived thread."""
    future = _pool.submit(subprocess.Popen, command, preexec_fn=die_with_parent, **kwargs)
    return future.result(timeout=START_TIMEOUT_SECONDS)
