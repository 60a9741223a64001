"""Node.js: stagegraph's bootstrap on exactly the runtime's Node.js major."""

import os
import shutil
import subprocess

from .launcher import PACKAGE_DIR, FunctionSpec, Launch, LaunchError, Launcher, support_dir


class NodejsLauncher(Launcher):
    """Node.js through stagegraph's bootstrap, a small Runtime API client in the style of the official one."""

    family = "nodejs"

    def launch(self, spec: FunctionSpec) -> Launch:
        node = find_node(spec.runtime)
        node_path = [os.path.join(d, "nodejs", "node_modules") for d in spec.layer_dirs] + [os.path.join(spec.code_dir, "node_modules")]
        heap = max(64, int(spec.memory_mb * 0.9))
        return Launch(
            [node, f"--max-old-space-size={heap}", "--enable-source-maps", str(PACKAGE_DIR / "bootstrap" / "node-bootstrap.js")],
            {"NODE_PATH": ":".join(node_path)},
        )


    def debug(self, launch: Launch, spec: FunctionSpec, port: int) -> Launch:
        # The inspector protocol: Chrome DevTools, VS Code's "attach" and any CDP client.
        return Launch([launch.command[0], f"--inspect=127.0.0.1:{port}", *launch.command[1:]], launch.env)


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
