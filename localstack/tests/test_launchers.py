"""Launchers: which command starts which runtime, and the errors when one cannot start here."""

import os
import shutil
import subprocess
import time
import zipfile

import pytest

from stagegraph_localstack.launchers import FunctionSpec, LaunchError, java, launch_for, nodejs
from stagegraph_localstack.launchers.provided import elf_cpu, host_cpu


def spec(tmp_path, runtime, handler="index.handler"):
    return FunctionSpec(runtime=runtime, handler=handler, code_dir=str(tmp_path), layer_dirs=[str(tmp_path / "layer")], memory_mb=256, architecture="x86_64")


def elf(path, machine):
    header = bytearray(64)
    header[0:4] = b"\x7fELF"
    header[4] = 2
    header[5] = 1
    header[18:20] = machine.to_bytes(2, "little")
    path.write_bytes(bytes(header))
    return path


def test_node_runs_the_bootstrap_with_a_heap_limit_and_layer_modules(tmp_path, monkeypatch):
    monkeypatch.setenv("STAGEGRAPH_NODE", "/usr/bin/node")
    launch = launch_for(spec(tmp_path, "nodejs22.x"))

    assert launch.command[1] == "--max-old-space-size=230"
    assert launch.command[-1].endswith("bootstrap/node-bootstrap.js")
    assert launch.env["NODE_PATH"].split(":")[0] == str(tmp_path / "layer" / "nodejs" / "node_modules")


def test_python_needs_its_runtime_interface_client(tmp_path, monkeypatch):
    monkeypatch.setenv("STAGEGRAPH_RUNTIME_SUPPORT", str(tmp_path / "support"))
    monkeypatch.setenv("STAGEGRAPH_PYTHON_3_11", "/usr/bin/python3")

    with pytest.raises(LaunchError, match=r"the Python 3.11 runtime interface client is not installed in .*support/python3.11: run `stagegraph local install`"):
        launch_for(spec(tmp_path, "python3.11"))

    (tmp_path / "support" / "python3.11" / "awslambdaric").mkdir(parents=True)
    launch = launch_for(spec(tmp_path, "python3.11"))
    assert launch.command == ["/usr/bin/python3", "-S", "-m", "awslambdaric", "index.handler"]
    assert launch.env["PYTHONPATH"].split(":") == [str(tmp_path), str(tmp_path / "layer" / "python"), str(tmp_path / "support" / "python3.11")]


def fake_node(path, major):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho v{major}.1.0\n")
    path.chmod(0o755)
    return path


def test_node_runs_exactly_the_runtimes_major(tmp_path, monkeypatch):
    # GIVEN a fetched Node.js 24, and a host node of another major than 22
    monkeypatch.delenv("STAGEGRAPH_NODE", raising=False)
    monkeypatch.setenv("STAGEGRAPH_RUNTIME_SUPPORT", str(tmp_path / "support"))
    fetched = fake_node(tmp_path / "support" / "node24" / "bin" / "node", 24)
    host = fake_node(tmp_path / "host" / "node", 20)
    monkeypatch.setenv("PATH", str(host.parent))
    monkeypatch.setattr(nodejs, "_HOST_NODE_MAJOR", [])

    # THEN nodejs24.x runs on the fetched build, nodejs20.x on the host's, and nodejs22.x on nothing else
    assert launch_for(spec(tmp_path, "nodejs24.x")).command[0] == str(fetched)
    assert launch_for(spec(tmp_path, "nodejs20.x")).command[0] == str(host)
    with pytest.raises(LaunchError, match=r"nodejs22.x needs Node.js 22, which is not installed \(the host has Node.js 20\): `stagegraph local deploy` fetches"):
        launch_for(spec(tmp_path, "nodejs22.x"))


