"""Java: the official runtime interface client on a JDK of exactly the runtime's version."""

import glob
import hashlib
import logging
import os
import platform
import threading
import time
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path

from .launcher import FunctionSpec, Launch, LaunchError, Launcher, support_dir

LOG = logging.getLogger(__name__)

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


# Class-data sharing: the classes a JVM loaded (the JDK's, the runtime interface client's, the layers') are written
# to an archive when an environment's JVM exits, and later JVMs of the same JDK and class path map it instead of
# loading and verifying them again (Init 450 -> 200 ms for a small function on this machine). Lambda's own Java
# runtimes start with an archive of theirs (-XX:SharedArchiveFile=/var/lang/lib/server/runtime.jsa).
CDS_QUIET = ["-Xlog:cds=off", "-Xlog:cds+dynamic=off"]
# -XX:ArchiveClassesAtExit came with JDK 13 (an unknown option stops an older JVM from starting).
CDS_MIN_JDK = 13
# Attempts to record an archive per class path in one LocalStack (a JVM killed before it exits writes none).
CDS_ATTEMPTS = 3
_cds_lock = threading.Lock()
_cds_recording: set[str] = set()
_cds_attempts: dict[str, int] = {}


def _cds_key(java_home: Path, release: str, classpath: str) -> str:
    """The archive's identity: the JDK (its home and `release` file) and every file on the class path as it is now
    (the JVM refuses an archive whose jars changed)."""
    digest = hashlib.sha256()
    digest.update(f"{java_home}\0{release}\0{classpath}\0".encode())
    for entry in classpath.split(":"):
        # A class path wildcard stands for the folder's jars only (its cds/ and jni/ are beside them).
        for jar in sorted(glob.glob(entry + ".jar")) if entry.endswith("*") else [entry]:
            try:
                stat = os.stat(jar)
            except OSError:
                continue
            digest.update(f"{jar}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:32]


def class_data_sharing(java: str, classpath: str, archive_dir: Path) -> tuple[list[str], Callable[[int], None] | None]:
    """The JVM flags that use this class path's archive, or that record it at exit (one JVM at a time records), and
    what to do when that JVM has exited: keep the archive it wrote after a clean exit (SIGTERM included), drop a
    partial one. A status below zero (a signal, or -1 for a JVM that never started) frees the class path for the
    next JVM to record. None on a JDK before 13."""
    java_home = Path(os.path.realpath(java)).parent.parent
    release = java_home / "release"
    release_text = release.read_text() if release.is_file() else ""
    if _release_major(release_text) < CDS_MIN_JDK:
        return [], None
    key = _cds_key(java_home, release_text, classpath)
    archive = archive_dir / f"{key}.jsa"
    if archive.is_file():
        return [f"-XX:SharedArchiveFile={archive}", *CDS_QUIET], None
    with _cds_lock:
        if key in _cds_recording or _cds_attempts.get(key, 0) >= CDS_ATTEMPTS:
            return [], None
        try:
            # Private: an archive is code the JVM maps.
            archive_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            return [], None
        _cds_recording.add(key)
        _cds_attempts[key] = _cds_attempts.get(key, 0) + 1
        # What a JVM killed while writing (or a LocalStack killed before the rename) left an hour ago or more.
        for stale in archive_dir.glob("*.partial"):
            try:
                if time.time() - stale.stat().st_mtime > 3600:
                    stale.unlink()
            except OSError:
                pass
    partial = archive_dir / f"{key}.{uuid.uuid4().hex}.partial"

    def finished(status: int) -> None:
        with _cds_lock:
            _cds_recording.discard(key)
        try:
            if status >= 0 and partial.is_file() and partial.stat().st_size > 0:
                os.replace(partial, archive)
                LOG.info("class-data archive %s recorded (%d KB)", archive.name, archive.stat().st_size // 1024)
            else:
                LOG.info("class-data archive %s not recorded: the JVM ended with status %d", archive.name, status)
                partial.unlink(missing_ok=True)
        except OSError as e:
            LOG.warning("class-data archive %s: %s", archive.name, e)

    return [f"-XX:ArchiveClassesAtExit={partial}", *CDS_QUIET], finished


class JavaLauncher(Launcher):
    """Java through the official runtime interface client from Maven Central, on a JDK new enough for the runtime."""

    family = "java"

    def launch(self, spec: FunctionSpec) -> Launch:
        wanted = int("".join(ch for ch in spec.runtime.removeprefix("java").split(".")[0] if ch.isdigit()) or "21")
        java = find_java(wanted)
        ric = support_dir() / "java"
        if not list(ric.glob("*.jar")):
            raise LaunchError(f"the Java runtime interface client is not installed in {ric}: run `stagegraph local install`")
        native = native_client(ric)
        heap = max(64, int(spec.memory_mb * 0.85))
        if spec.layer_dirs:
            # On Lambda the client's own class loader holds the function (first) and its layers (/opt/java/lib): a
            # layer's code sees the function's classes. The client reads layers from /opt only, so here a function
            # with layers keeps them and its own classes on the class path, function first, and runs without the
            # class-data archive (which takes jars only).
            classpath = ":".join([spec.code_dir, os.path.join(spec.code_dir, "lib", "*"),
                                  *(os.path.join(d, "java", "lib", "*") for d in spec.layer_dirs), str(ric / "*")])
            sharing, on_exit = [], None
        else:
            # The function's classes and lib/*.jar are not on the class path: as on Lambda, the client loads them from
            # the working directory (LAMBDA_TASK_ROOT) with a class loader of its own, whose parent has the client.
            classpath = str(ric / "*")
            sharing, on_exit = class_data_sharing(java, classpath, ric / "cds")
        return Launch([
            java, f"-Xmx{heap}m", "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-Xshare:auto", *sharing,
            f"-D{NATIVE_CLIENT_PROPERTY}={native}",
            "-cp", classpath,
            "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", spec.handler,
        # A JVM that records writes its archive as it exits (0.8 s on this machine for a small function).
        ], on_exit=on_exit, stop_grace_seconds=10.0 if on_exit else 1.0)


    def debug(self, launch: Launch, spec: FunctionSpec, port: int) -> Launch:
        # JDWP, which every Java IDE attaches to; the function runs at once (suspend=n).
        agent = f"-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:{port}"
        return Launch([launch.command[0], agent, *launch.command[1:]], launch.env, launch.on_exit, launch.stop_grace_seconds)


def java_major(java_home: str) -> int:
    release = Path(java_home) / "release"
    return _release_major(release.read_text()) if release.is_file() else 0


def _release_major(release: str) -> int:
    """The major version in the text of a JDK's `release` file (0 when it has none)."""
    for line in release.splitlines():
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
