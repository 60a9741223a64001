"""How the extension's patches are installed: each at most once, whichever hook or module asks first.

A patch function returns True when it applied its patch and False when it cannot apply here (outside LocalStack,
turned off by a variable); a False is tried again on the next call, a True is never repeated.
"""
import functools
import threading
from collections.abc import Callable


class Installer:
    """A patch function that applies at most once; `reset()` forgets that it did (tests with fake modules)."""

    def __init__(self, patch: Callable[[], bool]) -> None:
        functools.update_wrapper(self, patch)
        self._patch = patch
        self._lock = threading.Lock()
        self.applied = False

    def __call__(self) -> bool:
        with self._lock:
            if not self.applied:
                self.applied = bool(self._patch())
            return self.applied

    def reset(self) -> None:
        with self._lock:
            self.applied = False


def install_once(patch: Callable[[], bool]) -> Installer:
    return Installer(patch)
