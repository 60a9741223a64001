"""How each Lambda runtime family starts as a process on this machine: a registry of launchers.

A launcher turns a function's code folder, its layers and handler into a command line and the
variables its runtime needs; the runtime process then speaks the Lambda Runtime API itself. Each
family is one module of this package and one line of LAUNCHERS.
"""

from .java import JavaLauncher
from .launcher import FunctionSpec, Launch, LaunchError, Launcher
from .nodejs import NodejsLauncher
from .provided import ProvidedLauncher
from .python import PythonLauncher

LAUNCHERS: list[Launcher] = [
    NodejsLauncher(),
    PythonLauncher(),
    JavaLauncher(),
    ProvidedLauncher(),
]

# The runtimes that can run locally, as the error for any other names them.
SUPPORTED = ", ".join(f"{launcher.family}*" for launcher in LAUNCHERS)

__all__ = ["LAUNCHERS", "SUPPORTED", "FunctionSpec", "Launch", "LaunchError", "Launcher", "launch_for"]


def launch_for(spec: FunctionSpec, debug_port: int | None = None) -> Launch:
    for launcher in LAUNCHERS:
        if launcher.can_handle(spec.runtime):
            launch = launcher.launch(spec)
            return launcher.debug(launch, spec, debug_port) if debug_port else launch
    raise LaunchError(f"runtime {spec.runtime} cannot run locally (supported: {SUPPORTED})")
