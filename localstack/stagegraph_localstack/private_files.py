"""Files of the local cloud that only its own user may read: runtime processes' output holds what functions print.

They go below LocalStack's tmp folder (the app's `.stagegraph/localstack/filesystem`, which LocalStack clears at each
start and stop), not into the machine's shared temporary folder, where every local user could read them and where a
LocalStack killed without a stop left them behind.
"""

import os
import stat


def private_dir(path: str) -> str:
    """The folder at `path`, made if missing, and readable, writable and searchable by its owner alone."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise NotADirectoryError(f"{path} is not a folder")
    if stat.S_IMODE(info.st_mode) != 0o700:
        os.chmod(path, 0o700)  # made before, or with a umask that kept more bits
    return path


def open_private_append(path: str):
    """`path` opened to append bytes, created readable and writable by its owner alone; a link is refused."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    return os.fdopen(descriptor, "ab")
