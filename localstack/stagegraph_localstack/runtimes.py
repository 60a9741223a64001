"""How each Lambda runtime family starts as a process on this machine: a registry of launchers.

A launcher turns a function's code folder, its layers and handler into a command line and the
variables its runtime needs; the runtime process then speaks the Lambda Runtime API itself.
"""

import glob
import os
import platform
import shutil
import subprocess
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
ELF_MACHINES = {0x3E: "x86_64", 0xB7: "arm64"}


class LaunchError(Exception):
    """The function cannot be started on this machine; the message says why and what to do."""


@dataclass
class Launch:
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)


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
    return Path(os.environ.get("STAGEGRAPH_RUNTIME_SUPPORT", HERE / "support"))


class Launcher:
    def can_handle(self, runtime: str) -> bool:
        raise NotImplementedError

    def launch(self, spec: FunctionSpec) -> Launch:
        raise NotImplementedError


class NodejsLauncher(Launcher):
    """Node.js through stagegraph's bootstrap, a small Runtime API client in the style of the official one."""

    def can_handle(self, runtime: str) -> bool:
        return runtime.startswith("nodejs")

    def launch(self, spec: FunctionSpec) -> Launch:
        node = find_node(spec.runtime)
        node_path = [os.path.join(d, "nodejs", "node_modules") for d in spec.layer_dirs] + [os.path.join(spec.code_dir, "node_modules")]
        heap = max(64, int(spec.memory_mb * 0.9))
        return Launch(
            [node, f"--max-old-space-size={heap}", "--enable-source-maps", str(HERE / "bootstrap" / "node-bootstrap.js")],
            {"NODE_PATH": ":".join(node_path)},
        )


def host_node_major() -> str | None:
    node = shutil.which("node")
    if not node:
        return None
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return version.lstrip("v").split(".")[0] or None


_HOST_NODE_MAJOR: list[str | None] = []


def find_node(runtime: str) -> str:
    """The node of exactly the runtime's major: STAGEGRAPH_NODE (the user's choice), the build `stagegraph local
    deploy` fetched into the install, or the host's node when it is that major. Never another major."""
    explicit = os.environ.get("STAGEGRAPH_NODE")
    if explicit:
        return explicit
    major = runtime.removeprefix("nodejs").split(".")[0]
    fetched = support_dir() / f"node{major}" / "bin" / "node"
    if fetched.is_file():
        return str(fetched)
    if not _HOST_NODE_MAJOR:
        _HOST_NODE_MAJOR.append(host_node_major())
    if _HOST_NODE_MAJOR[0] == major and shutil.which("node"):
        return shutil.which("node")
    raise LaunchError(
        f"{runtime} needs Node.js {major}, which is not installed (the host has Node.js {_HOST_NODE_MAJOR[0] or 'none'}): "
        f"`stagegraph local deploy` fetches the Node.js versions the app's runtimes need, or set STAGEGRAPH_NODE"
    )


class PythonLauncher(Launcher):
    """Python through the official runtime interface client, awslambdaric, on the runtime's Python version."""

    def can_handle(self, runtime: str) -> bool:
        return runtime.startswith("python")

    def launch(self, spec: FunctionSpec) -> Launch:
        version = spec.runtime.removeprefix("python")
        python = find_python(version)
        ric = support_dir() / f"python{version}"
        if not (ric / "awslambdaric").is_dir():
            raise LaunchError(f"the Python {version} runtime interface client is not installed in {ric}: run `stagegraph local install`")
        path = [spec.code_dir] + [os.path.join(d, "python") for d in spec.layer_dirs] + [str(ric)]
        return Launch([python, "-m", "awslambdaric", spec.handler], {"PYTHONPATH": ":".join(path), "PYTHONUNBUFFERED": "1"})


# The Java runtime interface client copies its JNI library to the fixed path /tmp/.libaws-lambda-jni.so
# at every start unless this property names one: on Lambda each environment has its own /tmp, here they
# share the host's, and two environments starting at once crashed (SIGBUS) loading a file being rewritten.
NATIVE_CLIENT_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI"
NATIVE_CLIENT_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch_64", "arm64": "aarch_64"}