def test_java_runs_exactly_the_runtimes_jdk(tmp_path, monkeypatch):
    for version in ("17", "25"):
        home = tmp_path / f"jdk{version}"
        (home / "bin").mkdir(parents=True)
        (home / "bin" / "java").write_text("")
        (home / "release").write_text(f'JAVA_VERSION="{version}.0.1"\n')
    monkeypatch.setattr(java.glob, "glob", lambda pattern: [str(tmp_path / n) for n in ("jdk17", "jdk25")] if pattern == "/usr/lib/jvm/*" else [])
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.delenv("STAGEGRAPH_JAVA_HOME", raising=False)

    assert java.find_java(17) == str(tmp_path / "jdk17" / "bin" / "java")
    assert java.find_java(25) == str(tmp_path / "jdk25" / "bin" / "java")
    # never silently on another JDK
    with pytest.raises(LaunchError, match=r"java21 needs a JDK 21, and the machine has 17 \(.*jdk17\), 25 \(.*jdk25\)"):
        java.find_java(21)
    # unless the user chooses one
    monkeypatch.setenv("STAGEGRAPH_JAVA_HOME", str(tmp_path / "jdk25"))
    assert java.find_java(21) == str(tmp_path / "jdk25" / "bin" / "java")


def test_provided_runs_bootstrap_and_refuses_another_cpu(tmp_path):
    native, foreign = (0x3E, 0xB7) if host_cpu() == "x86_64" else (0xB7, 0x3E)
    elf(tmp_path / "bootstrap", native)

    launch = launch_for(spec(tmp_path, "provided.al2023", "bootstrap"))
    assert launch.command == [str(tmp_path / "bootstrap")]
    assert os.access(tmp_path / "bootstrap", os.X_OK)

    elf(tmp_path / "bootstrap", foreign)
    with pytest.raises(LaunchError, match=r"bootstrap is built for (arm64|x86_64), but this machine is (x86_64|arm64)"):
        launch_for(spec(tmp_path, "provided.al2023", "bootstrap"))


def test_provided_without_bootstrap_fails(tmp_path):
    with pytest.raises(LaunchError, match="needs an executable named bootstrap"):
        launch_for(spec(tmp_path, "provided.al2023", "bootstrap"))


def test_an_unknown_runtime_fails_naming_the_supported_ones(tmp_path):
    with pytest.raises(LaunchError, match=r"runtime ruby3.3 cannot run locally \(supported: nodejs\*, python\*, java\*, provided\*\)"):
        launch_for(spec(tmp_path, "ruby3.3"))


def test_elf_cpu_reads_the_machine_field(tmp_path):
    assert elf_cpu(elf(tmp_path / "a", 0x3E)) == "x86_64"
    assert elf_cpu(elf(tmp_path / "b", 0xB7)) == "arm64"
    (tmp_path / "c").write_text("#!/bin/sh\n")
    assert elf_cpu(tmp_path / "c") is None


def test_java_loads_the_jni_library_unpacked_once_beside_the_client(tmp_path, monkeypatch):
    import zipfile

    support = tmp_path / "support" / "java"
    support.mkdir(parents=True)
    arch = java.NATIVE_CLIENT_ARCH.get(__import__("platform").machine().lower(), "x86_64")
    with zipfile.ZipFile(support / "aws-lambda-java-runtime-interface-client-2.9.0.jar", "w") as jar:
        jar.writestr(f"jni/libaws-lambda-jni.linux-{arch}.so", b"native code")
    monkeypatch.setenv("STAGEGRAPH_RUNTIME_SUPPORT", str(tmp_path / "support"))
    monkeypatch.setattr(java, "find_java", lambda version: "/jdk/bin/java")

    launch = launch_for(spec(tmp_path, "java21", handler="example.Handler"))

    library = support / "jni" / f"libaws-lambda-jni.linux-{arch}.so"
    assert f"-D{java.NATIVE_CLIENT_PROPERTY}={library}" in launch.command
    assert library.read_bytes() == b"native code"
    # A second environment reuses the file: nothing is rewritten while another JVM has it loaded.
    before = library.stat().st_mtime_ns
    launch_for(spec(tmp_path, "java21", handler="example.Handler"))
    assert library.stat().st_mtime_ns == before
    assert not list((support / "jni").glob("*.partial"))


