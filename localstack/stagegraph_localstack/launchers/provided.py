"""OS-only runtimes (`provided.*`: Go and others): the package's own `bootstrap` executable."""

import os
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
        host = host_cpu()
        if cpu and cpu != host:
            raise LaunchError(
                f"bootstrap is built for {cpu}, but this machine is {host}: build the function for "
                f"architecture {host} to run it locally"
            )
        bootstrap.chmod(bootstrap.stat().st_mode | 0o111)
        return Launch([str(bootstrap)], {"GOMEMLIMIT": f"{spec.memory_mb}MiB"})


def host_cpu() -> str:
    machine = os.uname().machine
    return {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)


def elf_cpu(path: Path) -> str | None:
    with open(path, "rb") as f:
        header = f.read(20)
    if len(header) < 20 or header[:4] != b"\x7fELF":
        return None
    machine = int.from_bytes(header[18:20], "little" if header[5] == 1 else "big")
    return ELF_MACHINES.get(machine)