def native_client(ric: Path) -> str:
    """The client's JNI library for this machine, unpacked once from its jar beside it (atomically)."""
    arch = NATIVE_CLIENT_ARCH.get(platform.machine().lower(), "x86_64")
    member = f"jni/libaws-lambda-jni.linux-{arch}.so"
    target = ric / "jni" / Path(member).name
    if not target.exists():
        jar = next(iter(sorted(ric.glob("aws-lambda-java-runtime-interface-client-*.jar"))), None)
        if jar is None:
            raise LaunchError(f"the Java runtime interface client jar is not in {ric}: run `stagegraph local install`")
        with zipfile.ZipFile(jar) as archive:
            data = archive.read(member)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.partial")
        partial.write_bytes(data)
        os.replace(partial, target)
    return str(target)


class JavaLauncher(Launcher):
    """Java through the official runtime interface client from Maven Central, on a JDK new enough for the runtime."""

    def can_handle(self, runtime: str) -> bool:
        return runtime.startswith("java")

    def launch(self, spec: FunctionSpec) -> Launch:
        wanted = int("".join(ch for ch in spec.runtime.removeprefix("java").split(".")[0] if ch.isdigit()) or "21")
        java = find_java(wanted)
        ric = support_dir() / "java"
        if not list(ric.glob("*.jar")):
            raise LaunchError(f"the Java runtime interface client is not installed in {ric}: run `stagegraph local install`")
        classpath = [spec.code_dir, os.path.join(spec.code_dir, "lib", "*")]
        classpath += [os.path.join(d, "java", "lib", "*") for d in spec.layer_dirs]
        classpath.append(str(ric / "*"))
        heap = max(64, int(spec.memory_mb * 0.85))
        return Launch([
            java, f"-Xmx{heap}m", "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
            f"-D{NATIVE_CLIENT_PROPERTY}={native_client(ric)}",
            "-cp", ":".join(classpath),
            "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", spec.handler,
        ])


class ProvidedLauncher(Launcher):
    """OS-only runtimes (Go and others): the package's own `bootstrap` executable."""

    def can_handle(self, runtime: str) -> bool:
        return runtime.startswith("provided")

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


LAUNCHERS: list[Launcher] = [NodejsLauncher(), PythonLauncher(), JavaLauncher(), ProvidedLauncher()]


def launch_for(spec: FunctionSpec) -> Launch:
    for launcher in LAUNCHERS:
        if launcher.can_handle(spec.runtime):
            return launcher.launch(spec)
    supported = "nodejs*, python*, java*, provided*"
    raise LaunchError(f"runtime {spec.runtime} cannot run locally (supported: {supported})")


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


def java_major(java_home: str) -> int:
    release = Path(java_home) / "release"
    if release.is_file():
        for line in release.read_text().splitlines():
            if line.startswith("JAVA_VERSION="):
                return int(line.split("=", 1)[1].strip('"').split(".")[0])
    return 0


def find_java(wanted: int) -> str:
    """The java of a JDK of exactly version `wanted` from JAVA_HOME or /usr/lib/jvm, as Lambda runs each Java
    runtime on its own JDK; STAGEGRAPH_JAVA_HOME is the user's explicit choice and is used as it is."""
    explicit = os.environ.get("STAGEGRAPH_JAVA_HOME")
    if explicit:
        java = os.path.join(explicit, "bin", "java")
        if not os.path.isfile(java):
            raise LaunchError(f"STAGEGRAPH_JAVA_HOME is {explicit}, which has no bin/java")
        return java
    homes = [os.environ.get("JAVA_HOME")] + sorted(glob.glob("/usr/lib/jvm/*"))
    found: dict[int, str] = {}
    for home in homes:
        if home and os.path.isfile(os.path.join(home, "bin", "java")):
            found.setdefault(java_major(home), home)
    if wanted in found:
        return os.path.join(found[wanted], "bin", "java")
    have = ", ".join(f"{major} ({home})" for major, home in sorted(found.items())) or "none"
    raise LaunchError(
        f"java{wanted} needs a JDK {wanted}, and the machine has {have} in JAVA_HOME and /usr/lib/jvm: install a JDK {wanted}, "
        f"choose the runtime of a JDK you have, or set STAGEGRAPH_JAVA_HOME to run it on another JDK knowingly"
    )