def test_each_family_starts_under_its_debugger_on_the_loopback_port(tmp_path, monkeypatch):
    monkeypatch.setenv("STAGEGRAPH_NODE", "/usr/bin/node")
    node = launch_for(spec(tmp_path, "nodejs22.x"), debug_port=9229)
    assert node.command[:2] == ["/usr/bin/node", "--inspect=127.0.0.1:9229"]
    assert node.command[-1].endswith("bootstrap/node-bootstrap.js")

    support = tmp_path / "support"
    (support / "python3.11" / "awslambdaric").mkdir(parents=True)
    monkeypatch.setenv("STAGEGRAPH_RUNTIME_SUPPORT", str(support))
    monkeypatch.setenv("STAGEGRAPH_PYTHON_3_11", "/usr/bin/python3")
    with pytest.raises(LaunchError, match=r"debugpy is not installed in .*python3.11: run `stagegraph local install`"):
        launch_for(spec(tmp_path, "python3.11"), debug_port=5678)
    (support / "python3.11" / "debugpy").mkdir()
    python = launch_for(spec(tmp_path, "python3.11"), debug_port=5678)
    assert python.command == ["/usr/bin/python3", "-S", "-m", "debugpy", "--listen", "127.0.0.1:5678", "-m", "awslambdaric", "index.handler"]

    bootstrap = elf(tmp_path / "bootstrap", 0x3E if host_cpu() == "x86_64" else 0xB7)
    monkeypatch.setenv("STAGEGRAPH_DLV", "/opt/dlv")
    go = launch_for(spec(tmp_path, "provided.al2023"), debug_port=2345)
    assert go.command[:3] == ["/opt/dlv", "exec", "--headless"] and "--listen=127.0.0.1:2345" in go.command
    assert go.command[-1] == str(bootstrap)


def test_without_a_port_nothing_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("STAGEGRAPH_NODE", "/usr/bin/node")
    assert launch_for(spec(tmp_path, "nodejs22.x"), debug_port=None) == launch_for(spec(tmp_path, "nodejs22.x"))


def test_java_puts_only_the_client_on_the_class_path_and_leaves_the_code_to_the_clients_loader(tmp_path, monkeypatch):
    support = fake_java_support(tmp_path, monkeypatch)

    without_layers = FunctionSpec(runtime="java17", handler="example.Handler", code_dir=str(tmp_path), layer_dirs=[],
                                  memory_mb=256, architecture="x86_64")
    launch = launch_for(without_layers)

    classpath = launch.command[launch.command.index("-cp") + 1]
    assert classpath == f"{support}/*"
    assert launch.command[-2:] == ["com.amazonaws.services.lambda.runtime.api.client.AWSLambda", "example.Handler"]


JDK = next((j for j in (os.path.join(os.environ.get("JAVA_HOME", "/nonexistent"), "bin", "java"), shutil.which("java")) if j and os.path.isfile(j)), None)


@pytest.mark.skipif(JDK is None, reason="no JDK on this machine")
def test_a_jvm_records_its_class_data_archive_at_exit_and_the_next_one_maps_it(tmp_path):
    # GIVEN a class path of one jar
    lib = tmp_path / "lib"
    lib.mkdir()
    with zipfile.ZipFile(lib / "a.jar", "w") as jar:
        jar.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
    classpath = f"{lib}/*"
    archives = tmp_path / "cds"

    # WHEN the first JVM starts: it records, and a second one started meanwhile neither records nor maps
    flags, finished = java.class_data_sharing(JDK, classpath, archives)
    assert flags[0].startswith("-XX:ArchiveClassesAtExit=") and finished is not None
    assert java.class_data_sharing(JDK, classpath, archives) == ([], None)
    run = subprocess.run([JDK, *flags, "-cp", classpath, "-version"], capture_output=True, text=True, timeout=60)
    finished(run.returncode)

    # THEN the archive is kept, quietly, and the next JVM maps it (-Xshare:on fails when it cannot)
    assert run.returncode == 0 and "cds" not in run.stdout + run.stderr.replace("sharing", "")
    assert [p.suffix for p in archives.iterdir()] == [".jsa"]
    assert (archives.stat().st_mode & 0o777) == 0o700
    flags, finished = java.class_data_sharing(JDK, classpath, archives)
    assert flags[0] == f"-XX:SharedArchiveFile={next(archives.iterdir())}" and finished is None
    mapped = subprocess.run([JDK, "-Xshare:on", *flags, "-cp", classpath, "-version"], capture_output=True, text=True, timeout=60)
    assert mapped.returncode == 0, mapped.stderr

    # AND a changed jar is another archive: recorded again, not mapped stale
    with zipfile.ZipFile(lib / "a.jar", "a") as jar:
        jar.writestr("b.txt", "changed")
    flags, finished = java.class_data_sharing(JDK, classpath, archives)
    assert flags[0].startswith("-XX:ArchiveClassesAtExit=")
    finished(-9)  # killed before it exited: what it left is dropped, and the attempt counts
    assert [p.suffix for p in archives.iterdir()] == [".jsa"]


