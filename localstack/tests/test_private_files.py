import os
import stat

import pytest

from stagegraph_localstack.private_files import open_private_append, private_dir


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_the_folder_is_made_for_its_owner_alone_whatever_the_umask(tmp_path):
    previous = os.umask(0)
    try:
        folder = private_dir(str(tmp_path / "logs" / "deeper"))
    finally:
        os.umask(previous)
    assert mode(folder) == 0o700


def test_a_folder_made_before_with_more_bits_is_narrowed(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir(mode=0o777)
    os.chmod(folder, 0o777)
    assert private_dir(str(folder)) == str(folder)
    assert mode(folder) == 0o700


def test_a_file_where_the_folder_should_be_is_refused(tmp_path):
    (tmp_path / "logs").write_text("not a folder")
    with pytest.raises((NotADirectoryError, FileExistsError)):
        private_dir(str(tmp_path / "logs"))


def test_the_log_is_created_for_its_owner_alone_and_appended_to(tmp_path):
    path = str(tmp_path / "a.log")
    previous = os.umask(0)
    try:
        with open_private_append(path) as log:
            log.write(b"first\n")
        with open_private_append(path) as log:
            log.write(b"second\n")
    finally:
        os.umask(previous)
    assert mode(path) == 0o600
    with open(path, "rb") as f:
        assert f.read() == b"first\nsecond\n"


def test_a_link_in_place_of_the_log_is_refused(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_bytes(b"")
    os.symlink(target, tmp_path / "a.log")
    with pytest.raises(OSError):
        open_private_append(str(tmp_path / "a.log"))
    assert target.read_bytes() == b""
