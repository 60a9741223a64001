"""OS-only runtimes (`provided.*`: Go and others): the package's own `bootstrap` executable."""

import os
import shutil
from pathlib import Path

from .launcher import FunctionSpec, Launch, LaunchError, Launcher

ELF_MACHINES = {0x3E: "x86_64", 0xB7: "arm64"}


class ProvidedLauncher(Launcher):
    """OS-only runtimes (Go and others): the package's own `bootstrap` executable."""

    family = "provided"

    def launch(self, spec: FunctionSpec) -> Launch:
        bootstrap = Path(spec.code_dir) / "bootstrap"
        if not bootstrap.is_file():
            raise LaunchError(f"a {spec.runtime} function needs an executable named bootstrap at the root of its code")
        cpu = elf_cpu(bootstrap)
        if not _starts_with(bootstrap, (b"\x7fELF", b"#!")):
            # The shell that starts runtime processes would run it as a script; Lambda fails it (exec format error).
            raise LaunchError("bootstrap is neither an executable (ELF) nor a script starting with #!")
        host = host_cpu()
        if cpu and cpu != host:
            raise LaunchError(
                f"bootstrap is built for {cpu}, but this machine is {host}: build the function for "
                f"architecture {host} to run it locally"
            )
        bootstrap.chmod(bootstrap.stat().st_mode | 0o111)
        return Launch([str(bootstrap)], {"GOMEMLIMIT": f"{spec.memory_mb}MiB"})


    def debug(self, launch: Launch, spec: FunctionSpec, port: int) -> Launch:
        # Delve in headless mode (VS Code's Go extension and GoLand attach to it); the function runs at once.
        dlv = os.environ.get("STAGEGRAPH_DLV") or shutil.which("dlv") or _go_bin_dlv()
        if not dlv:
            raise LaunchError(
                "debugging a Go function needs Delve: `go install github.com/go-delve/delve/cmd/dlv@latest`, "
                "or set STAGEGRAPH_DLV to its path"
            )
        return Launch(
            [dlv, "exec", "--headless", f"--listen=127.0.0.1:{port}", "--api-version=2", "--accept-multiclient",
             "--continue", launch.command[0]],
            launch.env,
        )


def _go_bin_dlv() -> str | None:
    candidate = Path(os.environ.get("GOPATH", Path.home() / "go")) / "bin" / "dlv"
    return str(candidate) if candidate.is_file() else None


def host_cpu() -> str:
    machine = os.uname().machine
    return {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)


def _starts_with(path: Path, magics: tuple[bytes, ...]) -> bool:
    with open(path, "rb") as f:
        head = f.read(4)
    return head.startswith(magics)


def elf_cpu(path: Path) -> str | None:
    with open(path, "rb") as f:
        header = f.read(20)
    if len(header) < 20 or header[:4] != b"\x7fELF":
        return None
    machine = int.from_bytes(header[18:20], "little" if header[5] == 1 else "big")
    return ELF_MACHINES.get(machine)
