"""``keep_freed_memory``: glibc's malloc thresholds raised for ``tactile estimate``, a no-op
elsewhere (docs/decisions.md, "Keeping freed memory in ``tactile estimate``")."""

from __future__ import annotations

import os
import sys

import pytest

from tactile.cli import _common
from tactile.cli._common import keep_freed_memory


@pytest.fixture
def no_malloc_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*_common._MALLOC_ENV, "GLIBC_TUNABLES"):
        monkeypatch.delenv(name, raising=False)
    # a small reserve in the test process (4 x 4 MiB, not 4 x 24)
    monkeypatch.setattr(_common, "RESERVE_BLOCK_BYTES", 4 << 20)


def _glibc() -> bool:
    try:
        return sys.platform.startswith("linux") and (
            os.confstr("CS_GNU_LIBC_VERSION") or ""
        ).startswith("glibc")
    except (AttributeError, ValueError, OSError):
        return False


@pytest.mark.usefixtures("no_malloc_env")
def test_set_on_glibc_else_a_quiet_no_op() -> None:
    assert keep_freed_memory() is _glibc()


@pytest.mark.usefixtures("no_malloc_env")
@pytest.mark.parametrize("platform", ["darwin", "win32", "freebsd14"])
def test_no_op_off_linux(platform: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    assert keep_freed_memory() is False


@pytest.mark.usefixtures("no_malloc_env")
def test_no_op_on_another_libc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")

    def musl(name: str) -> str | None:
        raise ValueError(f"unrecognized configuration name {name}")

    monkeypatch.setattr(os, "confstr", musl)
    assert keep_freed_memory() is False
    monkeypatch.setattr(os, "confstr", lambda name: None)
    assert keep_freed_memory() is False


@pytest.mark.usefixtures("no_malloc_env")
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MALLOC_MMAP_THRESHOLD_", "131072"),
        ("MALLOC_TRIM_THRESHOLD_", "131072"),
        ("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=131072"),
    ],
)
def test_the_users_own_thresholds_left_alone(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, value)
    assert keep_freed_memory() is False


@pytest.mark.usefixtures("no_malloc_env")
def test_mallopt_missing_or_refusing(monkeypatch: pytest.MonkeyPatch) -> None:
    if not _glibc():
        pytest.skip("glibc only")
    import ctypes

    class NoMallopt:
        def __init__(self, name: object) -> None:
            raise OSError("no libc here")

    monkeypatch.setattr(ctypes, "CDLL", NoMallopt)
    assert keep_freed_memory() is False

    class Refuses:
        def __init__(self, name: object) -> None:
            self.mallopt = lambda param, value: 0

    monkeypatch.setattr(ctypes, "CDLL", Refuses)
    assert keep_freed_memory() is False


@pytest.mark.usefixtures("no_malloc_env")
def test_the_reserve_is_faulted_in_before_the_first_grasp() -> None:
    """After it, a block within the reserve comes from memory already faulted in: writing it
    takes (nearly) no page faults, where a fresh mapping would take one per page."""
    if not _glibc():
        pytest.skip("glibc only")
    import resource

    import numpy as np

    assert keep_freed_memory()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    block = np.ones(8 << 20, dtype=np.uint8)  # 2048 pages of 4 KiB
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    assert block[-1] == 1
    assert faults < 256
