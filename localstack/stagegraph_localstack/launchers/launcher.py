"""What every launcher shares: the function it starts, the command it returns, and its one error."""

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# The extension's package folder (stagegraph_localstack), which holds bootstrap/ and, by default, support/.
PACKAGE_DIR = Path(__file__).parent.parent


class LaunchError(Exception):
    """The function cannot be started on this machine; the message says why and what to do."""


@dataclass
class Launch:
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    # Called with the process's exit status (negative: the signal that ended it) once it has exited.
    on_exit: Callable[[int], None] | None = None
    # How long the process may take to exit on SIGTERM before it gets SIGKILL.
    stop_grace_seconds: float = 1.0


@dataclass
class FunctionSpec:
    runtime: str
    handler: str
    code_dir: str
    layer_dirs: list[str]
    memory_mb: int
    architecture: str


def support_dir() -> Path:
    """Where `stagegraph local install` put the runtime interface clients (outside the venv)."""
    return Path(os.environ.get("STAGEGRAPH_RUNTIME_SUPPORT", PACKAGE_DIR / "support"))


class Launcher:
    """One runtime family: the runtimes whose names start with `family`, and how one of them starts."""

    family: str = ""

    def can_handle(self, runtime: str) -> bool:
        return runtime.startswith(self.family)

    def launch(self, spec: FunctionSpec) -> Launch:
        raise NotImplementedError

    def debug(self, launch: Launch, spec: FunctionSpec, port: int) -> Launch:
        """The same start with the family's debugger listening on 127.0.0.1:`port` (`stagegraph dev --debug`)."""
        raise LaunchError(f"{spec.runtime} functions cannot be debugged locally")
