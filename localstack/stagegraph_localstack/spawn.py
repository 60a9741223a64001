"""Starting runtime processes that die with LocalStack, and only with it.

A runtime process asks the kernel for SIGKILL when its parent dies (`PR_SET_PDEATHSIG`), so that a LocalStack killed
with -9 leaves no function running. The kernel sends that signal when the *thread* that forked the child ends, not the
process: an execution environment started from a short-lived thread (an event source mapping's extra poller that stops
at its first empty poll, a thread of LocalStack's that handled one request) was killed with it, and the invocations it
was running failed with `Runtime exited with error: signal 9`. So every runtime process is forked by one of a few
threads that live as long as LocalStack.

Python forks (not vfork) whenever Popen is given a `preexec_fn`, and a fork copies the page tables of LocalStack's
few hundred MB: 43 ms per start in a 600 MB process against 0.2 ms for vfork and exec. So where util-linux's `setpriv`
is installed, it asks for the signal (`setpriv --pdeathsig KILL -- command`: the setting survives its exec of the
command) and the process group comes from Popen's own `start_new_session`, which keep Python on the vfork path.
"""
import concurrent.futures
import ctypes
import logging
import os
import shutil
import signal
import subprocess

LOG = logging.getLogger(__name__)

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


def _find_setpriv() -> str | None:
    """util-linux's setpriv if it knows --pdeathsig (2.33 and later)."""
    setpriv = shutil.which("setpriv")
    if not setpriv:
        return None
    try:
        usage = subprocess.run([setpriv, "--help"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return setpriv if "--pdeathsig" in usage else None


SETPRIV = _find_setpriv()
# setpriv asks for the signal after its exec, when LocalStack may already be gone (the signal would then never
# come): the shell it starts goes on only if its parent is still the LocalStack that started it ($1).
_GUARD = [SETPRIV or "setpriv", "--pdeathsig", "KILL", "--",
          "/bin/sh", "-c", '[ "$PPID" = "$1" ] || exit 137; shift; exec "$@"', "stagegraph-spawn"]
if SETPRIV is None:
    LOG.info("stagegraph: util-linux's setpriv (2.33 or later) is not installed: runtime processes start by a fork of "
             "LocalStack, 20-40 ms slower each")


def popen(command: list[str], **kwargs) -> subprocess.Popen:
    """`command` in a session of its own with SIGKILL as its parent-death signal, forked by a long-lived thread."""
    if SETPRIV:
        future = _pool.submit(subprocess.Popen, [*_GUARD, str(os.getpid()), *command], start_new_session=True, **kwargs)
    else:
        future = _pool.submit(subprocess.Popen, command, preexec_fn=die_with_parent, **kwargs)
    return future.result(timeout=START_TIMEOUT_SECONDS)