def test_recording_an_archive_stops_after_three_failed_attempts(tmp_path):
    home = tmp_path / "jdk17"
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text("")
    (home / "release").write_text('JAVA_VERSION="17.0.15"\n')
    jdk = str(home / "bin" / "java")
    tmp_path = tmp_path / "cds"
    tmp_path.mkdir()
    # what a JVM killed while writing left two hours ago goes when the next recording starts
    stale = tmp_path / "0123.dead.partial"
    stale.write_bytes(b"half an archive")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    for _ in range(java.CDS_ATTEMPTS):
        flags, finished = java.class_data_sharing(jdk, "/nowhere/*", tmp_path)
        assert finished is not None
        (tmp_path / flags[0].split("=", 1)[1].rsplit("/", 1)[1]).write_bytes(b"partial")
        finished(-9)
    assert java.class_data_sharing(jdk, "/nowhere/*", tmp_path) == ([], None)
    assert not list(tmp_path.iterdir())


def test_provided_refuses_a_bootstrap_that_is_neither_a_binary_nor_a_script(tmp_path):
    (tmp_path / "bootstrap").write_text("echo no interpreter line\n")
    with pytest.raises(LaunchError, match=r"bootstrap is neither an executable \(ELF\) nor a script starting with #!"):
        launch_for(spec(tmp_path, "provided.al2023", "bootstrap"))
    (tmp_path / "bootstrap").write_text("#!/bin/sh\necho a script\n")
    assert launch_for(spec(tmp_path, "provided.al2023", "bootstrap")).command == [str(tmp_path / "bootstrap")]


def test_java_before_13_starts_without_class_data_flags(tmp_path):
    home = tmp_path / "jdk11"
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text("")
    (home / "release").write_text('JAVA_VERSION="11.0.2"\n')
    assert java.class_data_sharing(str(home / "bin" / "java"), "/nowhere/*", tmp_path / "cds") == ([], None)
    assert not (tmp_path / "cds").exists()


def test_a_java_function_with_layers_keeps_its_classes_before_the_layers_and_no_archive(tmp_path, monkeypatch):
    support = fake_java_support(tmp_path, monkeypatch)

    launch = launch_for(spec(tmp_path, "java17", handler="example.Handler"))

    classpath = launch.command[launch.command.index("-cp") + 1]
    assert classpath == f"{tmp_path}:{tmp_path}/lib/*:{tmp_path}/layer/java/lib/*:{support}/*"
    assert not [flag for flag in launch.command if "SharedArchiveFile" in flag or "ArchiveClassesAtExit" in flag]
    assert launch.on_exit is None


def fake_java_support(tmp_path, monkeypatch):
    """An installed Java runtime interface client (an empty jar and JNI library) and a JDK at /jdk."""
    support = tmp_path / "support" / "java"
    support.mkdir(parents=True)
    (support / "aws-lambda-java-runtime-interface-client-2.9.0.jar").write_bytes(b"")
    (support / "jni").mkdir()
    arch = java.NATIVE_CLIENT_ARCH.get(__import__("platform").machine().lower(), "x86_64")
    (support / "jni" / f"libaws-lambda-jni.linux-{arch}.so").write_bytes(b"")
    monkeypatch.setenv("STAGEGRAPH_RUNTIME_SUPPORT", str(tmp_path / "support"))
    monkeypatch.setattr(java, "find_java", lambda version: "/jdk/bin/java")
    return support
