"""Python: the official runtime interface client on exactly the runtime's Python version."""

import glob
import os
import shutil

from .launcher import FunctionSpec, Launch, LaunchError, Launcher, support_dir


class PythonLauncher(Launcher):
    """Python through the official runtime interface client, awslambdaric, on the runtime's Python version."""

    family = "python"

    def launch(self, spec: FunctionSpec) -> Launch:
        version = spec.runtime.removeprefix("python")
        python = find_python(version)
        ric = support_dir() / f"python{version}"
        if not (ric / "awslambdaric").is_dir():
            raise LaunchError(f"the Python {version} runtime interface client is not installed in {ric}: run `stagegraph local install`")
        path = [spec.code_dir] + [os.path.join(d, "python") for d in spec.layer_dirs] + [str(ric)]
        # -S: without the host's site-packages (and the .pth files they hold, 30-50 ms of imports at every start),
        # as on Lambda, where a function sees the runtime's packages (here beside the client) and its own.
        return Launch([python, "-S", "-m", "awslambdaric", spec.handler], {"PYTHONPATH": ":".join(path), "PYTHONUNBUFFERED": "1"})


    def debug(self, launch: Launch, spec: FunctionSpec, port: int) -> Launch:
        # debugpy (the Debug Adapter Protocol: VS Code's "attach"), installed beside the runtime interface client.
        ric = support_dir() / f"python{spec.runtime.removeprefix('python')}"
        if not (ric / "debugpy").is_dir():
            raise LaunchError(f"debugpy is not installed in {ric}: run `stagegraph local install`")
        python, flag, rest = launch.command[0], launch.command[1], launch.command[2:]
        return Launch([python, flag, "-m", "debugpy", "--listen", f"127.0.0.1:{port}", *rest], launch.env)


def find_python(version: str) -> str:
    """python<version> from STAGEGRAPH_PYTHON_<major>_<minor>, PATH or pyenv."""
    override = os.environ.get(f"STAGEGRAPH_PYTHON_{version.replace('.', '_')}")
    if override:
        return override
    on_path = shutil.which(f"python{version}")
    if on_path and "/shims/" not in on_path:
        return on_path
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    for candidate in sorted(glob.glob(os.path.join(pyenv_root, "versions", f"{version}.*", "bin", f"python{version}")), reverse=True):
        return candidate
    raise LaunchError(f"python{version} was not found (PATH, pyenv): install Python {version} or set STAGEGRAPH_PYTHON_{version.replace('.', '_')}")
