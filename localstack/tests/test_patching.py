"""Patches apply at most once, and one that could not apply is tried again."""
import threading

from stagegraph_localstack.patching import install_once


def test_a_patch_applies_once_and_one_that_could_not_is_tried_again():
    calls = []
    possible = [False, True]

    @install_once
    def patch() -> bool:
        """Patches something."""
        calls.append(1)
        return possible.pop(0)

    assert patch() is False  # not inside LocalStack yet
    assert patch() is True
    assert patch() is True
    assert len(calls) == 2
    assert patch.__doc__ == "Patches something." and patch.__name__ == "patch"

    patch.reset()
    possible.append(True)
    assert patch() is True and len(calls) == 3


def test_hooks_asking_at_once_apply_it_once():
    calls = []
    gate = threading.Barrier(8)

    @install_once
    def patch() -> bool:
        calls.append(1)
        return True

    def ask():
        gate.wait()
        patch()

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1]
