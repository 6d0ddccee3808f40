"""File-system plumbing for the store: durable atomic publish, writer lock, safe HDF5 open.

Crash safety rests on three POSIX facts: ``fsync`` on a file makes its bytes durable,
``os.replace`` within one directory is atomic (a reader sees the old name or the new file, never
a half-written one), and ``fsync`` on the directory makes the rename itself durable.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import h5py

from tactile.errors import (
    CorruptFileError,
    ForeignFileError,
    SchemaVersionError,
    StoreError,
    TactileError,
)
from tactile.io.schema import FORMAT_NAME, GRASPS_GROUP, SCHEMA_VERSION

try:  # POSIX advisory locks; on other systems the store simply runs without a writer lock
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

TMP_MARK = ".tmp-"
HDF5_SUFFIXES = (".h5", ".hdf5")


def temp_sibling(path: Path) -> Path:
    """A hidden temporary name next to ``path`` that readers never pick up."""
    return path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}")


def is_temp(path: Path) -> bool:
    return path.name.startswith(".") and TMP_MARK in path.name


def _full_fsync(fd: int) -> bool:
    """macOS: fsync does not flush the drive's cache, F_FULLFSYNC does. False elsewhere."""
    full = getattr(fcntl, "F_FULLFSYNC", None) if fcntl is not None else None
    if full is None:
        return False
    try:  # pragma: no cover - macOS only
        fcntl.fcntl(fd, full)
    except OSError:  # pragma: no cover - e.g. network file systems
        return False
    return True  # pragma: no cover


def fsync_file(path: Path) -> None:
    """Flush the bytes of ``path`` to stable storage."""
    fd = os.open(path, os.O_RDONLY)
    try:
        if not _full_fsync(fd):
            os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Make renames/unlinks inside directory ``path`` durable (no-op where unsupported)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover - e.g. Windows cannot open directories
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on directories
        pass
    finally:
        os.close(fd)


def publish(tmp: Path, final: Path) -> None:
    """Durably move the finished file ``tmp`` to ``final`` (atomic, survives power loss)."""
    fsync_file(tmp)
    os.replace(tmp, final)
    fsync_dir(final.parent)


def remove_temps(directory: Path) -> list[Path]:
    """Delete temporary files left in ``directory`` by a writer that died; return them."""
    removed = []
    if directory.is_dir():
        for p in sorted(directory.iterdir()):
            if is_temp(p) and p.is_file():
                p.unlink(missing_ok=True)
                removed.append(p)
    if removed:
        fsync_dir(directory)
    return removed


class WriterLock:
    """An exclusive, non-blocking advisory lock on ``path`` (released even on SIGKILL)."""

    def __init__(self, path: Path, target: Path) -> None:
        self.path = path
        self.target = target
        self._fh: IO[bytes] | None = None

    def acquire(self) -> None:
        if fcntl is None:  # pragma: no cover
            return
        for _ in range(5):
            try:
                fh = open(self.path, "ab")  # noqa: SIM115 - held for the writer's lifetime
            except OSError as exc:
                raise StoreError(
                    f"cannot create the writer lock {self.path} ({exc.strerror})",
                    hint="check that you may write to the folder of the grasp dataset",
                ) from exc
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                raise StoreError(
                    f"another writer is already writing to {self.target}",
                    hint="close the other GraspWriter (or process) first, or write elsewhere",
                ) from None
            # The previous holder may have unlinked the lock file between our open and flock.
            try:
                same = os.path.samestat(os.fstat(fh.fileno()), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                self._fh = fh
                return
            fh.close()
        raise StoreError(f"could not lock {self.target}", hint="retry")  # pragma: no cover

    def release(self) -> None:
        if self._fh is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        self._fh.close()
        self._fh = None


def _check_root(f: h5py.File, path: Path) -> None:
    fmt = f.attrs.get("format")
    if isinstance(fmt, bytes):
        fmt = fmt.decode("utf-8", "replace")
    if fmt != FORMAT_NAME:
        raise ForeignFileError(
            f"{path} is an HDF5 file but not a tactile grasp file (no format={FORMAT_NAME!r})",
            hint="open files written by tactile, or import the recording with `tactile import`",
        )
    version = f.attrs.get("schema_version")
    try:
        version_int = int(version)
    except (TypeError, ValueError):
        version_int = 0
    if version_int < 1:
        raise CorruptFileError(
            f"{path} has an invalid schema_version {version!r}",
            hint="the file header is damaged; restore it from a backup",
        )
    if version_int > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"{path} uses grasp schema version {version_int}; this tactile reads up to "
            f"{SCHEMA_VERSION}",
            hint="upgrade tactile (pip install -U tactile) to read this file",
        )
    if not isinstance(f.get(GRASPS_GROUP), h5py.Group):
        raise CorruptFileError(
            f"{path} has no /{GRASPS_GROUP} group", hint="the file is damaged; restore a backup"
        )


@contextlib.contextmanager
def open_grasp_file(path: Path) -> Iterator[h5py.File]:
    """Open a grasp file read-only; any h5py/OS failure becomes a :class:`StoreError`."""
    f = open_checked(path)
    try:
        with read_errors(path):
            yield f
    finally:
        with contextlib.suppress(Exception):
            f.close()


def open_checked(path: Path) -> h5py.File:
    """The grasp file at ``path`` open read-only, its root checked (the caller closes it); the
    failures :func:`open_grasp_file` reports, reported alike. Reads from it belong in
    :func:`read_errors`."""
    if not path.exists():
        raise StoreError(
            f"grasp file {path} does not exist",
            hint="check the path; a grasp dataset is a .h5 file or a directory of them",
        )
    try:
        f = h5py.File(path, "r", locking=False)
    except (OSError, ValueError) as exc:
        raise _open_failure(path, exc) from exc
    try:
        with read_errors(path):
            _check_root(f, path)
    except BaseException:
        with contextlib.suppress(Exception):
            f.close()
        raise
    return f


@contextlib.contextmanager
def read_errors(path: Path) -> Iterator[None]:
    """A failure reading the open grasp file ``path`` (h5py/OS, a missing key) as a
    :class:`CorruptFileError`; the library's own errors pass through."""
    try:
        yield
    except (OSError, RuntimeError, KeyError, ValueError) as exc:
        if isinstance(exc, TactileError):  # raised on purpose by the caller: pass through
            raise
        raise CorruptFileError(
            f"{path}: cannot read ({exc})",
            hint="the file is damaged or truncated; re-record/re-import or restore a backup",
        ) from exc


def _open_failure(path: Path, exc: Exception) -> StoreError:
    if path.is_dir():
        return StoreError(f"{path} is a directory", hint="open it as a grasp directory")
    try:
        hdf5 = h5py.is_hdf5(path)
    except OSError:
        hdf5 = False
    if not hdf5:
        return CorruptFileError(
            f"{path} is not an HDF5 file (no HDF5 signature)",
            hint="pass a .h5 file written by tactile; convert recordings with `tactile import`",
        )
    return CorruptFileError(
        f"{path} is a damaged or truncated HDF5 file ({exc})",
        hint="re-record/re-import it or restore a backup; completed grasps of a crashed "
        "session live in the sibling .pending directory",
    )
