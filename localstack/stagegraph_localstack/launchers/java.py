"""Java: the official runtime interface client on a JDK of exactly the runtime's version."""

import glob
import os
import platform
import threading
import zipfile
from pathlib import Path

from .launcher import FunctionSpec, Launch, LaunchError, Launcher, support_dir

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

    family = "java"

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


    def debug(self, launch: Launch, spec: FunctionSpec, port: int) -> Launch:
        # JDWP, which every Java IDE attaches to; the function runs at once (suspend=n).
        agent = f"-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:{port}"
        return Launch([launch.command[0], agent, *launch.command[1:]], launch.env)


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
